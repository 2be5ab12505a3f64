"""Compare's curves: the lesson's stored runs the learner chose, with the learner's own Build runs
merged in. A learner's run that is one of the shown lesson runs (same run key, so stored in full)
is not drawn twice: that curve's label says so ("Dropout(0.3) = your model"). Any other (another
model, or a stopped run: not the stored one) gets a curve of its own, in its own colour."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dropout_lab.charts import run_colours
from dropout_lab.charts.curves import Curve

History = dict[str, list[float]]


def merged(
    names: Sequence[str],
    loaded: Mapping[str, History],
    labels: Mapping[str, str],
    shown: Mapping[str, str],
    mine: Sequence[tuple[str, str, History]],
) -> list[Curve]:
    """The curves of the lesson runs `names` that are `loaded` (by name), in that order, then the
    learner's runs `mine` ((label, run key, history)). `shown` maps the run key of each lesson
    run in `names` to its name; `labels` a lesson run's name to its label."""
    curves = [Curve(labels[n], loaded[n], run_colours.COLOURS[n]) for n in names if n in loaded]
    for label, key, history in mine:
        i = next((i for i, c in enumerate(curves) if key in shown
                  and c.label == labels[shown[key]]), None)  # fmt: skip
        if i is not None:
            curves[i] = curves[i]._replace(label=f"{curves[i].label} = {label.lower()}")
        else:
            curves.append(Curve(label, history, run_colours.session_colour(label)))
    return curves
