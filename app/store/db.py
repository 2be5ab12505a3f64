"""Learners, their progress and their work, kept in a real database (SQLAlchemy 2 + Alembic).

By default the store is an SQLite file created on first start in the data directory
(`$DROPOUT_LAB_DATA_DIR/dropout-lab.sqlite3`, else `~/.local/share/dropout-lab/...`), so a
single user needs no setup. `$DROPOUT_LAB_DATABASE_URL` (or `Store(url)`) selects any other
SQLAlchemy URL, e.g. `postgresql+psycopg://user@host/dropout_lab` for a class server.

The schema lives in Alembic migrations shipped inside the package (`app/store/migrations/`); opening
a `Store` upgrades the database to the newest revision in place, keeping its data.

Every write is one transaction. SQLite runs in WAL mode with `synchronous=FULL` (a committed
write survives the process being killed, and a power cut), `busy_timeout` lets concurrent
writers wait for each other, and write transactions start with `BEGIN IMMEDIATE` so two
writers never deadlock upgrading a read lock. On PostgreSQL the migrations hold an advisory
lock, so several app processes may start at once.

The same database can also hold finished training runs (`put_run`, `run_meta`, `run_weights`:
run key -> meta JSON + weights blob), so app processes on several machines share results.

A learner only ever sees their own data: every per-learner method takes the learner's id.
The class-level methods (`class_learners`, `class_progress`, `class_sweep`) are for the
instructor dashboard only.

This module never imports Streamlit or TensorFlow; a `Store` is thread-safe.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

ENV_URL = "DROPOUT_LAB_DATABASE_URL"
ENV_DATA_DIR = "DROPOUT_LAB_DATA_DIR"
DB_FILENAME = "dropout-lab.sqlite3"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

NAME_MAX = 40
KEY_MAX = 64  # step, criterion, quiz item, question and lab ids
CODE_MAX = 200_000  # characters of a submitted program
TEXT_MAX = 20_000  # characters of a reflection
_NAME_RE = re.compile(r"^[\w .\-]+$")  # \w: letters (any script), digits and _
_KEY_RE = re.compile(r"^[A-Za-z0-9_.:\-]+$")
_PG_MIGRATION_LOCK = 0x44_52_4F_50  # pg_advisory_xact_lock key ("DROP")


def default_data_dir() -> Path:
    """`$DROPOUT_LAB_DATA_DIR`, or `~/.local/share/dropout-lab` (as `runs.default_root`)."""
    base = os.environ.get(ENV_DATA_DIR)
    return Path(base).expanduser() if base else Path.home() / ".local" / "share" / "dropout-lab"


def default_url() -> str:
    """`$DROPOUT_LAB_DATABASE_URL`, or the SQLite file in the data directory."""
    url = os.environ.get(ENV_URL, "").strip()
    return url or f"sqlite:///{default_data_dir() / DB_FILENAME}"


# --------------------------------------------------------------------------- the schema
# What the code queries. The database itself is created and changed only by the migrations in
# app/store/migrations/versions; tests/db/test_migrations.py checks that the two agree.

metadata = sa.MetaData()

learners = sa.Table(
    "learners",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(NAME_MAX), nullable=False),
    sa.Column("class_code", sa.String(NAME_MAX), nullable=False),
    sa.Column("name_key", sa.String(NAME_MAX), nullable=False),
    sa.Column("class_key", sa.String(NAME_MAX), nullable=False, index=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.UniqueConstraint("class_key", "name_key", name="uq_learners_class_name"),
)

progress = sa.Table(
    "progress",
    metadata,
    sa.Column(
        "learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("step", sa.String(KEY_MAX), primary_key=True),
    sa.Column("criterion", sa.String(KEY_MAX), primary_key=True),
    sa.Column("done", sa.Boolean, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

quiz_answers = sa.Table(
    "quiz_answers",
    metadata,
    sa.Column(
        "learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("item_id", sa.String(KEY_MAX), primary_key=True),
    sa.Column("choice", sa.Integer, nullable=False),
    sa.Column("correct", sa.Boolean, nullable=False),
    sa.Column("answered_at", sa.Float, nullable=False),
)

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "learner_id",
        sa.Integer,
        sa.ForeignKey("learners.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("lab", sa.String(KEY_MAX), nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("spec", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("summary", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("run_key", sa.String(KEY_MAX), nullable=True, index=True),  # revision 0002
)

reflections = sa.Table(
    "reflections",
    metadata,
    sa.Column(
        "learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("question_id", sa.String(KEY_MAX), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)


runs = sa.Table(  # revision 0003
    "runs",
    metadata,
    sa.Column("key", sa.String(KEY_MAX), primary_key=True),
    sa.Column("meta", sa.JSON, nullable=False),
    sa.Column("weights", sa.LargeBinary, nullable=False),
    sa.Column("finished_at", sa.Float, nullable=False),
)


# --------------------------------------------------------------------------- engine + migrations


def make_engine(url: str) -> Engine:
    """An engine for `url`; for SQLite with WAL, synchronous=FULL, busy_timeout, foreign keys."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=30)

    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url, connect_args={"timeout": 60, "check_same_thread": False}, pool_size=10, max_overflow=40
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 60000")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("dropout_lab_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def migration_config(url: str, connection: Connection | None = None) -> Any:
    """The Alembic `Config` of the shipped migrations (no alembic.ini), for `url`.

    With `connection`, the migrations run on it (inside its transaction)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


def upgrade(connection: Connection, url: str, revision: str = "head") -> None:
    """Upgrade the database on `connection` (in its transaction) to `revision`."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
    current = MigrationContext.configure(connection).get_current_heads()
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = [rev for rev in current if rev not in known]
    if unknown:
        raise RuntimeError(
            f"The database {sa.make_url(url).render_as_string(hide_password=True)} was written "
            f"by a newer version of Dropout Lab (schema revision {', '.join(unknown)}; this "
            f"version knows up to {script.get_current_head()}). Upgrade Dropout Lab."
        )
    if revision == "head" and tuple(current) == (script.get_current_head(),):
        return
    command.upgrade(migration_config(url, connection), revision)


