"""What the lesson's own runs answer to its predictions (lessons/predictions.toml): the shape of
the no-dropout run's validation loss, what Dropout(0.3) did to the validation accuracy, and the
sweep's rate with the lowest validation loss. The predictions themselves, and how an answer is
checked and written, are `lesson/predictions.py`'s. Pure: no Streamlit, no TensorFlow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dropout_lab.findings.run_claims import SAME, curve
from dropout_lab.lesson import predictions as pr
from dropout_lab.lesson.predictions import History, Value

LAST_PART = 0.25  # "keep falling": still falling over the last quarter of the epochs


def shape_of(history: History) -> str:
    """What the validation loss did, by the Compare step's own thresholds (findings/run_claims):
    "climb" when it ends more than CLIMB above its lowest; "fall" when its lowest comes in the
    last TAIL of the epochs and it still fell by more than SAME over the last LAST_PART of
    them; "level" otherwise (a curve creeping down by a hair has levelled off)."""
    c = curve([history])
    if c.climbs:
        return "climb"
    start = c.val_loss[min(c.epochs - 1, int((1 - LAST_PART) * c.epochs))]
    fell = start > c.final * (1 + SAME)
    return "fall" if c.still_falling and fell else "level"


def accuracy_change(no_dropout: History, dropout: History) -> float:
    """Final validation accuracy with dropout minus without, in percentage points."""
    return 100.0 * (float(dropout["val_accuracy"][-1]) - float(no_dropout["val_accuracy"][-1]))


def lowest_loss_row(rows: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The sweep's summary row (findings/sweep.py `summary_rows`) with the lowest mean final
    validation loss (the lower rate on a tie), or None without rows."""
    return min(rows, key=lambda r: (r["final_val_loss"], r["rate"])) if rows else None


def outcomes(
    no_dropout: History | None = None,
    dropout: History | None = None,
    sweep_rows: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Value]:
    """Each prediction's outcome that the given runs can say (Explore's always)."""
    out: dict[str, Value] = {
        pr.EXPLORE: pr.scale_factor(pr.get(pr.EXPLORE).rate or 0.0),
        pr.EXPLORE_UNSCALED: pr.unscaled_outcome(pr.get(pr.EXPLORE_UNSCALED).rate or 0.0),
    }
    if no_dropout is not None and no_dropout.get("val_loss"):
        out[pr.BUILD_SHAPE] = shape_of(no_dropout)
        if dropout is not None and dropout.get("val_accuracy"):
            out[pr.BUILD_ACCURACY] = accuracy_change(no_dropout, dropout)
    best = lowest_loss_row(sweep_rows)
    if best is not None:
        out[pr.COMPARE] = float(best["rate"])
    return out
