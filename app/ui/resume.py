"""A returning learner's work, put back into the session: every key the session table marks
RESUMED is filled here, by its own restorer, from what the store holds (progress, quiz answers,
reflections, predictions, the latest submission of the Keras lab, and the work kept as the
learner went: each lab's code as last typed, the NumPy labs' last grades)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from dropout_lab.ui import session

LAB = "overfit"  # the lab whose latest submission comes back into Build
NUMPY_LAB, BACKPROP_LAB = "numpy_dropout", "numpy_backprop"  # their work and grades come back
YOUR_MODEL = "Your model"  # the label of the learner's own run in build.runs


@dataclass(frozen=True)
class Stored:
    """What the store holds of one learner, read once per resume."""

    progress: dict[str, set[str]]
    quiz: dict[str, tuple[int, bool]]
    reflections: dict[str, str]
    submission: dict | None  # the latest of the lab, if any
    latest: dict | None  # its {"spec", "config"} for build.latest, if it has both
    run_key: str | None  # its run, if this server can show it
    predictions: dict[str, dict]  # prediction id -> {"value", "skipped", "made_at"}
    work: dict[str, dict]  # item (a lab) -> {"text", "grade", "updated_at"} (ui/work.py)

    @classmethod
    def load(cls, store, learner_id: int) -> Stored:
        subs = [sub for sub in store.submissions(learner_id) if sub.get("lab") == LAB]
        sub = subs[-1] if subs else None
        latest, run_key = _latest_and_run(sub) if sub else (None, None)
        return cls(
            progress=store.progress(learner_id),
            quiz=store.quiz_answers(learner_id),
            reflections=store.reflections(learner_id),
            submission=sub,
            latest=latest,
            run_key=run_key,
            predictions=store.predictions(learner_id),
            work=store.work(learner_id),
        )

    def anything(self) -> bool:
        """Is there any work to welcome the learner back to?"""
        return bool(
            any(self.progress.values())
            or self.quiz
            or self.reflections
            or self.submission
            or self.predictions
            or self.work
        )


def _latest_and_run(sub: dict) -> tuple[dict | None, str | None]:
    from dropout_lab.lesson.spec import TrainConfig

    summary = sub.get("summary") or {}
    latest = None
    if sub.get("spec") and isinstance(summary.get("config"), dict):
        try:
            config = TrainConfig(**summary["config"])
        except TypeError:  # a config this version cannot read: neither it nor its run
            return None, None
        latest = {"spec": sub["spec"], "config": config}
    key = summary.get("run_key")
    return latest, key if key and _run_known(key) else None


def _run_known(key: str) -> bool:
    """The run is in this server's runs cache (another machine's may not have it)."""
    from dropout_lab.ui.training import service

    try:  # the service's store also looks in the shared database
        return service().store.meta(key) is not None
    except (OSError, ValueError):
        return False


# --------------------------------------------------------------------------- one per key


def _progress(work: Stored) -> None:
    st.session_state[session.LEARNERS_PROGRESS] = {k: set(v) for k, v in work.progress.items()}


def _quiz(work: Stored) -> None:
    if work.quiz:
        answers = session.value(session.READ_QUIZ_ANSWERS)
        for item_id, (choice, _correct) in work.quiz.items():
            answers.setdefault(item_id, int(choice))


def _reflections(work: Stored) -> None:
    if work.reflections:
        answers = session.value(session.REFLECT_ANSWERS)
        refill = session.value(session.REFLECT_REFILL)
        for qid, text in work.reflections.items():
            answers[qid] = text
            refill.add(qid)  # the card puts it in its box


def _code(work: Stored) -> None:
    typed = work.work.get(LAB, {}).get("text")  # as last typed, else as last trained
    if typed:
        st.session_state[session.BUILD_CODE] = typed
    elif work.submission and work.submission.get("code"):
        st.session_state[session.BUILD_CODE] = work.submission["code"]


def _work_saved(work: Stored) -> None:
    saved = session.value(session.LEARNERS_WORK_SAVED)
    saved.update({item: got["text"] for item, got in work.work.items()})


def _lab_code(lab: str, key: str) -> Callable[[Stored], None]:
    def restore(work: Stored) -> None:
        text = work.work.get(lab, {}).get("text")
        if text:
            st.session_state[key] = text

    return restore


def _lab_grade(lab: str, key: str, passed_key: str | None = None) -> Callable[[Stored], None]:
    """The NumPy lab's last grade as its page keeps it; with `passed_key`, its code if it
    passed (Explore and the NumPy network use it)."""

    def restore(work: Stored) -> None:
        from dropout_lab.ui.work import verdict_from_json

        grade = work.work.get(lab, {}).get("grade")
        graded = verdict_from_json(grade) if grade else None
        if graded is None:
            return
        if passed_key is None:
            st.session_state[key] = graded
        elif graded[1].passed:
            st.session_state[passed_key] = graded[0]

    return restore


def _latest(work: Stored) -> None:
    if work.latest:
        st.session_state[session.BUILD_LATEST] = work.latest


def _runs(work: Stored) -> None:
    if work.run_key:
        runs = [r for r in session.value(session.BUILD_RUNS) if r["label"] != YOUR_MODEL]
        st.session_state[session.BUILD_RUNS] = [*runs, {"label": YOUR_MODEL, "key": work.run_key}]


def _predictions(work: Stored) -> None:
    made = session.value(session.LEARNERS_PREDICTIONS)
    for pid, got in work.predictions.items():  # the stored one was made first: it is kept
        made[pid] = {"value": got["value"], "skipped": bool(got["skipped"])}


def _saved_runs(work: Stored) -> None:
    if work.run_key:
        session.value(session.LEARNERS_SAVED_RUNS).add(work.run_key)


RESTORERS: dict[str, Callable[[Stored], None]] = {
    session.LEARNERS_PROGRESS: _progress,
    session.LEARNERS_SAVED_RUNS: _saved_runs,
    session.READ_QUIZ_ANSWERS: _quiz,
    session.REFLECT_ANSWERS: _reflections,
    session.BUILD_CODE: _code,
    session.BUILD_LATEST: _latest,
    session.BUILD_RUNS: _runs,
    session.LEARNERS_PREDICTIONS: _predictions,
    session.LEARNERS_WORK_SAVED: _work_saved,
    session.BUILD_NUMPY_CODE: _lab_code(NUMPY_LAB, session.BUILD_NUMPY_CODE),
    session.BUILD_NUMPY_VERDICT: _lab_grade(NUMPY_LAB, session.BUILD_NUMPY_VERDICT),
    session.BUILD_NUMPY_PASSED_CODE: _lab_grade(
        NUMPY_LAB, session.BUILD_NUMPY_VERDICT, session.BUILD_NUMPY_PASSED_CODE
    ),
    session.BUILD_BACKPROP_CODE: _lab_code(BACKPROP_LAB, session.BUILD_BACKPROP_CODE),
    session.BUILD_BACKPROP_VERDICT: _lab_grade(BACKPROP_LAB, session.BUILD_BACKPROP_VERDICT),
    session.BUILD_BACKPROP_PASSED_CODE: _lab_grade(
        BACKPROP_LAB, session.BUILD_BACKPROP_VERDICT, session.BUILD_BACKPROP_PASSED_CODE
    ),
}


def restore(store, learner_id: int) -> bool:
    """Fill every RESUMED key from the store; True if the learner had any work to come back to."""
    work = Stored.load(store, learner_id)
    for key in session.RESUMED_KEYS:
        RESTORERS[key](work)
    return work.anything()
