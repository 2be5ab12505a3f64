"""Computing the lesson's runs: what is stored, what is training, and training what is missing.

Which runs the lesson needs is declared once, in `lesson/catalogue.py`; this module asks it.
`warm` computes what is missing (`dropout-lab warm`); `Precomputer` does the same in the
background of a server without crowding out learners (`ui/precompute.py`).

No Streamlit, no TensorFlow (training happens in worker processes).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dropout_lab.lesson import catalogue
from dropout_lab.lesson.catalogue import Request, unique
from dropout_lab.lesson.spec import run_key
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.service import TrainingService

if TYPE_CHECKING:
    from dropout_lab.training.client import RunStatus

# --------------------------------------------------------------------------- loading, progress


def load(store: RunStore, reqs: Sequence[Request] | None = None) -> dict[str, dict]:
    """name → history of every request whose complete run is stored (reads no weights)."""
    out = {}
    for r in reqs if reqs is not None else catalogue.requests():
        meta = store.meta(run_key(r.spec, r.config), partial=False)
        if meta is not None:
            out[r.name] = meta["history"]
    return out


@dataclass(frozen=True)
class Progress:
    """How far the precomputed set is: whole runs stored, plus the epochs of runs under way."""

    total: int  # distinct runs
    done: int  # stored
    running: tuple[tuple[str, int, int], ...] = ()  # (name, epochs done, epochs total)

    @property
    def complete(self) -> bool:
        return self.done >= self.total

    @property
    def fraction(self) -> float:
        partial = sum(d / t for _, d, t in self.running if t)
        return min(1.0, (self.done + partial) / max(self.total, 1))


def progress(service: TrainingService, reqs: Sequence[Request] | None = None) -> Progress:
    """What is stored and what is being trained (by this process's service or another's)."""
    reqs = unique(reqs if reqs is not None else catalogue.requests())
    done, running = 0, []
    for r in reqs:
        key = run_key(r.spec, r.config)
        if service.store.has(key):
            done += 1
            continue
        status = service.status(key)
        if status.state == "running":
            running.append((r.name, status.epochs_done, status.epochs_total or r.config.epochs))
    return Progress(len(reqs), done, tuple(running))


# --------------------------------------------------------------------------- computing


def _service_free(service: TrainingService) -> bool:
    stats = service.stats()
    return stats["queued"] == 0 and stats["running"] < service.max_workers


class Precomputer:
    """Submits the missing precomputed runs to a shared service, in the background, politely:
    a run is submitted only when nothing waits in the queue and a worker is free, so a
    learner's own run never waits behind more than the runs already training."""

    def __init__(
        self, service: TrainingService, reqs: Sequence[Request] | None = None, poll: float = 0.25
    ) -> None:
        self.service = service
        self.reqs = unique(reqs if reqs is not None else catalogue.everything())
        self.poll = poll
        self.submitted: list[str] = []
        self.error: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="dropout-lab-precompute", daemon=True
        )

    def start(self) -> Precomputer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            for r in self.reqs:
                if self.service.store.has(run_key(r.spec, r.config)):
                    continue
                while not self._stop.is_set() and not _service_free(self.service):
                    time.sleep(self.poll)
                if self._stop.is_set():
                    return
                self.submitted.append(self.service.submit(r.spec, r.config))
                time.sleep(self.poll)  # let the dispatcher hand it to a worker
        except RuntimeError as exc:  # the service was shut down
            self.error = str(exc)


ProgressCallback = Callable[[int, int, str], None]  # (finished, total, what is training)


def warm(
    target: TrainingService | RunStore,
    on_progress: ProgressCallback | None = None,
    reqs: Sequence[Request] | None = None,
    poll: float = 0.2,
) -> dict[str, int]:
    """Compute every missing precomputed run and wait for them; returns the counts
    {"total", "cached", "computed", "failed"}.

    With a TrainingService the runs train in its worker processes, in parallel; with a RunStore
    they train here, one after another (this imports TensorFlow). By default: `everything`.
    """
    reqs = unique(reqs if reqs is not None else catalogue.everything())
    if isinstance(target, RunStore):
        return _warm_here(target, reqs, on_progress)
    service = target
    keys = {r.name: run_key(r.spec, r.config) for r in reqs}
    cached = sum(service.store.has(k) for k in keys.values())
    for r in reqs:
        service.submit(r.spec, r.config)
    # A finished run stays finished: only the others are asked again. (Asking all of them every
    # 0.2 s cost the waiting process 12 CPU-s while the lesson's runs trained, 2026-12-07.)
    finished: dict[str, RunStatus] = {}
    while True:
        statuses = {name: service.status(k) for name, k in keys.items() if name not in finished}
        finished |= {n: s for n, s in statuses.items() if s.finished}
        if on_progress is not None:
            busy = [f"{n} ({s.epochs_done}/{s.epochs_total})"
                    for n, s in statuses.items() if s.state == "running"]  # fmt: skip
            on_progress(len(finished), len(reqs), ", ".join(busy))
        if len(finished) == len(reqs):
            break
        time.sleep(poll)
    failed = {n for n, s in finished.items() if s.state == "failed"}
    computed = len(reqs) - cached - len(failed)
    return {"total": len(reqs), "cached": cached, "computed": computed, "failed": len(failed)}


def _warm_here(
    store: RunStore, reqs: Sequence[Request], on_progress: ProgressCallback | None
) -> dict[str, int]:
    from dropout_lab.training.trainer import train

    cached = computed = 0
    for i, r in enumerate(reqs):
        key = run_key(r.spec, r.config)
        if on_progress is not None:
            on_progress(i, len(reqs), r.name)
        if store.has(key):
            cached += 1
            continue
        with store.training_lock(key):
            if store.has(key):
                cached += 1
                continue
            store.put(train(r.spec, r.config))
            computed += 1
    if on_progress is not None:
        on_progress(len(reqs), len(reqs), "")
    return {"total": len(reqs), "cached": cached, "computed": computed, "failed": 0}
