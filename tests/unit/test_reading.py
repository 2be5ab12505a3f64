"""Read's book and its checks' state machine (lesson/reading.py), on the lesson's own files."""

from __future__ import annotations

from dropout_lab.lesson import lessons, reading
from dropout_lab.lesson.reading import Book

BOOK = Book.load()


def test_the_book_is_the_readings_and_the_checks_read_asks() -> None:
    sections = lessons.load_sections()
    assert [s.slug for s in BOOK.sections] == [s.slug for s in sections]
    asked = [q for q in lessons.load_quiz(sections=BOOK.slugs) if not q.needs_runs]
    assert [q.id for q in BOOK.quiz] == [q.id for q in asked]
    assert BOOK.minutes == sum(s.minutes for s in sections)
    assert sum(len(BOOK.items(slug)) for slug in BOOK.slugs) == len(BOOK.quiz)


def test_only_the_checks_of_sections_not_optional_count() -> None:
    optional = {s.slug for s in BOOK.sections if s.optional}
    assert optional, "the lesson has an optional section"
    assert {q.id for q in BOOK.required} == {q.id for q in BOOK.quiz if q.section not in optional}
    answers = {q.id: q.answer for q in BOOK.required}  # every required check right, nothing else
    assert BOOK.required_score(answers)["correct"] == len(BOOK.required)
    assert BOOK.score(answers)["answered"] < BOOK.score(answers)["total"]


def test_a_link_names_a_section_by_slug_or_number() -> None:
    third = BOOK.slugs[2]
    assert BOOK.from_link(third) == third
    assert BOOK.from_link("3") == BOOK.from_link("03") == BOOK.from_link(" 3 ") == third
    for nonsense in (None, "", "0", "nonsense", str(len(BOOK.slugs) + 1)):
        assert BOOK.from_link(nonsense) == BOOK.slugs[0]


def test_a_sections_line_counts_its_checks_answered() -> None:
    slug = next(s for s in BOOK.slugs if len(BOOK.items(s)) >= 2)
    section, items = BOOK.by_slug[slug], BOOK.items(slug)
    assert BOOK.caption(section, {}) == f"{section.minutes} min read · 0/{len(items)} checks"
    one = {items[0].id: 0}
    assert BOOK.caption(section, one).endswith(f" · 1/{len(items)} checks")
    every = {q.id: 0 for q in items}
    assert BOOK.caption(section, every).endswith(f" · {len(items)}/{len(items)} checks ✓")
    optional = next(s for s in BOOK.sections if s.optional)
    assert " · optional" in BOOK.caption(optional, {})


def test_the_first_section_has_no_previous_the_last_no_next() -> None:
    assert BOOK.neighbours(BOOK.slugs[0]) == (None, BOOK.slugs[1])
    assert BOOK.neighbours(BOOK.slugs[-1]) == (BOOK.slugs[-2], None)


def test_the_first_answer_is_kept_until_the_check_is_opened_again() -> None:
    item = BOOK.quiz[0]
    answers: dict[str, int] = {}
    assert not reading.answer(answers, item, None)  # the radio cleared: nothing chosen
    assert reading.answer(answers, item, 1) and answers == {item.id: 1}
    assert not reading.answer(answers, item, 0) and answers == {item.id: 1}  # the first stays
    reading.reopen(answers, item)
    assert answers == {}
    assert reading.answer(answers, item, 0) and answers == {item.id: 0}
    reading.reset(answers)
    assert answers == {}
