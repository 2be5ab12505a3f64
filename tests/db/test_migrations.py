"""Alembic migrations: a newer app upgrades an existing database in place and keeps its data."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from dropout_lab.store import Store
from dropout_lab.store.schema import head_revision, make_engine, metadata, migration_config


def _revision(url: str) -> tuple[str, ...]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()


def test_there_are_at_least_two_revisions() -> None:
    assert head_revision() >= "0002"


def test_upgrade_from_0001_keeps_the_data(store_url: str) -> None:
    command.upgrade(migration_config(store_url), "0001")
    assert _revision(store_url) == ("0001",)

    engine = make_engine(store_url)
    summary = {"run_key": "deadbeef", "rates": [0.5], "val_accuracy": 0.8, "val_loss": 0.4}
    with engine.begin() as conn:  # rows written by the old version, in plain SQL
        conn.execute(
            sa.text(
                "INSERT INTO learners (id, name, class_code, name_key, class_key, created_at) "
                "VALUES (1, 'Ada', 'Old', 'ada', 'old', 1.0), (2, 'Bob', 'Old', 'bob', 'old', 2.0)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO progress (learner_id, step, criterion, done, updated_at) "
                "VALUES (1, 'explore', 'moved_rate', :t, 1.0), (1, 'read', 'quiz', :f, 1.0)"
            ),
            {"t": True, "f": False},
        )
        conn.execute(
            sa.text(
                "INSERT INTO quiz_answers (learner_id, item_id, choice, correct, answered_at) "
                "VALUES (1, 'q1', 2, :t, 1.0)"
            ),
            {"t": True},
        )
        conn.execute(
            sa.text(
                "INSERT INTO submissions (learner_id, lab, code, spec, summary, created_at) "
                "VALUES (1, 'keras', 'old code', NULL, :summary, 1.0), "
                "(2, 'keras', 'no summary', NULL, NULL, 2.0)"
            ),
            {"summary": json.dumps(summary)},
        )
        conn.execute(
            sa.text(
                "INSERT INTO reflections (learner_id, question_id, text, updated_at) "
                "VALUES (1, 'why', 'kept', 1.0)"
            )
        )
        if conn.dialect.name == "postgresql":  # explicit ids: move the sequence on
            conn.execute(sa.text("SELECT setval('learners_id_seq', 2)"))
    engine.dispose()

    store = Store(store_url)  # the new version: upgrades in place
    assert _revision(store_url) == (head_revision(),)
    ada = store.join("Ada", "Old")
    assert ada.id == 1
    assert store.progress(1) == {"explore": {"moved_rate"}}
    assert store.quiz_answers(1) == {"q1": (2, True)}
    assert store.reflections(1) == {"why": "kept"}
    (sub,) = store.submissions(1)
    assert sub["code"] == "old code" and sub["summary"] == summary
    assert sub["run_key"] == "deadbeef"  # 0002 filled it in from the summary
    assert store.submissions(2)[0]["run_key"] is None
    assert [r["run_key"] for r in store.class_sweep("Old")] == ["deadbeef"]
    assert store.join("Cy", "Old").id == 3  # new rows after the old ones
    store.close()

    assert Store(store_url).progress(1) == {"explore": {"moved_rate"}}  # again: no-op


def test_migrated_schema_matches_the_tables_the_code_queries(store_url: str) -> None:
    Store(store_url).close()
    engine = make_engine(store_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_and_upgrade_again(store_url: str) -> None:
    store = Store(store_url)
    me = store.join("Ada", "C1").id
    store.save_submission(me, "keras", "code", None, {"run_key": "k1"})
    store.close()
    command.downgrade(migration_config(store_url), "0001")
    assert _revision(store_url) == ("0001",)
    store = Store(store_url)
    assert store.submissions(me)[0]["run_key"] == "k1"
    store.close()


def test_a_database_from_a_newer_version_is_refused_clearly(store_url: str) -> None:
    Store(store_url).close()
    engine = make_engine(store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(RuntimeError, match="newer version of Dropout Lab"):
        Store(store_url)
