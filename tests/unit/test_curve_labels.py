"""The gap panel's last-gap labels (charts/curves.py): written right of the panel's end, where
no line is drawn, and kept apart when two runs end with nearly the same gap."""

from __future__ import annotations

import itertools

import pytest

from dropout_lab.charts.curves import LABEL_PX, Curve, curves_parts


def history(last_gap: float, n: int = 10) -> dict[str, list[float]]:
    loss = [1.0 - 0.05 * e for e in range(n)]
    return {"loss": loss, "val_loss": [v + last_gap for v in loss],
            "accuracy": [0.5] * n, "val_accuracy": [0.5] * n}  # fmt: skip


def test_labels_sit_right_of_every_line_and_apart_from_each_other() -> None:
    runs = [Curve("a", history(0.50)), Curve("b", history(0.51)), Curve("c", history(0.49)),
            Curve("d", history(1.50), None), Curve("short", history(0.2, n=4))]  # fmt: skip
    parts = curves_parts(runs, epochs_total=10, height=400)
    labels = [t for t in parts.traces if t.get("mode") == "text"]
    lines = [t for t in parts.traces if t.get("mode") != "text" and t.get("xaxis") == "x3"]
    assert [t["text"][0] for t in labels] == ["0.50", "0.51", "0.49", "1.50", "0.20"]
    x_end = parts.layout["xaxis"]["range"][1]
    assert all(t["x"] == [x_end] and t["textposition"] == "middle right" for t in labels)
    assert all(max(t["x"]) < x_end for t in lines)  # every line ends inside the axis
    assert not any(t.get("cliponaxis", True) for t in labels)  # drawn in the right margin
    assert parts.layout["margin"]["r"] >= 45  # wide enough for "-0.05" at 13 px
    # Apart by at least a label's height, on the panel's own scale.
    plot_px = 400 - parts.layout["margin"]["t"] - parts.layout["margin"]["b"]
    ys = sorted(t["y"][0] for t in labels)
    span = (1.50 - 0.0) * 1.1
    assert min(b - a for a, b in itertools.pairwise(ys)) >= LABEL_PX / plot_px * span - 1e-9
    far = next(t for t in labels if t["text"] == ["1.50"])
    assert far["y"] == [pytest.approx(1.5)]  # nothing near it: level with its run's last gap
