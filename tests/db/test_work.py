"""A learner's work as they go (issue 23) on SQLite and PostgreSQL: the text as last typed and
the last grade, each kept without touching the other; caps and bad values refused; each
learner's own; a class's grades (and no other class's); gone with the learner; migration 0007
keeps every stored record, up and down."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from dropout_lab.store import Store
from dropout_lab.store.schema import CODE_MAX, head_revision, make_engine, migration_config
from tests.db.test_migrations import _all_rows, _old_class, _revision

PASSED = {"passed": True, "checks": [{"label": "Drops a fraction", "passed": True}]}
FAILED = {"passed": False, "checks": [{"label": "Drops a fraction", "passed": False}]}


def test_the_latest_text_is_kept_and_a_grade_beside_it(store: Store) -> None:
    ada = store.join("Ada", "C1")
    assert store.work(ada.id) == {}
    store.save_work(ada.id, "numpy_dropout", "def dropout_forward(): 1")
    store.save_work(ada.id, "numpy_dropout", "def dropout_forward(): 2")
    store.save_grade(ada.id, "numpy_dropout", "graded code", {**FAILED, "code": "graded code"})
    got = store.work(ada.id)["numpy_dropout"]
    assert got["text"] == "def dropout_forward(): 2"  # a grade leaves the typed text alone
    assert got["grade"] == {**FAILED, "code": "graded code"}
    assert isinstance(got["updated_at"], float)
    store.save_work(ada.id, "numpy_dropout", "def dropout_forward(): 3")
    assert store.work(ada.id)["numpy_dropout"]["grade"]["passed"] is False  # text: grade stays
    store.save_grade(ada.id, "numpy_backprop", "first graded", PASSED)  # new: the code is its text
    store.save_work(ada.id, "overfit", "model = keras.Sequential()\n")
    got = store.work(ada.id)
    assert sorted(got) == ["numpy_backprop", "numpy_dropout", "overfit"]
    assert got["numpy_backprop"]["text"] == "first graded" and got["overfit"]["grade"] is None
    assert store.work(store.join("Bob", "C1").id) == {}  # each learner's own


def test_caps_and_bad_values_are_refused(store: Store) -> None:
    ada = store.join("Ada", "C1")
    store.save_work(ada.id, "overfit", "x" * CODE_MAX)  # at the cap: kept whole
    assert len(store.work(ada.id)["overfit"]["text"]) == CODE_MAX
    with pytest.raises(ValueError, match="too long"):
        store.save_work(ada.id, "overfit", "x" * (CODE_MAX + 1))
    with pytest.raises(ValueError, match="work item"):
        store.save_work(ada.id, "no spaces", "x")
    with pytest.raises(ValueError, match="must be text"):
        store.save_work(ada.id, "overfit", None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="passed"):
        store.save_grade(ada.id, "numpy_dropout", "x", {"checks": []})
    with pytest.raises(ValueError, match="too long"):
        store.save_grade(ada.id, "numpy_dropout", "x", {"passed": True, "output": "y" * 200_000})
    with pytest.raises(ValueError, match="no learner with id"):
        store.save_work(ada.id + 999, "overfit", "x")
    assert len(store.work(ada.id)["overfit"]["text"]) == CODE_MAX  # nothing else changed


def test_a_class_reads_its_own_grades_only(store: Store) -> None:
    ada, bob = store.join("Ada", "SOC-1"), store.join("bob", "soc-1")
    eve = store.join("Eve", "Other")
    store.save_grade(ada.id, "numpy_dropout", "a", PASSED)
    store.save_grade(ada.id, "numpy_backprop", "b", FAILED)
    store.save_work(bob.id, "numpy_dropout", "typed, never graded")
    store.save_grade(eve.id, "numpy_dropout", "e", PASSED)
    assert store.class_grades("soc-1") == {ada.id: {"numpy_dropout": True,
                                                   "numpy_backprop": False}}  # fmt: skip
    assert store.class_grades("nobody") == {}


def test_work_goes_with_its_learner(store_url: str, store: Store) -> None:
    ada = store.join("Ada", "C1")
    store.save_grade(ada.id, "numpy_dropout", "a", PASSED)
    engine = make_engine(store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM learners WHERE id = :id"), {"id": ada.id})
        left = conn.execute(sa.text("SELECT count(*) FROM work")).scalar()
    engine.dispose()
    assert left == 0


def test_migration_0007_keeps_every_stored_record(store_url: str) -> None:
    _old_class(store_url)  # a class stored at revision 0004
    command.upgrade(migration_config(store_url), "0006")
    before = _all_rows(store_url)
    store = Store(store_url)  # the new version upgrades in place
    assert _revision(store_url) == (head_revision(),)
    after = _all_rows(store_url)
    assert {k: v for k, v in after.items() if k in before} == before
    assert after["work"] == []
    store.save_grade(1, "numpy_dropout", "code", PASSED)
    assert store.reflections(1) == {"why": "Ada thinks"}
    store.close()
    command.downgrade(migration_config(store_url), "0006")
    assert _revision(store_url) == ("0006",)
    assert _all_rows(store_url) == before  # the table goes, nothing else
    again = Store(store_url)
    assert again.work(1) == {} and again.quiz_answers(1) == {"q1": (2, True)}
    again.close()
