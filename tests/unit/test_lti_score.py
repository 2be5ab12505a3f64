"""What a learner's progress is worth in an LMS gradebook (issue 26): the whole lesson's score
weighs steps, Read's checks and labs as the lesson file's [grading] says; a step's or a lab's
link reports that target alone; AGS's activity and grading progress; the [grading] table's
one-line errors; the outbox's back-off; the Canvas and Moodle gradebook CSVs, their cells safe."""

from __future__ import annotations

import csv
import io

import pytest

from dropout_lab.lesson import gradebooks, lesson_config
from dropout_lab.lesson import score as scoring
from dropout_lab.lesson.score import Facts, Weights
from dropout_lab.lti import outbox

ALL_STEPS = {s: set(c) for s, c in scoring.criteria().items()}


def test_nothing_done_is_not_started() -> None:
    got = scoring.score(Facts(), "lesson")
    assert (got.given, got.maximum, got.activity) == (0.0, 100.0, "Initialized")
    assert not got.started


def test_the_lesson_weighs_steps_quiz_and_labs() -> None:
    explore = Facts(progress={"explore": {"rate", "inference"}})
    assert scoring.score(explore, "lesson").given == 10.0  # 1/5 steps x 2/4
    right = dict.fromkeys(scoring.required_quiz(), True)
    assert scoring.score(Facts(quiz=right), "lesson").given == 25.0
    labs = Facts(progress={"build": {"trained"}}, labs={"numpy_dropout": True,
                                                         "numpy_backprop": True})  # fmt: skip
    assert scoring.score(labs, "lesson").given == 35.0  # Build done (10) + all labs (25)
    done = scoring.score(Facts(ALL_STEPS, right, {"numpy_dropout": True,
                                                   "numpy_backprop": True}), "lesson")  # fmt: skip
    assert (done.given, done.activity, done.grading) == (100.0, "Completed", "FullyGraded")


def test_a_quiz_answer_outside_the_required_checks_does_not_count() -> None:
    assert scoring.score(Facts(quiz={"not-a-required-check": True}), "lesson").given == 0.0


def test_weights_from_the_lesson_file() -> None:
    only_steps = Weights(steps=1, quiz=0, labs=0, points=10)
    got = scoring.score(Facts(progress={"explore": {"rate", "inference"}}), "lesson", only_steps)
    assert (got.given, got.maximum) == (2.0, 10.0)
    parsed = lesson_config.parse({"grading": {"quiz": 3, "points": 20}}, "c.toml").grading
    assert parsed == Weights(steps=2.0, quiz=3.0, labs=1.0, points=20.0)


@pytest.mark.parametrize("table, says", [
    ({"steps": -1}, "[grading] steps must be a weight >= 0"),
    ({"points": 0}, "[grading] points must be the score's maximum"),
    ({"quiz": True}, "[grading] quiz must be a weight"),
    ({"steps": 0, "quiz": 0, "labs": 0}, "gives every part weight 0"),
    ({"bonus": 1}, "unknown key 'bonus' in [grading]"),
])  # fmt: skip
def test_a_wrong_grading_table_is_one_line(table: dict, says: str) -> None:
    with pytest.raises(lesson_config.LessonConfigError) as e:
        lesson_config.parse({"grading": table}, "c.toml")
    assert says in str(e.value) and "\n" not in str(e.value)


def test_a_step_or_lab_link_reports_its_target() -> None:
    half = Facts(progress={"explore": {"rate"}})
    got = scoring.score(half, "explore")
    assert (got.given, got.activity) == (50.0, "InProgress")
    assert scoring.score(half, "read").activity == "Initialized"
    failed = Facts(labs={"numpy_dropout": False})
    assert scoring.score(failed, "numpy_dropout").activity == "InProgress"
    assert scoring.score(Facts(labs={"numpy_dropout": True}), "numpy_dropout").given == 100.0
    assert scoring.score(Facts(progress={"build": {"trained"}}), "keras_lab").given == 100.0
    assert scoring.score(half, "no-such-target") == scoring.score(half, "lesson")


def test_each_target_has_its_words() -> None:
    from dropout_lab.lesson.content import step_text

    words = step_text("lti")["targets"]
    assert set(words) == set(scoring.TARGETS)
    assert all(w["label"] and w["score"] for w in words.values())


def test_the_back_off_doubles_up_to_its_cap() -> None:
    waits = [outbox.retry_in(n, 2.0) for n in range(14)]
    assert waits[:4] == [2.0, 4.0, 8.0, 16.0]
    assert max(waits) == outbox.RETRY_CAP and waits == sorted(waits)


ROWS = [gradebooks.Row("Ada Lovelace", 72.5, "ada@x.edu", "S-1", "42"),
        gradebooks.Row("=HYPERLINK(\"http://x\")", 10.0)]  # fmt: skip


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_canvas_csv_is_canvas_import_format() -> None:
    rows = _read(gradebooks.canvas(ROWS, "Dropout Lab", 100))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Dropout Lab"]
    assert rows[1] == ["Points Possible", "", "", "", "", "100"]
    assert rows[2] == ["Ada Lovelace", "42", "S-1", "", "", "72.5"]
    assert rows[3][0].startswith("'=")  # a formula arrives as text


def test_the_moodle_csv_has_an_identifier_and_the_grade_item() -> None:
    rows = _read(gradebooks.moodle(ROWS, "Dropout Lab"))
    assert rows[0] == ["Full name", "Email address", "ID number", "Dropout Lab"]
    assert rows[1] == ["Ada Lovelace", "ada@x.edu", "S-1", "72.5"]
    assert rows[2][0].startswith("'=") and rows[2][3] == "10"
