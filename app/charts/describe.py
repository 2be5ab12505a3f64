"""Text alternatives of the charts: for each figure, an accessible name, a short summary computed
from the same data the figure draws (what a sighted learner reads off it), and that data as a
table. The words are in lessons/charts.toml. Pure: no Streamlit, no TensorFlow."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dropout_lab.charts import panels as pn
from dropout_lab.charts.curves import Curve
from dropout_lab.findings.mc_spread import CONFIDENT, Spread
from dropout_lab.findings.mc_stats import KEEP_FRACTIONS, PacketStats, SetStats, rejection_curve
from dropout_lab.findings.sweep import band, best_epoch, gap
from dropout_lab.lesson import md
from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.fmt import Count

DIGITS = 4  # table values are rounded to this many decimals: enough to read, not noise


@dataclass(frozen=True)
class Description:
    """What a chart says in words: its name, a summary, and its data (one dict per row)."""

    name: str
    summary: str
    table: list[dict[str, Any]] = field(default_factory=list)


def words(part: str | None = None) -> dict:
    """lessons/charts.toml, or one of its sections."""
    return step_text("charts", part or "")


def listing(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + words()["list_and"] + items[-1]


def panel_name(name: str, title: str, k: int, n: int) -> str:
    """The accessible name of panel k of n when a figure's panels are shown as separate charts."""
    return words()["panel"].format(title=title, k=k, n=n, name=name)


def _r(value: float) -> float:
    return round(float(value), DIGITS)


def _array(values: object) -> np.ndarray:
    """A trace's data as an array: plotly keeps numpy arrays, or sends (and pickles) them as
    typed arrays, {"dtype", "bdata" (base64), "shape"}."""
    if isinstance(values, dict) and "bdata" in values:
        flat = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
        shape = [int(n) for n in str(values.get("shape", flat.size)).split(",")]
        return flat.reshape(shape).astype(float)
    return np.asarray(values, dtype=float)


# --------------------------------------------------------------------------- training curves


def curves(runs: Sequence[Curve]) -> Description:
    """The curves figure: per run, its best epoch, where it ends, its accuracy and gap."""
    text = words("curves")
    cols = text["columns"]
    shown = [run for run in runs if run.history.get("val_loss")]
    sentences, table = [], []
    for label, history, _ in shown:
        best = best_epoch(history)
        gaps = gap(history)
        sentences.append(text["run"].format(
            label=label, best=best, best_loss=history["val_loss"][best - 1],
            last_loss=history["val_loss"][-1], epochs=len(history["val_loss"]),
            val_acc=history["val_accuracy"][-1], gap=gaps[-1]))  # fmt: skip
        for e in range(len(history["val_loss"])):
            row = {cols["model"]: label, cols["epoch"]: e + 1}
            for metric in ("loss", "val_loss", "accuracy", "val_accuracy"):
                row[cols[metric]] = _r(history[metric][e])
            row[cols["gap"]] = _r(gaps[e])
            table.append(row)
    name = text["name"].format(models=listing([run.label for run in runs]))
    return Description(name, " ".join(sentences) or text["empty"], table)


# --------------------------------------------------------------------------- the rate sweep


def sweep(histories: dict[float, list[dict]]) -> Description:
    """The sweep figure: per rate, the mean curve's lowest point and its end."""
    text = words("sweep")
    cols = text["columns"]
    sentences, table, final = [], [], {}
    for rate, runs in sorted(histories.items()):
        loss, acc = band(runs, "val_loss"), band(runs, "val_accuracy")
        best = int(np.argmin(loss.mean)) + 1
        final[rate] = float(loss.mean[-1])
        sentences.append(
            text["rate"].format(rate=rate, best=best, best_loss=loss.mean[best - 1],
                                last_loss=loss.mean[-1], val_acc=acc.mean[-1])
        )  # fmt: skip
        for e in range(len(loss.mean)):
            table.append({cols["rate"]: rate, cols["epoch"]: e + 1,
                          cols["val_loss"]: _r(loss.mean[e]), cols["lo"]: _r(loss.lo[e]),
                          cols["hi"]: _r(loss.hi[e]),
                          cols["val_accuracy"]: _r(acc.mean[e])})  # fmt: skip
    if final:
        sentences.append(text["lowest"].format(rate=min(final, key=final.get)))
    name = text["name"].format(rates=listing([f"{r:g}" for r in sorted(histories)]))
    return Description(name, " ".join(sentences), table)


