"""The Compare step's sections: the lesson's runs (and the panel while they are computed), the
curves with the learner's runs merged in (`charts.compare_curves`), the rate sweep and its long
version, the solution beside the learner's model, and the exports."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from dropout_lab.charts import describe, run_colours
from dropout_lab.charts.compare_curves import merged
from dropout_lab.charts.curves import Curve, curves_parts
from dropout_lab.charts.sweep import rate_parts, sweep_parts
from dropout_lab.codelab import reader as codelab
from dropout_lab.export import files as export
from dropout_lab.findings import headline_claims, run_claims, sweep_claims
from dropout_lab.findings.sweep import long_histories, summary_rows, summary_table, sweep_histories
from dropout_lab.lesson import catalogue, fmt, labs
from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.spec import ModelSpec, TrainConfig, run_key
from dropout_lab.training import compare, precompute
from dropout_lab.ui import (
    charts,
    claims,
    learners,
    predictions,
    session,
    settings,
    training,
    waiting,
)

TEXT = step_text("compare")
LABELS = TEXT["curves"]["labels"]
LAB = labs.load_lab("overfit")


class Runs(NamedTuple):
    """What the page draws: the lesson's stored runs by name, and this learner's Build runs."""

    loaded: dict
    mine: list[tuple[str, str, dict]]


def base() -> TrainConfig:
    """The lab's config, with the lesson file's seeds and epochs."""
    return settings.train_settings().config


def requests() -> list[catalogue.Request]:
    return catalogue.requests(base())


def learner_runs() -> list[tuple[str, str, dict]]:
    """(label, key, history) of this learner's Build runs that have a history."""
    out = []
    for label, status in training.statuses():
        if status.history and status.state in ("done", "stopped"):
            out.append((label, status.key, status.history))
    return out


def lesson_runs() -> Runs:
    """The stored lesson runs and the learner's; while some are missing, their progress."""
    reqs = requests()
    loaded = precompute.load(training.service().store, reqs)
    if len(loaded) < len(reqs):
        waiting.until_done(lambda: computing(reqs), every=1.0)
        if loaded:
            st.caption(TEXT["computing"]["partial"])
    return Runs(loaded, learner_runs())


def computing(reqs: list[catalogue.Request]) -> bool:
    """Progress of the precomputed runs; True once they are all there."""
    text = TEXT["computing"]
    prog = precompute.progress(training.service(), reqs)
    if prog.complete:
        return True
    st.markdown(f"**{text['heading']}**  \n" + text["explain"].format(total=prog.total))
    st.progress(prog.fraction, text=text["progress"].format(done=prog.done, total=prog.total))
    if prog.running:
        st.caption(text["running"].format(runs=running(prog)))
    else:
        st.caption(text["waiting"] if training.service().stats()["queued"] else text["idle"])
    return False


def running(prog: precompute.Progress) -> str:
    return ", ".join(f"{LABELS.get(name, name)} ({d}/{t})" for name, d, t in prog.running)


def curves_section(runs: Runs) -> None:
    loaded, mine = runs
    if not (loaded or mine):
        return
    text = TEXT["curves"]
    st.header(text["heading"])
    top = headline_claims.pair(loaded, LABELS)  # what the runs show, before the chart
    claims.headline(top, text["headline"])
    chosen = st.pills(text["choose"], catalogue.REGULARISERS, selection_mode="multi",
                      format_func=LABELS.get, key=session.COMPARE_REGULARISERS,
                      help=text["choose_help"])  # fmt: skip
    names = [catalogue.NO_DROPOUT, catalogue.DROPOUT, *chosen]
    shown = {run_key(r.spec, r.config): r.name for r in requests() if r.name in names}
    curves = merged(names, loaded, LABELS, shown, mine)
    charts.plot(curves_parts, curves, epochs_total=base().epochs, key=session.COMPARE_CURVES,
                about=describe.curves(curves))  # fmt: skip
    said = run_claims.pair(loaded, LABELS)
    if said:
        st.markdown(claims.fill(text["help"], said))
    shown_claims = run_claims.regularisers(loaded, LABELS, chosen)
    if shown_claims:
        st.markdown(claims.fill(text["regularisers_help"], shown_claims,
                                l2_factor=f"{catalogue.L2:g}"))  # fmt: skip
    claims.conditions(top + said + shown_claims)


def sweep_section(runs: Runs) -> None:
    text = TEXT["sweep"]
    rates = settings.config().sweep_rates  # the lesson file may show fewer rates
    sweep = {r: h for r, h in sweep_histories(runs.loaded).items() if r in rates}
    if not sweep:
        return
    st.header(text["heading"])
    if not predictions.compare_sweep(sweep, rates):
        return  # the learner predicts the best rate (or skips) before the sweep is drawn
    top = headline_claims.sweep(sweep)  # what higher rates and more epochs do, first
    claims.headline(top, text["headline"])
    seeds = fmt.count(min(len(h) for h in sweep.values()))
    epochs = min(len(h["val_loss"]) for hs in sweep.values() for h in hs)
    st.markdown(text["explain"].format(seeds=seeds, rates=rate_list(sweep)))
    charts.plot(sweep_parts, sweep, key=session.COMPARE_SWEEP, about=describe.sweep(sweep))
    said = sweep_claims.sweep(sweep)
    st.markdown(claims.fill(text["help"], said))
    rows = summary_rows(sweep)
    st.markdown(f"**{text['table_heading']}**")
    st.dataframe(summary_table(rows, text["columns"]), hide_index=True, width="stretch")
    st.caption(text["table_help"].format(epochs=epochs))
    charts.plot(rate_parts, rows, key=session.COMPARE_RATES, about=describe.rates(rows))
    end = sweep_claims.sweep_end(sweep)
    st.markdown(claims.fill(text["rate_help"], end))
    claims.conditions(top + said + end)
    long_section(rates)
    if learners.record("compare", "sweep"):
        st.rerun()  # newly done: the sidebar shows its mark


