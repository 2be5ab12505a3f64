"""The runs cache and the training service, with real Keras training in real worker processes.

One service (one worker) is shared by most tests to keep them warm; the tests that need their
own worker (determinism across services, recycling, a killed worker) start a second service.
"""

from __future__ import annotations

import dataclasses
import os
import signal
from pathlib import Path

import numpy as np
import pytest

from dropout_lab.lesson.spec import TrainConfig, lesson_spec, run_key
from dropout_lab.training import runstore as runstore_mod
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.service import MSG_CRASHED, RunStatus, TrainingService
from tests.support import wait

SPEC = lesson_spec(0.3)


def wait_for(svc: TrainingService, key: str, pred, timeout: float = 90.0) -> RunStatus:
    def reached() -> RunStatus | None:
        status = svc.status(key)
        return status if pred(status) else None

    try:
        return wait.until(reached, timeout=timeout, poll=0.02)
    except TimeoutError as e:
        raise AssertionError(f"timed out; last status {svc.status(key)}") from e


def finished(svc: TrainingService, key: str) -> RunStatus:
    return wait_for(svc, key, lambda s: s.finished)


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    service = TrainingService(RunStore(tmp_path_factory.mktemp("runs")), max_workers=1)
    service.prewarm()
    yield service
    service.shutdown()


@pytest.fixture(scope="module")
def trained_run():
    from dropout_lab.training.trainer import train

    return train(SPEC, TrainConfig(epochs=2, seed=7))


# --------------------------------------------------------------------------- the store


def test_store_round_trip(tmp_path: Path, trained_run) -> None:
    store = RunStore(tmp_path)
    assert store.get(trained_run.key) is None and not store.has(trained_run.key)
    store.put(trained_run)
    assert store.has(trained_run.key) and store.keys() == [trained_run.key]
    back = store.get(trained_run.key)
    assert back.spec == trained_run.spec and back.config == trained_run.config
    assert back.history == trained_run.history
    assert back.epochs_done == 2 and back.stopped is False
    assert back.best_epoch == trained_run.best_epoch and back.n_val == trained_run.n_val
    assert len(back.weights) == len(trained_run.weights)
    for a, b in zip(back.weights, trained_run.weights, strict=True):
        np.testing.assert_array_equal(a, b)
    meta = store.meta(trained_run.key)
    assert {"spec", "config", "history", "epochs_done", "finished_at", "n_train"} <= set(meta)


def test_store_writes_are_atomic(tmp_path: Path, trained_run, monkeypatch) -> None:
    store = RunStore(tmp_path)
    real_savez = np.savez

    def savez_then_die(f, **arrays):
        real_savez(f, **arrays)
        f.truncate(100)  # half a file on disk, then the process "dies"
        raise KeyboardInterrupt

    monkeypatch.setattr(runstore_mod.np, "savez", savez_then_die)
    with pytest.raises(KeyboardInterrupt):
        store.put(trained_run)
    monkeypatch.undo()
    key_dir = tmp_path / trained_run.key
    assert list(key_dir.iterdir()) == []  # no weights.npz, no temporary file left behind
    assert store.get(trained_run.key) is None

    def json_dies(path, obj, durable=True):
        raise OSError("disk full")

    monkeypatch.setattr(runstore_mod, "_write_json", json_dies)
    with pytest.raises(OSError):
        store.put(trained_run)
    monkeypatch.undo()
    # weights landed, run.json (written last) did not: the run is not visible
    assert [p.name for p in key_dir.iterdir()] == ["weights.npz"]
    assert not store.has(trained_run.key) and store.get(trained_run.key) is None
    store.put(trained_run)
    assert store.get(trained_run.key).history == trained_run.history


def test_stopped_runs_are_kept_apart_from_complete_ones(tmp_path: Path, trained_run) -> None:
    import dataclasses

    store = RunStore(tmp_path)
    partial = dataclasses.replace(trained_run, stopped=True)
    store.put(partial)
    assert (tmp_path / trained_run.key / "partial" / "run.json").is_file()
    assert not store.has(trained_run.key)  # not a cache hit
    assert store.get(trained_run.key).stopped is True
    assert store.get(trained_run.key, partial=False) is None
    store.put(trained_run)  # the complete run replaces it
    assert store.has(trained_run.key) and store.get(trained_run.key).stopped is False
    assert not (tmp_path / trained_run.key / "partial").exists()


