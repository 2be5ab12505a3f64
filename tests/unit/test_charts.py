"""The panel helper: palette contrast (WCAG), the theme table, the one curves figure and the copy
of it that the exports carry."""

from __future__ import annotations

import colorsys
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dropout_lab.charts import curves, panels
from dropout_lab.charts.standalone import standalone_source


def luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour "#RRGGBB"."""
    h = hex_colour.lstrip("#")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_matches_wcag_reference_values() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


def hue(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    return colorsys.rgb_to_hsv(*(int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)))[0] * 360


PAIRS = [(theme, colour) for theme in sorted(panels.THEMES)
         for colour in (*panels.LINE_COLOURS, panels.GREY, panels.INK)]  # fmt: skip


@pytest.mark.parametrize(("theme", "colour"), PAIRS)
def test_line_colours_stand_out_from_each_theme_background(theme: str, colour: str) -> None:
    shown = panels.foreground(colour, theme)  # INK becomes the theme's own text colour
    assert contrast(shown, panels.theme_of(theme).background) >= 3.0


@pytest.mark.parametrize("theme", sorted(panels.THEMES))
def test_each_shade_keeps_its_hue_and_the_palette_stays_distinct(theme: str) -> None:
    shades = [panels.foreground(c, theme) for c in panels.LINE_COLOURS]
    assert len(set(shades)) == len(shades)
    for colour, shade in zip(panels.LINE_COLOURS, shades, strict=True):
        assert abs(hue(shade) - hue(colour)) < 2, (colour, shade)
    # Okabe-Ito orange and sky blue (2.25:1 and 2.31:1 on white) are the ones darkened there
    assert panels.foreground(panels.ORANGE, "light") != panels.ORANGE
    assert (
        contrast(panels.ORANGE, "#FFFFFF")
        < 3
        <= contrast(panels.foreground(panels.ORANGE, "light"), "#FFFFFF")
    )


@pytest.mark.parametrize("theme", sorted(panels.THEMES))
def test_rate_colours_reach_3_to_1_keep_viridis_hue_order_and_differ(theme: str) -> None:
    from dropout_lab.charts import sweep
    from dropout_lab.lesson.catalogue import RATES

    colours = [sweep.rate_colour(r, theme) for r in RATES]
    background = panels.theme_of(theme).background
    assert all(contrast(c, background) >= 3.0 for c in colours), colours
    assert len(set(colours)) == len(RATES)
    light = [sweep.rate_colour(r, "light") for r in RATES]
    assert [round(hue(c)) for c in colours] == pytest.approx([round(hue(c)) for c in light], abs=2)


@pytest.mark.parametrize("theme", sorted(panels.THEMES))
def test_each_theme_text_is_readable_on_its_background(theme: str) -> None:
    colours = panels.theme_of(theme)
    assert contrast(colours.text, colours.background) >= 4.5  # WCAG AA for text (3:1 for lines)


def test_unknown_theme_is_refused() -> None:
    with pytest.raises(ValueError, match="theme"):
        panels.theme_of("sepia")


def history(n: int = 6, offset: float = 0.0) -> dict[str, list[float]]:
    t = np.arange(1, n + 1, dtype=float)
    return {"loss": list(1 / t + offset), "accuracy": list(0.6 + 0.05 * t / n),
            "val_loss": list(0.5 + (t - 2) ** 2 / 10 + offset),
            "val_accuracy": list(0.7 + 0.01 * t)}  # fmt: skip


def test_the_theme_sets_background_grid_and_text_only() -> None:
    runs = [curves.Curve("a", history()), curves.Curve("b", history(offset=0.1), panels.INK)]
    light = curves.curves_figure(runs).to_plotly_json()
    dark = curves.curves_figure(runs, theme="dark").to_plotly_json()
    colours = panels.theme_of("dark")
    assert dark["layout"]["paper_bgcolor"] == dark["layout"]["plot_bgcolor"] == colours.background
    assert dark["layout"]["font"]["color"] == colours.text
    assert dark["layout"]["yaxis"]["gridcolor"] == colours.grid
    assert light["layout"]["paper_bgcolor"] == "#FFFFFF" and light["layout"]["yaxis"]["gridcolor"]
    # model colours stay; a model drawn in INK follows the theme's text colour
    names = {t["name"]: t for t in dark["data"]}
    assert names["a: training"]["line"]["color"] == panels.MODEL_COLOURS[0]
    assert names["b: training"]["line"]["color"] == colours.text
    go.Figure(dark)  # full validation


def test_build_runs_without_a_colour_take_the_palette_in_order() -> None:
    fig = curves.curves_figure([curves.Curve("Your model", history()),
                                curves.Curve("Starter", history(offset=0.2))])  # fmt: skip
    by_name = {t.name: t for t in go.Figure(fig.to_plotly_json()).data}
    assert by_name["Your model: validation"].line.color == panels.MODEL_COLOURS[0]
    assert by_name["Starter: validation"].line.color == panels.MODEL_COLOURS[1]
    assert by_name["Starter: gap"].xaxis == "x3"


def test_the_exports_copy_draws_the_same_figure() -> None:
    """The standalone copy the script and notebook carry, run on its own, gives the app's figure."""
    source = standalone_source(curves, "Curve", "curves_figure")
    assert "dropout_lab" not in source
    ns: dict = {"__name__": "dropout_lab_export"}
    exec(compile(source, "<curves copy>", "exec", dont_inherit=True), ns)
    h = history(8)
    theirs = ns["curves_figure"]([ns["Curve"]("this run", h)], title="Dropout Lab: a model")
    ours = curves.curves_figure([curves.Curve("this run", h)], title="Dropout Lab: a model")
    assert json.loads(pio.to_json(theirs)) == json.loads(pio.to_json(ours))
    go.Figure(theirs.to_plotly_json())