def rate_list(rates) -> str:
    return ", ".join(fmt.rate(r) for r in sorted(rates))


def long_progress(reqs: list[catalogue.Request]) -> bool:
    """Progress of the long sweep's runs; True once they are all stored."""
    prog = precompute.progress(training.service(), reqs)
    if prog.complete:
        return True
    text = TEXT["long"]
    st.progress(prog.fraction, text=text["waiting"].format(done=prog.done, total=prog.total))
    if prog.running:
        st.caption(text["running"].format(runs=running(prog)))
    return False


def long_section(rates: tuple[float, ...]) -> None:
    """The sweep again with more epochs, at the long sweep's rates the lesson file shows."""
    text = TEXT["long"]
    reqs = catalogue.long_requests(base(), rates)
    if not reqs:
        return
    epochs = reqs[0].config.epochs
    shown = rate_list({r.spec.dropout_rates()[0] for r in reqs})
    if not st.toggle(text["toggle"].format(epochs=epochs, rates=shown), key=session.COMPARE_LONG,
                     help=text["toggle_help"]):  # fmt: skip
        return
    svc = training.service()
    loaded = precompute.load(svc.store, reqs)
    if len(loaded) < len(reqs):
        for r in reqs:  # on demand: a run already queued or training for anyone costs nothing
            if r.name not in loaded:
                svc.submit(r.spec, r.config)
        waiting.until_done(lambda: long_progress(reqs), every=1.0)
        return
    sweep = long_histories(loaded)
    seeds = fmt.count(min(len(h) for h in sweep.values()))
    st.markdown(text["explain"].format(seeds=seeds, epochs=epochs, base=base().epochs))
    charts.plot(sweep_parts, sweep, key=session.COMPARE_LONG_SWEEP, about=describe.sweep(sweep))
    said = sweep_claims.long_sweep(sweep)
    st.markdown(claims.fill(text["help"], said))
    claims.conditions(said)


def solution_section() -> None:
    text = TEXT["solution"]
    st.header(text["heading"])
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
        text["yours"]: run_colours.COLOURS["yours"],
        text["reference"]: run_colours.COLOURS["reference"],
    }
    curves = [Curve(label, s.history, colours[label])
              for label, s in statuses.items() if s.history]  # fmt: skip
    if curves:
        charts.plot(curves_parts, curves, epochs_total=config.epochs, height=360,
                    key=session.COMPARE_SOLUTION, about=describe.curves(curves))  # fmt: skip
    said = " ".join(
        text[msg].format(**fields) for msg, fields in compare.differences(yours, reference)
    )
    st.markdown(said + " " + text["help"].format(epochs=config.epochs, seed=config.seed))


def export_section(runs: Runs) -> None:
    loaded, mine = runs
    text = TEXT["export"]
    store = training.service().store
    chosen = {label: key for label, key, _ in mine}
    for r in requests():
        if r.name in LABELS and r.name in loaded:
            chosen.setdefault(LABELS[r.name], run_key(r.spec, r.config))
    if not chosen:
        return
    st.header(text["heading"])
    st.markdown(text["explain"])
    label = st.selectbox(text["run"], list(chosen), key=session.COMPARE_EXPORT_RUN)
    meta = store.meta(chosen[label])
    if meta is None:
        return
    spec, config = ModelSpec.from_dict(meta["spec"]), TrainConfig(**meta["config"])
    names = export.download_names(label, spec, config)  # which run: its label, rates, seed
    c1, c2, c3 = st.columns(3)
    c1.download_button(text["csv"], lambda: export.history_csv(meta["history"]),
                       file_name=names["csv"], mime="text/csv", on_click="ignore",
                       icon="📄", width="stretch", key=session.COMPARE_CSV)  # fmt: skip
    c2.download_button(text["script"], lambda: export.keras_script(spec, config, names["script"]),
                       file_name=names["script"], mime="text/x-python", on_click="ignore",
                       icon="🐍", width="stretch", help=text["script_help"],
                       key=session.COMPARE_SCRIPT)  # fmt: skip
    c3.download_button(text["notebook"], lambda: export.notebook(spec, config),
                       file_name=names["notebook"], mime="application/x-ipynb+json",
                       on_click="ignore", icon="📓", width="stretch", help=text["notebook_help"],
                       key=session.COMPARE_NOTEBOOK)  # fmt: skip