def test_default_root_follows_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DROPOUT_LAB_DATA_DIR", str(tmp_path))
    assert runstore_mod.default_root() == tmp_path / "runs"
    monkeypatch.delenv("DROPOUT_LAB_DATA_DIR")
    assert runstore_mod.default_root() == Path.home() / ".local/share/dropout-lab/runs"


# --------------------------------------------------------------------------- the service


def test_queue_attach_and_cache(svc: TrainingService) -> None:
    # b is long enough (about 3 s) to be seen running while c waits behind it
    a, b, c = (TrainConfig(epochs=e, seed=s) for e, s in ((4, 100), (30, 101), (3, 102)))
    before = svc.stats()
    ka, kb, kc = svc.submit(SPEC, a), svc.submit(SPEC, b), svc.submit(SPEC, c)
    wait_for(svc, ka, lambda s: s.state == "running")  # the worker takes it at its next look
    assert (svc.status(kb).state, svc.status(kb).queue_position) == ("queued", 1)
    assert (svc.status(kc).state, svc.status(kc).queue_position) == ("queued", 2)
    assert [s.key for s in svc.active()] == [ka, kb, kc]
    assert svc.result(kb) is None
    assert svc.submit(SPEC, a) == ka  # identical request while running: attaches
    assert svc.submit(SPEC, c) == kc  # identical request while queued: attaches

    wait_for(svc, kb, lambda s: s.state == "running")
    assert svc.status(ka).state == "done"
    assert svc.status(kc).queue_position == 1  # counted down
    for key, config in ((ka, a), (kb, b), (kc, c)):
        status = finished(svc, key)
        assert status.state == "done" and status.epochs_done == status.epochs_total == config.epochs
        assert len(status.history["val_loss"]) == config.epochs
        run = svc.result(key)
        assert run.key == key == run_key(SPEC, config) and run.epochs_done == config.epochs
        assert len(run.history["loss"]) == config.epochs and run.weights

    after = svc.stats()
    assert after["attached"] - before["attached"] == 2  # five requests, three runs
    assert after["submitted"] - before["submitted"] == 5

    assert svc.submit(SPEC, a) == ka  # after completion: served from the store
    assert svc.status(ka).state == "done"
    again = svc.stats()
    assert again["cache_hits"] - after["cache_hits"] == 1
    assert not svc.queue.queue_waiting() and again["running"] == 0  # nothing for a worker


def test_progress_is_reported_while_running(svc: TrainingService) -> None:
    # 40 epochs: about 2 s on an idle machine, long enough to be seen mid-run (5 were not)
    key = svc.submit(SPEC, TrainConfig(epochs=40, seed=103))
    status = wait_for(svc, key, lambda s: s.state == "running" and s.epochs_done >= 1)
    assert status.epochs_total == 40 and status.worker_pid in svc.worker_pids()
    assert len(status.history["loss"]) == status.epochs_done
    assert finished(svc, key).state == "done"


def test_stop_keeps_the_epochs_done(svc: TrainingService) -> None:
    config = TrainConfig(epochs=300, seed=104)
    key = svc.submit(SPEC, config)
    wait_for(svc, key, lambda s: s.epochs_done >= 2)
    svc.stop(key)
    assert svc.status(key).stop_requested
    status = finished(svc, key)
    assert status.state == "stopped" and 2 <= status.epochs_done < 300
    run = svc.result(key)
    assert run.stopped and run.epochs_done == status.epochs_done
    assert len(run.history["val_accuracy"]) == run.epochs_done and run.weights
    assert not svc.store.has(key)  # a partial run is no cache hit...

    assert svc.submit(SPEC, config) == key  # ...so asking again trains it again, and the
    assert svc.status(key).state in ("queued", "running")  # old stop does not end it
    wait_for(svc, key, lambda s: s.state == "running")
    wait.pause(0.5)  # time under test: the old Stop must not end the new run meanwhile
    assert svc.status(key).state == "running"
    svc.stop(key)
    assert finished(svc, key).state == "stopped"


