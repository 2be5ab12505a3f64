"""Words of the steps, kept as TOML data in lessons/ so teachers edit text, not Python."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LESSONS = Path(__file__).resolve().parents[2] / "lessons"


@cache
def step_text(name: str) -> dict:
    """The contents of lessons/<name>.toml (read once per process; the files are read-only)."""
    with (LESSONS / f"{name}.toml").open("rb") as f:
        return tomllib.load(f)
