"""The messages between the training service and its worker processes, one class each.

They travel through a `multiprocessing` pipe (pickled), so they hold plain data only: specs,
configs, strings and numbers. Live progress does not travel here: the worker writes it to the
run store (`progress.json`), where every app process sharing the store can read it.

Service → worker: `TrainRequest`, `WarmUp`, `Quit`.
Worker → service: `Finished`, `Failed` (answers to a `TrainRequest`), `Warmed` (to a `WarmUp`).
"""

from __future__ import annotations

from dataclasses import dataclass

from dropout_lab.lesson.spec import ModelSpec, TrainConfig


@dataclass(frozen=True)
class TrainRequest:
    """Train `spec` with `config` into the store at `root` (and its database, if any)."""

    key: str
    spec: ModelSpec
    config: TrainConfig
    root: str
    database_url: str | None
    submitted_at: float  # a stop made before this time is not meant for this attempt


@dataclass(frozen=True)
class WarmUp:
    """Train each (spec, config) once, unstored, so their traced functions are ready."""

    runs: tuple[tuple[ModelSpec, TrainConfig], ...] = ()


@dataclass(frozen=True)
class Quit:
    """Exit once the current run (if any) is over."""


@dataclass(frozen=True)
class Warmed:
    """The warm-up runs are done: the worker is idle again."""


@dataclass(frozen=True)
class Finished:
    """The run `key` ended: trained here (done or stopped), or found already in the store."""

    key: str
    trained: bool  # False: another process had trained it while this one waited for the lock
    stopped: bool
    epochs_done: int
    retiring: bool = False  # the worker exits after this message (recycled)


@dataclass(frozen=True)
class Failed:
    """The run `key` could not be trained; `error` is a sentence for a student."""

    key: str
    error: str
    retiring: bool = False


ToWorker = TrainRequest | WarmUp | Quit
FromWorker = Finished | Failed | Warmed
