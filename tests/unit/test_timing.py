"""The benchmark's timing hook: silent by default, parseable when asked for."""

from __future__ import annotations

from dropout_lab.ui.timing import ENV, parse_timings, timed


def test_silent_without_the_environment_variable(monkeypatch, capsys) -> None:
    monkeypatch.delenv(ENV, raising=False)
    with timed("x"):
        pass
    assert capsys.readouterr().err == ""


def test_prints_wall_and_cpu_milliseconds(monkeypatch, capsys) -> None:
    monkeypatch.setenv(ENV, "1")
    with timed("explore.fragment"):
        sum(range(10_000))
    log = capsys.readouterr().err
    assert len(parse_timings(log, "explore.fragment")) == 1
    assert len(parse_timings(log, "explore.fragment.cpu")) == 1
    assert parse_timings(log, "other") == []
