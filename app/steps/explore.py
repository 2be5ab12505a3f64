"""Explore: a live dropout mask, its 1/(1-p) scaling, the expectation, and the variants."""

import streamlit as st

from dropout_lab.lesson import explore
from dropout_lab.lesson.content import markdown_table
from dropout_lab.ui import learners, session, state
from dropout_lab.ui.timing import timed

RATE = session.EXPLORE_RATE
USE_MINE = session.EXPLORE_USE_MINE
PASSED_CODE = session.BUILD_NUMPY_PASSED_CODE  # set by the Build step's NumPy lab once it passes
SEED = session.EXPLORE_SEED
TEXT = explore.content()


def init_from_link() -> None:
    """Take ?rate= and ?seed= from a deep link once, before the widgets exist."""
    if RATE not in st.session_state:
        rate, problem = explore.parse_rate(state.query_param("rate"))
        st.session_state[RATE] = rate
        if problem:
            st.warning(problem, icon="🔗")
    if SEED not in st.session_state:
        st.session_state[SEED] = explore.parse_seed(state.query_param("seed"))


def new_mask() -> None:
    st.session_state[SEED] = (st.session_state[SEED] + 1) % 2**31


def controls() -> explore.Settings:
    c1, c2, c3 = st.columns([3, 2, 2], vertical_alignment="bottom")
    rate = c1.slider(
        "Dropout rate p (probability of dropping a unit)",
        explore.RATE_MIN,
        explore.RATE_MAX,
        step=explore.RATE_STEP,
        key=RATE,
    )
    seed = c2.number_input("Mask seed", 0, 2**31 - 1, step=1, key=SEED)
    c3.button("🎲 New mask", on_click=new_mask, width="stretch")
    c4, c5, c6 = st.columns([3, 2, 2], vertical_alignment="center")
    mine = using_mine()
    form = c4.radio(
        "Dropout form",
        ["inverted", "original"],
        horizontal=True,
        key=session.EXPLORE_FORM,
        format_func=lambda f: {"inverted": "Inverted (Keras)", "original": "Original (2014)"}[f],
        disabled=mine,  # the learner's function is inverted dropout
    )
    inference = c5.toggle(
        "Inference mode",
        key=session.EXPLORE_INFERENCE,
        help="What the layer does in model.predict(): training=False",
    )
    if st.session_state.get(PASSED_CODE):
        c4.toggle(TEXT["mine"]["toggle"], key=USE_MINE, help=TEXT["mine"]["help"])
    n_masks = c6.select_slider(
        "Masks averaged (K)",
        [10, 100, 500, 1000, 2000, 5000],
        value=1000,
        key=session.EXPLORE_MASKS,
    )
    if st.query_params.get("rate") != f"{rate:g}":  # keep the address shareable
        st.query_params["rate"] = f"{rate:g}"
    return explore.Settings(
        rate=rate,
        seed=int(seed),
        n_masks=n_masks,
        training=not inference,
        form="inverted" if mine else form,
    )


def using_mine() -> bool:
    return bool(st.session_state.get(PASSED_CODE)) and bool(st.session_state.get(USE_MINE))


@st.fragment
def explorer() -> None:
    with timed("explore.fragment"):
        explorer_body()


def section(heading: str, text: str) -> None:
    """A heading and its short explanation as one element (fewer deltas per slider move)."""
    st.markdown(f"### {heading}\n\n{text}")


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


def layer(s: explore.Settings) -> tuple[explore.LayerView, str]:
    """The built-in layer view, or the learner's own function's when they chose it."""
    if not using_mine():
        return explore.layer_view(s), ""
    output, problem = learners_output(st.session_state[PASSED_CODE], s.rate, s.training, s.seed)
    if output is None:
        return explore.layer_view(s), TEXT["mine"]["failed"].format(why=problem)
    return explore.layer_view_from_output(s, output), TEXT["mine"]["used"]


def explorer_body() -> None:
    s = controls()
    if learners.explore_progress(s.rate, s.training):
        st.rerun()  # a criterion newly met: the whole page, so the sidebar shows its mark
    text = TEXT["layer"]
    view, mine_note = layer(s)
    mode = ("training" if s.training else "inference") + "_" + s.form
    section(text["heading"], text[mode].format(rate=f"{s.rate:g}", scale=f"{view.scale:.4g}"))
    if mine_note:
        st.info(mine_note, icon="🧪")
    m1, m2, m3 = st.columns(3)
    m1.metric(
        "Scale on kept units",
        f"× {view.scale:.4g}",
        help="Inverted dropout: 1/(1−p) during training, 1 at inference.",
    )
    m2.metric(
        "Dropped this time",
        f"{view.dropped_fraction:.0%}",
        help="The fraction of the 64 units this mask dropped; on average it equals p.",
    )
    m3.metric("Rate p", f"{s.rate:.2f}")
    st.plotly_chart(view.figure, width="stretch", key=session.EXPLORE_LAYER_CHART)
    st.caption(text["explain"])

    section(TEXT["expectation"]["heading"], TEXT["expectation"]["explain"])
    _, fig = explore.convergence_view(s)
    st.plotly_chart(fig, width="stretch", key=session.EXPLORE_CONVERGENCE_CHART)

    forms = TEXT["forms"]
    table = markdown_table(explore.forms_table(s.rate))
    section(forms["heading"], f"{forms['explain']}\n\n{forms['table'].format(rate=f'{s.rate:g}')}"
            f"\n\n{table}")  # fmt: skip

    net_fig, n_units, log10 = explore.network_view(s)
    network = TEXT["network"]
    note = "" if s.training else f"\n\n{network['inference']}"
    section(network["heading"], network["explain"].format(n_units=n_units, log10=log10) + note)
    st.plotly_chart(net_fig, width="stretch", key=session.EXPLORE_NETWORK_CHART)

    section(TEXT["variants"]["heading"], TEXT["variants"]["explain"])
    captions = TEXT["variants"]["captions"]
    for row, (fig, names) in enumerate(explore.variant_gallery(s)):
        st.plotly_chart(fig, width="stretch", key=session.EXPLORE_VARIANTS.of(row))
        for col, name in zip(st.columns(3), names, strict=True):
            col.markdown(captions[name])


st.title("🎛️ Explore: dropout, live")
st.markdown(TEXT["intro"])
init_from_link()
explorer()
