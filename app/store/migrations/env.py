"""Alembic environment: runs on the connection `dropout_lab.store.base` hands over (in its
transaction), or on a new engine for the configured `sqlalchemy.url` (tests, tools)."""

from __future__ import annotations

from alembic import context

from dropout_lab.store.schema import make_engine

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            connection.execution_options(dropout_lab_write=True)
            with connection.begin():
                context.configure(connection=connection, render_as_batch=True)
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Dropout Lab's migrations run online only (against a database).")
run_migrations_online()