def test_a_module_imported_whole_cannot_be_copied() -> None:
    from dropout_lab.charts import sweep

    with pytest.raises(ValueError, match="panels"):
        standalone_source(sweep, "sweep_figure")


def every_figure(theme: str) -> list[go.Figure]:
    """Each figure builder once, on small made-up data, in `theme`."""
    from dropout_lab.charts import data, explore, mc, sweep
    from dropout_lab.findings import mc_stats
    from dropout_lab.findings.sweep import summary_rows
    from dropout_lab.lesson.catalogue import RATES

    rng = np.random.default_rng(0)
    x = rng.random(64)
    keep = rng.random(64) > 0.3
    small = explore.small_map(keep.reshape(8, 8).astype(float), "mask", mask=True, theme=theme)
    spread = explore.spatial_map(rng.random((2, 4, 4)), "maps", theme=theme)
    hist = explore.histogram_panel(rng.normal(size=100), rng.normal(size=100), "h", ("in", "out"),
                                   theme=theme)  # fmt: skip
    sweep_runs = {r: [history(offset=r), history(offset=r + 0.1)] for r in RATES}
    probs = rng.random((20, 30))
    stats = mc_stats.set_stats(probs, rng.random(30), rng.random(30) > 0.5)
    packet = mc_stats.packet_stats(probs[:, 0], 0.4)
    return [
        explore.panel_figure(small),
        explore.panel_figure(spread),
        explore.panel_figure(hist),
        curves.curves_figure([curves.Curve("a", history())], theme=theme),
        sweep.sweep_figure(sweep_runs, theme=theme),
        sweep.rate_figure(summary_rows(sweep_runs), theme=theme),
        mc.packet_figure(packet, packet, ("on", "off"), theme=theme),
        mc.uncertainty_figure(stats, theme=theme),
        data.scatter_by_label(x, x, keep.astype(int), "a", "b", theme=theme),
    ]


@pytest.mark.parametrize("theme", sorted(panels.THEMES))
def test_every_figure_takes_a_theme_and_passes_plotly_validation(theme: str) -> None:
    background = panels.theme_of(theme).background
    for fig in every_figure(theme):
        checked = go.Figure(fig.to_plotly_json())  # full validation: raises on a bad property
        assert checked.layout.paper_bgcolor == background


def drawn_colours(fig: go.Figure) -> list[tuple[str, str]]:
    """(trace name, colour) of every line, marker and bar drawn in a solid "#RRGGBB" colour."""
    out = []
    for t in fig.to_plotly_json()["data"]:
        mode, kind = t.get("mode", ""), t.get("type")
        line, marker = t.get("line") or {}, t.get("marker") or {}
        if "lines" in mode and line.get("width", 1):
            out.append((t.get("name"), line.get("color")))
        if "markers" in mode or kind in ("bar", "histogram"):
            outline = marker.get("line") or {}
            # a marker drawn with an outline stands out by its outline
            out.append((t.get("name"), outline.get("color") if outline.get("width") else
                        marker.get("color")))  # fmt: skip
    return [(n, c) for n, c in out if isinstance(c, str) and c.startswith("#") and len(c) == 7]


