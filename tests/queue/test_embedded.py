"""The embedded default (one server process, its own workers, SQLite) with real processes: the
server killed mid-run and started again on the same data directory trains the run again by
itself; a crashed worker's run is trained by another; a long run lets short ones go first."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from dropout_lab.store import Store
from dropout_lab.store.runqueue import RunQueue
from tests.queue.conftest import Procs, wait_for


def app(procs: Procs, data: Path, name: str, *args: str, url: str | None = None):
    """A server process on `data` (and the PostgreSQL `url`, if given), training in its own
    workers: on SQLite the embedded ones, on PostgreSQL procrastinate's."""
    env = dict(os.environ, DROPOUT_LAB_DATA_DIR=str(data), DROPOUT_LAB_TRAINING="embedded",
               TF_CPP_MIN_LOG_LEVEL="2")  # fmt: skip
    env.pop("DROPOUT_LAB_DATABASE_URL", None)  # the default: SQLite in the data directory
    if url is not None:
        env["DROPOUT_LAB_DATABASE_URL"] = url
    cmd = [sys.executable, "-m", "tests.queue.app_process", *args]
    return procs.start(cmd, env, name, group=True)


def seen(proc) -> list[dict]:
    return [json.loads(x) for x in proc.log_path.read_text().splitlines() if x.startswith("{")]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("kill", ["server", "server and workers"])
def test_the_server_killed_mid_run_trains_it_again_by_itself(
    kill: str, backend: str, procs: Procs, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """On PostgreSQL the server's workers are procrastinate's: an orphaned one hands its run
    back; with nothing left, the next server's workers find the job stalled and retry it."""
    data = tmp_path / "data"
    data.mkdir()
    url = request.getfixturevalue("fresh_pg_url") if backend == "postgresql" else None
    if url is not None:
        Store(url).close()
    # 100 epochs: killed once 3 are done; the follower of the run trained again looks every
    # 0.1 s, and the second server's workers import TensorFlow before they train
    first = app(procs, data, "first", "submit", "learner:1", "100", "0.3", "4", "--follow",
                url=url)  # fmt: skip
    wait_for(lambda: any(s["epochs"] >= 3 for s in seen(first)), 120, "epoch 3")
    key = first.log_path.read_text().split()[0]
    killed_at = time.time()
    if kill == "server":
        os.kill(first.pid, signal.SIGKILL)  # its worker is orphaned: it hands the run back
    else:
        os.killpg(first.pid, signal.SIGKILL)  # nothing left: the next server finds it stale
    first.wait(10)
    second = app(procs, data, "second", "follow", key, url=url)  # nobody presses Train
    assert second.wait(300) == 0, second.log_path.read_text()[-3000:]
    after = seen(second)
    assert after[-1]["state"] == "done" and after[-1]["epochs"] == 100
    # The page says it was trained again (it may first show the dead attempt, for a moment).
    running = next(s for s in after if s["state"] == "running" and s["restarts"] >= 1)
    url = url or f"sqlite:///{data / 'dropout-lab.sqlite3'}"
    assert RunQueue(url).queue_view(key)["request"]["state"] == "done"
    assert RunQueue(url).workers_live(600.0) == 0 or backend == "sqlite"  # procrastinate's only
    epoch = next(s for s in after[after.index(running) :] if s["epochs"] >= 1)
    claimed, epoch1, done = (x["t"] - killed_at for x in (running, epoch, after[-1]))
    print(
        f"{backend}, {kill} killed: claimed again {claimed:.1f} s after the kill, first epoch "
        f"{epoch1:.1f} s, done {done:.1f} s"
    )
