"""Words of the steps, kept as TOML data in lessons/ so teachers edit text, not Python."""

from __future__ import annotations

import tomllib
from functools import cache

from dropout_lab.lesson.locate import LESSONS_DIR


@cache
def step_text(name: str) -> dict:
    """The contents of lessons/<name>.toml (read once per process; the files are read-only)."""
    with (LESSONS_DIR / f"{name}.toml").open("rb") as f:
        return tomllib.load(f)


def markdown_table(rows: list[dict[str, str]]) -> str:
    """A GitHub-style markdown table (cheaper to render than a dataframe for a few cells)."""
    if not rows:
        return ""
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(row[h]) for h in header) + " |" for row in rows]
    return "\n".join(lines)
