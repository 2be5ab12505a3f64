"""What a quiz item asks of the learner (its level and task) and the small figure it may show.

Declared in lessons/quiz.toml beside each item:

- `level`: "recall" (say what was read), "apply" (use it on a new case: compute, predict) or
  "analyse" (diagnose: read a chart, find a bug, judge a claim). At most a third recall.
- `task` (optional): "read-chart", "find-bug" or "compute", the kinds of item a quiz of
  understanding needs (tests/unit/test_quiz_mix.py counts them).
- `figure` (optional): the curves the item asks about, as data. Either synthetic values,
  `{ metric = "loss", series = { training = [...], validation = [...] } }`, or one of the
  lesson's stored runs, `{ run = "no_dropout", keys = ["accuracy", "val_accuracy"],
  line = 0.92 }`: such an item is asked only where the runs are (Reflect's review), and only
  when the run's last value of its first key is above `line` (the premise the item states).

Pure: no Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LEVELS = ("recall", "apply", "analyse")
TASKS = ("read-chart", "find-bug", "compute")
RECALL_SHARE_MAX = 1 / 3


@dataclass(frozen=True)
class Figure:
    """Curves drawn with a quiz item: synthetic `series`, or a stored `run`'s history `keys`."""

    metric: str = ""
    series: tuple[tuple[str, tuple[float, ...]], ...] = ()
    run: str = ""
    keys: tuple[str, ...] = ()
    line: float | None = None  # a level drawn across (and, for a run, its premise)

    def from_history(self, history: Mapping[str, Sequence[float]]) -> Figure | None:
        """This figure with the run's curves filled in; None when the run lacks a key or does
        not clear `line` (the item's premise would be false)."""
        if not all(history.get(k) for k in self.keys):
            return None
        if self.line is not None and not history[self.keys[0]][-1] > self.line:
            return None
        series = tuple((k, tuple(float(v) for v in history[k])) for k in self.keys)
        return Figure(self.metric, series, "", self.keys, self.line)


def level(entry: Mapping[str, Any], where: str) -> str:
    """The item's level; an item not tagged counts as recall (the mix's conservative side)."""
    found = entry.get("level", "recall")
    if found not in LEVELS:
        raise ValueError(f"{where}: 'level' must be one of {LEVELS}, got {found!r}")
    return found


def task(entry: Mapping[str, Any], where: str) -> str:
    found = entry.get("task", "")
    if found and found not in TASKS:
        raise ValueError(f"{where}: 'task' must be one of {TASKS}, got {found!r}")
    return found


def figure(entry: Mapping[str, Any], where: str) -> Figure | None:
    """The item's `figure` table, checked; None when it has none."""
    found = entry.get("figure")
    if found is None:
        return None
    if not isinstance(found, Mapping):
        raise ValueError(f"{where}: 'figure' must be a table")
    metric = str(found.get("metric", "")).strip()
    line = found.get("line")
    if line is not None and (isinstance(line, bool) or not isinstance(line, int | float)):
        raise ValueError(f"{where}: the figure's 'line' must be a number")
    line = None if line is None else float(line)
    if "run" in found:
        keys = found.get("keys")
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            raise ValueError(f"{where}: a run figure needs 'keys', the history's curves")
        return Figure(metric, (), str(found["run"]), tuple(keys), line)
    series = found.get("series")
    if not isinstance(series, Mapping) or not series:
        raise ValueError(f"{where}: the figure needs 'series' (name = [values]) or a 'run'")
    out = []
    for name, values in series.items():
        if (not isinstance(values, list) or len(values) < 2
                or not all(_number(v) for v in values)):  # fmt: skip
            raise ValueError(f"{where}: series {name!r} must list two or more numbers")
        out.append((str(name), tuple(float(v) for v in values)))
    if len({len(v) for _, v in out}) != 1:
        raise ValueError(f"{where}: the figure's series must have the same length")
    return Figure(metric, tuple(out), line=line)


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def mix(levels: Sequence[str]) -> dict[str, int]:
    """How many items of each level, in LEVELS' order."""
    return {name: sum(lv == name for lv in levels) for name in LEVELS}
