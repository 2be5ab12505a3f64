"""The messages between the embedded training service and its worker processes, one class each.

They travel through a `multiprocessing` pipe (pickled), so they hold plain data only. The run a
`TrainRequest` names is already claimed in the queue database by the service for that worker;
live progress and stop requests do not travel here: they go through the queue database, where
every app process can read and write them.

Service → worker: `TrainRequest`, `WarmUp`, `Quit`.
Worker → service: `Finished`, `RunFailed` (answers to a `TrainRequest`), `Warmed` (to a `WarmUp`),
`Ready` (once, when TensorFlow is imported: the worker is warm).
"""

from __future__ import annotations

from dataclasses import dataclass

from dropout_lab.lesson.spec import ModelSpec, TrainConfig
from dropout_lab.store.runqueue import Lease


@dataclass(frozen=True)
class TrainRequest:
    """Train the claimed run into the store at `root` (and its database, if any)."""

    claim: Lease

    @property
    def key(self) -> str:
        return self.claim.key


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
class Ready:
    """TensorFlow and the trainer are imported: from now on a run starts at once."""


@dataclass(frozen=True)
class Finished:
    """The run `key` ended: trained here (done, stopped or interrupted), or found stored."""

    key: str
    trained: bool  # False: another process had trained it already
    stopped: bool
    epochs_done: int
    retiring: bool = False  # the worker exits after this message (recycled)
    interrupted: bool = False  # cut short by a shutdown: its requests wait again


@dataclass(frozen=True)
class RunFailed:
    """The run `key` could not be trained; `error` is a sentence for a student."""

    key: str
    error: str
    retiring: bool = False


@dataclass(frozen=True)
class WorkerSetup:
    """Where a worker process finds the queue and the run store (its start arguments)."""

    queue_url: str
    root: str
    database_url: str | None
    max_tasks: int
    threads: int | None
    parent: int  # the service's process: once it is gone, the worker hands its run back


ToWorker = TrainRequest | WarmUp | Quit
FromWorker = Finished | RunFailed | Warmed | Ready
