"""Training on procrastinate with the real parts: a PostgreSQL server, two `dropout-lab worker`
processes (each with a run folder of its own, as on two machines) and two app processes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

from dropout_lab.store import Store
from dropout_lab.store.runblobs import RunBlobs
from dropout_lab.store.runqueue import RunQueue
from dropout_lab.training.distributed import (
    QUEUE,
    TASK,
    conninfo,
    ensure_schema,
    holder,
    make_app,
    recover,
)
from tests.queue.conftest import ROOT, Procs, env_for, wait_for, wait_workers
from tests.support import wait


def app_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.queue.app_process", *args]


def run_app(url: str, data: Path, *args: str) -> str:
    data.mkdir(exist_ok=True)
    out = subprocess.run(app_cmd(*args), cwd=ROOT, env=env_for(data, url), capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[0]


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.startswith("{")]


def test_a_run_asked_in_one_app_process_is_followed_live_from_another(
    fresh_pg_url: str, procs: Procs, tmp_path: Path
) -> None:
    url = fresh_pg_url
    Store(url).close()
    for name in ("worker-a", "worker-b"):
        procs.worker(url, name)
    wait_workers(url, 2)
    assert RunQueue(url).workers_live(60.0) == 0  # procrastinate's heartbeats, no second kind
    key = run_app(url, tmp_path / "app-1", "submit", "learner:1", "150", "0.3", "1")
    follower = procs.start(app_cmd("follow", key), env_for(tmp_path / "app-2", url), "app-2")
    assert follower.wait(300) == 0, follower.log_path.read_text()[-3000:]
    seen = lines(follower.log_path)
    running = [s for s in seen if s["state"] == "running"]
    assert seen[-1]["state"] == "done" and seen[-1]["epochs"] == 150
    # Live: several distinct epoch counts while it trained, on one of the two workers.
    assert len({s["epochs"] for s in running}) >= 3, seen
    assert running[-1]["worker"] is not None
    meta = RunBlobs(url).run_meta(key)
    assert meta is not None and meta["epochs_done"] == 150  # shared through the database


def test_a_worker_killed_mid_run_another_trains_it_and_the_learner_sees_it_finish(
    fresh_pg_url: str, procs: Procs, tmp_path: Path
) -> None:
    url = fresh_pg_url
    Store(url).close()
    workers = {name: procs.worker(url, name) for name in ("worker-a", "worker-b")}
    wait_workers(url, 2)
    key = run_app(url, tmp_path / "app-1", "submit", "learner:7", "300", "0.3", "2")
    follower = procs.start(app_cmd("follow", key), env_for(tmp_path / "app-2", url), "app-2")
    store = RunQueue(url)

    def training_on() -> str | None:
        view = store.queue_view(key) or {}
        progress = view.get("progress") or {}
        return progress.get("worker") if progress.get("epochs_done", 0) >= 3 else None

    first = wait_for(training_on, 120, "the run to train 3 epochs")
    victim = next(p for p in workers.values() if first.endswith(f":{p.pid}"))
    killed_at = time.time()
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(10)  # reaped, as its service manager would (a zombie still answers kill -0)
    assert follower.wait(400) == 0, follower.log_path.read_text()[-3000:]
    seen = lines(follower.log_path)
    again = next(s for s in seen if s["t"] > killed_at and s["state"] == "running"
                 and s["worker"] not in (None, first))  # fmt: skip
    assert seen[-1]["state"] == "done" and seen[-1]["epochs"] == 300
    assert again["restarts"] >= 1
    print(f"recovery: trained again on another worker {again['t'] - killed_at:.1f} s after the "
          f"kill; done {seen[-1]['t'] - killed_at:.1f} s after it")  # fmt: skip


def test_a_learner_flooding_from_ten_sessions_has_one_run_at_a_time(
    fresh_pg_url: str, procs: Procs, tmp_path: Path
) -> None:
    url = fresh_pg_url
    Store(url).close()
    for name in ("worker-a", "worker-b"):
        procs.worker(url, name)
    wait_workers(url, 2)
    sessions = []
    for i in range(10):  # ten browser sessions of one learner, each pressing Train
        args = app_cmd("submit", "learner:99", "100", "0.3", str(100 + i))
        sessions.append(procs.start(args, env_for(tmp_path / f"s{i}", url), f"session-{i}"))
    other = run_app(url, tmp_path / "other", "submit", "learner:5", "20", "0.2", "1")
    store = RunQueue(url)
    worst_live, worst_training = 0, 0

    def all_over() -> bool:
        nonlocal worst_live, worst_training
        live = store.lane_requests("learner:99", limit=50)
        in_lane = [r for r in live if r["state"] in ("queued", "running")]
        keys = {r["key"] for r in live}
        _, running = store.queue_order()
        worst_live = max(worst_live, len(in_lane))
        worst_training = max(worst_training, sum(r["key"] in keys for r in running))
        return all(p.poll() is not None for p in sessions) and not in_lane and not running

    wait.until(all_over, timeout=240, what="the ten sessions' runs")
    assert all(p.returncode == 0 for p in sessions)
    assert worst_live <= 1 and worst_training <= 1
    states = [r["state"] for r in store.lane_requests("learner:99", limit=50)]
    assert len(states) == 10 and states.count("done") >= 1  # the last one asked for trained
    assert set(states) <= {"done", "withdrawn", "stopped"}
    assert RunBlobs(url).run_meta(other) is not None  # the other learner was served meanwhile


def test_a_worker_stopped_mid_run_hands_it_back_and_the_next_worker_trains_it(
    fresh_pg_url: str, procs: Procs, tmp_path: Path
) -> None:
    """SIGTERM (a deploy, systemd stopping the unit): the run under way is interrupted at its
    next epoch, waits in the queue with a job of its own, and a worker started later trains
    it without anyone asking again."""
    url = fresh_pg_url
    Store(url).close()
    worker = procs.worker(url, "worker-a")
    wait_workers(url, 1)
    # 100 epochs: the SIGTERM, sent once 3 are done, is read at the next epoch; 97 more are the
    # margin for a slow look at the progress
    key = run_app(url, tmp_path / "app-1", "submit", "learner:3", "100", "0.3", "3")
    queue = RunQueue(url)
    wait_for(lambda: ((queue.queue_view(key) or {}).get("progress") or {}).get(
        "epochs_done", 0) >= 3, 120, "the run to train 3 epochs")  # fmt: skip
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(60) == 0, worker.log_path.read_text()[-3000:]
    request = queue.queue_view(key)["request"]
    assert request["state"] == "queued" and request["interrupted"] == 1
    assert request["attempts"] == 0  # a shutdown is not a crash
    todo = "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo' AND queueing_lock = %s"
    with psycopg.connect(conninfo(url)) as conn:
        assert conn.execute(todo, (f"turn:{key}",)).fetchone()[0] == 1
    procs.worker(url, "worker-b")
    wait_for(lambda: queue.queue_view(key)["request"]["state"] == "done", 300, "the run to end")
    meta = RunBlobs(url).run_meta(key)
    assert meta is not None and meta["epochs_done"] == 100


def test_stalled_jobs_hand_back_their_runs_and_are_retried_by_procrastinate(
    fresh_pg_url: str,
) -> None:
    """`recover`, the periodic task free workers run: two jobs whose worker stopped beating.
    Each run they held waits again (one crash counted); the job that can be retried is
    (procrastinate's retry, back to todo); the one whose key has a waiting job already is
    ended as failed, and that waiting job takes the turn."""
    url = fresh_pg_url
    Store(url).close()
    ensure_schema(url)
    queue = RunQueue(url)
    for key, lane in (("a", "learner:1"), ("b", "learner:2")):
        queue.queue_submit(key, lane, {"input_dim": 10, "layers": []}, {"epochs": 5}, 1.0)

    async def scenario() -> tuple[list[str], dict[str, str]]:
        app = make_app(url, sync=False)
        async with app.open_async():
            jobs = app.job_manager
            worker = await jobs.register_worker()
            ids = {}
            for key in ("a", "b"):
                await app.configure_task(name=TASK, queueing_lock=f"turn:{key}").defer_async(
                    key=key)  # fmt: skip
                job = await jobs.fetch_job(queues=[QUEUE], worker_id=worker)
                ids[key] = job.id
                assert queue.queue_claim(holder(job.id, "elsewhere:1")).key == key
            # b was asked for again meanwhile: a job waits for its key already
            waiting = await app.configure_task(name=TASK, queueing_lock="turn:b").defer_async(
                key="b")  # fmt: skip
            await app.connector.execute_query_async(
                "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'"
            )
            with make_app(url, sync=True).open() as defer_app:
                keys = await recover(jobs, queue, defer_app)
            status = {name: (await jobs.get_job_status_async(job_id)).value
                      for name, job_id in [*ids.items(), ("waiting", waiting)]}  # fmt: skip
            return keys, status

    with ThreadPoolExecutor(1) as thread:  # a loop of its own (the test process may run one)
        keys, status = thread.submit(asyncio.run, scenario()).result(timeout=120)
    assert sorted(keys) == ["a", "b"]
    assert status == {"a": "todo", "b": "failed", "waiting": "todo"}
    for key in ("a", "b"):
        request = queue.queue_view(key)["request"]
        assert (request["state"], request["attempts"]) == ("queued", 1)
