"""The runs cache in the learners' database: app processes with their own run folders (other
machines behind a load balancer) share finished runs through it, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dropout_lab.lesson.spec import TrainConfig, lesson_spec, run_key
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.service import training_service
from dropout_lab.training.trainer import train


@pytest.fixture(scope="module")
def trained_run():
    return train(lesson_spec(0.3), TrainConfig(epochs=2, seed=11))


def test_a_run_put_by_one_process_is_served_to_another(
    store_url: str, tmp_path: Path, trained_run
) -> None:
    here = RunStore(tmp_path / "machine-a", store_url)
    there = RunStore(tmp_path / "machine-b", store_url)
    assert not there.has(trained_run.key)
    here.put(trained_run)
    assert there.has(trained_run.key)
    back = there.get(trained_run.key)
    assert back.history == trained_run.history and back.spec == trained_run.spec
    assert all(np.array_equal(a, b) for a, b in zip(back.weights, trained_run.weights, strict=True))
    assert there.meta(trained_run.key)["epochs_done"] == 2


def test_a_stopped_run_is_not_shared(store_url: str, tmp_path: Path, trained_run) -> None:
    import dataclasses

    stopped = dataclasses.replace(trained_run, stopped=True)
    RunStore(tmp_path / "a", store_url).put(stopped)
    assert not RunStore(tmp_path / "b", store_url).has(stopped.key)


def test_a_service_elsewhere_serves_the_shared_run_without_training(
    store_url: str, tmp_path: Path
) -> None:
    spec, config = lesson_spec(0.2), TrainConfig(epochs=2, seed=3)
    RunStore(tmp_path / "a", store_url).put(train(spec, config))
    with training_service(RunStore(tmp_path / "b", store_url), max_workers=1) as service:
        key = service.submit(spec, config)
        assert key == run_key(spec, config)
        assert service.status(key).state == "done"
        assert service.stats()["cache_hits"] == 1 and not service.queue.queue_waiting()


def test_a_servers_own_training_is_one_mechanism_per_database(
    store_url: str, tmp_path: Path
) -> None:
    """SQLite: the embedded service and its own table of heartbeats; PostgreSQL: procrastinate
    workers, even for one server (the embedded service refuses it, so there is no second)."""
    from dropout_lab.training.distributed import DistributedService
    from dropout_lab.training.service import TrainingService

    postgresql = store_url.startswith("postgresql")
    with training_service(RunStore(tmp_path / "runs", store_url), max_workers=1) as service:
        assert isinstance(service, DistributedService if postgresql else TrainingService)
        assert service.worker_pids() == []  # started when work waits, not before
    if postgresql:
        with pytest.raises(ValueError, match="procrastinate"):
            TrainingService(RunStore(tmp_path / "runs", store_url), max_workers=1)
