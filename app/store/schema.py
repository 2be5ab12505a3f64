"""The database's schema, engine and migrations: the tables the code queries, an engine with
the settings every write relies on, and the Alembic helpers that create and upgrade the schema.

The schema itself is created and changed only by the Alembic migrations shipped inside the
package (`app/store/migrations/`); tests/db/test_migrations.py checks that they and the tables
below agree. Opening a `Store` upgrades the database to the newest revision in place.

SQLite runs in WAL mode with `synchronous=FULL` (a committed write survives the process being
killed, and a power cut), `busy_timeout` lets concurrent writers wait for each other, and write
transactions start with `BEGIN IMMEDIATE` so two writers never deadlock upgrading a read lock.
On PostgreSQL the migrations hold an advisory lock, so several app processes may start at once.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from dropout_lab.lesson.names import NAME_MAX

ENV_URL = "DROPOUT_LAB_DATABASE_URL"
ENV_DATA_DIR = "DROPOUT_LAB_DATA_DIR"
DB_FILENAME = "dropout-lab.sqlite3"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

KEY_MAX = 64  # step, criterion, quiz item, question and lab ids
CODE_MAX = 200_000  # characters of a submitted program
TEXT_MAX = 20_000  # characters of a reflection
_PG_MIGRATION_LOCK = 0x44_52_4F_50  # pg_advisory_xact_lock key ("DROP")


def default_data_dir() -> Path:
    """`$DROPOUT_LAB_DATA_DIR`, or `~/.local/share/dropout-lab` (as `runs.default_root`)."""
    base = os.environ.get(ENV_DATA_DIR)
    return Path(base).expanduser() if base else Path.home() / ".local" / "share" / "dropout-lab"


def default_url() -> str:
    """`$DROPOUT_LAB_DATABASE_URL`, or the SQLite file in the data directory."""
    url = os.environ.get(ENV_URL, "").strip()
    return url or f"sqlite:///{default_data_dir() / DB_FILENAME}"


# --------------------------------------------------------------------------- the tables
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
    sa.Column("secret_hash", sa.String(64), nullable=True),  # revision 0005 (store/access.py)
    sa.Column("link_issued_at", sa.Float, nullable=True),  # revision 0005
    sa.Column("last_seen_at", sa.Float, nullable=True),  # revision 0005
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


def _private_file(path: Path) -> None:
    """The SQLite file's folder (0700) and the file itself (0600, created empty here), both the
    owner's only: learners' names and work are in it. SQLite gives its -wal and -shm files the
    database file's mode."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str) -> Engine:
    """An engine for `url`; for SQLite with WAL, synchronous=FULL, busy_timeout, foreign keys."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=30)

    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        _private_file(Path(database).expanduser())
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


_ENGINES: dict[tuple[int, str], Engine] = {}
_ENGINES_LOCK = threading.Lock()


def shared_engine(url: str) -> Engine:
    """This process's one engine for `url`, made on first use: the learners' store, the training
    queue and the run mirror of one app process share its pool (each made its own before: three
    pools and three sets of connections per process). A process started by fork makes its own;
    pooled connections must not cross a fork."""
    key = (os.getpid(), url)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _ENGINES[key] = make_engine(url)
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
