"""The Reflect step's Monte Carlo dropout figures: one packet's passes, the whole set's spread
and rejection curves, and the spread on two scales (probability, logit). Pure: statistics from
`findings/mc_stats.py` and `findings/mc_spread.py` in, `go.Figure` out."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dropout_lab.charts import panels as pn
from dropout_lab.findings.mc_spread import Spread
from dropout_lab.findings.mc_stats import (
    KEEP_FRACTIONS,
    THRESHOLD,
    PacketStats,
    SetStats,
    rejection_curve,
)

THRESHOLD_GREY = "#777777"


def _axis(title: str, theme: str, **extra) -> dict:
    return pn.axis(title, theme, zeroline=False, **extra)


def _vline(x: float, y_domain: list[float], colour: str, dash: str, xref: str) -> dict:
    line = {"color": colour, "width": 2, "dash": dash}
    return {"type": "line", "x0": x, "x1": x, "y0": y_domain[0], "y1": y_domain[1],
            "xref": xref, "yref": "paper", "line": line}  # fmt: skip


def _row_label(text: str, dom: list[float]) -> dict:
    """A stacked panel's title, left-aligned on its top edge."""
    return {"text": text, "x": 0, "y": dom[1], "xref": "paper", "yref": "paper",
            "xanchor": "left", "yanchor": "bottom", "showarrow": False,
            "font": {"size": 12}}  # fmt: skip


def packet_figure(
    main: PacketStats,
    contrast: PacketStats | None,
    labels: tuple[str, str],
    theme: str = "light",
) -> go.Figure:
    """Histograms of P(malicious) over the passes: the dropout model on top, the no-dropout
    model below, on the same axis. Lines: MC mean (solid), dropout off (dashed), 0.5 (dotted)."""
    ink, off = pn.foreground(pn.INK, theme), pn.foreground(pn.VERMILLION, theme)
    main_colour, contrast_colour = pn.foreground(pn.BLUE, theme), pn.foreground(pn.GREY, theme)
    rows = [(main, labels[0], main_colour)]
    rows += [(contrast, labels[1], contrast_colour)] if contrast else []
    doms = [[0.42, 1.0], [0.0, 0.2]] if contrast else [[0.0, 1.0]]
    traces, shapes, annotations, axes = [], [], [], []
    layout = pn.base_layout(
        460 if contrast else 345, theme, margin={"l": 60, "r": 20, "t": 46, "b": 40},
        bargap=0.05, legend=pn.legend(-0.16, font={"size": 12}),
    )  # fmt: skip
    for k, ((stats, label, colour), dom) in enumerate(zip(rows, doms, strict=True), 1):
        xref = pn.on_panel(k)["xaxis"]
        traces.append({
            "type": "histogram", "x": stats.probs, **pn.on_panel(k),
            "xbins": {"start": 0.0, "end": 1.0001, "size": 0.02}, "name": label,
            "showlegend": False, "marker": {"color": colour, "line": {"color": ink, "width": 0.5}},
            "hovertemplate": "P(malicious) %{x}<br>%{y} passes<extra></extra>",
        })  # fmt: skip
        shapes += [
            _vline(THRESHOLD, dom, THRESHOLD_GREY, "dot", xref),
            _vline(stats.deterministic, dom, off, "dash", xref),
            _vline(stats.mean, dom, ink, "solid", xref),
        ]
        annotations.append(
            # two lines: on one, a long model name ran off the right edge of a phone
            _row_label(f"<b>{label}</b><br>{stats.passes} passes · std {stats.std:.3f}", dom)
        )
        last = k == len(rows)
        x_title = "P(malicious)" if last else ""
        axes.append((
            _axis(x_title, theme, range=[0, 1], dtick=0.1,
                  showticklabels=last or len(rows) == 1),
            _axis("passes", theme, rangemode="tozero"),
        ))  # fmt: skip
    pn.place(layout, axes, doms, along="y")
    # Legend entries for the three marker lines (shapes have no legend of their own).
    for name, colour, dash in (("MC mean", ink, "solid"), ("dropout off", off, "dash"),
                               ("alert threshold 0.5", THRESHOLD_GREY, "dot")):  # fmt: skip
        traces.append({"type": "scatter", "mode": "lines", "x": [None], "y": [None],
                       "name": name, "line": {"color": colour, "dash": dash, "width": 2},
                       "hoverinfo": "skip"})  # fmt: skip
    layout.update(shapes=shapes, annotations=annotations)
    return pn.make_figure(traces, layout)


