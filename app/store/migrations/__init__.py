"""Alembic migrations of the Dropout Lab database, run by `dropout_lab.store.schema` (no ini).

A new revision: `alembic -x url=sqlite:///tmp/x.sqlite3 ...` is not needed; copy the newest file
in versions/, give it the next number as `revision` and the previous one as `down_revision`,
then add the change to the tables in app/store/schema.py (tests/db checks that they agree).
"""
