"""The connection every part of the store shares: one engine, its transactions, and the
upsert helpers that pick each backend's own `INSERT ... ON CONFLICT`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from dropout_lab.store.schema import default_url, shared_engine, upgrade


class Database:
    """The database at `url` (default: `default_url()`) through this process's one engine for it
    (`schema.shared_engine`), upgraded to the newest schema on opening.

    Every write is one transaction; the engine is thread-safe, so is every subclass."""

    def __init__(self, url: str | None = None) -> None:
        self.url: str = url or default_url()
        self._engine = shared_engine(self.url)
        with self._write() as conn:
            upgrade(conn, self.url)

    def close(self) -> None:
        """Close every pooled connection of the process's engine for this URL (it, and every
        store sharing it, can still be used afterwards: new connections are made)."""
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


def _dialect_insert(conn: Connection, table: sa.Table) -> Any:
    name = conn.dialect.name
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        return None
    return insert(table)


def upsert(
    conn: Connection, table: sa.Table, values: dict, keys: tuple[str, ...], update: tuple[str, ...]
) -> None:
    """Insert `values`, or update the columns `update` of the row with the same `keys`."""
    stmt = _dialect_insert(conn, table)
    changes = {col: values[col] for col in (*update, "updated_at") if col in values}
    if stmt is not None:
        conn.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=changes), values)
        return
    where = sa.and_(*(table.c[k] == values[k] for k in keys))  # other backends
    if conn.execute(sa.update(table).where(where).values(changes)).rowcount == 0:
        conn.execute(table.insert(), values)


def insert_or_ignore(
    conn: Connection, table: sa.Table, values: dict, keys: tuple[str, ...]
) -> None:
    """Insert `values` unless a row with the same `keys` exists."""
    stmt = _dialect_insert(conn, table)
    if stmt is not None:
        conn.execute(stmt.on_conflict_do_nothing(index_elements=list(keys)), values)
        return
    where = sa.and_(*(table.c[k] == values[k] for k in keys))  # other backends
    if conn.execute(sa.select(sa.literal(1)).where(where)).first() is None:
        conn.execute(table.insert(), values)


dialect_insert = _dialect_insert  # the backend's INSERT, with ON CONFLICT (SQLite, PostgreSQL)
