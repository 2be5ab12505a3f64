"""Compare: with and without dropout, the rate sweep, other regularisers, the solution, exports."""

import streamlit as st

from dropout_lab.charts.curves import Curve, curves_figure
from dropout_lab.charts.sweep import rate_figure, sweep_figure
from dropout_lab.codelab import reader as codelab
from dropout_lab.lesson import export, labs
from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.spec import ModelSpec, TrainConfig, run_key
from dropout_lab.training import compare, precompute
from dropout_lab.training.sweep import (
    SEEDS,
    best_rate,
    summary_rows,
    summary_table,
    sweep_histories,
)
from dropout_lab.ui import learners, session, settings, training

TEXT = step_text("compare")
LABELS = TEXT["curves"]["labels"]
LAB = labs.load_lab("overfit")
REQUESTS = precompute.requests(LAB.config)
CHART = {"width": "stretch", "config": {"displaylogo": False}}


def learner_runs() -> list[tuple[str, str, dict]]:
    """(label, key, history) of this learner's Build runs that have a history."""
    out = []
    for label, status in training.statuses():
        if status.history and status.state in ("done", "stopped"):
            out.append((label, status.key, status.history))
    return out


@st.fragment(run_every=1.0)
def computing_panel() -> None:
    """Progress of the precomputed runs; one full rerun once they are all there."""
    text = TEXT["computing"]
    prog = precompute.progress(training.service(), REQUESTS)
    if prog.complete:
        st.rerun()
    st.markdown(f"**{text['heading']}**  \n" + text["explain"].format(total=prog.total))
    st.progress(prog.fraction, text=text["progress"].format(done=prog.done, total=prog.total))
    if prog.running:
        runs = ", ".join(f"{LABELS.get(name, name)} ({d}/{t})" for name, d, t in prog.running)
        st.caption(text["running"].format(runs=runs))
    else:
        st.caption(text["waiting"] if training.service().stats()["queued"] else text["idle"])


def curves_section(loaded: dict, mine: list) -> None:
    text = TEXT["curves"]
    st.subheader(text["heading"])
    chosen = st.pills(text["choose"], precompute.REGULARISERS, selection_mode="multi",
                      format_func=LABELS.get, key=session.COMPARE_REGULARISERS,
                      help=text["choose_help"])  # fmt: skip
    names = [precompute.NO_DROPOUT, precompute.DROPOUT, *chosen]
    shown = {run_key(r.spec, r.config): r.name for r in REQUESTS if r.name in names}
    curves = [Curve(LABELS[n], loaded[n], precompute.COLOURS[n]) for n in names if n in loaded]
    for label, key, history in mine:
        # The learner's run is one of the shown ones (and stored in full): say so, don't repeat
        # it. A stopped run with the same key is not the stored one: it gets its own curve.
        i = next((i for i, c in enumerate(curves) if key in shown
                  and c.label == LABELS[shown[key]]), None)  # fmt: skip
        if i is not None:
            curves[i] = curves[i]._replace(label=f"{curves[i].label} = {label.lower()}")
        else:
            colour = precompute.COLOURS["yours" if label == "Your model" else "other"]
            curves.append(Curve(label, history, colour))
    fig = curves_figure(curves, epochs_total=LAB.config.epochs)
    st.plotly_chart(fig, key=session.COMPARE_CURVES, **CHART)
    st.markdown(text["help"])
    if chosen:
        st.markdown(text["regularisers_help"])


def sweep_section(loaded: dict) -> None:
    text = TEXT["sweep"]
    rates = settings.config().sweep_rates  # the lesson file may show fewer rates
    sweep = {r: h for r, h in sweep_histories(loaded).items() if r in rates}
    if not sweep:
        return
    st.subheader(text["heading"])
    st.markdown(text["explain"].format(seeds=len(SEEDS)))
    st.plotly_chart(sweep_figure(sweep), key=session.COMPARE_SWEEP, **CHART)
    st.markdown(text["help"])
    rows = summary_rows(sweep)
    st.markdown(f"**{text['table_heading']}**")
    st.dataframe(summary_table(rows, text["columns"]), hide_index=True, width="stretch")
    st.caption(text["table_help"].format(epochs=LAB.config.epochs))
    st.plotly_chart(rate_figure(rows), key=session.COMPARE_RATES, **CHART)
    st.markdown(text["rate_help"].format(best=f"{best_rate(rows):g}"))
    if learners.record("compare", "sweep"):
        st.rerun()  # newly done: the sidebar shows its mark


