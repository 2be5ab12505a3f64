"""The lesson's words, kept as TOML data in lessons/ so teachers edit text, not Python.

`step_text` is the one way code reaches them: lessons/<name>.toml, or one entry of it by a
dotted key. The loaders that check a file's shape (the quiz, Reflect's questions, the
predictions, the concept check) read their own files through `read_toml`, the one reader, so a
test or a teacher can hand them another file.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from dropout_lab.lesson.locate import LESSONS_DIR


def read_toml(path: Path) -> dict[str, Any]:
    """The contents of one TOML file (read afresh: a loader checks what it is given)."""
    with path.open("rb") as f:
        return tomllib.load(f)


@cache
def _file(name: str) -> dict[str, Any]:
    return read_toml(LESSONS_DIR / f"{name}.toml")


def step_text(name: str, key: str = "") -> Any:
    """The contents of lessons/<name>.toml, or its entry at the dotted `key` (`"names"`,
    `"refused.import"`): a table, a template or a list. Read once per process (the files are
    read-only)."""
    node: Any = _file(name)
    for part in key.split(".") if key else ():
        node = node[part]
    return node


def markdown_table(rows: list[dict[str, str]]) -> str:
    """A GitHub-style markdown table (cheaper to render than a dataframe for a few cells)."""
    if not rows:
        return ""
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(row[h]) for h in header) + " |" for row in rows]
    return "\n".join(lines)
