"""The lesson data's figure: two features of the connections, one marker per class."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dropout_lab.charts import panels as pn


def scatter_by_label(
    x: np.ndarray,
    y: np.ndarray,
    labels: np.ndarray,
    x_name: str,
    y_name: str,
    theme: str = "light",
) -> go.Figure:
    """Two features of the data, one marker colour and shape per class."""
    traces = []
    for value, name, colour, symbol in ((0, "benign", pn.BLUE, "circle"),
                                        (1, "malicious", pn.VERMILLION, "x")):  # fmt: skip
        sel = labels == value
        traces.append({
            "type": "scattergl", "mode": "markers", "x": x[sel], "y": y[sel], "name": name,
            "marker": {"color": pn.foreground(colour, theme), "symbol": symbol, "size": 6,
                       "opacity": 0.7},
        })  # fmt: skip
    layout = pn.base_layout(
        340, theme, margin={"l": 60, "r": 10, "t": 20, "b": 50},
        xaxis=pn.axis(x_name, theme), yaxis=pn.axis(y_name, theme), legend=pn.legend(1.08),
    )  # fmt: skip
    return pn.make_figure(traces, layout)
