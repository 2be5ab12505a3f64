"""One colour, one meaning, and the toolbar off the titles, over every figure the app builds (from
made-up data): the charts of every step, the predictions, the class view, each side-by-side
figure's phone panels, and the runs of Build, the backprop lab and Compare coloured as those
pages colour them."""

from __future__ import annotations

import re
from collections import defaultdict

import plotly.graph_objects as go
import pytest

from dropout_lab.charts import classroom, curves, modebar, panels, run_colours
from dropout_lab.charts import predictions as figures
from dropout_lab.lesson import catalogue
from dropout_lab.lesson import predictions as pr
from dropout_lab.lesson.content import step_text
from dropout_lab.ui import numpy_net
from tests.unit.test_charts import every_figure, history

THEMES = sorted(panels.THEMES)


def page_runs() -> list[list[curves.Curve]]:
    """The runs of each curves chart, built as its page builds them."""
    build = [curves.Curve(label, history(), run_colours.session_colour(label))
             for label in run_colours.SESSION_RUNS]  # fmt: skip
    words = numpy_net.net_run.texts()["labels"]
    stored = {catalogue.NO_DROPOUT: history(), catalogue.DROPOUT: history(offset=0.1)}
    backprop = [*numpy_net.variant_curves({v: history() for v in numpy_net.VARIANT_MEANINGS},
                                          words),
                *numpy_net.keras_pair_curves(stored, words),
                *(curves.Curve(f"Keras, {label}", history(), run_colours.session_colour(label))
                  for label in run_colours.SESSION_RUNS)]  # fmt: skip
    labels = step_text("compare")["curves"]["labels"]
    compare = [curves.Curve(labels[n], history(), run_colours.COLOURS[n]) for n in labels]
    compare += [curves.Curve(label, history(), run_colours.session_colour(label))
                for label in run_colours.SESSION_RUNS]  # fmt: skip
    solution = [
        curves.Curve("Your model", history(), run_colours.COLOURS["yours"]),
        curves.Curve("Reference solution", history(), run_colours.COLOURS["reference"]),
    ]
    return [build, backprop, compare, solution]  # fmt: skip


def all_figures(theme: str) -> list[go.Figure]:
    """Every figure builder's figures, and each side-by-side figure's panels as on a phone."""
    made = [*every_figure(theme)]
    made += [curves.curves_figure(runs, theme=theme) for runs in page_runs()]
    nd = history(8)
    dropout = history(8, offset=-0.05)
    reveal = figures.build_reveal_parts(nd, dropout, pr.Made("level"), pr.Made(4.0), theme=theme)
    rows = [{"rate": r, "final_val_loss": v, "final_val_loss_sd": 0.01, "seeds": 3}
            for r, v in ((0.0, 0.5), (0.3, 0.4), (0.5, 0.45))]  # fmt: skip
    made += [panels.join(reveal), *panels.split(reveal),
             figures.sweep_reveal_figure(rows, 0.5, theme=theme),
             classroom.class_sweep_figure([{"name": "Ada", "mean_rate": 0.3, "val_accuracy": 0.8,
                                            "val_loss": 0.4, "rates": [0.3]}], theme=theme),
             *panels.split(curves.curves_parts(page_runs()[2], theme=theme))]  # fmt: skip
    return made


# --------------------------------------------------------------------------- one meaning each

# What a series stands for, read from its name as a learner reads the legend (independent of the
# tables the app colours by): the learner's own, no dropout, the lesson's dropout, the others.
MEANING_WORDS = [
    ("yours", re.compile(r"\byours?\b|\byou\b", re.I)),
    ("no_dropout", re.compile(r"no dropout|without dropout|starter", re.I)),
    ("dropout_l2", re.compile(r"dropout\(0\.3\) \+ l2", re.I)),
    ("l2", re.compile(r"^l2", re.I)),
    ("early_stopping", re.compile(r"early stopping", re.I)),
    ("dropout", re.compile(r"dropout\(0\.3\)|reference", re.I)),
]


def meaning(series: str) -> str:
    """The meaning of a series named `series` (its own name when it is none of the runs')."""
    return next((m for m, words in MEANING_WORDS if words.search(series)), series)


