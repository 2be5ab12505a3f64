"""The Read step's content as data: readings, misconception checks, reflection questions."""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path

import pytest

from dropout_lab.charts import explore as pictures
from dropout_lab.lesson import explore, lessons
from dropout_lab.lesson.lesson_config import LessonConfig
from dropout_lab.lesson.steps import STEP_IDS

SECTIONS = lessons.load_sections()
SLUGS = [s.slug for s in SECTIONS]
QUIZ = lessons.load_quiz(sections=SLUGS)
ANY_SITE_LINK = re.compile(r"\]\((/[^)\s]*)\)")

REQUIRED_TOPICS = [
    "Dropout",  # sections 1..12 in reading order, matched on title words
    "Why",
    "maths",
    "rate",
    "Where",
    "Variants",
    "regularisers",
    "mistakes",
    "Monte Carlo",
    "security",
    "theory",
    "takeaways",
]


def test_twelve_sections_in_reading_order() -> None:
    assert len(SECTIONS) == 12
    assert [s.slug[:2] for s in SECTIONS] == [f"{n:02d}" for n in range(1, 13)]
    for section, word in zip(SECTIONS, REQUIRED_TOPICS, strict=True):
        assert word.lower() in section.title.lower(), (section.slug, section.title)


@pytest.mark.parametrize("section", SECTIONS, ids=SLUGS)
def test_every_section_has_a_title_a_body_and_a_short_reading_time(section) -> None:
    assert section.title and not section.title.startswith("#")
    assert len(section.body.split()) > 150
    assert 1 <= section.minutes <= 5, "each section should take a few minutes to read"
    words = len(re.sub(r"<!--.*?-->", " ", section.body).split())
    assert section.minutes == max(1, -(-words // lessons.WORDS_PER_MINUTE))


@pytest.mark.parametrize("section", SECTIONS, ids=SLUGS)
def test_every_internal_link_resolves_to_a_step(section) -> None:
    targets = ANY_SITE_LINK.findall(section.body)
    assert len(section.links) == len(targets)
    for link in section.links:
        assert link.step in STEP_IDS
    assert set(section.step_links) <= set(STEP_IDS)


def test_the_claims_link_to_the_steps_that_show_them() -> None:
    linked = {s.slug: set(s.step_links) for s in SECTIONS}
    assert "explore" in linked["01-what-dropout-does"]  # the scale factor
    assert "explore" in linked["03-the-maths"]  # the expectation
    assert "compare" in linked["02-why-it-works"]  # the overfit curves
    assert "compare" in linked["04-choosing-the-rate"]  # the rate sweep
    assert "reflect" in linked["09-monte-carlo-dropout"]  # MC dropout
    rate_links = [link for s in SECTIONS for link in s.links if "rate" in link.query_params]
    assert rate_links and all(link.step == "explore" for link in rate_links)


def test_maths_and_tables_are_written_for_rendering() -> None:
    maths = next(s for s in SECTIONS if s.slug == "03-the-maths")
    assert "$$" in maths.body and r"\frac{1}{1-p}" in maths.body
    for section in SECTIONS:
        # Display maths: "$$" alone on its line, as st.markdown requires; balanced.
        for line in section.body.splitlines():
            if "$$" in line:
                assert line.strip() == "$$", (section.slug, line)
        assert section.body.count("$$") % 2 == 0, section.slug
        # A single "~" would strike text through in Streamlit's markdown.
        assert "~" not in re.sub(r"```.*?```", "", section.body, flags=re.S), section.slug
    tables = [s for s in SECTIONS if re.search(r"^\|[- |]+\|$", s.body, re.M)]
    assert len(tables) >= 6


def test_keras_facts_are_taught_right() -> None:
    text = " ".join(s.body for s in SECTIONS)
    assert "inverted dropout" in text.lower()
    assert "training=False" in text
    assert "keep probability" in text.lower()
    what = SECTIONS[0].body
    assert "0.2 to 0.5" in what and "1/(1-\\text{rate})" in what


def test_figures_are_explore_variants() -> None:
    names = set(pictures.variant_figures(explore.Settings()).keys())
    requested = [f for s in SECTIONS for f in s.figures]
    assert requested, "the variants section reuses the Explore figures"
    for figure in requested:
        kind, _, name = figure.partition("/")
        assert kind == "variant" and name in names, figure


def test_parts_split_markdown_around_figures() -> None:
    section = lessons.parse_section(
        "x", "# T\n\nbefore\n\n<!-- figure: variant/spatial -->\n\nafter\n"
    )
    assert section.parts() == [
        ("markdown", "before"),
        ("figure", "variant/spatial"),
        ("markdown", "after"),
    ]


def test_links_and_headings_helpers() -> None:
    body = "See [it](/explore?rate=0.5) and [this](/compare).\n\n## Sub\n\n```python\n# x\n```"
    links = lessons.step_links(body)
    assert [(lk.step, lk.query_params, lk.text) for lk in links] == [
        ("explore", {"rate": "0.5"}, "it"),
        ("compare", {}, "this"),
    ]
    assert "[it](explore?rate=0.5)" in lessons.relative_links(body)
    demoted = lessons.demote_headings(body)
    assert "### Sub" in demoted and "\n# x\n" in demoted  # code comments untouched


@pytest.mark.parametrize(
    "text, problem",
    [
        ("no title\n\nbody", "Title"),
        ("# Title only\n", "no text"),
        ("# T\n\n[bad](/nowhere)", "does not point to a step"),
    ],
)
def test_a_broken_reading_is_rejected(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        lessons.parse_section("broken", text)


# Misconception checks -------------------------------------------------------------------------


def test_quiz_has_enough_items_with_unique_ids() -> None:
    assert len(QUIZ) >= 24
    assert len({q.id for q in QUIZ}) == len(QUIZ)
    assert {q.section for q in QUIZ} <= set(SLUGS)


@pytest.mark.parametrize("item", QUIZ, ids=[q.id for q in QUIZ])
def test_every_item_has_exactly_one_right_answer_and_an_explanation(item) -> None:
    assert isinstance(item.answer, int) and 0 <= item.answer < len(item.choices)
    assert len(item.choices) >= 2 and len(set(item.choices)) == len(item.choices)
    assert [lessons.grade(item, i) for i in range(len(item.choices))].count(True) == 1
    assert item.prompt.strip() and item.explanation.strip()


def test_the_required_misconceptions_are_covered() -> None:
    ids = {q.id for q in QUIZ}
    assert {
        "inference-identity",  # is dropout active at inference
        "keras-scaling",  # scale at training or at inference
        "rate-meaning",  # rate=0.3 drops, not keeps
        "no-output-dropout",  # dropout after the output layer
        "training-metric-below",  # training accuracy below validation
        "high-rate",  # what happens at 0.8
        "dropout-and-l2",  # dropout versus L2
        # issue 12's new items
        "per-example-masks",  # one mask per example, not per batch
        "weights-during-step",  # the seed's own claim: "their weights do not update"
        "weight-scaling-exact",  # exact for linear, approximate after a ReLU
        "batchnorm-order",  # dropout after the last batch norm
        "custom-loop-training",  # model(x) vs model(x, training=True)
        "mc-passes",  # the error of the MC mean shrinks like 1/sqrt(T)
    } <= ids
    scaling = next(q for q in QUIZ if q.id == "keras-scaling")
    assert "training" in scaling.choices[scaling.answer].lower()
    rate = next(q for q in QUIZ if q.id == "rate-meaning")
    assert rate.choices[rate.answer].startswith("Drops 30%")


def test_grade_and_score() -> None:
    item = QUIZ[0]
    wrong = (item.answer + 1) % len(item.choices)
    assert lessons.grade(item, item.answer) is True
    assert lessons.grade(item, wrong) is False
    with pytest.raises(ValueError):
        lessons.grade(item, len(item.choices))
    got = lessons.score(QUIZ, {QUIZ[0].id: QUIZ[0].answer, QUIZ[1].id: wrong % 2})
    assert got["total"] == len(QUIZ) and got["answered"] == 2
    assert got["correct"] == 1 + (wrong % 2 == QUIZ[1].answer)


GOOD = """
[[question]]
id = "a"
section = "01-what-dropout-does"
prompt = "Q?"
choices = ["x", "y"]
answer = 1
explanation = "Because."
"""


@pytest.mark.parametrize(
    "change, problem",
    [
        (("answer = 1", "answer = [0, 1]"), "exactly one"),
        (("answer = 1", "answer = true"), "exactly one"),
        (("answer = 1", "answer = 2"), "out of range"),
        (('explanation = "Because."', 'explanation = "  "'), "explanation"),
        (('explanation = "Because."\n', ""), "explanation"),
        (('choices = ["x", "y"]', 'choices = ["x"]'), "two or more"),
        (('choices = ["x", "y"]', 'choices = ["x", "x"]'), "same text"),
        (('section = "01-what-dropout-does"', 'section = "99-nope"'), "unknown section"),
    ],
)
def test_the_validator_rejects_a_broken_item(tmp_path: Path, change, problem) -> None:
    path = tmp_path / "quiz.toml"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(ValueError, match=problem) as err:
        lessons.load_quiz(path, sections=SLUGS)
    assert "'a'" in str(err.value), "the message names the item"


def test_the_validator_rejects_duplicate_ids(tmp_path: Path) -> None:
    path = tmp_path / "quiz.toml"
    path.write_text(GOOD + GOOD)
    with pytest.raises(ValueError, match="duplicate id 'a'"):
        lessons.load_quiz(path)
    path.write_text(GOOD)
    assert [q.id for q in lessons.load_quiz(path)] == ["a"]


# Reflect and takeaways ------------------------------------------------------------------------


def test_reflect_questions() -> None:
    questions = lessons.load_reflect_questions()
    assert len(questions) >= 6
    assert len({q.id for q in questions}) == len(questions)
    for q in questions:
        assert q.question.strip().endswith("?"), q.id
        assert len(q.model_answer.split()) >= 60, f"{q.id}: the model answer is a paragraph"
        assert q.hint is None or q.hint.strip()
    additive = next(q for q in questions if q.id == "dropout-l2-additive")  # issue 25, item 8
    assert "Compare" in additive.question and "L2" in additive.question


def test_reflect_validator(tmp_path: Path) -> None:
    path = tmp_path / "reflect.toml"
    path.write_text('[[question]]\nid = "a"\nquestion = "Why?"\nmodel_answer = ""\n')
    with pytest.raises(ValueError, match="model_answer"):
        lessons.load_reflect_questions(path)


def test_takeaways_link_to_steps() -> None:
    takeaways = lessons.load_takeaways()
    assert takeaways.title and "what to try next" in takeaways.body.lower()
    assert {"explore", "build", "compare", "reflect"} <= set(takeaways.step_links)


# A quiz that measures understanding -----------------------------------------------------------

PASS_MARK = LessonConfig().quiz_pass
WHO = ["learner:1", "learner:2", "learner:37", "session:0f3a9c", "session:deadbeef", "x"]


def shown(item: lessons.QuizItem, who: str | None) -> tuple[int, ...]:
    """The choices in the order `who` sees them (None: the file's order)."""
    return tuple(range(len(item.choices))) if who is None else lessons.choice_order(item, who)


def share_right(pick, who: str | None) -> float:
    """The score of a strategy that picks a choice from the shown order without reading."""
    answers = {item.id: pick(item, shown(item, who)) for item in QUIZ}
    return lessons.score(QUIZ, answers)["correct"] / len(QUIZ)


def test_keyed_positions_are_spread_evenly_in_the_file() -> None:
    by_k: dict[int, list[int]] = {}
    for item in QUIZ:
        by_k.setdefault(len(item.choices), []).append(item.answer)
    for k, keyed in by_k.items():
        limit = math.ceil(len(keyed) / k) + 1
        for position in range(k):
            assert keyed.count(position) <= limit, (k, position, keyed.count(position), limit)


def test_the_keyed_answer_is_the_longest_in_at_most_a_third_of_the_items() -> None:
    longest = [q.id for q in QUIZ if len(q.choices[q.answer]) == max(map(len, q.choices))]
    assert len(longest) <= len(QUIZ) / 3, longest


@pytest.mark.parametrize("who", [None, *WHO])
def test_always_the_same_shown_position_fails_the_quiz(who: str | None) -> None:
    for position in range(max(len(q.choices) for q in QUIZ)):
        got = share_right(lambda q, order, p=position: order[min(p, len(order) - 1)], who)
        assert got < PASS_MARK, (who, position, got)
    assert share_right(lambda q, order: order[-1], who) < PASS_MARK


@pytest.mark.parametrize("who", [None, *WHO])
def test_always_the_longest_or_the_shortest_fails_the_quiz(who: str | None) -> None:
    def longest(q, order):
        return max(order, key=lambda i: len(q.choices[i]))

    def longest_last(q, order):
        return max(reversed(order), key=lambda i: len(q.choices[i]))

    def shortest(q, order):
        return min(order, key=lambda i: len(q.choices[i]))

    for pick in (longest, longest_last, shortest):
        assert share_right(pick, who) < PASS_MARK, (who, pick.__name__)


def test_the_shown_order_is_a_stable_permutation_that_differs_between_learners() -> None:
    for item in QUIZ:
        order = lessons.choice_order(item, "learner:1")
        assert sorted(order) == list(range(len(item.choices)))
        assert lessons.choice_order(item, "learner:1") == order  # stable: a resumed learner
    orders = {who: [lessons.choice_order(q, who) for q in QUIZ] for who in WHO}
    assert len({tuple(o) for o in orders.values()}) == len(WHO)
    firsts = {lessons.choice_order(q, "learner:1")[0] for q in QUIZ if len(q.choices) == 4}
    assert firsts == {0, 1, 2, 3}, "the first shown choice is not always the same one"


def test_the_order_does_not_depend_on_the_choices_text() -> None:
    item = next(q for q in QUIZ if len(q.choices) == 4)
    edited = lessons.QuizItem(
        item.id, item.section, item.prompt, tuple(c + "!" for c in item.choices), item.answer, "x"
    )
    assert lessons.choice_order(edited, "learner:5") == lessons.choice_order(item, "learner:5")


def test_a_retired_id_cannot_come_back(tmp_path: Path) -> None:
    path = tmp_path / "quiz.toml"
    path.write_text('retired = ["a"]\n' + GOOD)
    with pytest.raises(ValueError, match="retired id"):
        lessons.load_quiz(path)
    path.write_text('retired = ["old"]\n' + GOOD)
    assert [q.id for q in lessons.load_quiz(path)] == ["a"]
    with (lessons.QUIZ_FILE).open("rb") as f:
        retired = tomllib.load(f)["retired"]
    assert {"frozen-weights", "rate-0.8", "inference-active"} <= set(retired)
    assert not {q.id for q in QUIZ} & set(retired)


def test_the_mechanism_items_key_the_true_answer() -> None:
    by_id = {q.id: q for q in QUIZ}
    masks = by_id["per-example-masks"]
    assert "own mask" in masks.choices[masks.answer]
    assert any("same" in c and "32" in c for c in masks.choices), "the per-batch misconception"
    step = by_id["weights-during-step"]
    assert "their weights do not update during that step" in step.prompt  # the seed's claim
    assert "one example" in step.choices[step.answer]
    loop = by_id["custom-loop-training"]
    assert "training=True" in loop.choices[loop.answer]
    passes = by_id["mc-passes"]
    assert "halves" in passes.choices[passes.answer]
    exact = by_id["weight-scaling-exact"]
    assert "linear" in exact.choices[exact.answer]
