"""Every run of the default lesson (the pair, the regularisers, the sweep and the long sweep),
really trained once per test session and shared: the browser tests, the accessibility tests and
the claims test each get a copy in a data directory of their own, so none of them trains the
same runs again (on 2 cores a full set takes minutes). DROPOUT_LAB_TEST_RUNS_DIR keeps the
trained set between sessions."""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

KEEP = "DROPOUT_LAB_TEST_RUNS_DIR"


@cache
def trained_runs() -> Path:
    """The run store's folder holding every precomputed run, trained here the first time."""
    from dropout_lab.training import precompute
    from dropout_lab.training.runstore import RunStore
    from dropout_lab.training.service import TrainingService

    kept = os.environ.get(KEEP)
    root = Path(kept) if kept else Path(tempfile.mkdtemp(prefix="dropout-lab-lesson-runs-"))
    with TrainingService(RunStore(root / "runs"), max_workers=2) as service:
        counts = precompute.warm(service, reqs=precompute.everything())
    assert counts["failed"] == 0, counts
    return root / "runs"


def data_dir_with_lesson_runs(data: Path) -> Path:
    """`data` (created) holding a copy of every lesson run in its run store; returns `data`."""
    data.mkdir(parents=True, exist_ok=True)
    shutil.copytree(trained_runs(), data / "runs", dirs_exist_ok=True)
    return data
