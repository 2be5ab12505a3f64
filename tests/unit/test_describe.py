"""The charts' text alternatives: names, summaries computed from the charts' own data, tables."""

from __future__ import annotations

import re
import string
from pathlib import Path

import numpy as np
import pytest

from dropout_lab.charts import describe
from dropout_lab.charts.curves import Curve
from dropout_lab.findings import mc_stats
from dropout_lab.findings.sweep import summary_rows
from dropout_lab.lesson.catalogue import RATES


def run(val_loss: list[float], loss: float = 0.1) -> dict[str, list[float]]:
    n = len(val_loss)
    return {"loss": [loss] * n, "accuracy": [0.9] * n, "val_loss": val_loss,
            "val_accuracy": [0.7] * (n - 1) + [0.75]}  # fmt: skip


def test_curves_say_where_each_run_is_lowest_and_where_it_ends() -> None:
    """The issue's example: without dropout lowest at epoch 2 (0.50), ends at 1.79; with
    Dropout(0.3) it ends at 0.69."""
    plain = run([0.6, 0.5, 0.9, 1.4, 1.79])
    dropout = run([0.7, 0.65, 0.62, 0.66, 0.69])
    d = describe.curves([Curve("No dropout", plain), Curve("Dropout(0.3)", dropout)])
    assert "No dropout and Dropout(0.3)" in d.name
    assert re.search(r"No dropout: .*lowest at epoch 2 \(0\.50\) and ends at 1\.79", d.summary)
    assert re.search(r"Dropout\(0\.3\): .*lowest at epoch 3 \(0\.62\) and ends at 0\.69", d.summary)
    assert "75.0%" in d.summary and "1.69" in d.summary  # last accuracy; the gap 1.79 - 0.1
    assert len(d.table) == 10
    first = d.table[0]
    assert first["Model"] == "No dropout" and first["Epoch"] == 1
    assert first["Validation loss"] == 0.6 and first["Gap"] == pytest.approx(0.5)


def test_curves_without_a_finished_epoch_say_so() -> None:
    d = describe.curves([Curve("Your model", {"loss": [], "val_loss": []})])
    assert d.summary == describe.words("curves")["empty"] and d.table == []


def test_sweep_names_each_rate_and_the_lowest_at_the_end() -> None:
    sweep = {0.0: [run([0.5, 0.4, 0.9]), run([0.5, 0.6, 1.1])], 0.5: [run([0.6, 0.5, 0.45])]}
    d = describe.sweep(sweep)
    assert "0 and 0.5" in d.name
    assert "Rate 0: the mean validation loss is lowest at epoch 1 (0.50) and ends at 1.00" in (
        d.summary
    )
    assert "lowest at rate 0.5" in d.summary
    row = next(r for r in d.table if r["Rate"] == 0.0 and r["Epoch"] == 3)
    assert (row["Lowest seed"], row["Highest seed"], row["Mean validation loss"]) == (0.9, 1.1, 1.0)


def test_rates_say_where_loss_and_errors_are_lowest() -> None:
    rows = [{"rate": r, "final_val_loss": loss, "final_val_loss_sd": 0.01, "final_accuracy": acc,
             "final_val_accuracy": val, "final_val_accuracy_sd": 0.02}
            for r, loss, acc, val in ((0.0, 1.2, 0.99, 0.70), (0.3, 0.6, 0.9, 0.78),
                                      (0.8, 0.7, 0.72, 0.74))]  # fmt: skip
    d = describe.rates(rows)
    assert "lowest at rate 0.3 (0.600) and highest at rate 0 (1.200)" in d.summary
    assert "training error goes from 0.010 at rate 0 to 0.280 at rate 0.8" in d.summary
    assert "validation error is lowest at rate 0.3 (0.220)" in d.summary
    assert d.table[1]["Training error"] == pytest.approx(0.1)
    assert describe.rates(summary_rows({r: [run([0.5, 0.6])] for r in RATES})).table


def test_packet_gives_range_mean_spread_and_the_histograms_counts() -> None:
    probs = np.array([0.1, 0.11, 0.5, 0.52, 0.9])
    main = mc_stats.packet_stats(probs, 0.45)
    plain = mc_stats.packet_stats(np.full(5, 0.3), 0.3)
    d = describe.packet(main, plain, ("Dropout", "Plain"))
    assert "Dropout: over 5 passes P(malicious) runs from 0.100 to 0.900" in d.summary
    assert "with dropout off it is 0.450" in d.summary and "standard deviation 0.000" in d.summary
    assert sum(r["Dropout"] for r in d.table) == 5 and sum(r["Plain"] for r in d.table) == 5
    assert {r["P(malicious) from"] for r in d.table} >= {0.1, 0.3, 0.5, 0.9}


