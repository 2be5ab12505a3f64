"""Explore's variants table (lesson/variants.py): the one declaration both the NumPy reference
and the browser read. Each rule uses exactly the draws the table declares, in its order, and each
picture fills exactly the grid the table declares."""

from __future__ import annotations

import numpy as np
import pytest

from dropout_lab.lesson import explore, rng, variants


class Counting(rng.CounterRNG):
    """A CounterRNG that records the counters each call reads (start, how many)."""

    def __init__(self, seed: int, stream: int) -> None:
        super().__init__(seed, stream)
        self.reads: list[tuple[int, int]] = []

    def random(self, size=None):
        start = self.counter
        out = super().random(size)
        self.reads.append((start, self.counter - start))
        return out


@pytest.mark.parametrize("v", variants.TABLE, ids=lambda v: v.name)
def test_each_rule_reads_exactly_its_declared_draws(v: variants.Variant) -> None:
    r = Counting(3, explore.STREAMS["variants"])
    variants.RULES[v.rule](v, 0.4, r)
    declared = [d.uniforms for d in v.draws]
    assert [n for _, n in r.reads] == declared  # one read per draw, in the table's order
    assert r.counter == v.uniforms


def picture_cells(v: variants.Variant, out: dict[str, np.ndarray]) -> int:
    if v.rule == "spatial":
        return out["values"].size
    if v.rule == "time":
        return out["per_step"].size + out["locked"].size
    return out["keep"].size


@pytest.mark.parametrize("v", [v for v in variants.TABLE if v.grid], ids=lambda v: v.name)
def test_each_picture_fills_its_grid(v: variants.Variant) -> None:
    out = variants.reference(0.5, 1)[v.name]
    assert v.grid is not None
    assert picture_cells(v, out) == v.grid.rows * v.grid.cols
    if v.grid.group_every:
        assert v.grid.cols % v.grid.group_every == 0


def test_each_variant_reads_its_own_stretch_of_the_stream() -> None:
    """A variant's draws start where the table says, so changing one never moves another's."""
    drawn = variants.reference(0.5, 9)
    start = 0
    for v in variants.TABLE:
        if v.rule == "keep":
            u = rng.uniform(rng.stream_key(9, explore.STREAMS["variants"]), start, v.uniforms)
            assert np.array_equal(drawn[v.name]["keep"].ravel(), u >= 0.5)
        start += v.uniforms
    assert start == sum(v.uniforms for v in variants.TABLE)


def test_the_browser_gets_the_whole_table() -> None:
    rows = variants.for_browser()
    assert [r["name"] for r in rows] == [v.name for v in variants.TABLE]
    for row, v in zip(rows, variants.TABLE, strict=True):
        assert row["uniforms"] == v.uniforms == sum(d["uniforms"] for d in row["draws"])
        assert row["rule"] in variants.RULES


@pytest.mark.parametrize("rate", [0.0, 0.3, 0.9])
def test_the_reference_masks_drop_about_the_rate(rate: float) -> None:
    drawn = variants.reference(rate, 0)
    for name in ("standard", "dropconnect"):
        keep = drawn[name]["keep"]
        assert keep.dtype == bool and abs(1 - keep.mean() - rate) < 0.25
    locked = drawn["variational"]["locked"]
    assert (locked == locked[0]).all()  # one mask at every step
    spatial = drawn["spatial"]
    for m, kept in enumerate(spatial["keep"]):
        assert (spatial["values"][m] > 0).all() if kept else (spatial["values"][m] == 0).all()
