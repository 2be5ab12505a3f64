"""Names and dates agree everywhere a learner reads them: the original dropout is Hinton et al.
2012 (the arXiv paper), the JMLR paper Srivastava et al. 2014. A label such as "Original (2014)"
beside prose that says 2012 fails here, in the words (lessons/, labs/) and in the code (app/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dropout_lab.lesson import explore

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("lessons", "labs", "app")
SUFFIXES = {".md", ".toml", ".py", ".js", ".html"}
# (what, pattern whose group is the year, the year it must be)
DATES = [
    (
        "Hinton et al.",
        re.compile(r"Hinton(?: et al\.| and colleagues)?,? (?:in )?\(?(\d{4})"),
        "2012",
    ),
    ("Srivastava et al.", re.compile(r"Srivastava et al\.,? \(?(\d{4})"), "2014"),
    (
        "the original form",
        re.compile(r"\b[Oo]riginal (?:dropout |form )?(?:of |\()(\d{4})"),
        "2012",
    ),
]


def texts() -> list[tuple[str, str]]:
    files = [p for folder in FOLDERS for p in sorted((ROOT / folder).rglob("*"))
             if p.suffix in SUFFIXES and p.is_file()]  # fmt: skip
    return [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in files]


@pytest.mark.parametrize(("what", "pattern", "year"), DATES, ids=[d[0] for d in DATES])
def test_each_paper_has_one_year_everywhere(what: str, pattern: re.Pattern, year: str) -> None:
    found = [(path, m.group(0)) for path, text in texts() for m in pattern.finditer(text)]
    assert found, f"{what}: no mention found (the pattern no longer matches the words)"
    assert [(path, said) for path, said in found if not said.endswith(year)] == []


def test_the_forms_are_named_as_the_prose_dates_them() -> None:
    names = explore.content()["forms"]["names"]
    assert names["original"] == "Original (2012)" and "Keras" in names["inverted"]
    assert [row["form"] for row in explore.forms_table(0.5)] == [names["inverted"],
                                                                  names["original"]]  # fmt: skip
    assert "Hinton et al., 2012" in explore.content()["forms"]["explain"]