def rates(rows: Sequence[dict[str, Any]]) -> Description:
    """The rate figure: where the final validation loss and the errors are lowest."""
    text = words("rates")
    cols = text["columns"]
    table = [{cols["rate"]: r["rate"], cols["final_val_loss"]: _r(r["final_val_loss"]),
              cols["final_val_loss_sd"]: _r(r["final_val_loss_sd"]),
              cols["train_error"]: _r(1 - r["final_accuracy"]),
              cols["val_error"]: _r(1 - r["final_val_accuracy"]),
              cols["val_error_sd"]: _r(r["final_val_accuracy_sd"])} for r in rows]  # fmt: skip
    if not rows:
        return Description(text["name"], "", table)
    best_loss = min(rows, key=lambda r: r["final_val_loss"])
    worst_loss = max(rows, key=lambda r: r["final_val_loss"])
    best_val = max(rows, key=lambda r: r["final_val_accuracy"])
    summary = text["summary"].format(
        best_loss_rate=best_loss["rate"], best_loss=best_loss["final_val_loss"],
        worst_loss_rate=worst_loss["rate"], worst_loss=worst_loss["final_val_loss"],
        first=rows[0]["rate"], train_first=1 - rows[0]["final_accuracy"],
        last=rows[-1]["rate"], train_last=1 - rows[-1]["final_accuracy"],
        best_val_rate=best_val["rate"], best_val=1 - best_val["final_val_accuracy"],
    )  # fmt: skip
    return Description(text["name"], summary, table)


# --------------------------------------------------------------------------- Monte Carlo dropout


def packet(
    main: PacketStats, contrast: PacketStats | None, labels: tuple[str, str], bin_size: float = 0.02
) -> Description:
    """The packet figure: each model's range, mean and spread over the passes, and the
    histogram's counts (the figure's own bins) as the table."""
    text = words("packet")
    models = [(main, labels[0])] + ([(contrast, labels[1])] if contrast is not None else [])
    sentences = [text["model"].format(label=label, passes=s.passes, low=float(s.probs.min()),
                                      high=float(s.probs.max()), mean=s.mean, std=s.std,
                                      det=s.deterministic) for s, label in models]  # fmt: skip
    edges = np.linspace(0.0, 1.0, round(1 / bin_size) + 1)
    edges[-1] = 1.0001  # the figure's last bin includes 1.0
    counts = [np.histogram(s.probs, edges)[0] for s, _ in models]
    table = []
    for i in range(len(edges) - 1):
        if any(c[i] for c in counts):
            row = {text["columns"]["low"]: _r(edges[i]),
                   text["columns"]["high"]: _r(min(edges[i + 1], 1.0))}  # fmt: skip
            row.update({label: int(c[i]) for (_, label), c in zip(models, counts, strict=True)})
            table.append(row)
    name = text["name"].format(models=listing([label for _, label in models]))
    return Description(name, " ".join(sentences), table)


def uncertainty(stats: SetStats, fractions: Sequence[float] = KEEP_FRACTIONS) -> Description:
    """The whole-set figure: the spread of right and wrong predictions, and the rejection curves
    (the table), with the 80% point in words."""
    text = words("uncertainty")
    cols = text["columns"]
    correct = stats.mc_correct
    mc_curve = rejection_curve(stats.std, correct, fractions)
    det_curve = rejection_curve(-stats.det_confidence, stats.det_correct, fractions)
    table = [{cols["kept"]: _r(f * 100), cols["mc"]: _r(m), cols["det"]: _r(d)}
             for f, m, d in zip(fractions, mc_curve, det_curve, strict=True)]  # fmt: skip
    right = float(stats.std[correct].mean()) if correct.any() else 0.0
    if correct.all():
        return Description(text["name"], text["no_wrong"].format(right=right), table)
    kept = min(fractions, key=lambda f: abs(f - 0.8))
    i = list(fractions).index(kept)
    summary = text["summary"].format(
        right=right, n_right=int(correct.sum()), wrong=float(stats.std[~correct].mean()),
        n_wrong=int((~correct).sum()), kept=kept, mc=mc_curve[i], det=det_curve[i],
        all=float(correct.mean()),
    )  # fmt: skip
    return Description(text["name"], summary, table)


def spread_scales(s: Spread) -> Description:
    """The spread of P and of the logit against the MC mean, per connection (the table)."""
    text = words("spread_scales")
    cols = text["columns"]
    table = [{cols["mean"]: _r(m), cols["prob"]: _r(p), cols["logit"]: _r(z)}
             for m, p, z in zip(s.mean, s.prob_std, s.logit_std, strict=True)]  # fmt: skip
    summary = text["summary"].format(
        n=s.mean.size, confident=int(s.confident.sum()), squeezed=int(s.squeezed().sum()),
        prob=float(np.median(s.prob_std)), logit=float(np.median(s.logit_std)),
        edge=CONFIDENT, edge_hi=1 - CONFIDENT,
    )  # fmt: skip
    return Description(text["name"], summary, table)


# --------------------------------------------------------------------------- data, class


