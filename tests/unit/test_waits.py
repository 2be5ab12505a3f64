"""Every wait says what it waits for (issue 23): the queue's waits from the runs ahead laid on the
workers at the pace measured here, and the first run after a start saying that its trainer starts
(how long that takes is measured by the service and kept for the next start)."""

from __future__ import annotations

from dropout_lab.lesson.spec import TrainConfig, lesson_spec
from dropout_lab.training import starts, waits
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.service import TrainingService
from tests.support import wait

R, Q = waits.InTraining, waits.Queued


def test_a_queued_run_waits_for_the_first_free_worker_not_a_share_of_all_work() -> None:
    # Two workers, 6 s and 1 s left: the next run starts in 1 s (the sum over the workers said
    # 3.5 s), the one after it when the 6 s run ends.
    got = waits.starts([R("a", 6.0), R("b", 1.0)], [Q("c", "c", 4.0), Q("d", "d", 4.0)], 2)
    assert got == {"c": 1.0, "d": 5.0}


def test_a_lanes_next_run_waits_for_its_running_one_and_a_worker_first_starts() -> None:
    got = waits.starts([R("me", 5.0)], [Q("mine-2", "me", 2.0), Q("x", "other", 2.0)], 2,
                       idle_start=6.0)  # fmt: skip
    assert got == {"mine-2": 5.0, "x": 6.0}  # the idle worker starts first (6 s)
    shared = waits.starts([R("shared", 5.0)], [Q("s2", "shared", 2.0)], 2,
                          shared=lambda lane: lane == "shared")  # fmt: skip
    assert shared == {"s2": 0.0}  # the app's own runs may train side by side


def test_the_pace_is_the_slowest_of_the_recent_runs_against_their_estimates() -> None:
    pace = waits.Pace()
    assert pace.factor() == 1.0  # nothing measured yet
    for estimated, took in ((2.0, 3.0), (2.0, 8.0), (4.0, 4.0)):
        pace.observe(estimated, took)
    assert pace.factor() == 4.0
    for _ in range(waits.PACES_KEPT):
        pace.observe(1.0, 1.5)
    assert pace.factor() == 1.5  # an old slow run is forgotten


def test_a_kept_start_time_is_read_back_and_a_broken_one_is_the_default(tmp_path) -> None:
    assert starts.load(tmp_path) == starts.DEFAULT_SECONDS
    starts.save(tmp_path, 7.25)
    assert starts.load(tmp_path) == 7.25
    (tmp_path / starts.FILE).write_text('{"seconds": "nan"}')
    assert starts.load(tmp_path) == starts.DEFAULT_SECONDS


def test_the_first_run_says_its_trainer_is_starting_then_trains(tmp_path) -> None:
    with TrainingService(RunStore(tmp_path), max_workers=1) as svc:
        assert svc.idle_start() == starts.DEFAULT_SECONDS  # no worker yet: one has to start
        key = svc.submit(lesson_spec(0.3), TrainConfig(epochs=3, seed=231))
        status = wait.until(lambda: svc.status(key).starting, timeout=60,
                            what="the run says its trainer is starting")  # fmt: skip
        assert status == starts.DEFAULT_SECONDS and svc.status(key).state == "queued"
        wait.until(lambda: svc.status(key).finished, timeout=120, what="the run ends")
        assert svc.status(key).state == "done" and svc.status(key).starting is None
        measured = svc.start_seconds
        assert measured != starts.DEFAULT_SECONDS and starts.load(tmp_path) == round(measured, 2)
        assert svc.idle_start() == 0.0  # its one worker is warm now
        again = svc.submit(lesson_spec(0.3), TrainConfig(epochs=3, seed=232))
        said = []

        def ended() -> bool:
            status = svc.status(again)
            said.append(status.starting)
            return status.finished

        wait.until(ended, timeout=120, what="the second run ends")
        assert set(said) == {None}  # a warm worker: no start is said
