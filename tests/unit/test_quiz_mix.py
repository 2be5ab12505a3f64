"""The quiz measures understanding (issue 25, item 5): every item tagged with its level, at most a
third recall, at least two items per core section, items that read a chart, find a bug or
compute a value, a misconception for every wrong choice, and one question on dropout at
`predict`."""

from __future__ import annotations

import tomllib

import pytest

from dropout_lab.lesson import lessons, quiz_meta

SECTIONS = lessons.load_sections()
QUIZ = lessons.load_quiz(sections=[s.slug for s in SECTIONS])
CORE = [s.slug for s in SECTIONS if not s.optional and s.slug.split("-", 1)[0] <= "10"]


def test_every_item_in_the_file_names_its_level() -> None:
    with lessons.QUIZ_FILE.open("rb") as f:
        raw = tomllib.load(f)["question"]
    untagged = [q["id"] for q in raw if q.get("level") not in quiz_meta.LEVELS]
    assert untagged == []


def test_at_most_a_third_of_the_items_are_recall() -> None:
    mix = quiz_meta.mix([q.level for q in QUIZ])
    assert sum(mix.values()) == len(QUIZ)
    assert mix["recall"] <= quiz_meta.RECALL_SHARE_MAX * len(QUIZ), mix
    assert mix["apply"] and mix["analyse"], mix


@pytest.mark.parametrize("slug", CORE)
def test_every_core_section_has_two_items_read_can_ask(slug: str) -> None:
    asked = [q for q in QUIZ if q.section == slug and not q.needs_runs]
    assert len(asked) >= 2, slug


def test_items_read_charts_find_bugs_and_compute() -> None:
    tasks = [q.task for q in QUIZ]
    for task in quiz_meta.TASKS:
        assert tasks.count(task) >= 2, task
    charts = [q for q in QUIZ if q.task == "read-chart"]
    assert all(q.figure is not None for q in charts)
    for word in ("Over-fitting", "under-trained", "Under-fitting"):
        assert any(word in q.choices[q.answer] for q in charts), word
    bugs = [q for q in QUIZ if q.task == "find-bug"]
    assert sum("```python" in q.prompt for q in bugs) >= 2


def test_a_wrong_choice_always_has_its_misconception() -> None:
    for q in QUIZ:
        for i in range(len(q.choices)):
            assert bool(q.misconception(i)) == (i != q.answer), (q.id, i)


def test_dropout_at_predict_is_asked_once() -> None:
    about_predict = [q.id for q in QUIZ if "predict" in q.prompt and "`Dropout" in q.prompt
                     and "training" not in q.prompt]  # fmt: skip
    assert about_predict == ["inference-identity"]
    reflect = [r.id for r in lessons.load_reflect_questions()]
    assert "soc-live-traffic" not in reflect


def test_memorising_the_flipped_labels_reads_the_stored_run() -> None:
    item = next(q for q in QUIZ if q.id == "memorised-noise")
    assert item.needs_runs and item.figure.run == "no_dropout" and item.figure.line == 0.92
    full = item.figure.from_history({"accuracy": [0.7, 0.99], "val_accuracy": [0.7, 0.73]})
    assert full is not None and full.series[0] == ("accuracy", (0.7, 0.99))
    # the premise (training accuracy above 92%) must hold, or the item is not asked
    assert item.figure.from_history({"accuracy": [0.7, 0.9], "val_accuracy": [0.7, 0.73]}) is None
    assert item.figure.from_history({"accuracy": [0.7, 0.99]}) is None


@pytest.mark.parametrize(
    ("figure", "problem"),
    [
        ("[1, 2]", "must be a table"),
        ('{ metric = "loss" }', "needs 'series'"),
        ("{ series = { a = [1.0] } }", "two or more numbers"),
        ("{ series = { a = [1.0, 2.0], b = [1.0, 2.0, 3.0] } }", "same length"),
        ('{ run = "no_dropout" }', "needs 'keys'"),
    ],
)
def test_a_broken_figure_is_refused(figure: str, problem: str) -> None:
    entry = tomllib.loads(f"figure = {figure}")
    with pytest.raises(ValueError, match=problem):
        quiz_meta.figure(entry, "item")


def test_a_wrong_level_or_task_is_refused() -> None:
    with pytest.raises(ValueError, match="level"):
        quiz_meta.level({"level": "remember"}, "item")
    with pytest.raises(ValueError, match="task"):
        quiz_meta.task({"task": "essay"}, "item")
    assert quiz_meta.level({}, "item") == "recall"  # untagged counts against the mix


# Reflect's interleaved review ------------------------------------------------------------------


def test_the_review_is_drawn_across_sections_and_interleaved() -> None:
    from dropout_lab.lesson import review

    core = [s.slug for s in SECTIONS if not s.optional]
    draws = {who: review.draw(QUIZ, core, who) for who in ("learner:1", "learner:2", "x")}
    for who, items in draws.items():
        assert review.MIN_SIZE <= len(items) <= review.SIZE
        sections = [i.section for i in items]
        assert len(set(sections)) == len(sections), who  # one per section: across the lesson
        assert set(sections) <= set(core)  # never the optional section
        assert items[0].needs_runs  # the stored run's item first: only Reflect can ask it
        assert review.draw(QUIZ, core, who) == items  # stable for the learner
    assert len({tuple(i.id for i in d) for d in draws.values()}) > 1  # learners differ
    without_runs = [q for q in QUIZ if not q.needs_runs]
    assert not [i for i in review.draw(without_runs, core, "x") if i.needs_runs]
    with pytest.raises(ValueError):
        review.draw(QUIZ, core, "x", size=3)


def test_bishop_1995_is_named_for_what_it_showed() -> None:
    body = next(s.body for s in SECTIONS if s.slug == "02-why-it-works")
    line = " ".join(body.split())
    assert "Bishop (1995) showed that training with small input noise is, to first order, " \
        "Tikhonov regularisation" in line  # fmt: skip