# --------------------------------------------------------------------------- validation


def _clean_name(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text.")
    value = " ".join(value.split())  # trim, and one space between words
    if not value:
        raise ValueError(f"Please enter a {what.lower()}.")
    if len(value) > NAME_MAX:
        raise ValueError(f"{what} must be at most {NAME_MAX} characters long ({len(value)} given).")
    if not _NAME_RE.match(value):
        bad = sorted({c for c in value if not (c.isalnum() or c in " -_.")})
        raise ValueError(
            f"{what} may contain only letters, digits, spaces and - _ . "
            f"(not {' '.join(repr(c) for c in bad)})."
        )
    return value


def _check_key(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > KEY_MAX or not _KEY_RE.match(value):
        raise ValueError(
            f"{what} must be 1-{KEY_MAX} characters of letters, digits and _ . : -, got {value!r}"
        )
    return value


def _check_id(learner_id: Any) -> int:
    if isinstance(learner_id, bool) or not isinstance(learner_id, int):
        raise ValueError(f"a learner id is an integer, got {learner_id!r}")
    return learner_id


def _check_text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, got {type(value).__name__}")
    if len(value) > limit:
        raise ValueError(f"{what} is too long: {len(value)} characters (at most {limit}).")
    return value


def _to_json(value: Any, what: str) -> Any:
    """`value` as plain JSON data (NumPy scalars and arrays become numbers and lists)."""
    if value is None:
        return None

    def default(obj: Any) -> Any:
        if hasattr(obj, "tolist"):
            return obj.tolist()
        if isinstance(obj, (set, frozenset, tuple)):
            return list(obj)
        raise TypeError(f"{type(obj).__name__} is not JSON data")

    try:
        return json.loads(json.dumps(value, default=default, allow_nan=True))
    except (TypeError, ValueError) as e:
        raise ValueError(f"{what} must be JSON data: {e}") from e


def _float_or_none(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- the store


@dataclass(frozen=True)
class Learner:
    id: int
    name: str
    class_code: str


class Store:
    """Learners, progress, quiz answers, submissions and reflections. Thread-safe."""

    def __init__(self, url: str | None = None) -> None:
        self.url: str = url or default_url()
        self._engine = make_engine(self.url)
        with self._write() as conn:
            upgrade(conn, self.url)

    def close(self) -> None:
        """Close every pooled connection (the store can still be used afterwards)."""
        self._engine.dispose()

    def __repr__(self) -> str:
        return f"Store({sa.make_url(self.url).render_as_string(hide_password=True)!r})"

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (on SQLite: BEGIN IMMEDIATE)."""
        with self._engine.connect() as conn:
            conn.execution_options(dropout_lab_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _learner_write(self, learner_id: int) -> Iterator[Connection]:
        try:
            with self._write() as conn:
                yield conn
        except IntegrityError as e:  # the only constraint left to break: the learner's key
            raise ValueError(f"there is no learner with id {learner_id}") from e

    # ---- learners

    def join(self, name: str, class_code: str) -> Learner:
        """The learner `name` of class `class_code`, created on first join.

        Both are trimmed (inner runs of spaces become one) and matched without regard to case:
        "ada " and "Ada" in "cs101" and "CS101" are the same learner, shown as first typed."""
        name = _clean_name(name, "Name")
        class_code = _clean_name(class_code, "Class code")
        keys = {"name_key": name.casefold(), "class_key": class_code.casefold()}
        for _attempt in range(3):
            found = self._find_learner(**keys)
            if found is not None:
                return found
            try:
                with self._write() as conn:
                    new_id = conn.execute(
                        learners.insert(),
                        dict(keys, name=name, class_code=class_code, created_at=time.time()),
                    ).inserted_primary_key[0]
                return Learner(new_id, name, class_code)
            except IntegrityError:
                continue  # created meanwhile by someone else: read it
        raise RuntimeError(f"could not join {name!r} to {class_code!r}")  # pragma: no cover

    def _find_learner(self, name_key: str, class_key: str) -> Learner | None:
        with self._read() as conn:
            row = conn.execute(
                sa.select(learners.c.id, learners.c.name, learners.c.class_code).where(
                    learners.c.class_key == class_key, learners.c.name_key == name_key
                )
            ).first()
        return None if row is None else Learner(row.id, row.name, row.class_code)

    def learner(self, learner_id: int) -> Learner | None:
        """The learner with id `learner_id`, if any (e.g. to restore a session)."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(learners.c.id, learners.c.name, learners.c.class_code).where(
                    learners.c.id == _check_id(learner_id)
                )
            ).first()
        return None if row is None else Learner(row.id, row.name, row.class_code)

    # ---- progress

    def record(self, learner_id: int, step: str, criterion: str, done: bool = True) -> None:
        """Mark `criterion` of `step` done (or not done again) for the learner."""
        values = {
            "learner_id": _check_id(learner_id),
            "step": _check_key(step, "step"),
            "criterion": _check_key(criterion, "criterion"),
            "done": bool(done),
            "updated_at": time.time(),
        }
        with self._learner_write(learner_id) as conn:
            _upsert(conn, progress, values, ("learner_id", "step", "criterion"), ("done",))

    def progress(self, learner_id: int) -> dict[str, set[str]]:
        """step -> the criteria done (steps with none done are left out)."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(progress.c.step, progress.c.criterion).where(
                    progress.c.learner_id == _check_id(learner_id), progress.c.done.is_(True)
                )
            ).all()
        out: dict[str, set[str]] = {}
        for step, criterion in rows:
            out.setdefault(step, set()).add(criterion)
        return out

    # ---- quiz

    def save_quiz_answer(self, learner_id: int, item_id: str, choice: int, correct: bool) -> None:
        """Keep the learner's first answer to `item_id`; later answers are ignored."""
        if isinstance(choice, bool) or not isinstance(choice, int):
            raise ValueError(f"choice must be an integer, got {choice!r}")
        values = {
            "learner_id": _check_id(learner_id),
            "item_id": _check_key(item_id, "quiz item id"),
            "choice": choice,
            "correct": bool(correct),
            "answered_at": time.time(),
        }
        with self._learner_write(learner_id) as conn:
            _insert_or_ignore(conn, quiz_answers, values, ("learner_id", "item_id"))

    def quiz_answers(self, learner_id: int) -> dict[str, tuple[int, bool]]:
        """item id -> (choice, correct) of the learner's first answer."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(quiz_answers.c.item_id, quiz_answers.c.choice, quiz_answers.c.correct)
                .where(quiz_answers.c.learner_id == _check_id(learner_id))
                .order_by(quiz_answers.c.item_id)
            ).all()
        return {item: (choice, bool(correct)) for item, choice, correct in rows}

    # ---- submissions

    def save_submission(
        self,
        learner_id: int,
        lab: str,
        code: str,
        spec: dict | None,
        summary: dict | None,
    ) -> None:
        """Keep one submission of lab `lab`: the code, its parsed spec (or None) and, once
        trained, a summary such as {"run_key", "rates", "val_accuracy", "val_loss", "epochs"}."""
        summary = _to_json(summary, "summary")
        if summary is not None and not isinstance(summary, dict):
            raise ValueError("summary must be a dict")
        spec = _to_json(spec, "spec")
        run_key = summary.get("run_key") if summary else None
        values = {
            "learner_id": _check_id(learner_id),
            "lab": _check_key(lab, "lab"),
            "code": _check_text(code, "The code", CODE_MAX),
            "spec": spec,
            "summary": summary,
            "run_key": run_key if isinstance(run_key, str) and len(run_key) <= KEY_MAX else None,
            "created_at": time.time(),
        }
        with self._learner_write(learner_id) as conn:
            conn.execute(submissions.insert(), values)

    def submissions(self, learner_id: int) -> list[dict]:
        """The learner's submissions, oldest first: id, lab, code, spec, summary, run_key,
        created_at (seconds since the epoch)."""
        c = submissions.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(c.id, c.lab, c.code, c.spec, c.summary, c.run_key, c.created_at)
                .where(c.learner_id == _check_id(learner_id))
                .order_by(c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    # ---- reflections

    def save_reflection(self, learner_id: int, question_id: str, text: str) -> None:
        """Keep the learner's latest answer to `question_id` (replacing an earlier one)."""
        values = {
            "learner_id": _check_id(learner_id),
            "question_id": _check_key(question_id, "question id"),
            "text": _check_text(text, "The answer", TEXT_MAX),
            "updated_at": time.time(),
        }
        with self._learner_write(learner_id) as conn:
            _upsert(
                conn, reflections, values, ("learner_id", "question_id"), ("text", "updated_at")
            )

    def reflections(self, learner_id: int) -> dict[str, str]:
        with self._read() as conn:
            rows = conn.execute(
                sa.select(reflections.c.question_id, reflections.c.text)
                .where(reflections.c.learner_id == _check_id(learner_id))
                .order_by(reflections.c.question_id)
            ).all()
        return dict(rows)

    # ---- the class (instructor dashboard only)

    def class_learners(self, class_code: str) -> list[Learner]:
        """The learners of `class_code` (matched without regard to case), by name."""
        key = _clean_name(class_code, "Class code").casefold()
        with self._read() as conn:
            rows = conn.execute(
                sa.select(learners.c.id, learners.c.name, learners.c.class_code)
                .where(learners.c.class_key == key)
                .order_by(learners.c.name_key, learners.c.id)
            ).all()
        return [Learner(r.id, r.name, r.class_code) for r in rows]

    def class_progress(self, class_code: str) -> list[dict]:
        """One row per learner of the class, by name: learner_id, name, progress (as
        `progress()`: step -> criteria done), quiz_correct, quiz_answered, submissions,
        reflections (counts)."""
        key = _clean_name(class_code, "Class code").casefold()
        with self._read() as conn:
            people = conn.execute(
                sa.select(learners.c.id, learners.c.name)
                .where(learners.c.class_key == key)
                .order_by(learners.c.name_key, learners.c.id)
            ).all()
            in_class = sa.select(learners.c.id).where(learners.c.class_key == key)
            done = conn.execute(
                sa.select(progress.c.learner_id, progress.c.step, progress.c.criterion).where(
                    progress.c.learner_id.in_(in_class), progress.c.done.is_(True)
                )
            ).all()
            quiz = conn.execute(
                sa.select(
                    quiz_answers.c.learner_id,
                    sa.func.count(),
                    sa.func.sum(sa.case((quiz_answers.c.correct.is_(True), 1), else_=0)),
                )
                .where(quiz_answers.c.learner_id.in_(in_class))
                .group_by(quiz_answers.c.learner_id)
            ).all()
            subs = _counts(conn, submissions, in_class)
            refl = _counts(conn, reflections, in_class)
        rows = {
            lid: {
                "learner_id": lid,
                "name": name,
                "progress": {},
                "quiz_correct": 0,
                "quiz_answered": 0,
                "submissions": subs.get(lid, 0),
                "reflections": refl.get(lid, 0),
            }
            for lid, name in people
        }
        for lid, step, criterion in done:
            if lid in rows:
                rows[lid]["progress"].setdefault(step, set()).add(criterion)
        for lid, answered, correct in quiz:
            if lid in rows:
                rows[lid]["quiz_answered"] = int(answered)
                rows[lid]["quiz_correct"] = int(correct or 0)
        return list(rows.values())

    def class_sweep(self, class_code: str) -> list[dict]:
        """Every submission of the class that has a summary, oldest first: learner_id, name,
        lab, run_key, rates (list), mean_rate (0.0 without dropout), val_accuracy, val_loss,
        epochs, created_at."""
        key = _clean_name(class_code, "Class code").casefold()
        s = submissions.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(s.learner_id, learners.c.name, s.lab, s.run_key, s.summary, s.created_at)
                .join_from(submissions, learners, s.learner_id == learners.c.id)
                .where(learners.c.class_key == key, s.summary.is_not(None))
                .order_by(s.id)
            ).all()
        out = []
        for lid, name, lab, run_key, summary, created_at in rows:
            if not isinstance(summary, dict):
                continue
            raw = summary.get("rates") or []
            rates = [r for r in (_float_or_none(x) for x in raw) if r is not None]
            out.append(
                {
                    "learner_id": lid,
                    "name": name,
                    "lab": lab,
                    "run_key": run_key or summary.get("run_key"),
                    "rates": rates,
                    "mean_rate": sum(rates) / len(rates) if rates else 0.0,
                    "val_accuracy": _float_or_none(summary.get("val_accuracy")),
                    "val_loss": _float_or_none(summary.get("val_loss")),
                    "epochs": summary.get("epochs"),
                    "created_at": created_at,
                }
            )
        return out

    # ---- finished runs, shared by every app process using this database

    def put_run(self, key: str, meta: dict, weights: bytes) -> None:
        """Keep the finished run `key`: its meta data (JSON) and its weights (e.g. an .npz
        file's bytes), replacing an earlier copy, in one transaction."""
        if not isinstance(weights, (bytes, bytearray, memoryview)):
            raise ValueError(f"weights must be bytes, got {type(weights).__name__}")
        meta = _to_json(meta, "meta")
        if not isinstance(meta, dict):
            raise ValueError("meta must be a dict")
        values = {
            "key": _check_key(key, "run key"),
            "meta": meta,
            "weights": bytes(weights),
            "finished_at": time.time(),
        }
        with self._write() as conn:
            _upsert(conn, runs, values, ("key",), ("meta", "weights", "finished_at"))

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


