"""The lesson configuration file: defaults, the example file, and clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dropout_lab.lesson import lesson_config
from dropout_lab.lesson.lesson_config import LessonConfig, LessonConfigError, load, parse
from dropout_lab.lesson.steps import STEP_IDS

EXAMPLE = Path(__file__).resolve().parents[2] / "lessons" / "class-example.toml"


def test_without_a_file_every_default_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(lesson_config.ENV, raising=False)
    cfg = load()
    assert cfg == LessonConfig()
    assert cfg.open_steps == STEP_IDS and cfg.quiz_pass == 0.8 and cfg.data_seed is None


def test_the_example_file_is_valid() -> None:
    cfg = load(EXAMPLE)
    assert cfg.class_code == "SOC-101"
    assert cfg.max_epochs == 100 and cfg.epochs == 50 and cfg.data_seed == 0
    assert cfg.sweep_rates == (0.0, 0.3, 0.5)


def test_the_path_comes_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    f = tmp_path / "l.toml"
    f.write_text('[steps]\nopen = ["read", "explore"]\n')
    monkeypatch.setenv(lesson_config.ENV, str(f))
    cfg = load()
    assert cfg.open_steps == ("explore", "read")  # lesson order
    assert cfg.is_open("read") and not cfg.is_open("build")
    assert cfg.source == str(f)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"bogus": {}}, "unknown section [bogus]"),
        ({"build": {"epoch": 3}}, "unknown key 'epoch' in [build]"),
        ({"build": {"max_epochs": 0}}, "[build] max_epochs must be an integer 1..300"),
        ({"build": {"max_epochs": 301}}, "max_epochs must be"),
        ({"build": {"epochs": "50"}}, "[build] epochs must be"),
        ({"build": {"seed": True}}, "[build] seed must be"),
        ({"build": {"data_seed": -1}}, "[build] data_seed must be"),
        ({"build": {"epochs": 60, "max_epochs": 50}}, "is above [build] max_epochs"),
        ({"steps": {"open": []}}, "[steps] open must be a non-empty list"),
        ({"steps": {"open": ["explore", "nope"]}}, "step ids from"),
        ({"steps": {"open": ["read", "read"]}}, "distinct"),
        ({"compare": {"sweep_rates": [0.3, 0.4]}}, "[compare] sweep_rates must be"),
        ({"compare": {"sweep_rates": []}}, "sweep_rates must be"),
        ({"read": {"quiz_pass": 0}}, "[read] quiz_pass must be a number in (0, 1]"),
        ({"read": {"quiz_pass": 1.5}}, "quiz_pass"),
        ({"class": {"code": "a b"}}, "[class] code must be"),
        ({"steps": 3}, "steps must be a [steps] table"),
    ],
)
def test_mistakes_are_named_clearly(data: dict, message: str) -> None:
    with pytest.raises(LessonConfigError) as e:
        parse(data, "class.toml")
    assert message in str(e.value)
    assert str(e.value).startswith("class.toml")


def test_a_missing_or_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LessonConfigError, match="does not exist"):
        load(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[build\nepochs = 3")
    with pytest.raises(LessonConfigError, match="is not valid TOML"):
        load(bad)


def test_sweep_rates_accept_integers_and_are_sorted() -> None:
    assert parse({"compare": {"sweep_rates": [0.5, 0, 0.3]}}).sweep_rates == (0.0, 0.3, 0.5)


# ------------------------------------------------------- the lesson's training (issue 24, part 3)


def test_the_lesson_file_sets_the_training_and_the_budget() -> None:
    from dataclasses import replace

    from dropout_lab.lesson.labs import load_lab
    from dropout_lab.lesson.train_settings import train_settings

    lab = load_lab("overfit").config
    free = train_settings(LessonConfig())  # no file: the lab's run, nothing locked
    assert free.config == lab and free.locked_seed is None and free.budget_seconds == 60.0
    assert free.choose(epochs=5, seed=4) == replace(lab, epochs=5, seed=4)
    build = {"seed": 7, "data_seed": 3, "epochs": 12, "max_epochs": 20, "budget_seconds": 30}
    locked = train_settings(parse({"build": build}))
    assert locked.config == replace(lab, seed=7, data_seed=3, epochs=12)
    assert (locked.max_epochs, locked.locked_seed, locked.budget_seconds) == (20, 7, 30.0)
    assert locked.choose(epochs=99, seed=1) == replace(locked.config, epochs=20)  # cap and lock
    capped = train_settings(parse({"build": {"max_epochs": 20}}))  # the lab's 50, under the cap
    assert capped.config.epochs == 20


def test_the_lessons_runs_start_from_the_locked_seed() -> None:
    from dropout_lab.lesson import catalogue
    from dropout_lab.lesson.train_settings import train_settings

    base = train_settings(parse({"build": {"seed": 7}})).config
    seeds = {r.name: r.config.seed for r in catalogue.everything(base)}
    assert seeds[catalogue.NO_DROPOUT] == seeds[catalogue.DROPOUT] == seeds[catalogue.L2_ONLY] == 7
    assert [seeds[catalogue.sweep_name(0.5, s)] for s in catalogue.SEEDS] == [7, 8, 9]
    assert [seeds[catalogue.long_name(0.8, s)] for s in catalogue.SEEDS] == [7, 8, 9]
    default = train_settings(LessonConfig()).config  # no lock: the sweep's seeds are 0, 1, 2
    assert [r.config.seed for r in catalogue.requests(default)[-3:]] == [2, 2, 2]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--seed", "3"], "locks the training seed at 7 ([build] seed)"),
        (["--epochs", "21"], "--epochs must be 1..20 (the lesson file's [build] max_epochs)"),
        (["--code", "model.py"], "this lesson allows 1 s per run"),
    ],
)
def test_train_keeps_the_lesson_files_lock_cap_and_budget(argv, said, tmp_path, capsys) -> None:
    from dropout_lab import cli

    path = tmp_path / "lock.toml"
    path.write_text("[build]\nseed = 7\nmax_epochs = 20\nbudget_seconds = 1\n")
    wide = ", ".join(["keras.layers.Dense(2048, activation='relu')"] * 4)
    (tmp_path / "model.py").write_text(
        "import keras\nmodel = keras.Sequential([keras.Input(shape=(10,)), "
        f"{wide}, keras.layers.Dense(1, activation='sigmoid')])\n"
        "model.compile(optimizer='adam', loss='binary_crossentropy')\n"
    )
    argv = [str(tmp_path / a) if a == "model.py" else a for a in argv]
    assert cli.main(["train", "--lesson", str(path), *argv]) == 2  # refused before training
    err = capsys.readouterr().err
    assert said in err and len(err.strip().splitlines()) == 1, err


def test_serve_checks_the_lesson_file_before_starting(tmp_path: Path, monkeypatch, capsys) -> None:
    from dropout_lab import cli

    started = []
    monkeypatch.setattr(cli.os, "execv", lambda path, cmd: started.append(cmd))
    monkeypatch.delenv(lesson_config.ENV, raising=False)
    bad = tmp_path / "bad.toml"
    bad.write_text("[build]\nepochs = 0\n")
    assert cli.main(["serve", "--lesson", str(bad)]) == 2
    assert "[build] epochs must be" in capsys.readouterr().err
    assert not started
    assert cli.main(["serve", "--headless", "--lesson", str(EXAMPLE)]) == 0
    assert started and started[0][1:4] == ["-m", "dropout_lab.boot", "run"]
    import os

    assert os.environ[lesson_config.ENV] == str(EXAMPLE)


# ------------------------------------------------------------------ broken files (issue 22)

# (file name, its bytes, what the one line must say besides the file's name)
BROKEN = [
    ("latin1.toml", b'[class]\ncode = "caf\xe9"\n', "line 2 (key code) is not UTF-8"),
    ("binary.toml", b"\x00\xff\xfe" * 50, "is not UTF-8"),
    ("deep.toml", b"[build]\nepochs = " + b"[" * 5000 + b"]" * 5000, "line 2 (key epochs) nests"),
    ("deep-table.toml", b"[build]\nseed = " + b"{a=" * 3000 + b"1" + b"}" * 3000, "(key seed)"),
    ("long-int.toml", b"[build]\nepochs = " + b"9" * 5000, "line 2 (key epochs) has a number"),
    ("huge-rate.toml", b"[compare]\nsweep_rates = [" + b"9" * 400 + b"]", "[compare] sweep_rates"),
    ("huge-float.toml", b"[read]\nquiz_pass = 1e999", "[read] quiz_pass"),
    ("nan.toml", b"[build]\nbudget_seconds = nan", "[build] budget_seconds"),
    ("nested.toml", b"[build]\nepochs = [[[[1]]]]", "[build] epochs"),
    ("wrong-type.toml", b'[steps]\nopen = "explore"', "[steps] open"),
    ("not-table.toml", b"build = 3", "build must be a [build] table"),
    ("date.toml", b"[dashboard]\nidle_minutes = 1979-05-27", "[dashboard] idle_minutes"),
    ("roster.toml", b'[class]\ncode = "c"\nroster = [{a = 1}]', "[class] roster"),
    ("long-key.toml", b"[build]\n" + b"k" * 500 + b" = 1", "unknown key"),
    ("big.toml", b"# a comment\n" * 30_000, "larger than 256 KiB"),
    ("invalid.toml", b"[build\n", "is not valid TOML"),
]


@pytest.fixture(params=BROKEN, ids=[b[0] for b in BROKEN])
def broken(request, tmp_path: Path) -> tuple[Path, str]:
    name, content, said = request.param
    path = tmp_path / name
    path.write_bytes(content)
    return path, said


def test_a_broken_file_is_one_line_naming_the_file_and_key(broken) -> None:
    path, said = broken
    with pytest.raises(LessonConfigError) as raised:
        load(path)
    message = str(raised.value)
    assert str(path) in message and said in message, message
    assert "\n" not in message and len(message) < 400, message
    public = raised.value.public()  # what a browser is shown: the file's name, not its folders
    assert path.name in public and str(path.parent) not in public and said in public


def test_doctor_says_it_in_one_line(broken) -> None:
    from dropout_lab import doctor

    path, said = broken
    row = doctor.check_lesson(str(path))
    assert not row.ok and str(path) in row.detail and said in row.detail
    assert "\n" not in row.detail
    runs = doctor.check_precomputed(False, str(path))  # the row that needs the lesson's epochs
    assert not runs.ok and "lesson file is not valid" in runs.detail


def test_serve_stops_in_one_line(broken, capsys) -> None:
    import socket

    from dropout_lab import cli

    path, said = broken
    with socket.socket() as taken:  # were the file accepted, serve would stop at the port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        status = cli.main(["serve", "--lesson", str(path), "--port", port, "--host", "127.0.0.1"])
    os.environ.pop(lesson_config.ENV, None)  # serve sets it for the server it would start
    err = capsys.readouterr().err
    assert status == 2 and len(err.strip().splitlines()) == 1, err
    assert said in err and "fix the lesson file" in err


def test_the_doctor_command_with_a_broken_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "latin1.toml"
    path.write_bytes(BROKEN[0][1])
    env = {**os.environ, "DROPOUT_LAB_DATA_DIR": str(tmp_path / "data"), lesson_config.ENV: ""}
    out = subprocess.run(
        [sys.executable, "-m", "dropout_lab.cli", "doctor", "--lesson", str(path)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert out.returncode == 1 and "Traceback" not in out.stderr + out.stdout
    (row,) = [line for line in out.stdout.splitlines() if line.strip().startswith("✗  lesson file")]
    assert f"{path}: line 2 (key code) is not UTF-8" in row
    assert "the check itself failed" not in out.stdout
