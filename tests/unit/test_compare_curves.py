"""Compare's curves: the learner's runs merged into the lesson's (charts/compare_curves.py)."""

from __future__ import annotations

from dropout_lab.charts import run_colours
from dropout_lab.charts.compare_curves import merged
from dropout_lab.lesson import catalogue
from dropout_lab.lesson.spec import TrainConfig, lesson_spec, run_key

LABELS = {catalogue.NO_DROPOUT: "No dropout", catalogue.DROPOUT: "Dropout(0.3)", "l2": "L2"}


def history(offset: float) -> dict[str, list[float]]:
    return {"loss": [1.0 + offset, 0.5 + offset], "val_loss": [1.1 + offset, 0.9 + offset]}


def keys() -> dict[str, str]:
    """Run key → name of the lesson's pair, as the page computes it from the catalogue."""
    config = TrainConfig()
    return {run_key(lesson_spec(0.0), config): catalogue.NO_DROPOUT,
            run_key(lesson_spec(catalogue.PAIR_RATE), config): catalogue.DROPOUT}  # fmt: skip


def key_of(name: str) -> str:
    return next(k for k, n in keys().items() if n == name)


LOADED = {catalogue.NO_DROPOUT: history(0.0), catalogue.DROPOUT: history(0.1)}
NAMES = [catalogue.NO_DROPOUT, catalogue.DROPOUT]


def test_lesson_runs_in_order_with_their_colours() -> None:
    curves = merged(NAMES, LOADED, LABELS, keys(), [])
    assert [c.label for c in curves] == ["No dropout", "Dropout(0.3)"]
    assert [c.colour for c in curves] == [run_colours.COLOURS[n] for n in NAMES]
    assert curves[1].history is LOADED[catalogue.DROPOUT]


def test_a_learner_run_that_is_a_shown_lesson_run_is_named_on_it_not_drawn_twice() -> None:
    mine = [("Starter (no dropout)", key_of(catalogue.NO_DROPOUT), history(0.0))]
    curves = merged(NAMES, LOADED, LABELS, keys(), mine)
    assert [c.label for c in curves] == ["No dropout = starter (no dropout)", "Dropout(0.3)"]
    assert curves[0].colour == run_colours.COLOURS[catalogue.NO_DROPOUT]


def test_another_learner_run_gets_a_curve_of_its_own() -> None:
    mine = [("Your model", "some-other-key", history(0.3))]
    curves = merged(NAMES, LOADED, LABELS, keys(), mine)
    assert [c.label for c in curves] == ["No dropout", "Dropout(0.3)", "Your model"]
    assert curves[2].colour == run_colours.session_colour("Your model")
    assert curves[2].history == history(0.3)


def test_a_learner_run_of_a_lesson_run_not_stored_yet_is_drawn_itself() -> None:
    loaded = {catalogue.NO_DROPOUT: LOADED[catalogue.NO_DROPOUT]}  # the pair's dropout run missing
    mine = [("Your model", key_of(catalogue.DROPOUT), history(0.2))]
    curves = merged(NAMES, loaded, LABELS, keys(), mine)
    assert [c.label for c in curves] == ["No dropout", "Your model"]