# --------------------------------------------------------------------------- helpers


def _counts(conn: Connection, table: sa.Table, in_class: sa.Select) -> dict[int, int]:
    rows = conn.execute(
        sa.select(table.c.learner_id, sa.func.count())
        .where(table.c.learner_id.in_(in_class))
        .group_by(table.c.learner_id)
    ).all()
    return {lid: int(n) for lid, n in rows}


def _dialect_insert(conn: Connection, table: sa.Table) -> Any:
    name = conn.dialect.name
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        return None
    return insert(table)


def _upsert(
    conn: Connection, table: sa.Table, values: dict, keys: tuple[str, ...], update: tuple[str, ...]
) -> None:
    stmt = _dialect_insert(conn, table)
    changes = {col: values[col] for col in (*update, "updated_at") if col in values}
    if stmt is not None:
        conn.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=changes), values)
        return
    where = sa.and_(*(table.c[k] == values[k] for k in keys))  # other backends
    if conn.execute(sa.update(table).where(where).values(changes)).rowcount == 0:
        conn.execute(table.insert(), values)


def _insert_or_ignore(
    conn: Connection, table: sa.Table, values: dict, keys: tuple[str, ...]
) -> None:
    stmt = _dialect_insert(conn, table)
    if stmt is not None:
        conn.execute(stmt.on_conflict_do_nothing(index_elements=list(keys)), values)
        return
    where = sa.and_(*(table.c[k] == values[k] for k in keys))  # other backends
    if conn.execute(sa.select(sa.literal(1)).where(where)).first() is None:
        conn.execute(table.insert(), values)
