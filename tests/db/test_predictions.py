"""Predictions in the store on SQLite and PostgreSQL (issue 13): the first one kept, a skip is
kept as a skip, bad values refused, each learner's own, a class's answers in one read (and
no other class's), gone with the learner; migration 0006 keeps every stored record, up and
down."""

from __future__ import annotations

import math
import threading

import pytest
import sqlalchemy as sa
from alembic import command

from dropout_lab.store import Store
from dropout_lab.store.schema import head_revision, make_engine, migration_config
from tests.db.test_migrations import _all_rows, _old_class, _revision


def test_the_first_prediction_is_kept_a_number_a_choice_or_a_skip(store: Store) -> None:
    ada = store.join("Ada", "C1")
    store.save_prediction(ada.id, "explore-scale", 1.5)
    store.save_prediction(ada.id, "explore-scale", 2.0)  # after the reveal: ignored
    store.save_prediction(ada.id, "build-shape", "climb")
    store.save_prediction(ada.id, "build-accuracy", None, skipped=True)
    store.save_prediction(ada.id, "build-accuracy", 3.0)  # skipped stays skipped
    store.save_prediction(ada.id, "compare-rate", 0.3)
    got = store.predictions(ada.id)
    assert {k: (v["value"], v["skipped"]) for k, v in got.items()} == {
        "build-accuracy": (None, True),
        "build-shape": ("climb", False),
        "compare-rate": (0.3, False),
        "explore-scale": (1.5, False),
    }
    assert all(isinstance(v["made_at"], float) for v in got.values())
    assert store.predictions(store.join("Bob", "C1").id) == {}


@pytest.mark.parametrize(
    ("value", "skipped", "message"),
    [
        (math.nan, False, "finite"),
        (math.inf, False, "finite"),
        (1e9, False, "at most"),
        (True, False, "a number or a choice"),
        ([1.0], False, "a number or a choice"),
        ("two words", False, "choice"),
        (1.0, True, "skipped prediction has no value"),
    ],
)
def test_bad_predictions_are_refused(store: Store, value, skipped: bool, message: str) -> None:
    ada = store.join("Ada", "C1")
    with pytest.raises(ValueError, match=message):
        store.save_prediction(ada.id, "explore-scale", value, skipped=skipped)
    with pytest.raises(ValueError, match="prediction id"):
        store.save_prediction(ada.id, "no spaces allowed", 1.0)
    with pytest.raises(ValueError, match="no learner with id"):
        store.save_prediction(ada.id + 999, "explore-scale", 1.0)
    assert store.predictions(ada.id) == {}


def test_a_class_reads_its_own_answers_only(store: Store) -> None:
    ada, bob = store.join("Ada", "SOC-1"), store.join("bob", "soc-1")
    eve = store.join("Eve", "Other")
    store.save_quiz_answer(ada.id, "q1", 2, True)
    store.save_quiz_answer(bob.id, "q1", 0, False)
    store.save_quiz_answer(eve.id, "q1", 1, False)
    store.save_prediction(ada.id, "build-shape", "level")
    store.save_prediction(bob.id, "build-shape", None, skipped=True)
    store.save_prediction(eve.id, "build-shape", "climb")
    store.save_reflection(bob.id, "why", "Bob's words")
    store.save_reflection(eve.id, "why", "Eve's words")
    got = store.class_answers("soc-1")
    assert got.learners == ((ada.id, "Ada"), (bob.id, "bob"))
    assert got.quiz == {ada.id: {"q1": 2}, bob.id: {"q1": 0}}
    assert got.predictions == {
        ada.id: {"build-shape": {"value": "level", "skipped": False}},
        bob.id: {"build-shape": {"value": None, "skipped": True}},
    }
    assert got.reflections == {bob.id: {"why": "Bob's words"}}
    assert store.class_answers("nobody").learners == ()


def test_predictions_go_with_their_learner(store_url: str, store: Store) -> None:
    ada = store.join("Ada", "C1")
    store.save_prediction(ada.id, "explore-scale", 2.0)
    engine = make_engine(store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM learners WHERE id = :id"), {"id": ada.id})
        left = conn.execute(sa.text("SELECT count(*) FROM predictions")).scalar()
    engine.dispose()
    assert left == 0


def test_many_learners_predicting_at_once_lose_nothing(store_url: str) -> None:
    store = Store(store_url)
    people = [store.join(f"L{i}", "Busy") for i in range(20)]
    errors: list[BaseException] = []

    def predict(learner) -> None:
        try:
            for _ in range(3):  # repeated clicks: the first one is kept
                store.save_prediction(learner.id, "explore-scale", float(learner.id % 7))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=predict, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    got = store.class_answers("Busy").predictions
    assert {lid: m["explore-scale"]["value"] for lid, m in got.items()} == {
        p.id: float(p.id % 7) for p in people
    }
    store.close()


def test_migration_0006_keeps_every_stored_record(store_url: str) -> None:
    _old_class(store_url)  # a class stored at revision 0004
    command.upgrade(migration_config(store_url), "0005")
    before = _all_rows(store_url)
    store = Store(store_url)  # the new version upgrades in place
    assert _revision(store_url) == (head_revision(),)
    after = _all_rows(store_url)
    assert {k: v for k, v in after.items() if k in before} == before  # newer tables: their own
    assert after["predictions"] == []
    store.save_prediction(1, "explore-scale", 2.0)
    assert store.reflections(1) == {"why": "Ada thinks"}
    store.close()
    command.downgrade(migration_config(store_url), "0005")
    assert _revision(store_url) == ("0005",)
    assert _all_rows(store_url) == before  # the table goes, nothing else
    again = Store(store_url)
    assert again.predictions(1) == {} and again.quiz_answers(1) == {"q1": (2, True)}
    again.close()


def test_there_is_exactly_one_head() -> None:
    from alembic.script import ScriptDirectory

    from dropout_lab.store.schema import MIGRATIONS

    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    assert len(heads) == 1, heads
