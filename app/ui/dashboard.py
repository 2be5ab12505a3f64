"""The instructor dashboard's page: a class's progress and resume links, every learner's work,
the class's own sweep, CSV, the roster (steps/dashboard.py shows it behind ui/instructor.py's
gate)."""

import streamlit as st

from dropout_lab.charts import describe
from dropout_lab.charts.classroom import class_sweep_figure
from dropout_lab.lesson import md
from dropout_lab.lesson.names import NAME_MAX
from dropout_lab.lesson.steps import lesson
from dropout_lab.store import classroom
from dropout_lab.ui import (
    charts,
    class_view,
    dashboard_keep,
    dashboard_refresh,
    instructor,
    learners,
    lms,
    lti,
    marks,
    projector,
    session,
    settings,
)
from dropout_lab.ui import work as labs_work  # `work` below is the work CSV's rows
from dropout_lab.ui.live_controls import section as live_section

TEXT = learners.TEXT["dashboard"]


def learner_work(store, learner, criteria, words: classroom.Words) -> list[dict]:
    """One learner's answers and submissions in an expander; returns them as rows for CSV."""
    quiz = store.quiz_answers(learner.id)
    subs = store.submissions(learner.id)
    refl = store.reflections(learner.id)
    labs = store.work(learner.id)
    with st.expander(md.text(learner.name)):
        instructor.new_link(learner)
        instructor.remove(learner)
        right = sum(ok for _, ok in quiz.values())
        st.markdown(TEXT["quiz"].format(correct=right, answered=len(quiz)))
        st.markdown(f"**{TEXT['submissions']}**")
        if not subs:
            st.caption(TEXT["no_submissions"])
        for sub in subs:
            summary = sub.get("summary") or {}
            acc = summary.get("val_accuracy")
            rates = ", ".join(f"{r:g}" for r in summary.get("rates", []))
            st.caption(f"{sub['lab']} · rates [{rates}]"
                       + (f" · val accuracy {acc:.3f}" if acc is not None else ""))  # fmt: skip
            st.code(sub.get("code") or "", language="python")
        labs_work.dashboard_section(labs)
        st.markdown(f"**{TEXT['reflections']}**")
        if not refl:
            st.caption(TEXT["no_reflections"])
        for qid, text in refl.items():  # learners' words: plain text, never rendered markdown
            st.markdown(f"*{md.text(words.titles.get(qid, qid))}*")
            st.text(text)
    return classroom.work_rows(learner.name, quiz, subs, refl, words) + classroom.grade_rows(
        learner.name, labs, labs_work.NUMPY_LABS, labs_work.grade_words
    )


def show() -> None:
    """The class's page, once the instructor's token has been given."""
    dashboard_refresh.every()  # the page reads the class again every few seconds
    store = learners.store()
    course = lti.course()  # an instructor from the LMS sees their course's class only
    default = course or dashboard_keep.class_code() or settings.config().class_code or ""
    code = st.text_input(TEXT["class_code"], value=default, key=session.DASHBOARD_CLASS,
                         max_chars=NAME_MAX, disabled=bool(course)).strip()  # fmt: skip
    code = course or code
    dashboard_keep.remember_class(code)  # shown again after a reload
    st.button(TEXT["sign_out"], key=session.DASHBOARD_LOCK, on_click=instructor.lock,
              icon=":material/lock:")  # fmt: skip
    projecting = st.toggle(TEXT["projector"], key=session.DASHBOARD_PROJECTOR,
                           help=TEXT["projector_help"])  # fmt: skip
    instructor.removed_notice()
    if code:
        try:
            people = store.class_learners(code)
        except ValueError as e:
            st.error(md.text(e))
            st.stop()
        if projecting:  # the screen the class sees: no names, no links, no work
            projector.show(store, code, len(people))
            st.stop()
        instructor.roster(code)
        if not people:
            st.info(TEXT["no_learners"].format(code=md.in_code(code)))
            st.stop()
        criteria = marks.criteria()
        titles = {s.id: s.title for s in lesson().steps}
        live_section(code, len(people))  # the live class: ask, vote, discuss, vote, reveal
        st.header(TEXT["progress_heading"], anchor=False)
        progress = store.class_progress(code)
        table = classroom.progress_rows(progress, criteria, titles)
        labs_work.add_grades(table, progress, store.class_grades(code))  # the NumPy labs
        instructor.add_status(table, progress)
        instructor.progress_tables(table, list(titles.values()))  # two that fit the page
        members = lms.course(store, code, progress)  # the LMS course: who has not started
        class_view.show(store, code)  # what the class thinks: quiz, predictions, reflections
        st.header(TEXT["sweep_heading"], anchor=False)
        sweep = store.class_sweep(code)
        if sweep:
            st.caption(TEXT["sweep_explain"])
            charts.plot(class_sweep_figure, sweep, key=session.DASHBOARD_SWEEP,
                        about=describe.class_sweep(sweep))  # fmt: skip
        else:
            st.info(TEXT["no_sweep"])
        st.header(TEXT["learners_heading"], anchor=False)
        words = class_view.work_words()
        work = [row for person in people for row in learner_work(store, person, criteria, words)]
        st.header(TEXT["export_heading"], anchor=False)
        c1, c2, c3 = st.columns(3)
        stem = "dropout_lab_" + "".join(c if c.isalnum() else "_" for c in code)
        c1.download_button(TEXT["export_progress"], classroom.to_csv(table),
                           file_name=f"{stem}_progress.csv", mime="text/csv", on_click="ignore",
                           key=session.DASHBOARD_CSV_PROGRESS, icon="📄")  # fmt: skip
        c2.download_button(TEXT["export_work"], classroom.to_csv(work, classroom.WORK_COLUMNS),
                           file_name=f"{stem}_work.csv", mime="text/csv", on_click="ignore",
                           key=session.DASHBOARD_CSV_WORK, icon="📄")  # fmt: skip
        c3.download_button(TEXT["export_sweep"],
                           classroom.to_csv(sweep, classroom.SWEEP_COLUMNS),
                           file_name=f"{stem}_sweep.csv", mime="text/csv", on_click="ignore",
                           key=session.DASHBOARD_CSV_SWEEP, icon="📄")  # fmt: skip
        lms.exports(store, people, members, stem)  # as Canvas's and Moodle's gradebooks import