def test_a_run_two_learners_asked_for_stops_only_when_both_stop(svc: TrainingService) -> None:
    config = TrainConfig(epochs=300, seed=108)
    key = svc.submit(SPEC, config)
    assert svc.submit(SPEC, config) == key  # a second learner attaches to the same run
    wait_for(svc, key, lambda s: s.epochs_done >= 1)
    assert svc.stop(key) is False  # the first learner's Stop: it goes on for the other one
    wait.pause(0.3)  # time under test: the half-Stop must not end it meanwhile
    assert svc.status(key).state == "running" and not svc.status(key).stop_requested
    assert svc.stop(key) is True  # nobody else wants it now
    status = finished(svc, key)
    assert status.state == "stopped" and status.epochs_done < 300


def test_stop_while_queued_drops_the_request(svc: TrainingService) -> None:
    first = svc.submit(SPEC, TrainConfig(epochs=3, seed=105))
    queued = svc.submit(SPEC, TrainConfig(epochs=3, seed=106))
    assert svc.status(queued).state == "queued"
    svc.stop(queued)
    status = svc.status(queued)
    assert (status.state, status.epochs_done) == ("stopped", 0) and svc.result(queued) is None
    assert finished(svc, first).state == "done"


def test_a_bad_request_fails_with_a_sentence(svc: TrainingService) -> None:
    key = svc.submit(SPEC, TrainConfig(epochs=0, seed=107))
    status = finished(svc, key)
    assert status.state == "failed" and "epochs must be between 1 and" in status.error
    assert "Traceback" not in status.error and svc.result(key) is None
    assert svc.status("0123456789abcdef").state == "failed"  # never heard of


def test_deterministic_across_services_and_processes(svc, tmp_path: Path, trained_run) -> None:
    """Same request, two services with separate stores (and the in-process run): same history.

    The second service recycles its worker after every two runs; killing a worker fails only its
    own run, and the service keeps working."""
    config = TrainConfig(epochs=3, seed=108)
    k1 = svc.submit(SPEC, config)
    with TrainingService(RunStore(tmp_path), max_workers=1, max_tasks_per_worker=2) as other:
        k2 = other.submit(SPEC, config)
        assert k1 == k2
        assert finished(svc, k1).state == "done" and finished(other, k2).state == "done"
        assert svc.result(k1).history == other.result(k2).history
        ref = other.submit(SPEC, trained_run.config)  # trained in this test process before
        assert finished(other, ref).state == "done"
        assert other.result(ref).history == trained_run.history
        # recycled after two runs: a fresh worker starts
        wait.until(lambda: other.stats()["workers"] >= 2, what="a fresh worker")

        long = other.submit(SPEC, TrainConfig(epochs=300, seed=109))
        status = wait_for(other, long, lambda s: s.epochs_done >= 1)
        os.kill(status.worker_pid, signal.SIGKILL)
        status = finished(other, long)
        assert status.state == "failed" and status.error == MSG_CRASHED
        assert other.result(long) is None
        after = other.submit(SPEC, TrainConfig(epochs=2, seed=110))
        assert finished(other, after).state == "done"
        assert other.submit(SPEC, TrainConfig(epochs=300, seed=109)) == long  # can retry
        wait_for(other, long, lambda s: s.epochs_done >= 1)  # taken again, and training
    status = other.status(long)  # shut down mid-run: stopped at its next epoch, kept
    assert status.state == "stopped" and 1 <= status.epochs_done < 300


# --------------------------------------------------------------------------- issue 15


def test_a_run_over_the_budget_is_refused_before_it_is_queued(tmp_path: Path) -> None:
    from dropout_lab.lesson.spec import LayerSpec, ModelSpec
    from dropout_lab.training.service import OverBudget

    big = ModelSpec(10, (*[LayerSpec("Dense", units=2048, activation="relu")] * 11,
                         LayerSpec("Dense", units=1, activation="sigmoid")))  # fmt: skip
    with TrainingService(RunStore(tmp_path), max_workers=1, budget_seconds=60) as svc:
        with pytest.raises(OverBudget, match="this lesson allows 60 s per run"):
            svc.submit(big, TrainConfig(epochs=300))
        assert svc.stats()["queued"] == 0 and not svc.queue.queue_waiting()
        svc.submit(SPEC, TrainConfig(epochs=2, seed=1))  # the lesson model fits


