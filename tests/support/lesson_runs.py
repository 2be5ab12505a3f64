"""Every run of the default lesson (the pair, the regularisers, the sweep and the long sweep),
really trained once per test run and shared: the browser tests, the accessibility tests and the
claims test each get a copy in a data directory of their own, so none of them trains the same
runs again (on 2 cores a full set takes about a minute).

Under pytest-xdist the workers share one folder of the run (DROPOUT_LAB_TEST_SHARED, made by
tests/conftest.py): the first worker that needs the runs trains them while holding a file lock;
the others wait on the lock, then copy. DROPOUT_LAB_TEST_RUNS_DIR keeps the trained set between
runs, in a folder named by a hash of everything the runs depend on (`source_key`): a change to the
training or lesson code, the lesson files or TensorFlow's or Keras' version trains them again. The
quick loop keeps them in `.cache/lesson-runs` (scripts/test.sh); the full suite trains them."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from functools import cache
from importlib import metadata
from pathlib import Path

from filelock import FileLock

from dropout_lab.lesson import catalogue

KEEP = "DROPOUT_LAB_TEST_RUNS_DIR"
SHARED_ENV = "DROPOUT_LAB_TEST_SHARED"
COMPLETE = "complete"  # written once every run is stored: a half-trained folder is never used


ROOT = Path(__file__).resolve().parents[2]
# What the lesson's runs depend on: how they are trained and judged complete, the lesson's data
# and models, its files; and the libraries that compute them.
SOURCES = ("app/training", "app/lesson", "lessons")
LIBRARIES = ("tensorflow", "keras", "numpy")


def source_key() -> str:
    """A hash of the sources and library versions the lesson's runs depend on."""
    digest = hashlib.sha256()
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".toml", ".md", ".json"):
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    installed = metadata.packages_distributions()  # module -> its distributions (tensorflow-cpu)
    for module in LIBRARIES:
        for dist in sorted(installed.get(module, [])):
            digest.update(f"{dist}=={metadata.version(dist)}".encode())
    return digest.hexdigest()[:16]


def _root() -> Path:
    kept = os.environ.get(KEEP)
    if kept:
        return Path(kept) / source_key()
    shared = os.environ.get(SHARED_ENV)
    if shared:
        return Path(shared) / "lesson-runs"
    return Path(tempfile.mkdtemp(prefix="dropout-lab-lesson-runs-"))


def _train_into(root: Path) -> None:
    from dropout_lab.training import precompute
    from dropout_lab.training.runstore import RunStore
    from dropout_lab.training.service import TrainingService

    with TrainingService(RunStore(root / "runs"), max_workers=2) as service:
        counts = precompute.warm(service, reqs=catalogue.everything())
    assert counts["failed"] == 0, counts


@cache
def trained_runs() -> Path:
    """The run store's folder holding every precomputed run, trained here the first time."""
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / ".lock")):
        if not (root / COMPLETE).exists():
            _train_into(root)
            (root / COMPLETE).write_text("")
    return root / "runs"


def data_dir_with_lesson_runs(data: Path) -> Path:
    """`data` (created) holding a copy of every lesson run in its run store; returns `data`."""
    data.mkdir(parents=True, exist_ok=True)
    shutil.copytree(trained_runs(), data / "runs", dirs_exist_ok=True)
    return data
