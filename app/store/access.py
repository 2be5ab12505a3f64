"""Who a learner is and how they prove it: the Learner record and their resume code.

A name and a class code only say who someone claims to be; a learner's work opens with their
resume code, `<learner id>-<secret>`. The id says whose row to check (it is not secret); the
secret is `SECRET_CHARS` symbols of Crockford's base32 drawn with `secrets` (100 bits), shown
in groups of four so it can be read out and typed. The database keeps only a SHA-256 hash of
the id and the secret (a random 100-bit secret needs no slow hash: guessing it is hopeless),
compared in constant time. Issuing a new code replaces the hash, so the old code stops working
at once. A right code always opens; wrong codes count against the learner they name and the
client that sent them together (`limits`).

Learners created before resume codes existed have no hash: they get a code the next time the
instructor issues one, or on their next visit by name while the class allows it
(`claim_unlinked`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from dropout_lab.lesson import names
from dropout_lab.store.limits import Attempt, LimitQueries
from dropout_lab.store.schema import learners
from dropout_lab.store.values import check_id, clean_name

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
SECRET_CHARS = 20  # 20 x 5 = 100 bits
GROUP = 4
_READ_AS = str.maketrans("OIL", "011")  # what people type for 0 and 1
_CODE_RE = re.compile(rf"^(\d{{1,12}})-([{ALPHABET}-]+)$")
_DUMMY_HASH = "0" * 64


@dataclass(frozen=True)
class Learner:
    id: int
    name: str
    class_code: str


@dataclass(frozen=True)
class Enrolment:
    """A learner just given a resume code (the only time the code exists in the clear)."""

    learner: Learner
    code: str
    created: bool = True  # False: an existing learner who had no code yet


class NameTaken(Exception):
    """The name is a learner of the class already: only their resume code opens their work."""

    def __init__(self, name: str, class_code: str) -> None:
        super().__init__(f"{name!r} is already a learner of class {class_code!r}")
        self.name, self.class_code = name, class_code


# --------------------------------------------------------------------------- codes


def new_secret() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(SECRET_CHARS))


def format_code(learner_id: int, secret: str) -> str:
    """`12-ABCD-EFGH-...`: the id, then the secret in groups of four."""
    groups = [secret[i : i + GROUP] for i in range(0, len(secret), GROUP)]
    return "-".join([str(learner_id), *groups])


def parse_code(text: object) -> tuple[int, str] | None:
    """(learner id, secret) of a typed code or a pasted resume link; None if it is not one."""
    if not isinstance(text, str) or len(text) > 2000:
        return None
    text = text.strip()
    if "resume=" in text:  # a whole link was pasted
        found = parse_qs(urlsplit(text).query).get("resume")
        text = found[-1] if found else ""
    text = "-".join(text.split()).upper().translate(_READ_AS)  # spaces read as hyphens
    m = _CODE_RE.match(text)
    if not m:
        return None
    secret = m.group(2).replace("-", "")
    if len(secret) != SECRET_CHARS:
        return None
    return int(m.group(1)), secret


def code_hash(learner_id: int, secret: str) -> str:
    return hashlib.sha256(f"dropout-lab resume {learner_id}:{secret}".encode()).hexdigest()


def resume_link(base_url: str | None, code: str) -> str:
    """The link that resumes `code` on the app at `base_url` (a path only without one)."""
    return f"{(base_url or '').rstrip('/')}/?resume={code}"


@dataclass(frozen=True)
class RosterLine:
    """One name of a roster: its learner and, when one was just issued, their resume code."""

    name: str
    learner: Learner
    code: str | None  # None: the learner has a code already (not replaced)
    created: bool


# --------------------------------------------------------------------------- queries


class AccessQueries(LimitQueries):
    """Enrolling with a resume code, resuming with it, issuing a new one."""

    def enrol(self, name: str, class_code: str, *, claim_unlinked: bool = False) -> Enrolment:
        """A new learner `name` of `class_code` with a fresh resume code. If the name is taken
        (trimmed, without regard to case) this raises NameTaken, unless the learner has no code
        yet and `claim_unlinked` is set: then they get one (their work stays theirs). A new name
        that looks like another learner's of the class raises NameLookalike (a ValueError)."""
        name = clean_name(name, "Name")
        class_code = clean_name(class_code, "Class code")
        keys = {"name_key": name.casefold(), "class_key": class_code.casefold()}
        c = learners.c
        for _attempt in range(3):
            try:
                with self._write() as conn:
                    row = conn.execute(
                        sa.select(c.id, c.name, c.class_code, c.secret_hash).where(
                            c.name_key == keys["name_key"], c.class_key == keys["class_key"]
                        )
                    ).first()
                    if row is None:
                        self._refuse_lookalike(conn, name, keys["class_key"])
                        values = dict(keys, name=name, class_code=class_code,
                                      created_at=time.time())  # fmt: skip
                        new_id = conn.execute(learners.insert(), values).inserted_primary_key[0]
                        learner = Learner(new_id, name, class_code)
                    elif row.secret_hash is None and claim_unlinked:
                        learner = Learner(row.id, row.name, row.class_code)
                    else:
                        raise NameTaken(row.name, row.class_code)
                    code = _issue(conn, learner.id)
                    seen = sa.update(learners).where(c.id == learner.id)
                    conn.execute(seen.values(last_seen_at=time.time()))
                return Enrolment(learner, code, created=row is None)
            except IntegrityError:
                continue  # created meanwhile by someone else: that name is taken now
        raise RuntimeError(f"could not enrol {name!r} in {class_code!r}")  # pragma: no cover

    def resume(self, code: str, client: str) -> Attempt[Enrolment]:
        """The learner whose resume code `code` is, if it is right (whoever guessed before);
        a wrong code counts against (the learner it names, `client`). The Enrolment holds the
        code as formatted."""
        parsed = parse_code(code)

        def check(conn: Connection) -> Enrolment | None:
            learner_id, secret = parsed or (0, "")
            c = learners.c
            row = conn.execute(
                sa.select(c.id, c.name, c.class_code, c.secret_hash).where(c.id == learner_id)
            ).first()
            linked = row is not None and bool(row.secret_hash)
            stored = row.secret_hash if linked else _DUMMY_HASH  # compared all the same
            right = hmac.compare_digest(stored, code_hash(learner_id, secret))
            if parsed is None or not linked or not right:
                return None
            conn.execute(sa.update(learners).where(c.id == row.id).values(last_seen_at=time.time()))
            learner = Learner(row.id, row.name, row.class_code)
            return Enrolment(learner, format_code(row.id, secret), created=False)

        target = str(parsed[0]) if parsed else "?"  # a learner's id, or "?" for a non-code
        return self.attempt("resume", target, client, check)

    def code_ok(self, learner_id: int, code: str) -> bool:
        """Is `code` still this learner's resume code? (For a session that already proved it:
        not counted against anyone.)"""
        parsed = parse_code(code)
        if parsed is None or parsed[0] != check_id(learner_id):
            return False
        with self._read() as conn:
            stored = conn.execute(
                sa.select(learners.c.secret_hash).where(learners.c.id == learner_id)
            ).scalar()
        return bool(stored) and hmac.compare_digest(stored, code_hash(*parsed))

    def issue_code(self, learner_id: int) -> str:
        """A new resume code for the learner; their old one stops working."""
        with self._write() as conn:
            return _issue(conn, check_id(learner_id))

    def roster(
        self, class_code: str, names: list[str], *, reissue: bool = False
    ) -> list[RosterLine]:
        """Create the learners `names` of `class_code` that are missing, each with a resume code;
        learners who exist get one if they have none (or always, with `reissue`)."""
        class_code = clean_name(class_code, "Class code")
        out = []
        for raw in names:
            name = clean_name(raw, "Name")
            try:
                got = self.enrol(name, class_code, claim_unlinked=True)
            except NameTaken:
                learner = self.find_learner(name, class_code)
                if learner is None:  # pragma: no cover - a learner is never deleted
                    continue
                code = self.issue_code(learner.id) if reissue else None
                out.append(RosterLine(name, learner, code, False))
                continue
            out.append(RosterLine(name, got.learner, got.code, got.created))
        return out

    def find_learner(self, name: str, class_code: str) -> Learner | None:
        """The learner `name` of `class_code` (matched as `enrol` does), if any. Server-side
        use only (the dashboard, the roster): finding someone is not opening their work."""
        c = learners.c
        with self._read() as conn:
            row = conn.execute(
                sa.select(c.id, c.name, c.class_code).where(
                    c.name_key == clean_name(name, "Name").casefold(),
                    c.class_key == clean_name(class_code, "Class code").casefold(),
                )
            ).first()
        return None if row is None else Learner(row.id, row.name, row.class_code)

    def _refuse_lookalike(self, conn: Connection, name: str, class_key: str) -> None:
        """Raise NameLookalike if `name` looks like another learner's of the class (`Аda`, with
        a Cyrillic А, beside `Ada`)."""
        c = learners.c
        others = conn.execute(sa.select(c.name).where(c.class_key == class_key)).scalars().all()
        other = names.lookalike(name, list(others))
        if other is not None:
            raise names.NameLookalike(name, other)


def _issue(conn: Connection, learner_id: int) -> str:
    """Give the learner a new secret (replacing the old one's hash); their new code."""
    secret = new_secret()
    done = conn.execute(
        sa.update(learners)
        .where(learners.c.id == learner_id)
        .values(secret_hash=code_hash(learner_id, secret), link_issued_at=time.time())
    )
    if done.rowcount != 1:
        raise ValueError(f"there is no learner with id {learner_id}")
    return format_code(learner_id, secret)