@pytest.mark.parametrize("theme", sorted(panels.THEMES))
def test_every_line_marker_and_bar_of_every_figure_reaches_3_to_1(theme: str) -> None:
    background = panels.theme_of(theme).background
    low = [(n, c, round(contrast(c, background), 2))
           for fig in every_figure(theme) for n, c in drawn_colours(fig)
           if contrast(c, background) < 3.0]  # fmt: skip
    assert low == []


@pytest.mark.parametrize("theme", sorted(panels.THEMES))
def test_runs_differ_by_marker_as_well_as_colour(theme: str) -> None:
    from dropout_lab.charts import sweep
    from dropout_lab.lesson.catalogue import RATES

    fig = curves.curves_figure([curves.Curve(f"m{i}", history()) for i in range(3)], theme=theme)
    lines = [t for t in fig.to_plotly_json()["data"] if t["name"].endswith(": training")]
    assert len({t["marker"]["symbol"] for t in lines}) == 3
    val = next(t for t in fig.to_plotly_json()["data"] if t["name"] == "m0: validation")
    assert val["marker"]["symbol"].endswith("-open") and val["line"]["dash"] == "dash"
    runs = {r: [history(offset=r)] for r in RATES}
    means = [t for t in sweep.sweep_figure(runs, theme=theme).to_plotly_json()["data"]
             if t.get("showlegend", True)]  # fmt: skip
    assert len({(t["line"]["dash"], t["marker"]["symbol"]) for t in means}) == len(RATES)


def test_heatmaps_scale_from_a_theme_neutral_to_orange() -> None:
    from dropout_lab.charts import explore

    x = np.linspace(0, 1, 16).reshape(4, 4)
    for theme in panels.THEMES:
        fig = explore.panel_figure(explore.small_map(x, "values", theme=theme))
        scale = fig.to_plotly_json()["data"][0]["colorscale"]
        assert scale == panels.value_scale(theme) and scale[-1][1] == panels.ORANGE
    dark_low = panels.value_scale("dark")[0][1]
    assert contrast(dark_low, panels.THEMES["dark"].background) > 1.5  # a zero cell still shows


# --------------------------------------------------------------------------- one figure or many


def test_split_gives_each_panel_its_own_figure_axes_title_and_legend() -> None:
    runs = [curves.Curve("a", history()), curves.Curve("b", history(offset=0.1))]
    parts = curves.curves_parts(runs, epochs_total=6, theme="dark")
    figures = panels.split(parts)
    assert [f.layout.annotations[0].text for f in figures] == [
        "<b>Loss</b>", "<b>Accuracy</b>", "<b>Generalisation gap</b>"]  # fmt: skip
    assert panels.panel_titles(parts) == ["Loss", "Accuracy", "Generalisation gap"]
    for fig in figures:
        checked = go.Figure(fig.to_plotly_json())  # full validation
        assert "xaxis2" not in fig.to_plotly_json()["layout"]  # one axis pair only
        assert checked.layout.xaxis.domain is None and checked.layout.annotations[0].x == 0.5
        assert {t.xaxis for t in checked.data} == {"x"}
        assert checked.layout.paper_bgcolor == panels.theme_of("dark").background
        shown = {t.legendgroup for t in checked.data if t.showlegend is not False}
        assert shown == {"a", "b"}  # every panel names both runs in its own legend
    gap_panel = figures[2].to_plotly_json()["data"]
    names = sorted(t["name"] for t in gap_panel)
    assert names == ["a: gap", "a: last gap", "b: gap", "b: last gap"]
    last = next(t for t in gap_panel if t["name"] == "a: last gap")  # the gap at the last epoch
    value = curves.gap(runs[0].history)[-1]  # written beside the panel, moved off the others
    assert last["mode"] == "text" and last["text"] == [f"{value:.2f}"]
    assert list(gap_panel[0]["y"]) == pytest.approx(curves.gap(runs[0].history))


def test_join_shows_each_legend_entry_once_and_matches_the_figure() -> None:
    runs = [curves.Curve("a", history()), curves.Curve("b", history(offset=0.1))]
    joined = panels.join(curves.curves_parts(runs)).to_plotly_json()
    assert joined == curves.curves_figure(runs).to_plotly_json()
    shown = [t["name"] for t in joined["data"] if t.get("showlegend", True)]
    assert shown == ["a: training", "a: validation", "b: training", "b: validation"]


