"""The Compare step's precomputed runs: which runs it needs, and computing the missing ones.

The precomputed set is the same model on the same data, trained with the lab's configuration
(50 epochs, batch 32, Adam), in these variants:

* the rate sweep: `lesson_spec(rate)` for each rate of the lesson's tables × SEEDS (see
  `findings/sweep.py`); its seed-0 members at rates 0.0 and 0.3 are "the pair" (no dropout
  against Dropout(0.3));
* the other regularisers of the lesson's comparison table, seed 0: L2 weight decay, early
  stopping (best weights restored), and Dropout(0.3) with L2;
* the long sweep: LONG_RATES × SEEDS trained LONG_FACTOR times as many epochs, so the page can
  show whether the high rates, still improving at the last epoch, catch up (`long_requests`).
  They come after everything else, and the page can also ask for them on demand.

The base configuration is the lab's, with the lesson file's data seed and epochs applied
(DROPOUT_LAB_LESSON, as the Build step applies them), so Compare's runs are those a learner's
defaults produce.

Everything is identified by run key, so these runs are shared with the Build step (a learner's
starter run with the default settings *is* the no-dropout run). `warm` computes what is missing
(`dropout-lab warm`); `Precomputer` does the same in the background of a server without
crowding out learners (`ui/precompute.py`).

No Streamlit, no TensorFlow (training happens in worker processes).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from dropout_lab.charts import panels
from dropout_lab.findings.sweep import RATES, SEEDS, sweep_name
from dropout_lab.lesson import lesson_config
from dropout_lab.lesson.labs import load_lab
from dropout_lab.lesson.spec import MAX_EPOCHS, ModelSpec, TrainConfig, lesson_spec, run_key
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.service import TrainingService

PAIR_RATE = 0.3  # the lesson's dropout rate (the reference solution's)
L2 = 1e-3  # the L2 factor of the regulariser comparison (per Dense kernel)
PATIENCE = 5  # early stopping patience, epochs (the reading's example)
LONG_RATES = (0.3, 0.5, 0.8)  # the long sweep: the default rate and the slow learners
LONG_FACTOR = 3  # the long sweep trains this many times the lab's epochs (50 -> 150)

# Stable ids of the regularisers (also the widget options of the page).
NO_DROPOUT, DROPOUT, L2_ONLY, EARLY_STOP, DROPOUT_L2 = (
    "no_dropout",
    "dropout",
    "l2",
    "early_stopping",
    "dropout_l2",
)
REGULARISERS = (L2_ONLY, EARLY_STOP, DROPOUT_L2)

# Each model's colour is its meaning's, the same on every page (charts/panels.py MEANINGS); the
# ids of the regularisers are the meanings' names. The reference solution is the lesson's dropout.
COLOURS = {**panels.MEANINGS, "reference": panels.MEANINGS[DROPOUT]}
# The learner's own runs, by the label Build trains them under: what each is.
SESSION_RUNS = {"Your model": "yours", "Starter (no dropout)": NO_DROPOUT}


def session_colour(label: str) -> str:
    """The colour of a learner's run labelled `label` (Build's two; any other is "other")."""
    return panels.colour_of(SESSION_RUNS.get(label, "other"))


class Request(NamedTuple):
    """One precomputed run: unpacks as (name, spec, config)."""

    name: str
    spec: ModelSpec
    config: TrainConfig


def base_config(lesson: lesson_config.LessonConfig | None = None) -> TrainConfig:
    """The lab's default training configuration with the lesson file's data seed and epochs
    (what the Build step starts from). `lesson` defaults to $DROPOUT_LAB_LESSON's file."""
    base = load_lab("overfit").config
    cfg = lesson if lesson is not None else lesson_config.load()
    if cfg.data_seed is not None:
        base = replace(base, data_seed=cfg.data_seed)
    return replace(base, epochs=min(cfg.epochs or base.epochs, cfg.max_epochs))


