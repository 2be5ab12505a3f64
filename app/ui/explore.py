"""The Explore step's sections: a live dropout mask, its 1/(1-p) scaling, a batch, the
expectation, the variants.

Every picture is drawn in the browser by the live view (dropout_lab.ui.explore_component), which
holds the rate slider: a move redraws without a server round trip. The server hears the settled
rate for the deep link and the learner's progress, and owns the other controls.
"""

from dataclasses import replace

import streamlit as st

from dropout_lab.lesson import explore
from dropout_lab.ui import explore_component as live
from dropout_lab.ui import learners, predictions, session, state
from dropout_lab.ui.timing import timed

RATE = session.EXPLORE_RATE
RATE_LINK = session.EXPLORE_RATE_LINK
USE_MINE = session.EXPLORE_USE_MINE
PASSED_CODE = session.BUILD_NUMPY_PASSED_CODE  # set by the Build step's NumPy lab once it passes
SEED = session.EXPLORE_SEED
TEXT = explore.content()


def init_from_link() -> None:
    """Take ?rate= from a deep link the first time and whenever the address brings a new one
    (a reading's "Open Explore at 0.5"); ?seed= once, before the widgets exist."""
    raw = state.query_param("rate")
    if RATE not in st.session_state or (raw is not None and raw != st.session_state.get(RATE_LINK)):
        rate, problem = explore.parse_rate(raw)
        st.session_state[RATE] = rate
        st.session_state[RATE_LINK] = raw
        if problem:
            st.warning(problem, icon="🔗")
    if SEED not in st.session_state:
        st.session_state[SEED] = explore.parse_seed(state.query_param("seed"))


def heard_rate() -> None:
    """The live view settled on a rate (released, or a pause in key presses): keep it,
    checked and snapped as a deep link's would be, never trusting the browser."""
    rate, problem = explore.parse_rate(str(live.settled_rate()))
    if problem is None:
        st.session_state[RATE] = rate


def new_mask() -> None:
    st.session_state[SEED] = (st.session_state[SEED] + 1) % 2**31


def controls() -> explore.Settings:
    """The server-side controls, outside the fragment: a click reruns the page (rarely), while
    a settled rate reruns only the live view's fragment."""
    c1, c2, c3, c4 = st.columns([2, 2, 3, 2], vertical_alignment="bottom")
    seed = c1.number_input("Mask seed", 0, 2**31 - 1, step=1, key=SEED)
    c2.button("🎲 New mask", on_click=new_mask, width="stretch")
    mine = using_mine()
    form = c3.radio(
        "Dropout form",
        ["inverted", "original"],
        horizontal=True,
        key=session.EXPLORE_FORM,
        format_func=TEXT["forms"]["names"].get,
        disabled=mine,  # the learner's function is inverted dropout
    )
    inference = c4.toggle(
        "Inference mode",
        key=session.EXPLORE_INFERENCE,
        help="What the layer does in model.predict(): training=False",
    )
    if st.session_state.get(PASSED_CODE):
        c3.toggle(TEXT["mine"]["toggle"], key=USE_MINE, help=TEXT["mine"]["help"])
    return explore.Settings(
        seed=int(seed), training=not inference, form="inverted" if mine else form
    )


def keep_link(rate: float) -> None:
    """Keep the address shareable: ?rate= follows the settled rate."""
    if st.query_params.get("rate") != f"{rate:g}":
        st.query_params["rate"] = f"{rate:g}"
    st.session_state[RATE_LINK] = f"{rate:g}"


def using_mine() -> bool:
    return bool(st.session_state.get(PASSED_CODE)) and bool(st.session_state.get(USE_MINE))


@st.fragment
def explorer(base: explore.Settings) -> None:
    """The live view; a settled rate reruns only this (its `base` is the last page run's)."""
    with timed("explore.fragment"):
        s = replace(base, rate=st.session_state[RATE])
        keep_link(s.rate)
        if learners.explore_progress(s.rate, s.training):
            st.rerun()  # a criterion newly met: the whole page, so the sidebar shows its mark
        view, note, mine = layer(s)
        live.show(live.payload(s, view, mine=mine, note=note), on_rate=heard_rate)


class _NotUsable(Exception):
    """Raised (not returned) so that st.cache_data never keeps a failure, e.g. a time-out."""


@st.cache_data(show_spinner="Running your dropout_forward in the sandbox…", max_entries=512)
def _learners_output(code: str, rate: float, training: bool, seed: int):
    from dropout_lab.grading import checks as grading

    output, problem = grading.apply_submission(code, explore.example_layer(), rate, training, seed)
    if output is None:
        raise _NotUsable(problem)
    return output


def learners_output(code: str, rate: float, training: bool, seed: int):
    """The learner's function on the example layer: one sandboxed run per setting, cached
    (a sandbox start costs 0.15-0.4 s, too slow to repeat on every slider move)."""
    try:
        return _learners_output(code, rate, training, seed), ""
    except _NotUsable as why:
        return None, str(why)


def layer(s: explore.Settings) -> tuple[explore.LayerView, str, bool]:
    """The built-in layer's numbers, or the learner's own function's when they chose it:
    (view, a note saying which, whether it is the learner's)."""
    if not using_mine():
        return explore.layer_view(s), "", False
    output, problem = learners_output(st.session_state[PASSED_CODE], s.rate, s.training, s.seed)
    if output is None:
        failed = TEXT["mine"]["failed"].format(why=problem)
        return explore.layer_view(s), failed, False
    return explore.layer_view_from_output(s, output), TEXT["mine"]["used"], True


def live_section() -> None:
    """The intro and the live view; before the learner's prediction, nothing that gives an
    answer away."""
    if predictions.explore_pending():
        st.markdown(TEXT["intro_before"])
        st.info(TEXT["predict_first"], icon="🔮")
        return
    st.markdown(TEXT["intro"])
    init_from_link()
    explorer(controls())
