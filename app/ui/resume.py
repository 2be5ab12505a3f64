"""A returning learner's work, put back into the session: every key the session table marks
RESUMED is filled here, by its own restorer, from what the store holds (progress, quiz answers,
reflections, predictions and the latest submission of the Keras lab)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from dropout_lab.ui import session

LAB = "overfit"  # the lab whose latest submission comes back into Build
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
        )

    def anything(self) -> bool:
        """Is there any work to welcome the learner back to?"""
        return bool(
            any(self.progress.values())
            or self.quiz
            or self.reflections
            or self.submission
            or self.predictions
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
    if work.submission and work.submission.get("code"):
        st.session_state[session.BUILD_CODE] = work.submission["code"]


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
}


def restore(store, learner_id: int) -> bool:
    """Fill every RESUMED key from the store; True if the learner had any work to come back to."""
    work = Stored.load(store, learner_id)
    for key in session.RESUMED_KEYS:
        RESTORERS[key](work)
    return work.anything()