def long_epochs(config: TrainConfig | None = None) -> int:
    """The long sweep's epochs: LONG_FACTOR times the base configuration's (capped)."""
    return min(MAX_EPOCHS, LONG_FACTOR * (config or base_config()).epochs)


def long_name(rate: float, seed: int) -> str:
    """The name of the long sweep's run at `rate` with training seed `seed`."""
    return f"{sweep_name(rate, seed)}, long"


def long_requests(
    config: TrainConfig | None = None, rates: Sequence[float] = LONG_RATES
) -> list[Request]:
    """The long sweep's runs at `rates` (those of LONG_RATES), every seed, rate by rate."""
    base = config or base_config()
    cfg = replace(base, epochs=long_epochs(base))
    return [Request(long_name(rate, seed), lesson_spec(rate), replace(cfg, seed=seed))
            for rate in LONG_RATES if rate in rates for seed in SEEDS]  # fmt: skip


def long_sweep(loaded: dict[str, dict]) -> dict[float, list[dict]]:
    """rate → the loaded long-sweep histories of its seeds (rates with none left out)."""
    out: dict[float, list[dict]] = {}
    for rate in LONG_RATES:
        found = [loaded[long_name(rate, s)] for s in SEEDS if long_name(rate, s) in loaded]
        if found:
            out[rate] = found
    return out


def everything(config: TrainConfig | None = None) -> list[Request]:
    """What the background precompute and `dropout-lab warm` compute: `requests`, then the
    long sweep (the most expensive runs, wanted last)."""
    return unique(requests(config) + long_requests(config))


def requests(config: TrainConfig | None = None) -> list[Request]:
    """Every precomputed run, most wanted first: the pair, the regularisers, then the sweep."""
    base = config or base_config()
    seeded = [replace(base, seed=s) for s in SEEDS]
    out = [
        Request(NO_DROPOUT, lesson_spec(0.0), seeded[0]),
        Request(DROPOUT, lesson_spec(PAIR_RATE), seeded[0]),
        Request(L2_ONLY, lesson_spec(0.0, l2=L2), seeded[0]),
        Request(EARLY_STOP, lesson_spec(0.0), replace(seeded[0], early_stopping_patience=PATIENCE)),
        Request(DROPOUT_L2, lesson_spec(PAIR_RATE, l2=L2), seeded[0]),
    ]
    for seed, cfg in zip(SEEDS, seeded, strict=True):
        for rate in RATES:
            out.append(Request(sweep_name(rate, seed), lesson_spec(rate), cfg))
    return out


def unique(reqs: Iterable[Request]) -> list[Request]:
    """`reqs` without repeated runs (the pair is also part of the sweep), first name kept."""
    seen: set[str] = set()
    out = []
    for r in reqs:
        key = run_key(r.spec, r.config)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


# --------------------------------------------------------------------------- loading, progress


def load(store: RunStore, reqs: Sequence[Request] | None = None) -> dict[str, dict]:
    """name → history of every request whose complete run is stored (reads no weights)."""
    out = {}
    for r in reqs if reqs is not None else requests():
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
    reqs = unique(reqs if reqs is not None else requests())
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
        self.reqs = unique(reqs if reqs is not None else everything())
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
    reqs = unique(reqs if reqs is not None else everything())
    if isinstance(target, RunStore):
        return _warm_here(target, reqs, on_progress)
    service = target
    keys = {r.name: run_key(r.spec, r.config) for r in reqs}
    cached = sum(service.store.has(k) for k in keys.values())
    for r in reqs:
        service.submit(r.spec, r.config)
    failed: set[str] = set()
    while True:
        statuses = {name: service.status(k) for name, k in keys.items()}
        finished = [n for n, s in statuses.items() if s.finished]
        failed = {n for n, s in statuses.items() if s.state == "failed"}
        if on_progress is not None:
            busy = [f"{n} ({s.epochs_done}/{s.epochs_total})"
                    for n, s in statuses.items() if s.state == "running"]  # fmt: skip
            on_progress(len(finished), len(reqs), ", ".join(busy))
        if len(finished) == len(reqs):
            break
        time.sleep(poll)
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
