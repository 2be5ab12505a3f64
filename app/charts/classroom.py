"""The instructor dashboard's figure: every submitted run of a class, validation accuracy against
its (mean) dropout rate. Pure: the store's sweep rows in, `go.Figure` out."""

from __future__ import annotations

import plotly.graph_objects as go

from dropout_lab.charts import panels as pn


def class_sweep_figure(sweep: list[dict], *, height: int = 420, theme: str = "light") -> go.Figure:
    """One marker per submitted run that has a validation accuracy, named by its learner."""
    points = [r for r in sweep if r.get("val_accuracy") is not None]
    trace = {
        "type": "scatter", "mode": "markers", "name": "runs",
        "x": [r["mean_rate"] for r in points], "y": [r["val_accuracy"] for r in points],
        "marker": {"size": 11, "opacity": 0.85, "color": pn.foreground(pn.GREEN, theme),
                   "line": {"width": 1, "color": pn.foreground(pn.INK, theme)}},
        "text": [r["name"] for r in points],
        "customdata": [[r.get("val_loss"), " ".join(f"{x:g}" for x in r.get("rates", []))]
                       for r in points],
        "hovertemplate": "%{text}<br>rate %{x:.2f} (%{customdata[1]})<br>"
        "val accuracy %{y:.3f}<br>val loss %{customdata[0]:.3f}<extra></extra>",
    }  # fmt: skip
    layout = pn.base_layout(
        height,
        theme,
        margin={"l": 60, "r": 20, "t": 30, "b": 50},
        xaxis=pn.axis("mean dropout rate of the model", theme,
                      range=[-0.05, 0.95]),
        yaxis=pn.axis("validation accuracy (final epoch)", theme),
        showlegend=False,
    )  # fmt: skip
    return pn.make_figure([trace], layout)