def scatter(
    x: np.ndarray, y: np.ndarray, labels: np.ndarray, x_name: str, y_name: str
) -> Description:
    """The data preview's scatter: how many rows of each class and where their means are."""
    text = words("scatter")
    cols = {k: v.format(x=x_name, y=y_name) for k, v in text["columns"].items()}
    benign, malicious = labels == 0, labels == 1

    def mean(v: np.ndarray, sel: np.ndarray) -> float:
        return float(v[sel].mean()) if sel.any() else float("nan")

    summary = text["summary"].format(
        n_benign=int(benign.sum()), n_malicious=int(malicious.sum()), x=x_name, y=y_name,
        x_benign=mean(x, benign), x_malicious=mean(x, malicious),
        y_benign=mean(y, benign), y_malicious=mean(y, malicious),
    )  # fmt: skip
    classes = text["classes"]
    table = [{cols["label"]: classes[int(c)], cols["x"]: _r(a), cols["y"]: _r(b)}
             for a, b, c in zip(x, y, labels, strict=True)]  # fmt: skip
    name = text["name"].format(x=x_name, y=y_name)
    return Description(name, summary, table)


def class_sweep(sweep: Sequence[dict], *, named: bool = True) -> Description:
    """The dashboard's class sweep: how many runs, which rates, the best run (and whose, unless
    `named` is False: the projector's, with no name in the summary or the table)."""
    text = words("class_sweep")
    cols = text["columns"]
    points = [r for r in sweep if r.get("val_accuracy") is not None]
    table = [{**({cols["name"]: r["name"]} if named else {}),
              cols["mean_rate"]: _r(r["mean_rate"]), cols["val_accuracy"]: _r(r["val_accuracy"]),
              cols["val_loss"]: None if r.get("val_loss") is None else _r(r["val_loss"])}
             for r in points]  # fmt: skip
    if not points:
        return Description(text["name"], text["empty"], table)
    best = max(points, key=lambda r: r["val_accuracy"])
    rates_ = [r["mean_rate"] for r in points]
    summary = text["summary" if named else "summary_anonymous"].format(
        runs=Count(len(points)), learners=Count(len({r["name"] for r in points})), low=min(rates_),
        high=max(rates_), best=best["val_accuracy"], best_rate=best["mean_rate"],
        best_name=md.text(best["name"]),  # a learner's name, in a caption: Markdown
    )  # fmt: skip
    return Description(text["name"], summary, table)


# --------------------------------------------------------------------------- small panels


def panel_map(figure: go.Figure) -> Description:
    """A one-panel figure of the variants gallery (a mask, a value map or two histograms), read
    off its own data."""
    text = words("panel_map")
    title = figure.layout.title.text or ""
    traces = list(figure.data)
    if traces and traces[0].type == "bar":
        return _histograms(title, traces, text)
    z = _array(traces[0].z)
    cells = z[~np.isnan(z)]
    scale = [list(stop) for stop in traces[0].colorscale or []]
    is_mask = scale == pn.MASK_SCALE  # kept/dropped cells, not values
    if is_mask:
        kept = int(cells.sum())
        summary = text["mask"].format(title=title, kept=kept, total=cells.size,
                                      share=kept / max(cells.size, 1),
                                      dropped=cells.size - kept)  # fmt: skip
    else:
        summary = text["values"].format(
            title=title, low=float(cells.min()), high=float(cells.max()),
            zeros=int((cells == 0).sum()), total=cells.size,
        )  # fmt: skip
    table = []
    for i, row in enumerate(z, start=1):
        entry: dict[str, Any] = {text["row"]: i}
        for k, v in enumerate(row, start=1):
            entry[text["column"].format(k=k)] = _cell(v, is_mask, text)
        table.append(entry)
    return Description(title, summary, table)


def _cell(v: float, is_mask: bool, text: dict) -> str | float:
    if np.isnan(v):
        return ""  # the gap column between feature maps
    if is_mask:
        return text["kept"] if v else text["dropped"]
    return _r(v)


def _histograms(title: str, traces: list, text: dict) -> Description:
    stats = []
    for t in traces[:2]:
        centres, counts = _array(t.x), _array(t.y)
        total = max(counts.sum(), 1.0)
        mean = float((centres * counts).sum() / total)
        std = float(np.sqrt(((centres - mean) ** 2 * counts).sum() / total))
        stats.append((t.name, mean, std))
    (first, m1, s1), (second, m2, s2) = stats
    summary = text["histogram"].format(title=title, first=first, first_mean=m1, first_std=s1,
                                       second=second, second_mean=m2, second_std=s2)  # fmt: skip
    counts = {t.name: _array(t.y) for t in traces[:2]}
    table = [{text["bin"]: _r(c), **{name: int(n[i]) for name, n in counts.items()}}
             for i, c in enumerate(_array(traces[0].x))
             if any(n[i] for n in counts.values())]  # fmt: skip
    return Description(title, summary, table)