def test_uncertainty_compares_right_and_wrong_and_the_80_percent_point() -> None:
    rng = np.random.default_rng(0)
    probs = rng.random((30, 200))
    stats = mc_stats.set_stats(probs, rng.random(200), rng.random(200) > 0.5)
    d = describe.uncertainty(stats)
    right, wrong = stats.std[stats.mc_correct].mean(), stats.std[~stats.mc_correct].mean()
    assert f"{right:.3f}" in d.summary and f"{wrong:.3f}" in d.summary
    assert f"{stats.mc_correct.mean():.3f}" in d.summary and "80%" in d.summary
    assert len(d.table) == len(mc_stats.KEEP_FRACTIONS)


def test_scatter_counts_each_class_and_gives_their_means() -> None:
    x, y = np.array([0.0, 1.0, 3.0]), np.array([1.0, 1.0, -1.0])
    d = describe.scatter(x, y, np.array([0, 0, 1]), "ports", "logins")
    assert "2 benign rows (circles) and 1 malicious rows (crosses)" in d.summary
    assert "Mean ports: 0.50 for benign, 3.00 for malicious" in d.summary
    assert d.table[2] == {"Class": "malicious", "ports": 3.0, "logins": -1.0}


def test_class_sweep_finds_the_best_run() -> None:
    sweep = [{"name": "Ada", "mean_rate": 0.3, "val_accuracy": 0.91, "val_loss": 0.3},
             {"name": "Bob", "mean_rate": 0.0, "val_accuracy": 0.8, "val_loss": 0.6},
             {"name": "Bob", "mean_rate": 0.5, "val_accuracy": None}]  # fmt: skip
    d = describe.class_sweep(sweep)
    assert "2 runs from 2 learners" in d.summary and "0.910, at rate 0.30 (Ada)" in d.summary
    assert len(d.table) == 2
    assert describe.class_sweep([]).summary == describe.words("class_sweep")["empty"]


def test_a_variant_mask_counts_kept_and_dropped_cells() -> None:
    from dropout_lab.charts import explore

    keep = np.array([[1, 0], [1, 1]], dtype=float)
    fig = explore.panel_figure(explore.small_map(keep, "Standard", mask=True))
    d = describe.panel_map(fig)
    assert d.name == "Standard" and "3 of 4 cells kept (75%), 1 dropped" in d.summary
    assert d.table[0] == {"Row": 1, "Column 1": "kept", "Column 2": "dropped"}
    maps = explore.spatial_map(np.array([[[0.0, 1.0]], [[0.0, 0.0]]]), "Spatial")
    d = describe.panel_map(explore.panel_figure(maps))
    assert "values from 0.00 to 1.00; 3 of 4 cells are zero" in d.summary
    hist = explore.histogram_panel(np.zeros(10), np.ones(10), "Alpha", ("before", "after"))
    d = describe.panel_map(explore.panel_figure(hist))
    # read off the bins, as a sighted learner would: the centres of 40 bins over [0, 1]
    assert "before has mean 0.01" in d.summary and "after has mean 0.99" in d.summary
    assert [r["before"] + r["after"] for r in d.table] == [10, 10]  # only bins with data


def test_every_template_is_filled_by_the_code() -> None:
    """Each words entry's placeholders are the ones describe.py fills (a typo fails here)."""
    names = {name for _, name, _, _ in string.Formatter().parse(
        " ".join(str(v) for v in _strings(describe.words()))) if name}  # fmt: skip
    source = Path(describe.__file__).read_text(encoding="utf-8")
    missing = [n for n in names if not re.search(rf"\b{re.escape(n)}\b", source)]
    assert missing == []


def _strings(tree: object) -> list[str]:
    if isinstance(tree, dict):
        return [s for v in tree.values() for s in _strings(v)]
    if isinstance(tree, list):
        return [s for v in tree for s in _strings(v)]
    return [tree] if isinstance(tree, str) else []


def test_panel_names_say_which_panel_of_what() -> None:
    assert describe.panel_name("Training curves", "Loss", 1, 3) == (
        "Loss (panel 1 of 3) of: Training curves"
    )


def test_a_variant_read_off_a_pickled_figure_gives_the_same_words() -> None:
    """st.cache_data hands out pickled copies, whose arrays are plotly's typed arrays."""
    import pickle

    from dropout_lab.charts import explore

    fig = explore.panel_figure(explore.small_map(np.eye(3), "Standard", mask=True))
    copy = pickle.loads(pickle.dumps(fig))
    assert describe.panel_map(copy) == describe.panel_map(fig)
    hist = explore.panel_figure(explore.histogram_panel(np.zeros(5), np.ones(5), "A", ("b", "a")))
    assert describe.panel_map(pickle.loads(pickle.dumps(hist))) == describe.panel_map(hist)
