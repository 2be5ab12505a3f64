"""A locked seed means the same run everywhere (issue 24, part 3): with a lesson file that locks
the training seed (and sets the data seed and epochs), the starter run the Build page asks for,
the lesson's precomputed no-dropout run and what `dropout-lab train` trains are one run key.
The page runs under AppTest; what it asks the training service for is recorded, not trained."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.cli import build_parser
from dropout_lab.codelab.reader import parse_code
from dropout_lab.commands import lesson_training, train_config
from dropout_lab.lesson import catalogue, lesson_config
from dropout_lab.lesson.labs import load_lab
from dropout_lab.lesson.spec import lesson_spec, run_key
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.service import TrainingService
from dropout_lab.ui import training
from tests.support import editor
from tests.support.harness import MAIN

LAB = load_lab("overfit")

LOCKED, DATA_SEED, EPOCHS = 7, 3, 12  # none of them the lab's own (0, 0, 50)


@pytest.fixture
def lesson(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "lesson.toml"
    path.write_text(f"[build]\nseed = {LOCKED}\ndata_seed = {DATA_SEED}\nepochs = {EPOCHS}\n")
    monkeypatch.setenv(lesson_config.ENV, str(path))  # as `dropout-lab serve --lesson` sets it
    return path


@pytest.fixture
def asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The page's training service, recording each request (spec, config) instead of training."""
    svc = TrainingService(RunStore(tmp_path / "runs"), max_workers=1)
    requests: list[tuple] = []

    def record(spec, config, **_):
        requests.append((spec, config))
        return run_key(spec, config)

    monkeypatch.setattr(svc, "submit", record)
    monkeypatch.setattr(training, "service", lambda: svc)
    yield requests
    svc.shutdown()


def test_a_locked_seed_is_one_run_for_build_precompute_and_the_cli(lesson, asked) -> None:
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    at.switch_page("steps/build.py").run()
    assert not at.exception, at.exception
    seed_input = at.number_input(key="build.seed")
    assert seed_input.disabled and seed_input.value == LOCKED  # the page shows the lock
    editor.type_code(at, "build.code", LAB.solution)  # the learner's model, beside the starter
    next(b for b in at.button if b.label == "▶▶ Train both").click().run()
    assert not at.exception, at.exception
    starter_spec = parse_code(LAB.starter).spec
    assert len(asked) == 2 and asked[0][0] == parse_code(LAB.solution).spec
    (starter,) = [run_key(s, c) for s, c in asked if s == starter_spec]

    pair = next(r for r in catalogue.everything() if r.name == catalogue.NO_DROPOUT)  # warm's
    args = build_parser().parse_args(["train"])  # `dropout-lab train`: the lesson model, rate 0
    cli = train_config(args, lesson_training(args.lesson))

    assert run_key(pair.spec, pair.config) == starter == run_key(lesson_spec(0.0), cli)
    assert (cli.seed, cli.data_seed, cli.epochs) == (LOCKED, DATA_SEED, EPOCHS)
