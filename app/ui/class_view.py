"""The instructor's view before the next lecture (issue 13, part 5): what the class thinks.

For every quiz item, the share of the class right on the first try and the wrong answer chosen
most, with the misconception it stands for; for every prediction, the class's answers against
what the lesson's runs did (a chart each); for every think-deeper question, the answers side by
side; and two CSV files: a row per learner with a column per item (the gradebook), and a row
per item. Behind a toggle on the dashboard (steps/dashboard.py); the sums are
`dropout_lab.lesson.insights`, the words lessons/predictions.toml's [class].
"""

from __future__ import annotations

import logging

import streamlit as st

from dropout_lab.findings import live as live_questions
from dropout_lab.findings import predictions as run_answers
from dropout_lab.lesson import catalogue, insights, lessons, live, md
from dropout_lab.lesson import predictions as pr
from dropout_lab.lesson.fmt import Count
from dropout_lab.store import classroom
from dropout_lab.ui import charts, learners, learning_gain, session, settings

log = logging.getLogger(__name__)

TEXT = pr.words("class")
COLUMNS = 3  # think-deeper answers side by side


def _work(store, class_code: str) -> insights.ClassWork:
    got = store.class_answers(class_code)
    made = {lid: {pid: pr.Made.from_dict(m) for pid, m in ps.items()}
            for lid, ps in got.predictions.items()}  # fmt: skip
    return insights.ClassWork(got.learners, got.quiz, made, got.reflections)


def lesson_runs() -> live_questions.LessonRuns:
    """The lesson's stored runs that settle the predictions (the pair, and the sweep once every
    rate on show is there). Missing runs are never trained from here."""
    from dropout_lab.findings.sweep import summary_rows, sweep_histories
    from dropout_lab.lesson.catalogue import SEEDS
    from dropout_lab.training import precompute
    from dropout_lab.ui import training

    try:
        reqs = catalogue.requests(settings.train_settings().config)
        loaded = precompute.load(training.service().store, reqs)
    except Exception:  # the view goes on without the runs: outcomes "not known yet"
        log.exception("reading the lesson's runs failed")
        loaded = {}
    rates = settings.config().sweep_rates
    sweep = {r: h for r, h in sweep_histories(loaded).items() if r in rates}
    whole = set(sweep) == set(rates) and all(len(h) == len(SEEDS) for h in sweep.values())
    rows = summary_rows(sweep) if whole else []
    return live_questions.LessonRuns(
        loaded.get(catalogue.NO_DROPOUT), loaded.get(catalogue.DROPOUT), rows
    )


def outcomes(runs: live_questions.LessonRuns | None = None) -> dict[str, pr.Value]:
    """What the lesson's stored runs answer; Explore's outcome needs no run."""
    runs = runs or lesson_runs()
    return run_answers.outcomes(runs.no_dropout, runs.dropout, runs.sweep_rows)


def _quiz(stats: list[insights.QuizStat], dropped: int) -> None:
    st.subheader(TEXT["quiz_heading"], anchor=False)
    st.caption(TEXT["quiz_explain"])
    if not any(s.answered for s in stats):
        st.info(TEXT["quiz_none"])
        return
    cols = TEXT["quiz_columns"]
    # a table cell shows text as it is: the lesson's Markdown as plain words, never "None"
    rows = [{cols["item"]: md.plain(s.item.prompt), cols["section"]: md.plain(s.item.section),
             cols["answered"]: s.answered, cols["right"]: s.share_right,
             cols["wrong"]: md.plain(s.wrong_text()) + (TEXT["tied"] if s.tied else ""),
             cols["wrong_count"]: s.wrong_count or 0,
             cols["misconception"]: md.plain(s.misconception())} for s in stats]  # fmt: skip
    text = st.column_config.TextColumn
    share = st.column_config.ProgressColumn(cols["right"], min_value=0.0, max_value=1.0,
                                            format="percent", width="small")  # fmt: skip
    config = {cols["item"]: text(width="medium"), cols["section"]: text(width="small"),
              cols["right"]: share, cols["wrong"]: text(width="medium"),
              cols["misconception"]: text(width="large")}  # fmt: skip
    st.dataframe(rows, hide_index=True, width="stretch", column_config=config,
                 key=session.DASHBOARD_QUIZ)  # fmt: skip
    if dropped:
        st.caption(TEXT["quiz_dropped"].format(count=Count(dropped)))


def _predictions(dists: list[insights.Distribution]) -> None:
    from dropout_lab.charts import predictions as figures

    st.subheader(TEXT["predictions_heading"], anchor=False)
    st.caption(TEXT["predictions_explain"])
    for k, d in enumerate(dists):
        if k % 2 == 0:
            row = st.columns(2)
        with row[k % 2]:
            st.markdown(f"**{d.prediction.title}**")
            charts.plot(figures.class_prediction_figure, d,
                        key=session.DASHBOARD_PREDICTION.of(d.prediction.id),
                        about=figures.describe_class(d))  # fmt: skip
            if d.outcome is None:
                st.caption(TEXT["no_outcome"])


