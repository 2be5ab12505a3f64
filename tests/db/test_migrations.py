"""Alembic migrations: a newer app upgrades an existing database in place and keeps its data."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from dropout_lab.store import Store
from dropout_lab.store.access import NameTaken
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


def _all_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (but Alembic's own), each table sorted."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            names = sorted(set(sa.inspect(conn).get_table_names()) - {"alembic_version"})
            return {
                name: sorted(
                    (tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {name}"))), key=repr
                )
                for name in names
            }
    finally:
        engine.dispose()


def _old_class(url: str) -> None:
    """Learners, work and a finished run as a version before resume codes stored them."""
    command.upgrade(migration_config(url), "0004")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO learners (id, name, class_code, name_key, class_key, created_at) "
                "VALUES (1, 'Ada', 'SOC-101', 'ada', 'soc-101', 1.0), "
                "(2, 'Bob', 'SOC-101', 'bob', 'soc-101', 2.0), "
                "(3, 'Cy', 'Other', 'cy', 'other', 3.0)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO progress (learner_id, step, criterion, done, updated_at) VALUES "
                "(1, 'explore', 'rate', :t, 1.0), (2, 'read', 'quiz', :t, 1.0), "
                "(3, 'build', 'trained', :f, 1.0)"
            ),
            {"t": True, "f": False},
        )
        conn.execute(
            sa.text(
                "INSERT INTO quiz_answers (learner_id, item_id, choice, correct, answered_at) "
                "VALUES (1, 'q1', 2, :t, 1.0), (2, 'q1', 0, :f, 1.0)"
            ),
            {"t": True, "f": False},
        )
        conn.execute(
            sa.text(
                "INSERT INTO submissions (learner_id, lab, code, spec, summary, created_at, "
                "run_key) VALUES (1, 'overfit', 'Ada''s code', NULL, :s, 1.0, 'k1'), "
                "(3, 'overfit', 'Cy''s code', NULL, NULL, 2.0, NULL)"
            ),
            {"s": json.dumps({"run_key": "k1", "rates": [0.3]})},
        )
        conn.execute(
            sa.text(
                "INSERT INTO reflections (learner_id, question_id, text, updated_at) VALUES "
                "(1, 'why', 'Ada thinks', 1.0), (2, 'why', 'Bob thinks', 1.0)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO runs (key, meta, weights, finished_at) VALUES ('k1', :m, :w, 1.0)"
            ),
            {"m": json.dumps({"epochs": 1}), "w": b"\x00\x01weights"},
        )
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT setval('learners_id_seq', 3)"))
    engine.dispose()


def test_resume_codes_keep_every_stored_record(store_url: str) -> None:
    _old_class(store_url)
    before = _all_rows(store_url)
    store = Store(store_url)  # the new version upgrades in place
    assert _revision(store_url) == (head_revision(),)
    after = _all_rows(store_url)
    for table, rows in before.items():
        if table != "learners":
            assert after[table] == rows, table  # every record, unchanged
    assert [r[:6] for r in after["learners"]] == before["learners"]  # plus the new columns
    assert all(r[6:] == (None, None, None) for r in after["learners"])  # no code yet
    assert after["access_limits"] == []

    rows = store.class_progress("SOC-101")
    assert [(r["name"], r["has_link"]) for r in rows] == [("Ada", False), ("Bob", False)]
    with pytest.raises(NameTaken):  # a name alone still opens nothing
        store.enrol("Ada", "SOC-101")
    code = store.issue_code(1)  # the instructor gives Ada her link
    got = store.resume(code, "ip:1")
    assert got.ok and got.value.learner.name == "Ada"
    assert store.progress(1) == {"explore": {"rate"}}
    assert store.quiz_answers(1) == {"q1": (2, True)}
    assert store.reflections(1) == {"why": "Ada thinks"}
    assert [s["code"] for s in store.submissions(1)] == ["Ada's code"]
    bob = store.enrol("Bob", "SOC-101", claim_unlinked=True)  # the class allows it: first visit
    assert bob.learner.id == 2 and store.reflections(2) == {"why": "Bob thinks"}
    assert store.enrol("Dee", "SOC-101").learner.id == 4  # new rows after the old ones
    store.close()


def test_downgrading_past_resume_codes_keeps_every_record(store_url: str) -> None:
    _old_class(store_url)
    before = _all_rows(store_url)
    store = Store(store_url)
    store.issue_code(1)
    store.close()
    command.downgrade(migration_config(store_url), "0004")  # no table copy: no cascade
    assert _revision(store_url) == ("0004",)
    assert _all_rows(store_url) == before
    assert Store(store_url).reflections(1) == {"why": "Ada thinks"}  # and up again
