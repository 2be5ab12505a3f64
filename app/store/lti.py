"""Launches from an LMS (LTI 1.3, issue 26): who an LMS user is here, which class a course is,
the one-time codes a launch hands the browser, and the OIDC login's state and nonce.

An LMS user of one course is one learner: the same person in two courses is two learners, as a
learner belongs to one class. A course's class code is its label (or title) and a short digest
of the platform and course, so two courses never share a class. The names are the LMS's display
names; one already taken in the class (two people called Ada) gets " 2", " 3"... after it.

A one-time code is 160 random bits; only its SHA-256 is kept. Taking it deletes it, so it opens
one session, once, before it expires. State and nonce entries are taken the same way: a replayed
launch finds neither."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dropout_lab.lesson.names import NAME_MAX
from dropout_lab.store.access import AccessQueries, Learner, NameTaken
from dropout_lab.store.base import insert_or_ignore
from dropout_lab.store.schema import learners, metadata

ID_MAX = 255  # platform (issuer), course and user ids as the LMS sends them
HANDOFF_SECONDS = 120.0  # a launch's code opens the page within this time, or never
NAME_TRIES = 20

lti_contexts = sa.Table(  # revision 0009
    "lti_contexts",
    metadata,
    sa.Column("platform", sa.String(ID_MAX), primary_key=True),
    sa.Column("context_id", sa.String(ID_MAX), primary_key=True),
    sa.Column("class_code", sa.String(NAME_MAX), nullable=False),
    sa.Column("title", sa.String(ID_MAX), nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
)
lti_users = sa.Table(  # revision 0009
    "lti_users",
    metadata,
    sa.Column("platform", sa.String(ID_MAX), primary_key=True),
    sa.Column("context_id", sa.String(ID_MAX), primary_key=True),
    sa.Column("sub", sa.String(ID_MAX), primary_key=True),
    sa.Column(
        "learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("created_at", sa.Float, nullable=False),
)
lti_handoffs = sa.Table(  # revision 0009
    "lti_handoffs",
    metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("class_code", sa.String(NAME_MAX), nullable=False),
    sa.Column(
        "learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=True
    ),
    sa.Column("target", sa.String(64), nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)
lti_state = sa.Table(  # revision 0009
    "lti_state",
    metadata,
    sa.Column("key", sa.String(ID_MAX), primary_key=True),
    sa.Column("value", sa.JSON, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
)


@dataclass(frozen=True)
class Handoff:
    """What a launch's one-time code opens: a learner's session, or a course's dashboard."""

    role: str  # "learner" or "instructor"
    class_code: str
    learner_id: int | None
    target: str  # the step (or "dashboard") the page opens on


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _id(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > ID_MAX:
        raise ValueError(f"{what} must be 1-{ID_MAX} characters, got {str(value)[:40]!r}")
    return value


def course_code(platform: str, context_id: str, label: str | None) -> str:
    """`CS101-3f9a2c`: the course's label (cut, else "course") and a digest of its identity."""
    tag = _digest(f"{platform}\n{context_id}")[:6]
    head = " ".join((label or "").split())[: NAME_MAX - len(tag) - 1].strip() or "course"
    return f"{head}-{tag}"


class LtiQueries(AccessQueries):
    """LMS users and courses, the launches' one-time codes, the OIDC state and nonces."""

    def lti_class(self, platform: str, context_id: str, label: str | None) -> str:
        """The class code of a course, made on its first launch."""
        key = {"platform": _id(platform, "issuer"), "context_id": _id(context_id, "course id")}
        row = dict(key, class_code=course_code(platform, context_id, label),
                   title=(label or "")[:ID_MAX] or None, created_at=time.time())  # fmt: skip
        with self._write() as conn:
            insert_or_ignore(conn, lti_contexts, row, ("platform", "context_id"))
            where = sa.and_(*(lti_contexts.c[k] == v for k, v in key.items()))
            return conn.execute(sa.select(lti_contexts.c.class_code).where(where)).scalar_one()

    def lti_learner(self, platform: str, context_id: str, sub: str, name: str, class_code: str
                    ) -> Learner:  # fmt: skip
        """The learner an LMS user of a course is, made (named after the LMS) on first launch."""
        key = {"platform": _id(platform, "issuer"), "context_id": _id(context_id, "course id"),
               "sub": _id(sub, "user id")}  # fmt: skip
        found = self._lti_user(key)
        if found is not None:
            return found
        learner = self._new_named(name, class_code)
        with self._write() as conn:
            insert_or_ignore(conn, lti_users, dict(key, learner_id=learner.id,
                                                   created_at=time.time()), tuple(key))  # fmt: skip
        found = self._lti_user(key)
        if found is not None and found.id != learner.id:  # the same user's launch won a race
            self.remove_learner(learner.id)
        return found or learner

    def _lti_user(self, key: dict) -> Learner | None:
        c = learners.c
        where = sa.and_(*(lti_users.c[k] == v for k, v in key.items()))
        query = (sa.select(c.id, c.name, c.class_code)
                 .join(lti_users, lti_users.c.learner_id == c.id).where(where))  # fmt: skip
        with self._read() as conn:
            row = conn.execute(query).first()
        return None if row is None else Learner(row.id, row.name, row.class_code)

    def _new_named(self, name: str, class_code: str) -> Learner:
        base = " ".join((name or "").split())[: NAME_MAX - 4].strip() or "Learner"
        for n in range(1, NAME_TRIES + 1):
            try:
                return self.enrol(base if n == 1 else f"{base} {n}", class_code).learner
            except (NameTaken, ValueError):  # taken, or refused (looks like a classmate's)
                continue
        return self.enrol(f"Learner {secrets.token_hex(3)}", class_code).learner

    # ---- one-time codes

    def lti_handoff(self, handoff: Handoff, seconds: float = HANDOFF_SECONDS) -> str:
        """A one-time code that opens `handoff` once within `seconds`."""
        code = secrets.token_urlsafe(20)
        values = {"code_hash": _digest(code), "role": handoff.role,
                  "class_code": handoff.class_code, "learner_id": handoff.learner_id,
                  "target": handoff.target, "expires_at": time.time() + seconds}  # fmt: skip
        with self._write() as conn:
            conn.execute(lti_handoffs.delete().where(lti_handoffs.c.expires_at < time.time()))
            conn.execute(lti_handoffs.insert(), values)
        return code

    def lti_take_handoff(self, code: object) -> Handoff | None:
        """What the code opens, if it is one not yet taken nor expired; it is used up."""
        if not isinstance(code, str) or not 10 <= len(code) <= 100:
            return None
        t = lti_handoffs.c
        with self._write() as conn:
            row = conn.execute(sa.select(lti_handoffs).where(t.code_hash == _digest(code))).first()
            if row is None:
                return None
            conn.execute(lti_handoffs.delete().where(t.code_hash == row.code_hash))
        if row.expires_at < time.time():
            return None
        return Handoff(row.role, row.class_code, row.learner_id, row.target)

    # ---- the OIDC login's state and nonces

    def lti_put(self, key: str, value: Any, seconds: float) -> None:
        now = time.time()
        with self._write() as conn:
            conn.execute(lti_state.delete().where(lti_state.c.expires_at < now))
            conn.execute(lti_state.delete().where(lti_state.c.key == _id(key, "key")))
            conn.execute(lti_state.insert(), {"key": key, "value": {"v": value},
                                              "expires_at": now + seconds})  # fmt: skip

    def lti_get(self, key: str) -> Any:
        with self._read() as conn:
            return _live(conn, key, take=False)

    def lti_take(self, key: str) -> Any:
        """The value under `key` (None if absent or expired), deleted: it is read once."""
        with self._write() as conn:
            return _live(conn, key, take=True)


def _live(conn: Connection, key: str, *, take: bool) -> Any:
    row = conn.execute(sa.select(lti_state).where(lti_state.c.key == key)).first()
    if row is None:
        return None
    if take:
        conn.execute(lti_state.delete().where(lti_state.c.key == key))
    return row.value.get("v") if row.expires_at >= time.time() else None
