"""Explore's dropout variants, declared once: each one's name, its random draws, its mask rule and
the grid it is drawn on. The browser (app/ui/explore_component/views.js) gets this table in the
live view's data and derives its draws from it; `reference` is the NumPy reference its masks are
held against (tests/e2e/test_explore_component.py), and Read's pictures (charts/explore.py).
The words (each variant's title and caption) are lessons/explore.toml's, under the same names.

All variants read one counter stream (STREAMS["variants"]), one after another in the
table's order, each its own declared number of uniforms: a variant's draws never shift another's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from dropout_lab.lesson import masks
from dropout_lab.lesson.explore import STREAMS
from dropout_lab.lesson.rng import CounterRNG


@dataclass(frozen=True)
class Draw:
    """One named draw: uniforms in [0, 1) of `shape`, or, with `normal` = (loc, scale), normals
    by Box-Muller (two uniforms each: the radii first, then the angles; CounterRNG.normal)."""

    name: str
    shape: tuple[int, ...]
    normal: tuple[float, float] | None = None

    @property
    def uniforms(self) -> int:
        return math.prod(self.shape) * (2 if self.normal else 1)


@dataclass(frozen=True)
class Grid:
    """The cells of a picture: rows x cols squares of `cell` with `gap` between them, and an
    extra `group_gap` after every `group_every` columns (panes side by side)."""

    rows: int
    cols: int
    cell: int
    gap: int
    group_every: int = 0
    group_gap: int = 0


@dataclass(frozen=True)
class Variant:
    """rule: keep (a Bernoulli mask), spatial (whole maps), dropblock (blocks of `block`²),
    time (a fresh mask per step beside one locked mask), alpha (AlphaDropout's values,
    drawn as a histogram of `bins`: no grid)."""

    name: str
    rule: str
    draws: tuple[Draw, ...]
    grid: Grid | None = None
    block: int = 0
    bins: int = 0

    @property
    def uniforms(self) -> int:
        return sum(d.uniforms for d in self.draws)

    def draw(self, name: str) -> Draw:
        return next(d for d in self.draws if d.name == name)


TABLE: tuple[Variant, ...] = (
    Variant("standard", "keep", (Draw("keep", (8, 8)),), Grid(8, 8, cell=19, gap=2)),
    Variant(
        "spatial", "spatial", (Draw("maps", (4, 6, 6), normal=(0.8, 0.5)), Draw("keep", (4,))),
        Grid(6, 24, cell=10, gap=1, group_every=6, group_gap=8),
    ),
    Variant("dropconnect", "keep", (Draw("keep", (8, 8)),), Grid(8, 8, cell=19, gap=2)),
    Variant(
        "dropblock", "dropblock", (Draw("centres", (14, 14)),),
        Grid(16, 16, cell=10, gap=1), block=3,
    ),
    Variant(
        "variational", "time", (Draw("per_step", (10, 6)), Draw("locked", (1, 6))),
        Grid(10, 12, cell=14, gap=2, group_every=6, group_gap=12),
    ),
    Variant(
        "alpha", "alpha", (Draw("values", (4000,), normal=(0.0, 1.0)), Draw("keep", (4000,))),
        bins=40,
    ),
)  # fmt: skip
BY_NAME = {v.name: v for v in TABLE}


# --- the NumPy reference: each rule reads its own draws, in the table's order -------------------


def _keep(v: Variant, rate: float, rng: CounterRNG) -> dict[str, np.ndarray]:
    return {"keep": masks.keep_mask(v.draw("keep").shape, rate, rng)}


def _spatial(v: Variant, rate: float, rng: CounterRNG) -> dict[str, np.ndarray]:
    loc, scale = v.draw("maps").normal or (0.0, 1.0)
    maps = np.abs(rng.normal(loc, scale, v.draw("maps").shape))
    values = masks.spatial_dropout(maps, rate, rng)  # |normal| > 0: a kept map is not all zero
    return {"keep": values.reshape(len(maps), -1).any(axis=1), "values": values}


def _dropblock(v: Variant, rate: float, rng: CounterRNG) -> dict[str, np.ndarray]:
    assert v.grid is not None
    return {"keep": masks.dropblock_mask(v.grid.rows, rate, v.block, rng)}


def _time(v: Variant, rate: float, rng: CounterRNG) -> dict[str, np.ndarray]:
    steps, units = v.draw("per_step").shape
    return {
        "per_step": masks.time_masks(steps, units, rate, rng, variational=False),
        "locked": masks.time_masks(steps, units, rate, rng, variational=True),
    }


def _alpha(v: Variant, rate: float, rng: CounterRNG) -> dict[str, np.ndarray]:
    loc, scale = v.draw("values").normal or (0.0, 1.0)
    before = rng.normal(loc, scale, v.draw("values").shape)
    return {"before": before, "after": masks.alpha_dropout(before, rate, rng)}


RULES: dict[str, Callable[[Variant, float, CounterRNG], dict[str, np.ndarray]]] = {
    "keep": _keep, "spatial": _spatial, "dropblock": _dropblock, "time": _time, "alpha": _alpha,
}  # fmt: skip


def reference(rate: float, seed: int = 0) -> dict[str, dict[str, np.ndarray]]:
    """Every variant's masks (and values) at `rate` for the mask seed `seed`, with NumPy."""
    p = masks.check_rate(rate)
    rng = CounterRNG(seed, STREAMS["variants"])
    out = {}
    for v in TABLE:
        start = rng.counter
        out[v.name] = RULES[v.rule](v, p, rng)
        rng.counter = start + v.uniforms  # the next variant's draws start where the table says
    return out


def for_browser() -> list[dict]:
    """The table as the live view's data: each draw with its number of uniforms."""
    rows = []
    for v in TABLE:
        row = asdict(v)
        row["uniforms"] = v.uniforms
        for d, draw in zip(row["draws"], v.draws, strict=True):
            d["uniforms"] = draw.uniforms
        rows.append(row)
    return rows
