"""Old home of the run store and the training service; import from their own modules instead:
`runstore` (the files), `mirror` (the database copy), `service` (the queue), `worker`."""

from dropout_lab.training.runstore import RunStore, default_root
from dropout_lab.training.service import (
    MSG_CRASHED,
    MSG_SHUTDOWN,
    MSG_UNKNOWN,
    STATES,
    RunStatus,
    TrainingService,
)

__all__ = [
    "MSG_CRASHED",
    "MSG_SHUTDOWN",
    "MSG_UNKNOWN",
    "STATES",
    "RunStatus",
    "RunStore",
    "TrainingService",
    "default_root",
]