def test_a_stacked_or_single_panel_figure_is_not_split() -> None:
    x = np.linspace(0, 1, 8)
    parts = panels.Parts([{"type": "scatter", "x": x, "y": x}], panels.base_layout(200))
    assert len(panels.split(parts)) == 1


def test_every_side_by_side_figure_splits_into_valid_panels() -> None:
    from dropout_lab.charts import mc, sweep
    from dropout_lab.findings import mc_stats
    from dropout_lab.findings.sweep import summary_rows
    from dropout_lab.lesson.catalogue import RATES

    rng = np.random.default_rng(1)
    runs = {r: [history(offset=r), history(offset=r + 0.1)] for r in RATES}
    stats = mc_stats.set_stats(rng.random((20, 30)), rng.random(30), rng.random(30) > 0.5)
    for parts, n in ((sweep.sweep_parts(runs), 2), (sweep.rate_parts(summary_rows(runs)), 2),
                     (mc.uncertainty_parts(stats), 2)):  # fmt: skip
        figures = panels.split(parts)
        assert len(figures) == n
        for fig in figures:
            go.Figure(fig.to_plotly_json())
            assert any(t.get("showlegend", True) for t in fig.to_plotly_json()["data"])


@pytest.mark.parametrize("theme", sorted(panels.THEMES))
def test_retheme_draws_a_light_figure_as_if_built_in_the_theme(theme: str) -> None:
    """For figures made by code that takes no theme (the readings' variant pictures)."""
    from dropout_lab.charts import explore

    x = np.linspace(0, 1, 16)
    builders = [
        lambda t: explore.panel_figure(explore.small_map(x.reshape(4, 4), "v", theme=t)),
        lambda t: explore.panel_figure(explore.small_map(x.reshape(4, 4) > 0.5, "m", mask=True,
                                                         theme=t)),
        lambda t: explore.panel_figure(explore.histogram_panel(x, x * 2, "h", ("a", "b"), theme=t)),
        lambda t: curves.curves_figure([curves.Curve("a", history()),
                                        curves.Curve("b", history(), panels.SKY)], theme=t),
    ]  # fmt: skip
    for build in builders:
        rethemed = panels.retheme(build("light"), theme)
        assert json.loads(pio.to_json(rethemed)) == json.loads(pio.to_json(build(theme)))


def test_a_legend_below_moves_to_the_bottom_edge_and_the_figure_grows_by_its_rows() -> None:
    few = [curves.Curve("a", history())]
    many = [curves.Curve(f"a much longer model name {i}", history()) for i in range(6)]
    small, large = (curves.curves_figure(r, height=360).to_plotly_json()["layout"]
                    for r in (few, many))  # fmt: skip
    for layout in (small, large):
        assert layout["legend"]["yref"] == "container" and layout["legend"]["y"] == 0
        assert layout["legend"]["yanchor"] == "bottom"
    assert large["height"] - small["height"] == large["margin"]["b"] - small["margin"]["b"] > 0
    assert panels.legend_rows(["x" * 200]) == 1 and panels.legend_rows(["x" * 60] * 4) == 4
    panel = panels.split(curves.curves_parts(many, height=360))[0].to_plotly_json()["layout"]
    assert panel["legend"]["orientation"] == "v"  # one entry a row on a phone-wide figure
    band = panel["margin"]["t"] - 45  # the top grown clear of the toolbar (charts/modebar.py)
    assert panel["height"] == 360 + 12 * panels.LEGEND_ROW + 8 + band  # 6 runs × 2 lines each


def test_a_long_panel_title_breaks_into_lines_on_its_own_figure() -> None:
    assert panels.wrap("short") == "short"
    long = "Dropout(0.3) − no dropout: final validation accuracy"
    assert panels.wrap(long) == "Dropout(0.3) − no dropout: final<br>validation accuracy"
    layout = panels.base_layout(300, shapes=[{"type": "line", "xref": "x2", "yref": "y2 domain",
                                              "x0": 0, "x1": 0, "y0": 0, "y1": 1}])  # fmt: skip
    panels.side_by_side(layout, [({}, {}), ({}, {})], gap=0.1, titles=["Loss", long])
    second = panels.split(panels.Parts([], layout))[1].to_plotly_json()["layout"]
    title = second["annotations"][0]["text"]
    assert title.startswith("<b>") and title.count("<br>") == 1 and title.endswith("</b>")
    assert second["shapes"][0]["xref"] == "x" and second["shapes"][0]["yref"] == "y domain"