def _uncertainty_traces(stats: SetStats, fractions: Sequence[float], theme: str) -> list[dict]:
    ink = pn.foreground(pn.INK, theme)
    blue, wrong = pn.foreground(pn.BLUE, theme), pn.foreground(pn.VERMILLION, theme)
    orange = pn.foreground(pn.ORANGE, theme)
    correct = stats.mc_correct
    mc_curve = rejection_curve(stats.std, correct, fractions)
    det_curve = rejection_curve(-stats.det_confidence, stats.det_correct, fractions)
    top = float(max(stats.std.max(), 1e-3))
    size = top / 30
    kept = [f * 100 for f in fractions]
    return [
        {"type": "histogram", "x": stats.std[correct], "name": "right", "histnorm": "percent",
         "xbins": {"start": 0, "end": top + size, "size": size}, "opacity": 0.75,
         "marker": {"color": blue}, **pn.on_panel(1),
         "hovertemplate": "std %{x}<br>%{y:.1f}% of right predictions<extra></extra>"},
        {"type": "histogram", "x": stats.std[~correct], "name": "wrong", "histnorm": "percent",
         "xbins": {"start": 0, "end": top + size, "size": size},
         "marker": {"color": "rgba(213,94,0,0.35)", "line": {"color": wrong, "width": 1},
                    "pattern": {"shape": "/", "fgcolor": wrong, "solidity": 0.4}},
         **pn.on_panel(1),
         "hovertemplate": "std %{x}<br>%{y:.1f}% of wrong predictions<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "x": kept, "y": mc_curve,
         "name": "keep the lowest MC spread", "line": {"color": blue, "width": 2.5},
         "marker": {"symbol": "circle", "size": 7}, **pn.on_panel(2),
         "hovertemplate": "most certain %{x:.0f}% (MC spread)<br>accuracy %{y:.3f}<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "x": kept, "y": det_curve,
         "name": "keep the highest dropout-off confidence", **pn.on_panel(2),
         "line": {"color": orange, "width": 2, "dash": "dash"},
         "marker": {"symbol": "square", "size": 6},
         "hovertemplate": "most confident %{x:.0f}% (dropout off)<br>accuracy %{y:.3f}"
                          "<extra></extra>"},
        {"type": "scatter", "mode": "lines", "x": [kept[0], kept[-1]],
         "y": [correct.mean()] * 2, "name": "keep everything (MC mean)", **pn.on_panel(2),
         "line": {"color": ink, "width": 1.5, "dash": "dot"}, "hoverinfo": "skip"},
    ]  # fmt: skip


def uncertainty_parts(
    stats: SetStats, fractions: Sequence[float] = KEEP_FRACTIONS, theme: str = "light"
) -> pn.Parts:
    """The whole-set figure's traces and layout."""
    traces = _uncertainty_traces(stats, fractions, theme)
    layout = pn.base_layout(
        400, theme, barmode="overlay", margin={"l": 60, "r": 20, "t": 40, "b": 60},
        legend=pn.legend(-0.2),
    )  # fmt: skip
    axes = [
        (_axis("MC spread (std of P(malicious))", theme),
         _axis("% of connections", theme)),
        (_axis("% of connections kept, most certain first", theme, range=[0, 102]),
         _axis("accuracy on the kept ones", theme)),
    ]  # fmt: skip
    titles = ["MC spread: right vs wrong", "Rejection curve"]
    pn.side_by_side(layout, axes, gap=0.12, titles=titles, title_y=1.08, title_size=None)
    return pn.Parts(traces, layout)


def uncertainty_figure(
    stats: SetStats, fractions: Sequence[float] = KEEP_FRACTIONS, theme: str = "light"
) -> go.Figure:
    """Left: MC spread of right and wrong predictions. Right: the rejection curves."""
    return pn.join(uncertainty_parts(stats, fractions, theme))


def spread_parts(spread: Spread, theme: str = "light") -> pn.Parts:
    """Two panels against the MC mean P(malicious): the spread of P, squeezed to 0 at the
    edges, and the spread of the logit, which is not. Confident connections whose probability
    spread is small while their logit spread is large are drawn in vermilion on both."""
    squeezed = spread.squeezed()
    traces = []
    for k, (values, label) in enumerate(((spread.prob_std, "P"), (spread.logit_std, "logit")), 1):
        for mask, name, colour in ((~squeezed, "other connections", pn.BLUE),
                                   (squeezed, "confident, squeezed", pn.VERMILLION)):  # fmt: skip
            traces.append({
                "type": "scatter", "mode": "markers", "x": spread.mean[mask].tolist(),
                "y": values[mask].tolist(), "name": name, "legendgroup": name,
                "marker": {"color": pn.foreground(colour, theme), "size": 5, "opacity": 0.6},
                **pn.on_panel(k),
                "hovertemplate": f"MC mean %{{x:.3f}}<br>spread of the {label} %{{y:.3f}}"
                "<extra></extra>",
            })  # fmt: skip
    layout = pn.base_layout(360, theme, margin={"l": 60, "r": 20, "t": 40, "b": 60},
                            legend=pn.legend(-0.22))  # fmt: skip
    mean_axis = _axis("MC mean P(malicious)", theme, range=[-0.02, 1.02])
    axes = [(mean_axis, _axis("std of P(malicious)", theme)),
            ({**mean_axis}, _axis("std of the logit", theme))]  # fmt: skip
    titles = ["Spread of P: squeezed near 0 and 1", "Spread of the logit: not squeezed"]
    pn.side_by_side(layout, axes, gap=0.12, titles=titles, title_y=1.08, title_size=None)
    return pn.Parts(traces, layout)
