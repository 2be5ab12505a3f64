"""Read: the lesson's readings, one section at a time, each followed by misconception checks."""

import secrets

import plotly.graph_objects as go
import streamlit as st

from dropout_lab.charts import describe
from dropout_lab.charts import explore as pictures
from dropout_lab.charts.panels import retheme
from dropout_lab.lesson import explore, lessons
from dropout_lab.lesson.steps import lesson
from dropout_lab.ui import charts, learners, session, state
from dropout_lab.ui import checks as check

SECTION = session.READ_SECTION
ANSWERS = session.READ_QUIZ_ANSWERS  # {item id: chosen index}; survives switching sections
SCORE = session.READ_QUIZ_SCORE  # {"correct", "answered", "total"}
FIGURE_RATE = explore.RATE_DEFAULT  # the lesson's rate, 0.3

LESSON = lesson()
SECTIONS = lessons.load_sections()
BY_SLUG = {s.slug: s for s in SECTIONS}
SLUGS = [s.slug for s in SECTIONS]
# an item drawn from a stored run is asked in Reflect's review, where the runs are
QUIZ = [q for q in lessons.load_quiz(sections=SLUGS) if not q.needs_runs]
REQUIRED = lessons.required_items(QUIZ, SECTIONS)  # the checks that count towards finishing Read


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


def update_score() -> None:
    st.session_state[SCORE] = lessons.score(QUIZ, answers())
    learners.quiz_progress(lessons.score(REQUIRED, answers()))


def record(item: lessons.QuizItem) -> None:
    """Radio callback: the choice made is shown; the store keeps only the first one made."""
    choice = st.session_state.get(session.READ_QUIZ.of(item.id))
    if choice is not None and item.id not in answers():
        answers()[item.id] = choice
        learners.save_quiz_answer(item.id, choice, lessons.grade(item, choice))
    update_score()


def reset_checks() -> None:
    answers().clear()
    for item in QUIZ:
        st.session_state.pop(session.READ_QUIZ.of(item.id), None)
    update_score()


def go_to(slug: str) -> None:
    st.session_state[SECTION] = slug
    to_title()


def to_title() -> None:
    """A section was chosen (the pager, or the list): the next run lands on its title."""
    st.session_state[session.READ_SCROLL] = True


def init_from_link() -> None:
    """Open the section named by ?section= (a slug or its number) once, on arrival."""
    if SECTION in st.session_state:
        return
    raw = (state.query_param("section") or "").strip()
    by_number = {str(n): slug for n, slug in enumerate(SLUGS, start=1)}
    if raw in BY_SLUG:
        st.session_state[SECTION] = raw
    else:
        st.session_state[SECTION] = by_number.get(raw.lstrip("0"), SLUGS[0])


@st.cache_data(show_spinner=False)
def variant_figures(rate: float) -> dict:
    """The Explore step's variant pictures, drawn once per rate."""
    return pictures.variant_figures(explore.Settings(rate=rate))


def variant_figure(name: str, theme: str) -> go.Figure:
    """One variant picture in the page's theme (they are drawn once, in the light one)."""
    return retheme(variant_figures(FIGURE_RATE)[name], theme)


def navigator() -> lessons.Section:
    """The list of sections with reading times and check counts; returns the chosen one."""
    done = answers()
    captions = []
    for s in SECTIONS:
        items = [q for q in QUIZ if q.section == s.slug]
        caption = f"{s.minutes} min read" + (" · optional" if s.optional else "")
        if items:
            n_done = sum(q.id in done for q in items)
            caption += f" · {n_done}/{len(items)} checks" + (" ✓" if n_done == len(items) else "")
        captions.append(caption)
    slug = st.radio(
        "Sections",
        SLUGS,
        format_func=lambda s: f"{SLUGS.index(s) + 1}. {BY_SLUG[s].title}",
        captions=captions,
        key=SECTION,
        on_change=to_title,
    )
    score = st.session_state[SCORE]
    st.progress(
        score["answered"] / score["total"],
        text=f"Checks: {score['correct']} right, {score['answered']} of {score['total']} answered",
    )
    if score["answered"]:
        st.button(
            "Reset all checks",
            on_click=reset_checks,
            key=session.READ_RESET,
            icon=":material/restart_alt:",
        )
    return BY_SLUG[slug]


def reading(section: lessons.Section) -> None:
    """The section's text, figures, and buttons to the steps it mentions."""
    number = SLUGS.index(section.slug) + 1
    if st.session_state.pop(session.READ_SCROLL, False):
        state.scroll_here()
    st.header(f"{number}. {section.title}", anchor=False)
    optional = " · optional: its checks do not count towards finishing Read" * section.optional
    st.caption(f"{section.minutes} min read · section {number} of {len(SECTIONS)}{optional}")
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
        st.markdown("**See it in the app**")
        state.step_links(targets)


def checks(section: lessons.Section) -> None:
    """The misconception checks that belong to this section, with immediate feedback."""
    items = [q for q in QUIZ if q.section == section.slug]
    if not items:
        return
    st.subheader("Check yourself", anchor=False)
    done, who = answers(), chooser()
    for item in items:
        check.show(item, answers=done, who=who, radio=session.READ_QUIZ, retry=session.READ_RETRY,
                   figure_key=session.READ_CHECK_FIGURE, on_answer=record,
                   on_retry=answer_again)  # fmt: skip


def answer_again(item: lessons.QuizItem) -> None:
    """Open an answered check again; the store keeps the first answer (the class's view)."""
    answers().pop(item.id, None)
    st.session_state.pop(session.READ_QUIZ.of(item.id), None)
    update_score()


def pager(section: lessons.Section) -> None:
    """Previous / next buttons at the foot of a section."""
    i = SLUGS.index(section.slug)
    prev_col, next_col = st.columns(2)
    if i > 0:
        prev_col.button(
            f"← {BY_SLUG[SLUGS[i - 1]].title}",
            key=session.READ_PREV,
            on_click=go_to,
            args=(SLUGS[i - 1],),
        )
    if i + 1 < len(SLUGS):
        next_col.container(horizontal_alignment="right").button(
            f"{BY_SLUG[SLUGS[i + 1]].title} →",
            key=session.READ_NEXT,
            on_click=go_to,
            args=(SLUGS[i + 1],),
        )


st.title("📖 Read: why dropout works", anchor=False)
minutes = sum(s.minutes for s in SECTIONS)
st.caption(
    f"{len(SECTIONS)} short sections, about {minutes} minutes in all. "
    "Most end with quick misconception checks: your score is kept as you go."
)
init_from_link()
update_score()
nav_col, text_col = st.columns([1, 3], gap="large")
with nav_col:
    current = navigator()
with text_col:
    reading(current)
    checks(current)
    st.divider()
    pager(current)
state.next_step("read")
st.query_params["section"] = current.slug
