"""The goal checks a Keras lab's checklist can name, defined once.

`labs/<lab>/lab.toml` names a check by its id (`check = "dropout_rate"`) and gives its
parameters (`rate = 0.3`); the lab loader (`lesson/labs.py`) validates both against `CHECKS` and
`RUN_CHECKS` and refuses an unknown id or parameter with a clear message. The code lab
(`codelab/goals.py`) runs them. A check in `CHECKS` is a pure predicate over a `ModelSpec` (judged
as the learner types); one in `RUN_CHECKS` is a predicate over a finished run's history (judged
on the learner's own run: an outcome, which more than one layout can reach).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from dropout_lab.lesson.layers import DROPOUT_KINDS
from dropout_lab.lesson.spec import ModelSpec
from dropout_lab.lesson.traffic import LABEL_NOISE

Params = Mapping[str, Any]
History = Mapping[str, Sequence[float]]


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


def _dropout_between_hidden(spec: ModelSpec, params: Params) -> bool:
    """Some dropout layer with a rate above 0 after a hidden Dense and before the output."""
    dense = _dense_positions(spec)
    if len(dense) < 2:
        return False
    between = spec.layers[dense[0] + 1 : dense[-1]]
    return any(layer.kind in DROPOUT_KINDS and (layer.rate or 0) > 0 for layer in between)


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
            GoalCheck("dropout_between_hidden", (), _dropout_between_hidden),
            GoalCheck("dropout_rate", ("rate",), _dropout_rate),
            GoalCheck("no_dropout_after_output", (), _no_dropout_after_output),
        )
    }
)


@dataclass(frozen=True)
class RunCheck:
    """A rule over a finished run's per-epoch history (`loss`, `accuracy`, `val_loss`, ...)."""

    id: str
    params: tuple[str, ...]
    holds: Callable[[History, Params], bool]


NEAR_BEST = 0.15  # val_loss_near_best's default: the final loss at most 15% above the lowest


def _val_loss_near_best(history: History, params: Params) -> bool:
    """The last epoch's validation loss is at most a fraction `within` above the run's lowest:
    the model did not drift into fitting the training set's noise by the end."""
    val = list(history.get("val_loss") or ())
    within = float(params.get("within", NEAR_BEST))
    return bool(val) and val[-1] <= min(val) * (1.0 + within)


def _not_memorising(history: History, params: Params) -> bool:
    """The last epoch's training accuracy is at most `accuracy` (default: 1 - the lesson's share
    of flipped labels, what a model gets without learning the flips by heart)."""
    acc = list(history.get("accuracy") or ())
    limit = float(params.get("accuracy", 1.0 - LABEL_NOISE))
    return bool(acc) and acc[-1] <= limit + 1e-9


RUN_CHECKS: Mapping[str, RunCheck] = MappingProxyType(
    {
        check.id: check
        for check in (
            RunCheck("val_loss_near_best", ("within",), _val_loss_near_best),
            RunCheck("not_memorising", ("accuracy",), _not_memorising),
        )
    }
)
if set(CHECKS) & set(RUN_CHECKS):
    raise RuntimeError("a goal check is declared twice")  # pragma: no cover
