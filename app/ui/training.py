"""Streamlit glue for training: the one service per server process, the learner's lane, and the
words of the live run panel.

The service trains in worker processes of this server, the queue in its database
(`service.training_service`: the embedded workers on SQLite, procrastinate workers on
PostgreSQL), unless DROPOUT_LAB_TRAINING=procrastinate, where `dropout-lab worker` processes on
any machine train what every app process asks for (PostgreSQL). Either way a learner's
requests form one lane: the joined learner's (every tab and session of theirs), else this
browser session's.
"""

from __future__ import annotations

import os

import streamlit as st

from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.spec import ModelSpec, TrainConfig
from dropout_lab.training.client import SHARED, RunStatus
from dropout_lab.training.runstore import RunStore
from dropout_lab.ui import process, session

RUNS = session.BUILD_RUNS  # this learner's runs: list of {"label", "key"}, newest last
POLL_SECONDS = 0.5
ENV_BACKEND = "DROPOUT_LAB_TRAINING"  # "embedded" (default) or "procrastinate"


def _shared():
    """Shared by every session of this server: identical requests are trained once. Made once
    per process and shut down with it (`ui/process.py`: never in a cache a visitor can clear)."""
    return process.once("training service", _make_shared, lambda svc: svc.shutdown(timeout=5))


def _make_shared():
    """DROPOUT_LAB_WORKERS caps how many runs train at once here (default: the number of cores).
    The compute budget is the lesson file's, as the pages read it (`settings.train_settings`)."""
    from dropout_lab.store import default_url
    from dropout_lab.ui import settings

    url = default_url()
    store = RunStore(database_url=url)  # finished runs shared through the database
    budget = settings.train_settings().budget_seconds
    if os.environ.get(ENV_BACKEND, "").strip().lower() == "procrastinate":
        from dropout_lab.training.distributed import DistributedService

        return DistributedService(store, url, budget_seconds=budget)
    from dropout_lab.training.service import training_service

    workers = os.environ.get("DROPOUT_LAB_WORKERS", "")
    return training_service(store, max_workers=int(workers) if workers.isdigit() else None,
                            budget_seconds=budget)  # fmt: skip


class _SessionService:
    """The shared service as one session sees it: runs it asks for without saying whose are the
    app's shared runs (Compare's reference, Reflect's), Stop withdraws this learner's request."""

    def __init__(self, shared, lane: str) -> None:
        self._shared, self.lane = shared, lane

    def __getattr__(self, name: str):
        return getattr(self._shared, name)

    def submit(self, spec: ModelSpec, config: TrainConfig, *, lane: str = SHARED,
               replace: bool = False, **bounds) -> str:  # fmt: skip
        return self._shared.submit(spec, config, lane=lane, replace=replace, **bounds)

    def stop(self, key: str, lane: str | None = None) -> bool:
        return self._shared.stop(key, lane or self.lane)


def lane() -> str:
    """This learner's lane: the joined learner's, else this browser session's."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    learner = st.session_state.get(session.LEARNERS_LEARNER)
    if learner is not None and getattr(learner, "id", None) is not None:
        return f"learner:{learner.id}"
    ctx = get_script_run_ctx()
    return f"session:{ctx.session_id if ctx is not None else 'bare'}"


def service():
    return _SessionService(_shared(), lane())


ANONYMOUS_CAP_ENV = "DROPOUT_LAB_ANONYMOUS_RUNS_PER_CLIENT"


def anonymous_cap() -> int:
    """How many runs the not-joined sessions of one client may hold in the queue together."""
    from dropout_lab.store.runqueue import ANONYMOUS_CAP

    raw = os.environ.get(ANONYMOUS_CAP_ENV, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else ANONYMOUS_CAP


def submit(label: str, spec: ModelSpec, config: TrainConfig, *, replace: bool = True) -> str:
    """Ask for this learner's run (stored before this returns): it replaces their live run
    unless `replace` is False (the second run of one press, Train both, which trains beside the
    first when two workers are free). A session that has not joined shares its client's places
    (raises QueueFull when they are taken)."""
    from dropout_lab.ui import links, session_runs

    me = lane()
    client = links.client() if me.startswith("session:") else None
    key = service().submit(spec, config, lane=me, replace=replace, client=client,
                           client_cap=anonymous_cap(), paired=not replace)  # fmt: skip
    session_runs.asked(me)  # its waiting runs end with the session
    remember(label, key, keep_others=not replace)
    return key


def stop(key: str) -> bool:
    return service().stop(key, lane())


def my_runs() -> list[dict]:
    runs = st.session_state.setdefault(RUNS, [])
    if not runs and lane().startswith("learner:"):
        runs.extend(_restored())  # a new session after a restart: their queued runs are back
    return runs


def _restored() -> list[dict]:
    """The joined learner's live requests (queued again after a restart, or training)."""
    try:
        rows = service().lane_runs(lane())
    except Exception:  # the panel stays empty rather than the page failing
        return []
    live = [r for r in rows if r["state"] in ("queued", "running")]
    labels = ("Your model", "Starter (no dropout)")
    return [{"label": labels[min(i, 1)], "key": r["key"]} for i, r in enumerate(reversed(live))]


def remember(label: str, key: str, *, keep_others: bool = True) -> None:
    """Add a run to this learner's list (replacing one with the same label)."""
    runs = [r for r in my_runs() if r["label"] != label] if keep_others else []
    runs.append({"label": label, "key": key})
    st.session_state[RUNS] = runs


def statuses() -> list[tuple[str, RunStatus]]:
    svc, me = service(), lane()
    return [(r["label"], svc.status(r["key"], me)) for r in my_runs()]


def any_active() -> bool:
    return any(not status.finished for _, status in statuses())


def queued_text(status: RunStatus) -> str:
    """Where a queued run is and about how long until it trains (lessons/queue.toml)."""
    text = step_text("queue")
    wait = status.wait_seconds or 0.0
    when = text["wait_seconds"].format(seconds=max(1, round(wait))) if wait < 90 else (
        text["wait_minutes"].format(minutes=round(wait / 60)))  # fmt: skip
    line = text["queued"].format(position=status.queue_position, wait=when)
    if status.starting is not None:  # the first run after the server started: TensorFlow loads
        line += " " + text["starting"].format(seconds=max(1, round(status.starting)))
    return line + (" " + text["restarted"] if status.restarts else "")


def running_note(status: RunStatus) -> str:
    """What to add to a running run's line: paused for others, trained again after a restart."""
    text = step_text("queue")
    notes = [text[k] for k, on in (("paused", status.paused), ("restarted", status.restarts)) if on]
    return (" " + " ".join(notes)) if notes else ""


def summary(status: RunStatus, text: dict) -> str:
    """One sentence on a finished run (done or stopped) from the step's words."""
    if status.state == "stopped" or status.stop_requested:
        if not status.epochs_done:
            return text["stopped_none"]
        return text["stopped"].format(epochs=status.epochs_done, total=status.epochs_total)
    history = status.history
    val_loss = history["val_loss"]
    best_epoch = min(range(len(val_loss)), key=val_loss.__getitem__) + 1
    meta = service().store.meta(status.key) or {}
    return text["done"].format(
        epochs=status.epochs_done,
        seconds=float(meta.get("train_seconds", 0.0)),
        val_acc=history["val_accuracy"][-1],
        best=val_loss[best_epoch - 1],
        best_epoch=best_epoch,
    )
