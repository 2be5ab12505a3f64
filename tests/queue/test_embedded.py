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

from dropout_lab.store.runqueue import RunQueue
from tests.queue.conftest import Procs, wait_for


def app(procs: Procs, data: Path, name: str, *args: str):
    env = dict(os.environ, DROPOUT_LAB_DATA_DIR=str(data), DROPOUT_LAB_TRAINING="embedded",
               TF_CPP_MIN_LOG_LEVEL="2")  # fmt: skip
    env.pop("DROPOUT_LAB_DATABASE_URL", None)  # the default: SQLite in the data directory
    cmd = [sys.executable, "-m", "tests.queue.app_process", *args]
    return procs.start(cmd, env, name, group=True)


def seen(proc) -> list[dict]:
    return [json.loads(x) for x in proc.log_path.read_text().splitlines() if x.startswith("{")]


@pytest.mark.parametrize("kill", ["server", "server and workers"])
def test_the_server_killed_mid_run_trains_it_again_by_itself(
    kill: str, procs: Procs, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    first = app(procs, data, "first", "submit", "learner:1", "300", "0.3", "4", "--follow")
    wait_for(lambda: any(s["epochs"] >= 3 for s in seen(first)), 120, "epoch 3")
    key = first.log_path.read_text().split()[0]
    killed_at = time.time()
    if kill == "server":
        os.kill(first.pid, signal.SIGKILL)  # its worker is orphaned: it hands the run back
    else:
        os.killpg(first.pid, signal.SIGKILL)  # nothing left: the next server finds it stale
    first.wait(10)
    second = app(procs, data, "second", "follow", key)  # started again, nobody presses Train
    assert second.wait(300) == 0, second.log_path.read_text()[-3000:]
    after = seen(second)
    assert after[-1]["state"] == "done" and after[-1]["epochs"] == 300
    # The page says it was trained again (it may first show the dead attempt, for a moment).
    running = next(s for s in after if s["state"] == "running" and s["restarts"] >= 1)
    url = f"sqlite:///{data / 'dropout-lab.sqlite3'}"
    assert RunQueue(url).queue_view(key)["request"]["state"] == "done"
    epoch = next(s for s in after[after.index(running) :] if s["epochs"] >= 1)
    claimed, epoch1, done = (x["t"] - killed_at for x in (running, epoch, after[-1]))
    print(
        f"{kill} killed: claimed again {claimed:.1f} s after the kill, first epoch "
        f"{epoch1:.1f} s, done {done:.1f} s"
    )
