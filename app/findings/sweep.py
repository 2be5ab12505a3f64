"""The rate sweep's statistics: per-epoch gaps and bands over seeds, one summary row per rate.
Which runs make the sweep (rates, seeds, names) is `lesson/catalogue.py`'s.

Pure NumPy on stored histories (dicts of per-epoch lists: loss, accuracy, val_loss,
val_accuracy); no Streamlit, no TensorFlow, no Plotly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dropout_lab.lesson.catalogue import LONG_RATES, RATES, SEEDS, long_name, sweep_name

History = dict[str, list[float]]


def gap(history: History) -> list[float]:
    """The generalisation gap per epoch: validation loss minus training loss."""
    return [v - t for t, v in zip(history["loss"], history["val_loss"], strict=True)]


def best_epoch(history: History) -> int:
    """1-based epoch of the lowest validation loss (the first on ties)."""
    val_loss = history["val_loss"]
    return int(np.argmin(val_loss)) + 1


@dataclass(frozen=True)
class Band:
    """Per-epoch mean and spread (the lowest and highest seed) of one metric over seeds."""

    mean: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    n: int  # seeds


def band(histories: Sequence[History], metric: str) -> Band:
    """Mean, min and max per epoch over `histories` (cut to the shortest, if they differ)."""
    if not histories:
        raise ValueError("band() needs at least one history")
    series = [gap(h) if metric == "gap" else h[metric] for h in histories]
    n = min(len(s) for s in series)
    values = np.array([s[:n] for s in series], dtype=float)
    return Band(values.mean(axis=0), values.min(axis=0), values.max(axis=0), len(series))


def sweep_histories(loaded: dict[str, History]) -> dict[float, list[History]]:
    """rate → the histories of its seeds that are loaded (rates with none are left out)."""
    out: dict[float, list[History]] = {}
    for rate in RATES:
        found = [loaded[sweep_name(rate, s)] for s in SEEDS if sweep_name(rate, s) in loaded]
        if found:
            out[rate] = found
    return out


def long_histories(loaded: dict[str, History]) -> dict[float, list[History]]:
    """rate → the loaded long-sweep histories of its seeds (rates with none left out)."""
    out: dict[float, list[History]] = {}
    for rate in LONG_RATES:
        found = [loaded[long_name(rate, s)] for s in SEEDS if long_name(rate, s) in loaded]
        if found:
            out[rate] = found
    return out


SUMMARY_COLUMNS = ("best_val_accuracy", "final_val_accuracy", "final_accuracy",
                   "final_val_loss", "final_gap", "best_epoch")  # fmt: skip


def summary_rows(sweep: dict[float, list[History]]) -> list[dict[str, Any]]:
    """One row per rate: each SUMMARY_COLUMNS value as the mean over seeds, and `<col>_sd`
    its standard deviation (0 with one seed), plus `rate` and `seeds`."""
    rows = []
    for rate, histories in sorted(sweep.items()):
        per_seed = {
            "best_val_accuracy": [max(h["val_accuracy"]) for h in histories],
            "final_val_accuracy": [h["val_accuracy"][-1] for h in histories],
            "final_accuracy": [h["accuracy"][-1] for h in histories],
            "final_val_loss": [h["val_loss"][-1] for h in histories],
            "final_gap": [gap(h)[-1] for h in histories],
            "best_epoch": [best_epoch(h) for h in histories],
        }
        row: dict[str, Any] = {"rate": rate, "seeds": len(histories)}
        for col in SUMMARY_COLUMNS:
            values = np.asarray(per_seed[col], dtype=float)
            row[col] = float(values.mean())
            row[f"{col}_sd"] = float(values.std(ddof=1)) if values.size > 1 else 0.0
        rows.append(row)
    return rows


def summary_table(rows: Sequence[dict[str, Any]], headers: dict[str, str]) -> list[dict[str, str]]:
    """The summary rows as display strings, "mean ± sd", under the `headers` (column → title)."""
    digits = {"best_epoch": 1}
    table = []
    for row in rows:
        shown = {headers["rate"]: f"{row['rate']:g}"}
        for col in SUMMARY_COLUMNS:
            if col in headers:
                d = digits.get(col, 3)
                shown[headers[col]] = f"{row[col]:.{d}f} ± {row[col + '_sd']:.{d}f}"
        table.append(shown)
    return table


def best_rate(rows: Sequence[dict[str, Any]]) -> float | None:
    """The rate with the highest mean final validation accuracy (the lowest validation error)."""
    return max(rows, key=lambda r: r["final_val_accuracy"])["rate"] if rows else None
