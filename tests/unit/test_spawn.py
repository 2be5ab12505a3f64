"""A worker process starts without running the app's page script (under `streamlit run` the
page is `__main__`, which a "spawn" child re-runs by its file first), and needs nothing but the
queue database to train a run."""

from __future__ import annotations

import dataclasses
import os
import sys
import types
from pathlib import Path

import pytest

from dropout_lab.lesson.spec import TrainConfig, lesson_spec, run_key
from dropout_lab.store.runqueue import RunQueue
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.spawn import start_process
from dropout_lab.training.worker import WorkerSetup, worker_main
from tests.support import wait


@pytest.fixture
def page_as_main(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`__main__` as Streamlit's script runner leaves it: a module made from the page's file,
    here a page that leaves a mark when it runs. Returns the mark's path."""
    mark = tmp_path / "page-ran"
    page = tmp_path / "page.py"
    page.write_text(f"open({str(mark)!r}, 'w').close()\n")
    module = types.ModuleType("__main__")
    module.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", module)
    return mark


def test_a_worker_starts_without_running_the_page_script(page_as_main: Path, tmp_path) -> None:
    # parent=1: the worker sees its "server" gone and returns at once, after the child's start-up
    setup = WorkerSetup(queue_url=f"sqlite:///{tmp_path / 'q.db'}", root=str(tmp_path / "runs"),
                        database_url=None, max_tasks=1, parent=1)  # fmt: skip
    process = start_process(worker_main, setup, name="dropout-lab-worker")
    process.join(120)
    assert process.exitcode == 0
    assert not page_as_main.exists(), "the worker ran the page script"
    assert sys.modules["__main__"].__file__.endswith("page.py")  # the page's module is back


def test_a_worker_needs_nothing_but_the_database(tmp_path: Path) -> None:
    """The one channel: a request written to the queue database is taken and trained by a bare
    worker process (no service, no pipe); the worker beats there once warm, and on SIGTERM
    leaves the queue's worker table and exits cleanly."""
    url, root = f"sqlite:///{tmp_path / 'q.db'}", tmp_path / "runs"
    queue = RunQueue(url)
    spec, config = lesson_spec(0.3), TrainConfig(epochs=2, seed=5)
    key = run_key(spec, config)
    queue.queue_submit(key, "learner:1", spec.to_dict(), dataclasses.asdict(config), 1.0)
    setup = WorkerSetup(queue_url=url, root=str(root), database_url=None, max_tasks=5,
                        parent=os.getpid())  # fmt: skip
    process = start_process(worker_main, setup, name="dropout-lab-worker")
    try:
        # the worker writes the run's files, then marks the request done: wait for the last step
        wait.until(lambda: queue.queue_view(key)["request"]["state"] == "done", timeout=180,
                   what="the request marked done")  # fmt: skip
        assert RunStore(root).has(key)
        assert queue.workers_live(30.0) == 1
    finally:
        process.terminate()
        process.join(60)
    assert process.exitcode == 0 and queue.workers_live(30.0) == 0
