"""The Read step's sections: the list of sections, the reading with its figures and links, its
misconception checks and the pager. What is pure (the book, which checks count, the section a
link names, the checks' state machine) is `lesson/reading.py`."""

from __future__ import annotations

import secrets
from functools import partial

import plotly.graph_objects as go
import streamlit as st

from dropout_lab.charts import describe
from dropout_lab.charts import explore as pictures
from dropout_lab.charts.panels import retheme
from dropout_lab.lesson import explore, lessons, reading
from dropout_lab.lesson.reading import TEXT, Book
from dropout_lab.ui import charts, learners, session, state
from dropout_lab.ui import checks as check

SECTION = session.READ_SECTION
ANSWERS = session.READ_QUIZ_ANSWERS  # {item id: chosen index}; survives switching sections
SCORE = session.READ_QUIZ_SCORE  # {"correct", "answered", "total"}
FIGURE_RATE = explore.RATE_DEFAULT  # the lesson's rate, 0.3


def book() -> Book:
    """The readings and their checks, as the files say now."""
    return Book.load()


def intro(book: Book) -> None:
    st.caption(TEXT["intro"].format(sections=len(book.sections), minutes=book.minutes))


def answers() -> dict[str, int]:
    """This learner's recorded answers."""
    return st.session_state.setdefault(ANSWERS, {})


def chooser() -> str:
    """Whose order the choices are shown in: the joined learner's, else this session's own."""
    me = learners.current()
    if me is not None:
        return f"learner:{me.id}"
    if session.READ_QUIZ_ORDER not in st.session_state:
        st.session_state[session.READ_QUIZ_ORDER] = secrets.token_hex(8)
    return f"session:{st.session_state[session.READ_QUIZ_ORDER]}"


def update_score(book: Book) -> None:
    st.session_state[SCORE] = book.score(answers())
    learners.quiz_progress(book.required_score(answers()))  # only the required checks count


def record(book: Book, item: lessons.QuizItem) -> None:
    """Radio callback: the choice made is shown; the store keeps only the first one made."""
    choice = st.session_state.get(session.READ_QUIZ.of(item.id))
    if reading.answer(answers(), item, choice):
        learners.save_quiz_answer(item.id, choice, lessons.grade(item, choice))
    update_score(book)


def reset_checks(book: Book) -> None:
    reading.reset(answers())
    for item in book.quiz:
        st.session_state.pop(session.READ_QUIZ.of(item.id), None)
    update_score(book)


def answer_again(book: Book, item: lessons.QuizItem) -> None:
    """Open an answered check again; the store keeps the first answer (the class's view)."""
    reading.reopen(answers(), item)
    st.session_state.pop(session.READ_QUIZ.of(item.id), None)
    update_score(book)


def go_to(slug: str) -> None:
    st.session_state[SECTION] = slug
    to_title()


def to_title() -> None:
    """A section was chosen (the pager, or the list): the next run lands on its title."""
    st.session_state[session.READ_SCROLL] = True


def init_from_link(book: Book) -> None:
    """Open the section named by ?section= (a slug or its number) once, on arrival."""
    if SECTION not in st.session_state:
        st.session_state[SECTION] = book.from_link(state.query_param("section"))


def keep_link(section: lessons.Section) -> None:
    """Keep the address shareable: ?section= follows the section shown."""
    st.query_params["section"] = section.slug


@st.cache_data(show_spinner=False)
def variant_figures(rate: float) -> dict:
    """The Explore step's variant pictures, drawn once per rate."""
    return pictures.variant_figures(explore.Settings(rate=rate))


def variant_figure(name: str, theme: str) -> go.Figure:
    """One variant picture in the page's theme (they are drawn once, in the light one)."""
    return retheme(variant_figures(FIGURE_RATE)[name], theme)


def navigator(book: Book) -> lessons.Section:
    """The list of sections with reading times and check counts; returns the chosen one."""
    done = answers()
    slug = st.radio(
        TEXT["sections"],
        book.slugs,
        format_func=lambda s: f"{book.number(s)}. {book.by_slug[s].title}",
        captions=[book.caption(s, done) for s in book.sections],
        key=SECTION,
        on_change=to_title,
    )
    score = st.session_state[SCORE]
    st.progress(
        score["answered"] / score["total"],
        text=TEXT["score"].format(**score),
    )
    if score["answered"]:
        st.button(
            TEXT["reset"],
            on_click=reset_checks,
            args=(book,),
            key=session.READ_RESET,
            icon=":material/restart_alt:",
        )
    return book.by_slug[slug]


def reading_section(book: Book, section: lessons.Section) -> None:
    """The section's text, figures, and buttons to the steps it mentions."""
    number = book.number(section.slug)
    if st.session_state.pop(session.READ_SCROLL, False):
        state.scroll_here()
    st.header(f"{number}. {section.title}", anchor=False)
    words = TEXT["section"]
    optional = words["optional"] * section.optional
    st.caption(words["caption"].format(minutes=section.minutes, number=number,
                                       total=len(book.sections), optional=optional))  # fmt: skip
    for kind, content in section.parts():
        if kind == "markdown":
            st.markdown(lessons.relative_links(lessons.demote_headings(content)))
        elif content.startswith("variant/"):
            name = content.removeprefix("variant/")
            left, _ = st.columns([2, 1])
            with left:
                about = describe.panel_map(variant_figures(FIGURE_RATE)[name])
                charts.plot(variant_figure, name, key=session.READ_FIGURE.of(name), about=about)
    # Links to Read itself (the takeaways' "re-read the checks") need no button here.
    targets = {(link.step, link.query): link for link in section.links if link.step != "read"}
    if targets:
        st.markdown(f"**{TEXT['see_it']}**")
        state.step_links(targets)


def checks(book: Book, section: lessons.Section) -> None:
    """The misconception checks that belong to this section, with immediate feedback."""
    items = book.items(section.slug)
    if not items:
        return
    st.subheader(TEXT["check_yourself"], anchor=False)
    done, who = answers(), chooser()
    for item in items:
        check.show(item, answers=done, who=who, radio=session.READ_QUIZ, retry=session.READ_RETRY,
                   figure_key=session.READ_CHECK_FIGURE, on_answer=partial(record, book),
                   on_retry=partial(answer_again, book))  # fmt: skip


def pager(book: Book, section: lessons.Section) -> None:
    """Previous / next buttons at the foot of a section."""
    before, after = book.neighbours(section.slug)
    prev_col, next_col = st.columns(2)
    if before is not None:
        prev_col.button(
            f"← {book.by_slug[before].title}",
            key=session.READ_PREV,
            on_click=go_to,
            args=(before,),
        )
    if after is not None:
        next_col.container(horizontal_alignment="right").button(
            f"{book.by_slug[after].title} →",
            key=session.READ_NEXT,
            on_click=go_to,
            args=(after,),
        )
