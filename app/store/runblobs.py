"""Finished training runs kept in the database (run key -> meta JSON + weights blob), so app
processes on several machines share results: `training.mirror` reads and writes them."""

from __future__ import annotations

import time

import sqlalchemy as sa

from dropout_lab.store.base import Database, upsert
from dropout_lab.store.schema import runs
from dropout_lab.store.values import check_key, to_json


class RunBlobs(Database):
    """Finished runs, shared by every app process using this database."""

    def put_run(self, key: str, meta: dict, weights: bytes) -> None:
        """Keep the finished run `key`: its meta data (JSON) and its weights (e.g. an .npz
        file's bytes), replacing an earlier copy, in one transaction."""
        if not isinstance(weights, (bytes, bytearray, memoryview)):
            raise ValueError(f"weights must be bytes, got {type(weights).__name__}")
        meta = to_json(meta, "meta")
        if not isinstance(meta, dict):
            raise ValueError("meta must be a dict")
        values = {
            "key": check_key(key, "run key"),
            "meta": meta,
            "weights": bytes(weights),
            "finished_at": time.time(),
        }
        with self._write() as conn:
            upsert(conn, runs, values, ("key",), ("meta", "weights", "finished_at"))

    def has_run(self, key: str) -> bool:
        with self._read() as conn:
            found = conn.execute(sa.select(runs.c.key).where(runs.c.key == key)).first()
        return found is not None

    def run_meta(self, key: str) -> dict | None:
        with self._read() as conn:
            return conn.execute(sa.select(runs.c.meta).where(runs.c.key == key)).scalar()

    def run_weights(self, key: str) -> bytes | None:
        with self._read() as conn:
            found = conn.execute(sa.select(runs.c.weights).where(runs.c.key == key)).scalar()
        return None if found is None else bytes(found)

    def run_keys(self) -> list[str]:
        with self._read() as conn:
            return list(conn.execute(sa.select(runs.c.key).order_by(runs.c.key)).scalars())
