"""The lesson configuration file: defaults, the example file, and clear errors."""

from __future__ import annotations

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