def series_colours(fig: go.Figure) -> list[tuple[str, str]]:
    """(series, palette colour) of every line, marker and bar drawn in one colour: a run's
    lines ("label: training", "label: gap"...) are one series, its label."""
    out = []
    for t in fig.to_plotly_json()["data"]:
        name, group = str(t.get("name") or ""), str(t.get("legendgroup") or "")
        series = group if group and name.startswith(f"{group}: ") else name
        for part in (t.get("line") or {}, t.get("marker") or {}):
            colour = part.get("color")
            if isinstance(colour, str) and colour.startswith("#"):
                out.append((series, panels._canonical(colour)))
    return out


def test_each_meaning_has_its_own_colour_declared_once() -> None:
    colours = list(panels.MEANINGS.values())
    assert len(set(colours)) == len(colours)
    assert set(colours) <= {*panels.LINE_COLOURS, panels.INK}
    for name in (catalogue.NO_DROPOUT, catalogue.DROPOUT, *catalogue.REGULARISERS):
        assert run_colours.COLOURS[name] == panels.colour_of(name)
    assert run_colours.COLOURS["reference"] == panels.colour_of("dropout")


def test_every_figure_uses_one_colour_for_one_meaning() -> None:
    """The runs of every page, by what they are: vermilion is "no dropout" in Build, the
    backprop lab and Compare alike; pink is L2 only; the learner's own is always green."""
    meanings: dict[str, set[str]] = defaultdict(set)  # colour -> the meanings drawn in it
    colour_of: dict[str, set[str]] = defaultdict(set)  # series -> its colours
    for fig in all_figures("light"):
        for series, colour in series_colours(fig):
            colour_of[series].add(colour)
            if meaning(series) in panels.MEANINGS:  # a run's (a data class keeps its own)
                meanings[colour].add(meaning(series))
    assert {s: c for s, c in colour_of.items() if len(c) > 1} == {}
    assert {c: m for c, m in meanings.items() if len(m) > 1} == {}
    for m in ("no_dropout", "dropout", "yours", "l2", "early_stopping", "dropout_l2"):
        assert meanings[panels.colour_of(m)] == {m}, m  # each drawn, in its colour


def test_the_backprop_chart_names_the_learners_dropout_as_theirs() -> None:
    words = numpy_net.net_run.texts()["labels"]
    mine = numpy_net.variant_curves({v: history() for v in numpy_net.VARIANT_MEANINGS}, words)
    assert [c.colour for c in mine] == [panels.colour_of("no_dropout"), panels.colour_of("yours")]


# --------------------------------------------------------------------------- the toolbar


@pytest.mark.parametrize("theme", THEMES)
def test_no_title_or_legend_reaches_into_the_toolbars_band(theme: str) -> None:
    """Plotly draws its toolbar over a figure's top right; every figure keeps that band clear
    (tests/e2e/test_small_things.py measures the same in Chromium)."""
    low = []
    for k, fig in enumerate(all_figures(theme)):
        layout = fig.to_plotly_json()["layout"]
        low += [(k, what, round(top, 1)) for what, top in modebar.text_tops(layout)
                if top < modebar.MODEBAR_BAND - modebar.SLACK]  # fmt: skip
        go.Figure(fig.to_plotly_json())  # and still a valid figure
    assert low == []


def test_clearing_the_band_keeps_the_plot_area_and_is_done_once() -> None:
    layout = panels.base_layout(300, annotations=[panels.title("A title", [0, 1])])
    layout["margin"]["t"] = 30
    cleared = modebar.clear_of_modebar(layout)
    grew = cleared["height"] - layout["height"]
    assert grew > 0 and cleared["margin"]["t"] - layout["margin"]["t"] == grew
    assert modebar.clear_of_modebar(cleared) == cleared  # nothing more to do
    titled = modebar.clear_of_modebar(
        panels.base_layout(200, title={"text": "T"}, margin={"t": 30})
    )
    assert titled["title"]["yanchor"] == "top" and titled["title"]["yref"] == "container"
    assert (1 - titled["title"]["y"]) * titled["height"] == pytest.approx(modebar.MODEBAR_BAND)