def solution_section() -> None:
    text = TEXT["solution"]
    st.subheader(text["heading"])
    latest = st.session_state.get(session.BUILD_LATEST)
    if not latest:
        st.info(text["none"], icon="🛠️")
        return
    yours, config = ModelSpec.from_dict(latest["spec"]), latest["config"]
    reference = codelab.parse_code(LAB.solution).spec
    svc = training.service()
    keys = {text["yours"]: run_key(yours, config), text["reference"]: svc.submit(reference, config)}
    statuses = {label: svc.status(key) for label, key in keys.items()}
    busy = [f"{label} ({s.state})" for label, s in statuses.items() if not s.finished]
    if busy:
        st.caption(text["waiting"].format(what=", ".join(busy)))
    colours = {
        text["yours"]: precompute.COLOURS["yours"],
        text["reference"]: precompute.COLOURS["reference"],
    }
    curves = [Curve(label, s.history, colours[label])
              for label, s in statuses.items() if s.history]  # fmt: skip
    if curves:
        fig = curves_figure(curves, epochs_total=config.epochs, height=360)
        st.plotly_chart(fig, key=session.COMPARE_SOLUTION, **CHART)
    said = " ".join(
        text[msg].format(**fields) for msg, fields in compare.differences(yours, reference)
    )
    st.markdown(said + " " + text["help"].format(epochs=config.epochs, seed=config.seed))


def export_section(loaded: dict, mine: list) -> None:
    text = TEXT["export"]
    store = training.service().store
    runs = {label: key for label, key, _ in mine}
    for r in REQUESTS:
        if r.name in LABELS and r.name in loaded:
            runs.setdefault(LABELS[r.name], run_key(r.spec, r.config))
    if not runs:
        return
    st.subheader(text["heading"])
    st.markdown(text["explain"])
    label = st.selectbox(text["run"], list(runs), key=session.COMPARE_EXPORT_RUN)
    meta = store.meta(runs[label])
    if meta is None:
        return
    spec, config = ModelSpec.from_dict(meta["spec"]), TrainConfig(**meta["config"])
    stem = "dropout_lab_" + "".join(c if c.isalnum() else "_" for c in label.lower()).strip("_")
    c1, c2, c3 = st.columns(3)
    c1.download_button(text["csv"], lambda: export.history_csv(meta["history"]),
                       file_name=f"{stem}_history.csv", mime="text/csv", on_click="ignore",
                       icon="📄", width="stretch", key=session.COMPARE_CSV)  # fmt: skip
    c2.download_button(text["script"], lambda: export.keras_script(spec, config),
                       file_name=export.SCRIPT_NAME, mime="text/x-python", on_click="ignore",
                       icon="🐍", width="stretch", help=text["script_help"],
                       key=session.COMPARE_SCRIPT)  # fmt: skip
    c3.download_button(text["notebook"], lambda: export.notebook(spec, config),
                       file_name=export.NOTEBOOK_NAME, mime="application/x-ipynb+json",
                       on_click="ignore", icon="📓", width="stretch", help=text["notebook_help"],
                       key=session.COMPARE_NOTEBOOK)  # fmt: skip


st.title(TEXT["title"])
st.markdown(TEXT["intro"])
loaded = precompute.load(training.service().store, REQUESTS)
mine = learner_runs()
if len(loaded) < len(REQUESTS):
    computing_panel()
    if loaded:
        st.caption(TEXT["computing"]["partial"])
if loaded or mine:
    curves_section(loaded, mine)
sweep_section(loaded)
solution_section()
export_section(loaded, mine)
