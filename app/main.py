"""Streamlit entry point: page config, navigation over the five steps, and the sidebar."""

import streamlit as st

from dropout_lab.lesson import md
from dropout_lab.lesson.lesson_config import LessonConfigError
from dropout_lab.lesson.steps import lesson
from dropout_lab.ui import charts, join, learners, lti, marks, precompute, settings, state
from dropout_lab.ui.live import panel as live_panel

st.set_page_config(page_title="Dropout Lab", page_icon="🎲", layout="wide")
# WCAG 2.2 AA beyond Streamlit's defaults: captions and quoted boxes at 80% of the text colour
# (Streamlit's greys are 3.8:1 on white; this is 6:1 or more in both themes); code that wraps
# instead of scrolling sideways, tables no wider than the page (their words kept whole: a table
# wider than a phone scrolls sideways in its own box, with a hint above it: ui/charts.py) and
# formulas a little smaller on phones (no region a keyboard cannot scroll, nothing wider than
# a phone); a focus ring on
# everything focused from the keyboard, also around the hidden inputs of radios, checkboxes
# and toggles; and no animation for those who ask for reduced motion.
st.html("""<style>
[data-testid="stCaptionContainer"], [data-testid="stMarkdownContainer"] blockquote {
  color: inherit; opacity: 0.8;
}
[data-testid="stMarkdownPre"] pre, [data-testid="stCode"] pre, .stCode pre, pre code {
  white-space: pre-wrap !important; overflow-wrap: anywhere; overflow-x: visible !important;
}
[data-testid="stMarkdownContainer"] table { display: block; max-width: 100%; overflow-x: auto; }
[data-testid="stMarkdownContainer"] :is(td, th) { overflow-wrap: normal; word-break: keep-all; }
[data-dl-hint]::before {
  content: attr(data-dl-hint); display: block; position: sticky; left: 0;
  font-size: 0.875rem; opacity: 0.8; padding-bottom: 0.25rem; white-space: normal;
}
@media (max-width: 640px) { .katex-display { font-size: 0.8em; } }
:focus-visible { outline: 3px solid #1A73E8 !important; outline-offset: 2px; }
label:has(input:focus-visible) { outline: 3px solid #1A73E8; outline-offset: 2px; }
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after {
    animation-duration: 0.01ms !important; animation-iteration-count: 1 !important;
    transition-duration: 0.01ms !important; scroll-behavior: auto !important;
  }
}
</style>""")

try:
    CONFIG = settings.config()  # the lesson file (DROPOUT_LAB_LESSON), checked before anything
except LessonConfigError as e:  # one line naming the file (not its folders) and the key
    st.error(md.text(e.public()), icon="⚙️")  # its text as written, never Markdown
    st.stop()
LESSON = lesson()
overview = st.Page("steps/overview.py", title="Overview", icon="🏠", default=True)
step_pages = {
    step.id: st.Page(step.script, title=step.title, icon=step.icon, url_path=step.id)
    for step in LESSON.steps
}
dashboard = None
if settings.instructor_token() or lti.on():  # without a token or the LMS, no dashboard
    dashboard = st.Page("steps/dashboard.py", title="Instructor", icon="🧑‍🏫", url_path="dashboard")
projector = None  # the live class's projector view goes with the dashboard
if dashboard:
    projector = st.Page("steps/live.py", title="Live class", icon="📽️", url_path="live")
pages = [overview, *step_pages.values(), *([dashboard, projector] if dashboard else [])]
current = st.navigation(pages, position="hidden")
state.mark_visited(current.url_path)
precompute.start()  # the Compare step's shared runs, in the background, once per process
lti.take()  # a launch from the LMS (?lti=): its learner, or its course's instructor
learners.init_from_link()
learners.keep_link()
target = state.query_param("step")  # ?step=read: a bookmark of the step the learner was on
if current is overview and target in step_pages:
    rest = {k: v for k, v in st.query_params.to_dict().items() if k != "step"}
    st.switch_page(step_pages[target], query_params=rest)

with st.sidebar:
    st.markdown(f"### 🎲 {LESSON.title}")
    st.page_link(overview, label="Overview", icon="🏠")
    for number, step in enumerate(LESSON.steps, start=1):
        mark = marks.step_mark(step.id)  # the criteria met: the tooltip's, for everyone
        st.page_link(step_pages[step.id], label=f"{number}. {step.title}{mark}", icon=step.icon,
                     help=marks.criteria_help(step.id),
                     disabled=not CONFIG.is_open(step.id))  # fmt: skip
    done, words = marks.steps_done()
    st.progress(done / len(LESSON.steps), text=words)
    learners.sidebar(room=current in (dashboard, projector))  # those pages: no join form
    if dashboard:
        st.page_link(dashboard, label="Instructor", icon="🧑‍🏫")
    charts.watch_view()  # the screen's width and the theme, for the charts

learners.link_notice()  # a learner's new resume link, shown until they say it is kept
if current in (dashboard, projector):  # the instructor's pages: no join form for the room
    join.messages()
else:
    join.strip()  # until the learner has joined: the lesson's length and the join form
if current.url_path in step_pages and not CONFIG.is_open(current.url_path):
    st.info(learners.TEXT["join"]["closed"], icon="🔒")
    st.stop()
if current not in (dashboard, projector):
    live_panel()  # the live class's open question, on every step (joined learners)
current.run()
