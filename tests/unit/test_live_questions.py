"""The live class's questions (issue 27): one accessor for the predictions, the quiz items and
the lesson file's own, each with its choices, its right answer and the sentence that settles
it, computed from the lesson's runs (none yet: no answer, and the sentence says why)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dropout_lab.findings import live
from dropout_lab.findings import predictions as run_answers
from dropout_lab.lesson import explore as explore_layer
from dropout_lab.lesson import lesson_config, lessons
from dropout_lab.lesson import live as lesson_live


def test_every_source_is_there_with_a_right_answer_among_its_choices() -> None:
    qs = live.questions(rates=(0.0, 0.3, 0.5))
    assert {q.source for q in qs.values()} == {"quiz", "prediction"}
    assert len([q for q in qs.values() if q.source == "quiz"]) == len(lessons.load_quiz())
    for q in qs.values():
        assert len(q.choices) >= 2 and q.settle
        assert q.answer is None or q.answer in {c.value for c in q.choices}
    explore = qs["prediction:explore-scale"]
    assert explore.answer == "2" and "**2**" in explore.settle  # 1/(1 - 0.5), from the rate
    unscaled = qs["prediction:explore-unscaled"]  # the Explore layer's numbers, as its reveal
    x = explore_layer.example_layer()
    assert unscaled.answer == "larger" and [c.value for c in unscaled.choices] == [
        "larger", "same", "smaller"]  # fmt: skip
    for number in (x.mean(), 0.5 * x.mean()):
        assert f"{number:.3g}" in unscaled.settle
    assert [c.value for c in qs["prediction:compare-rate"].choices] == ["0", "0.3", "0.5"]
    assert qs["prediction:build-shape"].answer is None  # no runs: not known yet
    assert qs["prediction:build-shape"].settle == lesson_live.TEXT["settle"]["unknown"]


def _history(val_loss: list[float], val_acc: float) -> dict:
    n = len(val_loss)
    return {"loss": val_loss, "val_loss": val_loss, "accuracy": [0.9] * n,
            "val_accuracy": [val_acc] * n}  # fmt: skip


def test_the_runs_settle_the_predictions_with_the_lessons_own_sentences() -> None:
    climbing = _history([0.5 - 0.02 * e for e in range(10)] + [0.3 + 0.03 * e for e in range(10)],
                        0.80)  # fmt: skip
    flat = _history([0.5 - 0.01 * e for e in range(20)], 0.83)
    rows = [{"rate": r, "final_val_loss": loss, "final_val_loss_sd": 0.01, "seeds": 3}
            for r, loss in ((0.0, 0.5), (0.3, 0.4), (0.5, 0.45))]  # fmt: skip
    qs = live.questions(live.LessonRuns(climbing, flat, rows), rates=(0.0, 0.3, 0.5))
    shape = qs["prediction:build-shape"]
    assert shape.answer == run_answers.shape_of(climbing) == "climb"
    assert shape.settle.startswith("Without dropout, the validation loss did **turn up")
    acc = qs["prediction:build-accuracy"]
    assert acc.answer == "up" and "+3.0 points" in acc.settle
    rate = qs["prediction:compare-rate"]
    assert rate.answer == "0.3" and "**0.3**" in rate.settle


def test_a_lesson_files_own_questions(tmp_path: Path) -> None:
    path = tmp_path / "lesson.toml"
    path.write_text('[[live.question]]\nid = "own"\nprompt = "Which?"\nchoices = ["a", "b"]\n'
                    'answer = 1\nexplanation = "b, because."\n')  # fmt: skip
    cfg = lesson_config.load(path)
    q = live.questions(written=cfg.live_questions)["lesson:own"]
    assert (q.answer, q.label("1"), q.settle) == ("1", "b", "b, because.")
    path.write_text('[[live.question]]\nid = "own"\nprompt = "Which?"\nchoices = ["a", "b"]\n'
                    'answer = 2\nexplanation = "e"\n')  # fmt: skip
    with pytest.raises(lesson_config.LessonConfigError, match=r"live.question.*out of range"):
        lesson_config.load(path)
