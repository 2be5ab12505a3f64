"""The goal checks a Keras lab's checklist can name, defined once.

`labs/<lab>/lab.toml` names a check by its id (`check = "dropout_rate"`) and gives its
parameters (`rate = 0.3`); the lab loader (`lesson/labs.py`) validates both against `CHECKS` and
refuses an unknown id or parameter with a clear message. The code lab (`codelab/goals.py`) runs
the checks on the learner's model. Each check is a pure predicate over a `ModelSpec`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from dropout_lab.lesson.layers import DROPOUT_KINDS
from dropout_lab.lesson.spec import ModelSpec

Params = Mapping[str, Any]


@dataclass(frozen=True)
class GoalCheck:
    """A rule over a ModelSpec; `params` are the (optional) parameters a lab may give it."""

    id: str
    params: tuple[str, ...]
    holds: Callable[[ModelSpec, Params], bool]


def _dense_positions(spec: ModelSpec) -> list[int]:
    return [i for i, layer in enumerate(spec.layers) if layer.kind == "Dense"]


def _dropout_after_each_hidden(spec: ModelSpec, params: Params) -> bool:
    """Every hidden Dense is followed by a dropout layer before the next Dense."""
    dense = _dense_positions(spec)
    if len(dense) < 2:
        return False
    return all(
        any(layer.kind in DROPOUT_KINDS for layer in spec.layers[a + 1 : b])
        for a, b in itertools.pairwise(dense)
    )


def _dropout_rate(spec: ModelSpec, params: Params) -> bool:
    """Every dropout layer has the rate `rate` (without it: any rate strictly inside (0, 1))."""
    rates = spec.dropout_rates()
    target = params.get("rate")
    if not rates:
        return False
    if target is None:
        return all(0 < r < 1 for r in rates)
    return all(math.isclose(r, float(target), abs_tol=1e-9) for r in rates)


def _no_dropout_after_output(spec: ModelSpec, params: Params) -> bool:
    """No dropout layer comes after the last Dense (the output)."""
    dense = _dense_positions(spec)
    if not dense:
        return False
    return not any(layer.kind in DROPOUT_KINDS for layer in spec.layers[dense[-1] + 1 :])


CHECKS: Mapping[str, GoalCheck] = MappingProxyType(
    {
        check.id: check
        for check in (
            GoalCheck("dropout_after_each_hidden", (), _dropout_after_each_hidden),
            GoalCheck("dropout_rate", ("rate",), _dropout_rate),
            GoalCheck("no_dropout_after_output", (), _no_dropout_after_output),
        )
    }
)
