"""How often a client may get a secret wrong, and how fast it may create learners.

A try is counted under (scope, target, client): the scope is one kind of secret or action
("resume", "token", "join"), the target what it is aimed at (a learner's id for a resume code,
"dashboard" for the instructor token, "*" for joining), the client what the app can tell apart
(a network address, `ui/links.client`). Many learners of one classroom share one address
behind its NAT, so the rules are made for that:

- A right secret is always checked first and accepted, whatever anyone's count: a classmate's
  wrong codes at the token or at anyone's code never keep the instructor out of the dashboard or
  a learner out of their own work, and a client blocked for guessing one target still opens
  another with the right secret.
- Only wrong tries count, and only against their own (target, client): `per_window` wrong tries
  within `window` seconds are allowed; then the pair is told to wait `first_wait` seconds, and
  every further wrong try doubles the wait (up to `max_wait`) until `forgive_after` seconds pass
  without one. A right answer never resets the count (an attacker could interleave their own
  valid code).

What this does not do, said plainly: since a right secret is never refused, a block cannot stop
a guess from being checked; it tells the guesser to stop, and the counts say who guesses what.
Guessing stays hopeless because of the secrets' size (a resume code holds 100 random bits; the
instructor token's length is the host's to choose, docs/hosting.md asks for 20 characters or
more), not because of the count.

Joining ("join") counts every learner created, not wrong tries, and does not escalate: at most
`per_window` new learners per client within `window` seconds (a class behind one address joins
within a few minutes; 150 fake learners a minute and a half do not).

The rows live in the database, so every app process of a class and a restarted server share
them. Each count is one write transaction holding the row's lock (SQLite: BEGIN IMMEDIATE;
PostgreSQL: SELECT ... FOR UPDATE), so concurrent tries of one client are counted one by one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dropout_lab.store.base import Database, insert_or_ignore
from dropout_lab.store.schema import metadata

T = TypeVar("T")
CLIENT_MAX = 120
TARGET_MAX = 64
SCOPES = ("resume", "token", "join")
JOINS_ENV = "DROPOUT_LAB_JOINS_PER_MINUTE"  # new learners per client and minute (default 30)

access_limits = sa.Table(  # revision 0007 (0005: per scope and client only)
    "access_limits",
    metadata,
    sa.Column("scope", sa.String(16), primary_key=True),
    sa.Column("target", sa.String(TARGET_MAX), primary_key=True),
    sa.Column("client", sa.String(CLIENT_MAX), primary_key=True),
    sa.Column("window_start", sa.Float, nullable=False),
    sa.Column("failures", sa.Integer, nullable=False),  # counted tries in the current window
    sa.Column("level", sa.Integer, nullable=False),  # waits so far (the next one is longer)
    sa.Column("blocked_until", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),  # the last counted try
)


@dataclass(frozen=True)
class Limit:
    per_window: int = 10
    window: float = 60.0
    first_wait: float = 60.0
    max_wait: float = 900.0
    forgive_after: float = 3600.0
    escalate: bool = True  # False: a full window waits for its end, and no longer

    def wait(self, level: int) -> float:
        """The wait after the `level`-th block (1, 2, ...)."""
        return min(self.max_wait, self.first_wait * 2 ** max(0, level - 1))


LIMIT = Limit()
JOIN_LIMIT = Limit(per_window=30, window=60.0, forgive_after=600.0, escalate=False)


def join_limit() -> Limit:
    """JOIN_LIMIT with DROPOUT_LAB_JOINS_PER_MINUTE applied (a whole number from 1)."""
    raw = os.environ.get(JOINS_ENV, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return replace(JOIN_LIMIT, per_window=int(raw))
    return JOIN_LIMIT


@dataclass(frozen=True)
class Attempt(Generic[T]):
    """What a try gave: `value` when the secret was right; `wait` > 0 when the client's tries at
    this target are over their limit for that many more seconds."""

    value: T | None
    wait: float = 0.0

    @property
    def ok(self) -> bool:
        return self.value is not None


def _check_key(scope: str, target: str, client: str) -> None:
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, got {scope!r}")
    if not isinstance(target, str) or not 0 < len(target) <= TARGET_MAX:
        raise ValueError(f"target must be 1-{TARGET_MAX} characters, got {target!r}")
    if not isinstance(client, str) or not 0 < len(client) <= CLIENT_MAX:
        raise ValueError(f"client must be 1-{CLIENT_MAX} characters, got {client!r}")


class LimitQueries(Database):
    """Tries counted per (scope, target, client) (see the module's docstring)."""

    limit: Limit = LIMIT

    def limit_of(self, scope: str) -> Limit:
        return join_limit() if scope == "join" else self.limit

    def attempt(
        self,
        scope: str,
        target: str,
        client: str,
        check: Callable[[Connection], T | None],
        now: float | None = None,
    ) -> Attempt[T]:
        """Run `check` (on the transaction's connection) first: a right answer is returned
        whatever the counts; a None or False result is a wrong try, counted against (target,
        client). `now` is for tests."""
        _check_key(scope, target, client)
        now = time.time() if now is None else now
        with self._write() as conn:
            value = check(conn)
            if value is not None and value is not False:
                return Attempt(value)
            wait = self._count(conn, scope, target, client, now)
        return Attempt(None, wait)

    def spend(self, scope: str, target: str, client: str, now: float | None = None) -> float:
        """Count one try that is not a guess (a learner created); returns the wait it starts."""
        _check_key(scope, target, client)
        now = time.time() if now is None else now
        with self._write() as conn:
            return self._count(conn, scope, target, client, now)

    def _count(self, conn: Connection, scope: str, target: str, client: str, now: float) -> float:
        """Count one try under the row's lock; the wait the pair is under afterwards."""
        c = access_limits.c
        fresh = {"scope": scope, "target": target, "client": client, "window_start": now,
                 "failures": 0, "level": 0, "blocked_until": 0.0, "updated_at": now}  # fmt: skip
        insert_or_ignore(conn, access_limits, fresh, ("scope", "target", "client"))
        where = sa.and_(c.scope == scope, c.target == target, c.client == client)
        row = conn.execute(sa.select(access_limits).where(where).with_for_update()).one()
        if row.blocked_until > now:  # waiting already: the wait neither grows nor restarts
            return row.blocked_until - now
        lim = self.limit_of(scope)
        changes = self._failed(row, now, lim)
        conn.execute(sa.update(access_limits).where(where).values(changes))
        conn.execute(  # forget pairs long quiet, so the table stays small
            sa.delete(access_limits).where(
                c.updated_at < now - 2 * max(lim.forgive_after, LIMIT.forgive_after),
                c.blocked_until < now,
            )
        )
        return max(0.0, changes["blocked_until"] - now)

    @staticmethod
    def _failed(row: sa.Row, now: float, lim: Limit) -> dict:
        """The row's new values after one more counted try."""
        level = row.level if now - row.updated_at < lim.forgive_after else 0
        start, failures = row.window_start, row.failures
        if now - start >= lim.window:
            start, failures = now, 0
        failures += 1
        blocked_until = 0.0
        if not lim.escalate:
            if failures >= lim.per_window:
                blocked_until = start + lim.window  # the window's end
        elif level > 0 or failures >= lim.per_window:  # blocked before: every wrong try waits
            level += 1
            blocked_until = now + lim.wait(level)
            start, failures = now, 0
        return {"window_start": start, "failures": failures, "level": level,
                "blocked_until": blocked_until, "updated_at": now}  # fmt: skip

    def wait_for(self, scope: str, target: str, client: str, now: float | None = None) -> float:
        """Seconds before (target, client)'s count at `scope` is under its limit again (0: now)."""
        _check_key(scope, target, client)
        now = time.time() if now is None else now
        c = access_limits.c
        with self._read() as conn:
            until = conn.execute(
                sa.select(c.blocked_until).where(
                    c.scope == scope, c.target == target, c.client == client
                )
            ).scalar()
        return max(0.0, (until or 0.0) - now)
