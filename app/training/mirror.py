"""The database mirror of finished runs: app processes with their own run folders (other
machines behind a load balancer) share complete runs through the learners' database.

A run is mirrored whole: its `run.json` contents and its `weights.npz` bytes, written in one
transaction by `store.runblobs.RunBlobs.put_run`. Stopped runs are never mirrored (the run
store decides that). The database is opened on first use, so a process that never needs it
(a worker that only reads its folder) never connects.

This module never imports Streamlit or TensorFlow; a `RunMirror` is thread-safe.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dropout_lab.store.runblobs import RunBlobs


class RunMirror:
    """Complete runs kept in the learners' database at `url` (SQLite or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._store: RunBlobs | None = None
        self._lock = threading.Lock()

    def _db(self) -> RunBlobs:
        with self._lock:
            if self._store is None:
                # Imported here: SQLAlchemy is only paid for by processes that share runs.
                from dropout_lab.store.runblobs import RunBlobs

                self._store = RunBlobs(self.url)
            return self._store

    def fetch(self, key: str) -> tuple[dict[str, Any], bytes] | None:
        """The mirrored run `key` as (its run.json contents, its weights.npz bytes), or None."""
        db = self._db()
        if not db.has_run(key):
            return None
        meta, weights = db.run_meta(key), db.run_weights(key)
        if meta is None or weights is None:
            return None
        return meta, weights

    def put(self, key: str, meta: dict[str, Any], weights: bytes) -> None:
        """Mirror a complete run, in one transaction: it is shared whole or not at all."""
        self._db().put_run(key, meta, weights)
