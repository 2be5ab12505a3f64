"""The lesson's own runs, declared once: which runs the Compare and Reflect steps stand on.

The same model on the same data, trained with the lesson's training configuration (the lab's,
50 epochs, batch 32, Adam, with the lesson file's data seed, epochs and locked seed applied:
`lesson/train_settings.py`), in these variants:

* the rate sweep: `lesson_spec(rate)` for each of RATES × SEEDS, SEEDS counted from the
  configuration's training seed (the lab's 0, or the lesson file's locked seed); its seed-0
  members at rates 0.0 and PAIR_RATE are "the pair" (no dropout against Dropout(0.3));
* the other regularisers of the lesson's comparison table, at the pair's seed: L2 weight decay,
  early stopping (best weights restored), and Dropout(0.3) with L2;
* the long sweep: LONG_RATES × SEEDS trained LONG_FACTOR times as many epochs, so the page can
  show whether the high rates, still improving at the last epoch, catch up (`long_requests`).

Everything is identified by run key, so these runs are shared with the Build step (a learner's
starter run with the default settings *is* the no-dropout run, a locked seed included).
Computing them is `training/precompute.py`'s; what they show is `findings/`'s. Pure: no
Streamlit, no TensorFlow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import NamedTuple

from dropout_lab.lesson.spec import MAX_EPOCHS, ModelSpec, TrainConfig, lesson_spec, run_key

RATES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.8)  # the rates of the lesson's tables
SEEDS = (0, 1, 2)  # training seeds per rate (mean and spread), after the configuration's seed
PAIR_RATE = 0.3  # the pair's dropout rate (the lab's solution uses 0.5: labs/overfit)
L2 = 1e-3  # the L2 factor of the regulariser comparison (per Dense kernel)
PATIENCE = 5  # early stopping patience, epochs (the reading's example)
LONG_RATES = (0.3, 0.5, 0.8)  # the long sweep: the default rate and the slow learners
LONG_FACTOR = 3  # the long sweep trains this many times the lab's epochs (50 -> 150)

# Stable ids of the single runs (also the widget options of the page, and the meanings whose
# colours the charts draw them in).
NO_DROPOUT, DROPOUT, L2_ONLY, EARLY_STOP, DROPOUT_L2 = (
    "no_dropout",
    "dropout",
    "l2",
    "early_stopping",
    "dropout_l2",
)
REGULARISERS = (L2_ONLY, EARLY_STOP, DROPOUT_L2)


class Request(NamedTuple):
    """One of the lesson's runs: unpacks as (name, spec, config)."""

    name: str
    spec: ModelSpec
    config: TrainConfig


def sweep_name(rate: float, seed: int) -> str:
    """The name of the sweep's run at `rate` with its seed number `seed` (one of SEEDS: trained
    with the configuration's training seed plus `seed`)."""
    return f"rate {rate:g} seed {seed}"


def long_name(rate: float, seed: int) -> str:
    """The name of the long sweep's run at `rate` with its seed number `seed` (as `sweep_name`)."""
    return f"{sweep_name(rate, seed)}, long"


def _lesson_config() -> TrainConfig:
    """The lesson's training configuration ($DROPOUT_LAB_LESSON's file: `train_settings`)."""
    from dropout_lab.lesson.train_settings import train_settings  # it reads RATES from here

    return train_settings().config


def long_epochs(config: TrainConfig | None = None) -> int:
    """The long sweep's epochs: LONG_FACTOR times the base configuration's (capped)."""
    return min(MAX_EPOCHS, LONG_FACTOR * (config or _lesson_config()).epochs)


def requests(config: TrainConfig | None = None) -> list[Request]:
    """Every run but the long sweep, most wanted first: the pair, the regularisers, the sweep."""
    base = config or _lesson_config()
    seeded = [replace(base, seed=base.seed + s) for s in SEEDS]
    out = [
        Request(NO_DROPOUT, lesson_spec(0.0), seeded[0]),
        Request(DROPOUT, lesson_spec(PAIR_RATE), seeded[0]),
        Request(L2_ONLY, lesson_spec(0.0, l2=L2), seeded[0]),
        Request(EARLY_STOP, lesson_spec(0.0), replace(seeded[0], early_stopping_patience=PATIENCE)),
        Request(DROPOUT_L2, lesson_spec(PAIR_RATE, l2=L2), seeded[0]),
    ]
    for seed, cfg in zip(SEEDS, seeded, strict=True):
        for rate in RATES:
            out.append(Request(sweep_name(rate, seed), lesson_spec(rate), cfg))
    return out


def long_requests(
    config: TrainConfig | None = None, rates: Sequence[float] = LONG_RATES
) -> list[Request]:
    """The long sweep's runs at `rates` (those of LONG_RATES), every seed, rate by rate."""
    base = config or _lesson_config()
    cfg = replace(base, epochs=long_epochs(base))
    return [Request(long_name(rate, seed), lesson_spec(rate), replace(cfg, seed=base.seed + seed))
            for rate in LONG_RATES if rate in rates for seed in SEEDS]  # fmt: skip


def everything(config: TrainConfig | None = None) -> list[Request]:
    """Every run the lesson needs: `requests`, then the long sweep (the most expensive runs,
    wanted last)."""
    return unique(requests(config) + long_requests(config))


def unique(reqs: Iterable[Request]) -> list[Request]:
    """`reqs` without repeated runs (the pair is also part of the sweep), first name kept."""
    seen: set[str] = set()
    out = []
    for r in reqs:
        key = run_key(r.spec, r.config)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out
