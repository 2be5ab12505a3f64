"""An app process for the queue tests, as a Streamlit server would act (without the browser):

    python -m tests.queue.app_process submit LANE EPOCHS RATE SEED   -> prints the run key
    python -m tests.queue.app_process follow KEY                      -> a JSON line per change

It reads DROPOUT_LAB_DATABASE_URL and DROPOUT_LAB_DATA_DIR, and DROPOUT_LAB_TRAINING:
"procrastinate" (the default here) or "embedded" (a TrainingService of its own).
"""

from __future__ import annotations

import json
import os
import sys
import time

from dropout_lab.lesson.spec import TrainConfig, lesson_spec
from dropout_lab.store import default_url
from dropout_lab.training.runstore import RunStore
from tests.support import wait


def service():
    store = RunStore(database_url=default_url())
    if os.environ.get("DROPOUT_LAB_TRAINING", "procrastinate") == "procrastinate":
        from dropout_lab.training.distributed import DistributedService

        return DistributedService(store, default_url())
    from dropout_lab.training.service import training_service

    return training_service(store, max_workers=1)


def follow(svc, key: str, lane: str | None = None, timeout: float = 600.0) -> None:
    last = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = svc.status(key, lane)
        now = (s.state, s.epochs_done, s.worker, s.restarts)
        if now != last:
            print(json.dumps({"t": time.time(), "state": s.state, "epochs": s.epochs_done,
                              "total": s.epochs_total, "worker": s.worker,
                              "restarts": s.restarts, "position": s.queue_position}),
                  flush=True)  # fmt: skip
            last = now
        if s.finished:
            return
        wait.pause(0.1)  # a follower's poll interval: it prints what changed since the last look


def main(argv: list[str]) -> None:
    svc = service()
    if argv[0] == "submit":
        lane, epochs, rate, seed = argv[1], int(argv[2]), float(argv[3]), int(argv[4])
        key = svc.submit(lesson_spec(rate), TrainConfig(epochs=epochs, seed=seed), lane=lane)
        print(key, flush=True)
        if len(argv) > 5 and argv[5] == "--follow":
            follow(svc, key, lane)
    elif argv[0] == "follow":
        follow(svc, argv[1])
    svc.shutdown()


if __name__ == "__main__":
    main(sys.argv[1:])
