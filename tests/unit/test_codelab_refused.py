"""The code lab's reader refuses everything else with a clear message on the right line."""

from __future__ import annotations

import pytest

from dropout_lab.codelab import reader as codelab
from dropout_lab.codelab.reader import MAX_CHARS, check_goals, parse_code
from tests.support.codelab import (
    LAB,
    VALID,
    with_layer,
)
from tests.support.codelab_refused import REFUSED

# ------------------------------------------------------------------------------------------------
# Refused: (code, line, keyword that the message must contain)
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_with_a_clear_message(name):
    code, line, keyword = REFUSED[name]
    result = parse_code(code)
    assert not result.ok
    assert result.errors, "a refusal must say why"
    matching = [e for e in result.errors if keyword.lower() in e.message.lower()]
    assert matching, f"no message mentions {keyword!r}: {result.errors}"
    assert matching[0].line == line, result.errors
    for error in result.errors:
        assert len(error.message) > 20
        assert "Traceback" not in error.message


def test_errors_are_collected_and_sorted_by_line():
    code = with_layer(
        "keras.layers.Dense(0),\n        keras.layers.Dropout(2),",
        "model.compile(optimizer='nope', loss='mse')",
    )
    result = parse_code("import os\n" + code)
    lines = [e.line for e in result.errors]
    assert lines == sorted(lines)
    assert len(result.errors) >= 5
    assert {1, 7, 8, 12} <= set(lines)


def test_errors_are_capped():
    code = VALID + "x\n" * 200
    result = parse_code(code)
    assert len(result.errors) == codelab.MAX_ERRORS
    assert "more problems" in result.errors[-1].message


def test_dropout_after_output_still_gives_a_reading_for_the_checklist():
    code = REFUSED["dropout after output"][0]
    result = parse_code(code)
    assert not result.ok
    assert result.spec is not None
    goals = {g.id: g.met for g in check_goals(result.spec, LAB)}
    assert goals["no_dropout_after_output"] is False


def test_length_is_checked_before_parsing(monkeypatch):
    import ast

    def boom(*args, **kwargs):
        raise AssertionError("ast.parse must not see over-long input")

    monkeypatch.setattr(ast, "parse", boom)
    result = parse_code("x" * (MAX_CHARS + 1))
    assert "20,000" in result.errors[0].message
