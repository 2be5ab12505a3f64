"""The small curves figure a quiz item asks about (lessons/quiz.toml `figure`), and its text
alternative. Pure: no Streamlit."""

from __future__ import annotations

import plotly.graph_objects as go

from dropout_lab.charts import panels as pn
from dropout_lab.charts.describe import Description
from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.quiz_meta import Figure

HEIGHT = 260
COLOURS = (pn.BLUE, pn.VERMILLION, pn.GREEN, pn.PURPLE)


def _words() -> dict:
    return step_text("quiz", "words")


def _label(name: str) -> str:
    return _words()["series"].get(name, name)


def curves_figure(figure: Figure, theme: str = "light") -> go.Figure:
    """The item's curves against the epoch, with its level line (dashed) if it has one."""
    traces = []
    for k, (name, values) in enumerate(figure.series):
        colour = pn.foreground(COLOURS[k % len(COLOURS)], theme)
        traces.append({"type": "scatter", "mode": "lines+markers", "name": _label(name),
                       "x": list(range(1, len(values) + 1)), "y": list(values),
                       "line": {"color": colour, "dash": pn.dash_of(k), "width": 2},
                       "marker": {"symbol": pn.symbol_of(k), "size": 5,
                                  "color": colour}})  # fmt: skip
    layout = pn.base_layout(HEIGHT, theme, showlegend=True, legend=pn.legend(1.12),
                            xaxis=pn.axis(_words()["epoch"], theme),
                            yaxis=pn.axis(figure.metric, theme))  # fmt: skip
    layout["margin"] = {"l": 10, "r": 10, "t": 40, "b": 10}
    if figure.line is not None:
        ink = pn.theme_of(theme).text
        layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": figure.line,
                             "y1": figure.line, "line": {"color": ink, "dash": "dash",
                                                         "width": 1}}]  # fmt: skip
    return pn.make_figure(traces, layout)


def describe_curves(figure: Figure, name: str) -> Description:
    """The figure's name, a line per curve (start, lowest, end) and its values as a table."""
    words = _words()
    lines = []
    for label, values in figure.series:
        best = min(range(len(values)), key=values.__getitem__)
        lines.append(words["figure_series"].format(name=_label(label), first=values[0],
                                                   best=best + 1, low=values[best],
                                                   last=values[-1]))  # fmt: skip
    table = [{words["epoch"]: e + 1, **{_label(n): round(v[e], 4) for n, v in figure.series}}
             for e in range(len(figure.series[0][1]))]  # fmt: skip
    return Description(name.format(metric=figure.metric), " ".join(lines), table)