def _reflections(questions: list[lessons.ReflectQuestion], work: insights.ClassWork) -> None:
    st.subheader(TEXT["reflect_heading"], anchor=False)
    n = len(work.learners)
    for q, answers in insights.reflection_answers(questions, work):
        count = TEXT["reflect_count"].format(count=len(answers), learners=Count(n))
        with st.expander(f"{q.question} · {count}"):
            if not answers:
                st.caption(TEXT["reflect_none"])
            for k in range(0, len(answers), COLUMNS):
                for col, (name, text) in zip(st.columns(COLUMNS), answers[k : k + COLUMNS],
                                             strict=False):  # fmt: skip
                    box = col.container(border=True)
                    box.caption(md.text(name))
                    box.text(text)  # learners' words: plain text, never rendered markdown


def _live(class_code: str, stats, dists) -> None:
    """The live sessions' questions beside the self-paced answers, and their two CSV files."""
    from dropout_lab.lesson import live_report
    from dropout_lab.ui import live as live_ui

    words = live.TEXT["report"]
    st.subheader(words["heading"], anchor=False)
    st.caption(words["explain"])
    items = live_report.asked(learners.live_store().class_live_votes(class_code))
    if not items:
        st.info(words["none"])
        return
    self_paced = {f"quiz:{s.item.id}": s.share_right for s in stats}
    self_paced.update({f"prediction:{d.prediction.id}": d.matched / d.answered if d.answered
                       and d.outcome is not None else None for d in dists})  # fmt: skip
    qs = live_ui.question_set(runs=True)
    rows = live_report.question_rows(items, qs, self_paced)
    cols = live_report.COLUMNS
    share = {c: st.column_config.ProgressColumn(c, min_value=0.0, max_value=1.0, format="percent")
             for c in (cols["right1"], cols["right2"], cols["self_paced"])}  # fmt: skip
    st.dataframe(rows, hide_index=True, width="stretch", column_config=share,
                 key=session.DASHBOARD_LIVE_REPORT)  # fmt: skip
    stem = "dropout_lab_" + "".join(c if c.isalnum() else "_" for c in class_code)
    c1, c2 = st.columns(2)
    c1.download_button(words["export_learners"], classroom.to_csv(
        live_report.learner_rows(items, qs), live_report.LEARNER_COLUMNS),
        file_name=f"{stem}_live_votes.csv", mime="text/csv", on_click="ignore",
        key=session.DASHBOARD_CSV_LIVE_LEARNERS, icon="📄")  # fmt: skip
    c2.download_button(words["export_questions"], classroom.to_csv(
        rows, live_report.QUESTION_COLUMNS), file_name=f"{stem}_live_questions.csv",
        mime="text/csv", on_click="ignore", key=session.DASHBOARD_CSV_LIVE_QUESTIONS,
        icon="📄")  # fmt: skip


def _exports(work, items, preds, questions, stats, dists, class_code: str) -> None:
    columns, rows = insights.gradebook(work, items, preds, questions)
    columns, rows = learning_gain.gradebook(columns, rows, class_code, work.learners)
    item_rows = insights.item_rows(stats, dists, questions, work)
    stem = "dropout_lab_" + "".join(c if c.isalnum() else "_" for c in class_code)
    c1, c2 = st.columns(2)
    c1.download_button(TEXT["export_gradebook"], classroom.to_csv(rows, columns),
                       file_name=f"{stem}_gradebook.csv", mime="text/csv", on_click="ignore",
                       key=session.DASHBOARD_CSV_GRADEBOOK, icon="📄")  # fmt: skip
    c2.download_button(TEXT["export_items"], classroom.to_csv(item_rows, insights.ITEM_COLUMNS),
                       file_name=f"{stem}_items.csv", mime="text/csv", on_click="ignore",
                       key=session.DASHBOARD_CSV_ITEMS, icon="📄")  # fmt: skip


def show(store, class_code: str) -> None:
    """The view, behind its toggle: quiz, predictions, think-deeper answers, two CSV files."""
    st.header(TEXT["heading"], anchor=False)
    if not st.toggle(TEXT["toggle"], key=session.DASHBOARD_INSIGHTS, help=TEXT["toggle_help"]):
        return
    work = _work(store, class_code)
    items, questions = lessons.load_quiz(), lessons.load_reflect_questions()
    preds = list(pr.load().values())
    stats = insights.quiz_stats(items, work)
    _quiz(stats, insights.dropped_answers(items, work))
    learning_gain.show(class_code, work.learners)
    dists = insights.distributions(preds, work, outcomes(), settings.config().sweep_rates)
    _predictions(dists)
    _live(class_code, stats, dists)
    _reflections(questions, work)
    _exports(work, items, preds, questions, stats, dists, class_code)


def anonymous(store, class_code: str) -> None:
    """The quiz's first tries and the predictions' distributions alone: counts and shares, no
    names (the projector view, ui/projector.py)."""
    work = _work(store, class_code)
    items, preds = lessons.load_quiz(), list(pr.load().values())
    _quiz(insights.quiz_stats(items, work), insights.dropped_answers(items, work))
    _predictions(insights.distributions(preds, work, outcomes(), settings.config().sweep_rates))


def work_words() -> classroom.Words:
    """The titles of the quiz items and think-deeper questions, and the quiz's choices, as plain
    words: the work CSV and each learner's work say them beside the ids."""
    items, questions = lessons.load_quiz(), lessons.load_reflect_questions()
    titles = {i.id: md.plain(i.prompt) for i in items}
    titles.update({q.id: md.plain(q.question) for q in questions})
    choices = {i.id: tuple(md.plain(c) for c in i.choices) for i in items}
    return classroom.Words(titles, choices)