def test_a_learners_new_request_replaces_their_live_one(svc: TrainingService) -> None:
    first = svc.submit(SPEC, TrainConfig(epochs=300, seed=120), lane="learner:42")
    wait_for(svc, first, lambda s: s.epochs_done >= 1)
    second = svc.submit(SPEC, TrainConfig(epochs=2, seed=121), lane="learner:42")
    assert finished(svc, first).state == "stopped"  # withdrawn: it stopped at its next epoch
    assert finished(svc, second).state == "done"


def test_a_crashed_workers_run_is_trained_again_when_the_queue_is_durable(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    with TrainingService(RunStore(tmp_path / "runs"), max_workers=1, queue_url=url) as svc:
        # 100 epochs: killed once 2 are done; the look for the run trained again is a poll of
        # the queue, with 98 epochs of margin
        key = svc.submit(SPEC, TrainConfig(epochs=100, seed=130), lane="learner:1")
        status = wait_for(svc, key, lambda s: s.epochs_done >= 2)
        os.kill(status.worker_pid, signal.SIGKILL)
        again = wait_for(svc, key, lambda s: s.restarts >= 1 and s.epochs_done >= 1)
        assert again.worker_pid != status.worker_pid
        assert finished(svc, key).state == "done" and svc.status(key).restarts == 1


def test_a_long_run_lets_waiting_short_runs_of_others_go_first(tmp_path: Path) -> None:
    from dropout_lab.lesson.budget import estimate_seconds
    from dropout_lab.lesson.spec import LayerSpec, ModelSpec
    from dropout_lab.training.turns import SHORT_RUN

    wide = ModelSpec(10, (*[LayerSpec("Dense", units=512, activation="relu")] * 3,
                          LayerSpec("Dense", units=1, activation="sigmoid")))  # fmt: skip
    config = TrainConfig(epochs=160, seed=140)
    assert estimate_seconds(wide, config) > SHORT_RUN  # a long run: it pauses for others
    with TrainingService(RunStore(tmp_path), max_workers=1) as svc:
        long = svc.submit(wide, config, lane="learner:1")
        wait_for(svc, long, lambda s: s.epochs_done >= 1)
        short = [svc.submit(SPEC, TrainConfig(epochs=5, seed=141 + i), lane=f"learner:{2 + i}")
                 for i in range(3)]  # fmt: skip
        paused = wait_for(svc, long, lambda s: s.paused or s.finished)
        assert paused.paused  # it made way ...
        for key in short:
            assert finished(svc, key).state == "done"
        assert not svc.status(long).finished  # ... and the short runs were done before it
        # It trains on after its pause; then its learner stops it (its epochs are kept), so
        # the test need not train all 160 epochs twice (119 s of the suite on two cores)
        wait_for(svc, long, lambda s: s.epochs_done >= paused.epochs_done + 5)
        svc.stop(long, lane="learner:1")
        assert finished(svc, long).state == "stopped"
        paused_run = svc.result(long).history
    # The same run, as many epochs, not paused, in a worker as well: trained in this process
    # instead (its own threads), it matched on one machine and not on an AMD EPYC (2026-12-08),
    # where sums in another thread layout differ in the last bit from epoch 2 and many epochs
    # amplify that (a store of its own: the first service would hand back its stored run)
    epochs = len(paused_run["loss"])
    assert epochs > paused.epochs_done + 4  # the epochs after the pause are compared too
    with TrainingService(RunStore(tmp_path / "unpaused"), max_workers=1) as other:
        unpaused = finished(other, other.submit(wide, dataclasses.replace(config, epochs=epochs)))
        assert unpaused.state == "done"
        unpaused_run = other.result(unpaused.key).history
    assert paused_run == unpaused_run  # same run, paused
