"""The pure parts of predict-then-reveal and of "what the class thinks" (issue 13, parts 1 and
5): the predictions file and its checks, the outcomes computed from runs, how far off a guess
was, first-try shares and the most chosen wrong answer, distributions, the two CSV shapes, and
the figures (valid plotly, both themes, split for phones)."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest

from dropout_lab.charts import panels as pn
from dropout_lab.charts import predictions as figures
from dropout_lab.findings import predictions as run_answers
from dropout_lab.lesson import insights, lessons
from dropout_lab.lesson import predictions as pr
from dropout_lab.lesson.insights import ClassWork
from dropout_lab.lesson.predictions import Made

QUIZ = lessons.load_quiz()
QUESTIONS = lessons.load_reflect_questions()


def curve(kind: str, n: int = 50) -> dict[str, list[float]]:
    t = np.arange(1, n + 1, dtype=float)
    if kind == "fall":
        val = 0.3 + 0.4 * np.exp(-t / 30)
    elif kind == "level":
        val = 0.3 + 0.4 * np.exp(-t / 3)
    else:
        val = 0.3 + 0.4 * np.exp(-t / 3) + 0.004 * np.maximum(t - 8, 0)
    return {"loss": list(val * 0.5), "accuracy": list(0.9 + 0 * t), "val_loss": list(val),
            "val_accuracy": list(0.8 + 0 * t)}  # fmt: skip


# --------------------------------------------------------------------------- the file


def test_the_shipped_predictions_file_has_every_prediction_the_app_asks() -> None:
    preds = pr.load()
    assert tuple(preds) == pr.IDS
    assert preds[pr.EXPLORE].rate == 0.5 and preds[pr.EXPLORE].kind == "number"
    assert [o.value for o in preds[pr.BUILD_SHAPE].options] == list(pr.SHAPES)
    unscaled = preds[pr.EXPLORE_UNSCALED]
    assert unscaled.kind == "choice" and unscaled.rate == 0.5
    assert [o.value for o in unscaled.options] == list(pr.SIZES)
    assert {p.step for p in preds.values()} == {"explore", "build", "compare"}
    words = pr.words()
    parts = ("form", "explore", "explore_unscaled", "build", "compare", "charts", "class",
             "direction")  # fmt: skip
    assert all(part in words for part in parts)


def test_the_unscaled_prediction_must_ask_for_what_the_app_computes(tmp_path) -> None:
    """explore-unscaled's options are the outcomes lesson/explore.py computes, at a rate above
    0 (at 0 nothing is dropped and there is nothing to predict)."""
    text = pr.FILE.read_text(encoding="utf-8")
    for old, new, problem in (
        ('{ value = "smaller", label', '{ value = "tiny", label', "must be a choice of"),
        ("rate = 0.5\noptions", "rate = 0.0\noptions", "needs a 'rate' above 0"),
    ):
        assert old in text
        path = tmp_path / "p.toml"
        path.write_text(text.replace(old, new), encoding="utf-8")
        with pytest.raises(ValueError, match=problem):
            pr.load_file(path)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"kind": "slider"}, "'kind' must be one of"),
        ({"step": "nowhere"}, "'step' must be one of"),
        ({"min": 5.0, "max": 1.0}, "min < max"),
        ({"title": " "}, "'title' must be a non-empty string"),
        ({"rate": 1.0}, "'rate' must be in"),
    ],
)
def test_a_broken_prediction_is_refused_with_a_clear_message(entry: dict, problem: str) -> None:
    good = {"id": "x", "step": "explore", "kind": "number", "title": "t", "prompt": "p",
            "label": "l", "min": 0.0, "max": 1.0, "increment": 0.1, "tolerance": 0.0}  # fmt: skip
    with pytest.raises(ValueError, match=problem):
        pr.parse({**good, **entry})


def test_a_file_without_the_apps_predictions_is_refused(tmp_path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[[prediction]]\nid = "x"\nstep = "read"\nkind = "rate"\ntitle = "t"\n'
                    'prompt = "p"\nlabel = "l"\n')  # fmt: skip
    with pytest.raises(ValueError, match="which the file does not define"):
        pr.load_file(path)


def test_values_are_checked_and_written_per_kind() -> None:
    scale, shape = pr.get(pr.EXPLORE), pr.get(pr.BUILD_SHAPE)
    acc, rate = pr.get(pr.BUILD_ACCURACY), pr.get(pr.COMPARE)
    assert scale.check(1.5) == 1.5 and scale.show(1.5) == "1.50×"
    assert acc.show(3.0) == "+3.0 points" and acc.show(-1.25) == "-1.2 points"
    assert shape.check("climb") == "climb" and shape.show("climb") == "turn up and climb"
    assert rate.check(0.3, (0.0, 0.3)) == 0.3 and rate.show(0.3) == "0.3"
    for bad in (math.nan, math.inf, 11.0, -1.0, True, "2"):
        with pytest.raises(ValueError):
            scale.check(bad)
    with pytest.raises(ValueError, match="not one of the options"):
        shape.check("wobble")
    with pytest.raises(ValueError, match="not one of the rates"):
        rate.check(0.4, (0.0, 0.3))
    with pytest.raises(ValueError):
        Made(None, skipped=False)  # neither a value nor a skip
    with pytest.raises(ValueError):
        Made(1.0, skipped=True)


# --------------------------------------------------------------------------- outcomes


@pytest.mark.parametrize("kind", pr.SHAPES)
def test_the_shape_of_a_validation_loss(kind: str) -> None:
    assert run_answers.shape_of(curve(kind)) == kind


def test_the_shape_follows_the_compare_steps_own_thresholds() -> None:
    from dropout_lab.findings.run_claims import CLIMB

    h = curve("level")
    low = min(h["val_loss"])
    h["val_loss"][-1] = low * (1 + CLIMB * 0.9)  # risen, but not by CLIMB: levelled
    assert run_answers.shape_of(h) == "level"
    h["val_loss"][-1] = low * (1 + CLIMB * 1.1)
    assert run_answers.shape_of(h) == "climb"
    creeping = curve("level")  # its lowest is the last epoch, but it fell by a hair
    assert np.argmin(creeping["val_loss"]) == len(creeping["val_loss"]) - 1
    assert run_answers.shape_of(creeping) == "level"


def test_outcomes_from_the_runs() -> None:
    nd, d = curve("climb"), curve("level")
    d["val_accuracy"][-1] = 0.823
    rows = [{"rate": 0.0, "final_val_loss": 0.5}, {"rate": 0.3, "final_val_loss": 0.4},
            {"rate": 0.5, "final_val_loss": 0.4}]  # fmt: skip
    got = run_answers.outcomes(nd, d, rows)
    assert got[pr.EXPLORE] == 2.0
    assert got[pr.EXPLORE_UNSCALED] == "larger"  # 1/(1 - p) times the unscaled training input
    assert got[pr.BUILD_SHAPE] == "climb"
    assert got[pr.BUILD_ACCURACY] == pytest.approx(2.3)
    assert got[pr.COMPARE] == 0.3  # the lower rate on a tie
    no_runs = run_answers.outcomes()  # only what needs none: Explore's two
    assert no_runs == {pr.EXPLORE: 2.0, pr.EXPLORE_UNSCALED: "larger"}
    assert pr.scale_factor(0.8) == pytest.approx(5.0)
    with pytest.raises(ValueError):
        pr.scale_factor(1.0)


def test_how_far_off() -> None:
    acc = pr.get(pr.BUILD_ACCURACY)
    assert pr.off_by(acc, 5.0, 1.2) == pr.Off(False, pytest.approx(3.8), "high")
    assert pr.off_by(acc, -1.0, 1.2).direction == "low"
    assert pr.off_by(acc, 1.6, 1.2).right  # within the tolerance (0.5 points)
    assert pr.get(pr.COMPARE).matches(0.3, 0.3) and not pr.get(pr.COMPARE).matches(0.2, 0.3)
    assert not acc.matches(None, 1.0) and not acc.matches(1.0, None)


# --------------------------------------------------------------------------- the class


def work(quiz=None, preds=None, refl=None, n: int = 4) -> ClassWork:
    people = tuple((i, name) for i, name in enumerate(["Ada", "Bob", "Cy", "Dee"][:n], 1))
    return ClassWork(people, quiz or {}, preds or {}, refl or {})


def test_quiz_first_tries_and_the_most_chosen_wrong_answer() -> None:
    item = QUIZ[0]
    wrong = [i for i in range(len(item.choices)) if i != item.answer]
    w = work({1: {item.id: item.answer}, 2: {item.id: wrong[0]}, 3: {item.id: wrong[0]},
              4: {item.id: wrong[1]}})  # fmt: skip
    (s,) = insights.quiz_stats([item], w)
    assert (s.answered, s.right, s.share_right) == (4, 1, 0.25)
    assert s.wrong == (wrong[0],) and s.wrong_count == 2 and not s.tied
    assert s.wrong_text() == item.choices[wrong[0]]
    assert s.misconception() == item.misconceptions[wrong[0]]
    tie = insights.quiz_stat(item, [wrong[0], wrong[1]])
    assert tie.tied and tie.wrong == tuple(wrong[:2])
    none = insights.quiz_stat(item, [])
    assert none.share_right is None and none.wrong == () and none.misconception() == ""
    assert insights.quiz_stat(item, [item.answer, 99]).answered == 1  # out of range: ignored


def test_answers_to_retired_items_count_for_none() -> None:
    w = work({1: {"ensemble": 0, QUIZ[0].id: 0}, 2: {QUIZ[0].id: 42}})
    assert insights.dropped_answers(QUIZ, w) == 2


def test_every_quiz_item_names_the_misconception_of_each_wrong_choice() -> None:
    for item in QUIZ:
        assert len(item.misconceptions) == len(item.choices), item.id
        for i, text in enumerate(item.misconceptions):
            assert bool(text) == (i != item.answer), (item.id, i)


def test_a_misconception_list_is_checked(tmp_path) -> None:
    entry = {"id": "q", "section": "s", "prompt": "p", "choices": ["a", "b", "c"], "answer": 1,
             "explanation": "e"}  # fmt: skip
    assert lessons.quiz_item(entry).misconceptions == ()
    ok = lessons.quiz_item({**entry, "misconception": ["x", "", "z"]})
    assert ok.misconceptions == ("x", "", "z")
    for bad in (["x", ""], ["x", "y", "z"], ["", "", "z"], "x"):
        with pytest.raises(ValueError, match="misconception"):
            lessons.quiz_item({**entry, "misconception": bad})


def test_distributions_per_kind() -> None:
    preds = {1: {pr.EXPLORE: Made(2.0), pr.BUILD_SHAPE: Made("climb"), pr.COMPARE: Made(0.3)},
             2: {pr.EXPLORE: Made(1.96), pr.BUILD_SHAPE: Made("climb"),
                 pr.COMPARE: Made(None, True)},
             3: {pr.EXPLORE: Made(None, True), pr.BUILD_SHAPE: Made("level")}}  # fmt: skip
    w = work(preds=preds)
    outcomes = {pr.EXPLORE: 2.0, pr.BUILD_SHAPE: "climb", pr.COMPARE: 0.5}
    ds = {d.prediction.id: d for d in insights.distributions(
        list(pr.load().values()), w, outcomes, rates=(0.0, 0.3, 0.5))}  # fmt: skip
    scale = ds[pr.EXPLORE]
    assert scale.counts == ((2.0, 2),)  # 1.96 snaps to the 0.1 increment
    assert (scale.answered, scale.skipped, scale.silent, scale.matched) == (2, 1, 1, 1)
    shape = ds[pr.BUILD_SHAPE]
    assert shape.counts == (("fall", 0), ("level", 1), ("climb", 2)) and shape.matched == 2
    rate = ds[pr.COMPARE]
    assert rate.counts == ((0.0, 0), (0.3, 1), (0.5, 0)) and rate.matched == 0
    acc = ds[pr.BUILD_ACCURACY]
    assert acc.counts == () and acc.outcome is None and acc.silent == 4


def test_the_gradebook_and_the_item_rows() -> None:
    item = QUIZ[0]
    w = work({1: {item.id: item.answer}, 2: {item.id: (item.answer + 1) % len(item.choices)}},
             {1: {pr.EXPLORE: Made(2.0)}, 2: {pr.EXPLORE: Made(None, True)}},
             {2: {QUESTIONS[0].id: "because"}}, n=3)  # fmt: skip
    preds = list(pr.load().values())
    columns, rows = insights.gradebook(w, QUIZ, preds, QUESTIONS)
    assert columns[:3] == ["learner", "quiz_right", "quiz_answered"]
    assert len(columns) == 3 + len(QUIZ) + len(preds) + len(QUESTIONS)
    assert [r["learner"] for r in rows] == ["Ada", "Bob", "Cy"]
    q = insights.quiz_column(item)
    assert [r.get(q) for r in rows] == [1, 0, None]
    assert [r["quiz_right"] for r in rows] == [1, 0, 0]
    e = insights.prediction_column(pr.get(pr.EXPLORE))
    assert [r[e] for r in rows] == ["2", "skipped", ""]
    assert rows[1][insights.reflect_column(QUESTIONS[0])] == "because"
    stats = insights.quiz_stats(QUIZ, w)
    dists = insights.distributions(preds, w, {pr.EXPLORE: 2.0})
    items = insights.item_rows(stats, dists, QUESTIONS, w)
    assert len(items) == len(QUIZ) + len(preds) + len(QUESTIONS)
    assert set(items[0]) <= set(insights.ITEM_COLUMNS)
    first = items[0]
    assert first["right_first_try"] == "0.500" and first["chosen_by"] == 1
    explore = next(r for r in items if r["item"] == pr.EXPLORE)
    assert explore["distribution"] == "2.00×: 1" and explore["matched"] == 1
    assert next(r for r in items if r["item"] == pr.BUILD_SHAPE)["matched"] == ""  # not known
    answers = insights.reflection_answers(QUESTIONS[:1], w)
    assert answers == [(QUESTIONS[0], [("Bob", "because")])]


# --------------------------------------------------------------------------- figures


def _valid(fig: go.Figure) -> None:
    go.Figure(fig.to_dict())  # plotly's own validation (the builders skip it for speed)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_build_reveal_figure(theme: str) -> None:
    nd, d = curve("climb"), curve("level")
    parts = figures.build_reveal_parts(nd, d, Made("level"), Made(4.0), theme=theme)
    fig = pn.join(parts)
    _valid(fig)
    names = [t.get("name") for t in parts.traces]
    assert "the run: turn up and climb" in names and "your prediction: level off" in names
    assert len(pn.split(parts)) == 2  # one figure per panel on a phone
    assert fig.layout.paper_bgcolor == pn.theme_of(theme).background
    skipped = figures.build_reveal_parts(nd, d, Made(None, True), Made(None, True), theme=theme)
    assert not [t for t in skipped.traces if str(t.get("name", "")).startswith("your")]
    about = figures.describe_build_reveal(nd, d, Made("level"), Made(4.0))
    assert "you predicted: level off" in about.summary and len(about.table) == 2


@pytest.mark.parametrize("shape", pr.SHAPES)
def test_the_predicted_shape_line_does_what_it_says(shape: str) -> None:
    line = figures.shape_line(shape, curve("climb")["val_loss"])
    assert run_answers.shape_of({"loss": line, "val_loss": line, "val_accuracy": line}) == shape


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_sweep_reveal_and_class_figures(theme: str) -> None:
    rows = [{"rate": r, "final_val_loss": v, "final_val_loss_sd": 0.01, "seeds": 3}
            for r, v in ((0.0, 0.5), (0.3, 0.4), (0.5, 0.45))]  # fmt: skip
    fig = figures.sweep_reveal_figure(rows, 0.5, theme=theme)
    _valid(fig)
    assert [t.name for t in fig.data if t.name in ("lowest", "your pick")] == [
        "lowest",
        "your pick",
    ]
    preds = {1: {pr.BUILD_SHAPE: Made("climb")}, 2: {pr.EXPLORE: Made(2.0)}}
    w = work(preds=preds, n=2)
    for d in insights.distributions(list(pr.load().values()), w, {pr.EXPLORE: 2.0,
                                                                   pr.BUILD_SHAPE: "climb"},
                                    rates=(0.0, 0.3)):  # fmt: skip
        fig = figures.class_prediction_figure(d, theme=theme)
        _valid(fig)
        about = figures.describe_class(d)
        assert about.name.endswith(d.prediction.title) and len(about.table) == len(d.counts)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_line_marker_and_bar_reaches_3_to_1(theme: str) -> None:
    from tests.unit.test_charts import contrast, drawn_colours

    rows = [{"rate": r, "final_val_loss": v, "final_val_loss_sd": 0.01, "seeds": 3}
            for r, v in ((0.0, 0.5), (0.3, 0.4))]  # fmt: skip
    w = work(preds={1: {pr.BUILD_SHAPE: Made("climb"), pr.EXPLORE: Made(1.0)}}, n=1)
    dists = insights.distributions(
        list(pr.load().values()), w, {pr.EXPLORE: 2.0, pr.BUILD_SHAPE: "climb"}, rates=(0.0, 0.3)
    )
    built = [pn.join(figures.build_reveal_parts(curve("climb"), curve("fall"), Made("fall"),
                                                Made(2.0), theme=theme)),
             figures.sweep_reveal_figure(rows, 0.0, theme=theme),
             *(figures.class_prediction_figure(d, theme=theme) for d in dists)]  # fmt: skip
    background = pn.theme_of(theme).background
    drawn = [(n, c) for fig in built for n, c in drawn_colours(fig)]
    drawn += [(t.name, c) for fig in built for t in fig.data if t.type == "bar"
              for c in t.marker.color]  # one colour per bar  # fmt: skip
    assert len(drawn) > 10
    assert [(n, c) for n, c in drawn if contrast(c, background) < 3.0] == []
