"""Acknowledged work survives the writing process being killed (SIGKILL) mid-way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from dropout_lab.store import Store

ROOT = Path(__file__).resolve().parents[2]

WRITER = """
import sys
from dropout_lab.store import Store
store = Store(sys.argv[1])
me = store.join("Writer", "Kill").id
print("ready", me, flush=True)
i = 0
while True:
    store.record(me, "build", f"c{i}")
    if i % 3 == 0:
        store.save_reflection(me, "latest", f"text {i}")
    if i % 5 == 0:
        store.save_submission(me, "keras", f"code {i}", None, {"run_key": f"k{i}"})
    print("ack", i, flush=True)  # only after every write of step i committed
    i += 1
"""


def test_acknowledged_records_survive_sigkill(store_url: str) -> None:
    Store(store_url).close()  # migrations done before the race starts
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, store_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acked: list[int] = []
    try:
        first = proc.stdout.readline().split()
        assert first[:1] == ["ready"], proc.stderr.read()
        learner_id = int(first[1])
        deadline = time.monotonic() + 60
        while len(acked) < 60 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            acked.append(int(line.split()[1]))
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # mid-write, most likely
        # Through the same reader as the loop: lines it has buffered already are acks too
        # (communicate() reads the pipe beneath it and would lose them).
        rest = proc.stdout.read()
        proc.stderr.read()
        proc.wait(timeout=30)
    acked += [int(line.split()[1]) for line in rest.splitlines() if line.startswith("ack ")]
    assert proc.returncode == -signal.SIGKILL
    assert len(acked) >= 60 and acked == list(range(len(acked)))

    store = Store(store_url)  # reopen after the crash
    done = store.progress(learner_id).get("build", set())
    assert {f"c{i}" for i in acked} <= done
    assert len(done) <= len(acked) + 1  # at most the write under way when killed
    last_reflection = max(i for i in acked if i % 3 == 0)
    assert store.reflections(learner_id)["latest"] in (
        f"text {last_reflection}",
        f"text {last_reflection + 3}",
    )
    keys = [s["run_key"] for s in store.submissions(learner_id)]
    assert {f"k{i}" for i in acked if i % 5 == 0} <= set(keys)
    store.close()
