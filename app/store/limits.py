"""How often a client may get a secret wrong: resume codes and the instructor token.

Each (scope, client) pair has one row in `access_limits`: a client is what the app can tell
apart (a network address), a scope one secret kind ("resume", "token"). `LIMIT.per_window`
wrong tries within `LIMIT.window` seconds are allowed; then the client waits `first_wait`
seconds, and every further wrong try doubles the wait (up to `max_wait`) until `forgive_after`
seconds pass without one. While a client waits, nothing it sends is checked, right or wrong: a
lucky guess during the wait would otherwise still open the door. A right answer never resets
the count (an attacker could interleave their own valid code).

The rows live in the database, so every app process of a class and a restarted server share
them. Each try is one write transaction holding the row's lock (SQLite: BEGIN IMMEDIATE;
PostgreSQL: SELECT ... FOR UPDATE), so concurrent tries of one client are counted one by one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dropout_lab.store.base import Database, insert_or_ignore
from dropout_lab.store.schema import metadata

T = TypeVar("T")
CLIENT_MAX = 120
SCOPES = ("resume", "token")

access_limits = sa.Table(  # revision 0005
    "access_limits",
    metadata,
    sa.Column("scope", sa.String(16), primary_key=True),
    sa.Column("client", sa.String(CLIENT_MAX), primary_key=True),
    sa.Column("window_start", sa.Float, nullable=False),
    sa.Column("failures", sa.Integer, nullable=False),  # wrong tries in the current window
    sa.Column("level", sa.Integer, nullable=False),  # waits so far (the next one is longer)
    sa.Column("blocked_until", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),  # the last wrong try
)


@dataclass(frozen=True)
class Limit:
    per_window: int = 10
    window: float = 60.0
    first_wait: float = 60.0
    max_wait: float = 900.0
    forgive_after: float = 3600.0

    def wait(self, level: int) -> float:
        """The wait after the `level`-th block (1, 2, ...)."""
        return min(self.max_wait, self.first_wait * 2 ** max(0, level - 1))


LIMIT = Limit()


@dataclass(frozen=True)
class Attempt(Generic[T]):
    """What a try gave: `value` when the secret was right; `wait` > 0 when the client must wait
    that many seconds before its next try is checked."""

    value: T | None
    wait: float = 0.0

    @property
    def ok(self) -> bool:
        return self.value is not None


def _check_client(scope: str, client: str) -> None:
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, got {scope!r}")
    if not isinstance(client, str) or not 0 < len(client) <= CLIENT_MAX:
        raise ValueError(f"client must be 1-{CLIENT_MAX} characters, got {client!r}")


class LimitQueries(Database):
    """Tries at a secret, counted per client (see the module's docstring)."""

    limit: Limit = LIMIT

    def attempt(
        self,
        scope: str,
        client: str,
        check: Callable[[Connection], T | None],
        now: float | None = None,
    ) -> Attempt[T]:
        """Run `check` (on the transaction's connection) unless `client` must wait; a None or
        False result is a wrong try and counts. `now` is for tests."""
        _check_client(scope, client)
        now = time.time() if now is None else now
        c = access_limits.c
        with self._write() as conn:
            fresh = {"scope": scope, "client": client, "window_start": now, "failures": 0,
                     "level": 0, "blocked_until": 0.0, "updated_at": now}  # fmt: skip
            insert_or_ignore(conn, access_limits, fresh, ("scope", "client"))
            where = sa.and_(c.scope == scope, c.client == client)
            row = conn.execute(sa.select(access_limits).where(where).with_for_update()).one()
            if row.blocked_until > now:
                return Attempt(None, row.blocked_until - now)
            value = check(conn)
            if value is not None and value is not False:
                return Attempt(value)
            changes = self._failed(row, now)
            conn.execute(sa.update(access_limits).where(where).values(changes))
            conn.execute(  # forget clients long quiet, so the table stays small
                sa.delete(access_limits).where(
                    c.updated_at < now - 2 * self.limit.forgive_after, c.blocked_until < now
                )
            )
        return Attempt(None, max(0.0, changes["blocked_until"] - now))

    def _failed(self, row: sa.Row, now: float) -> dict:
        """The row's new values after one more wrong try."""
        lim = self.limit
        level = row.level if now - row.updated_at < lim.forgive_after else 0
        start, failures = row.window_start, row.failures
        if now - start >= lim.window:
            start, failures = now, 0
        failures += 1
        blocked_until = 0.0
        if level > 0 or failures >= lim.per_window:  # blocked before: every wrong try waits
            level += 1
            blocked_until = now + lim.wait(level)
            start, failures = now, 0
        return {"window_start": start, "failures": failures, "level": level,
                "blocked_until": blocked_until, "updated_at": now}  # fmt: skip

    def wait_for(self, scope: str, client: str, now: float | None = None) -> float:
        """Seconds before `client`'s next try at `scope` is checked (0: now)."""
        _check_client(scope, client)
        now = time.time() if now is None else now
        c = access_limits.c
        with self._read() as conn:
            until = conn.execute(
                sa.select(c.blocked_until).where(c.scope == scope, c.client == client)
            ).scalar()
        return max(0.0, (until or 0.0) - now)
