"""Dropout arithmetic in NumPy: masks, inverted and original dropout, and the variants.

Pure functions of their inputs and an explicit `numpy.random.Generator`; nothing here imports
TensorFlow, so the Explore step stays fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# SELU constants (Klambauer et al., 2017); AlphaDropout sets dropped units to -λα.
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
ALPHA_PRIME = -SELU_SCALE * SELU_ALPHA


def check_rate(rate: float) -> float:
    """Return `rate` as a float if it is a valid drop probability, else raise ValueError."""
    try:
        value = float(rate)
    except (TypeError, ValueError):
        raise ValueError(f"rate must be a number in [0, 1), got {rate!r}") from None
    if not 0.0 <= value < 1.0:  # also rejects NaN
        raise ValueError(f"rate must be in [0, 1), got {rate!r}")
    return value


def scale_factor(rate: float) -> float:
    """The factor 1/(1-rate) that inverted dropout applies to kept units."""
    return 1.0 / (1.0 - check_rate(rate))


def keep_mask(shape: tuple[int, ...], rate: float, rng: np.random.Generator) -> np.ndarray:
    """A boolean Bernoulli mask: True (kept) with probability 1-rate, independently per entry."""
    return rng.random(shape) >= check_rate(rate)


def noise_mask(
    shape: tuple[int, ...], noise_shape: tuple[int, ...], rate: float, rng: np.random.Generator
) -> np.ndarray:
    """A keep mask drawn at `noise_shape` and broadcast to `shape`, as Keras' `noise_shape`
    does: an axis of size 1 shares one decision along it (Dropout's default is `shape`
    itself, an independent decision per example and unit)."""
    if len(noise_shape) != len(shape) or any(
        n not in (1, s) for n, s in zip(noise_shape, shape, strict=True)
    ):
        raise ValueError(f"noise_shape {noise_shape} does not broadcast to {shape}")
    return np.broadcast_to(keep_mask(tuple(noise_shape), rate, rng), shape)


def inverted_dropout(x: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Zero each unit with probability `rate`; scale the survivors by 1/(1-rate)."""
    rate = check_rate(rate)
    keep = keep_mask(x.shape, rate, rng)
    return np.where(keep, x / (1.0 - rate), 0.0).astype(x.dtype, copy=False)


def apply_mask(x: np.ndarray, keep: np.ndarray, rate: float, *, form: str, training: bool):
    """Dropout with a given mask, in either form, at training or inference time.

    inverted: training keeps x/(1-p) where kept, inference returns x unchanged (what Keras does);
    original: training keeps x where kept (no scaling), inference returns x * (1-p).
    """
    rate = check_rate(rate)
    if form not in ("inverted", "original"):
        raise ValueError(f"form must be 'inverted' or 'original', got {form!r}")
    if not training:
        return x.copy() if form == "inverted" else x * (1.0 - rate)
    kept = x / (1.0 - rate) if form == "inverted" else x
    return np.where(keep, kept, 0.0)


def example_activations(n_units: int = 64, seed: int = 0) -> np.ndarray:
    """Plausible post-ReLU activations of one hidden layer: non-negative, some exactly zero."""
    rng = np.random.default_rng(10_000 + seed)
    pre = rng.normal(0.6, 0.8, n_units)
    return np.round(np.maximum(pre, 0.0), 2)


@dataclass(frozen=True)
class Convergence:
    """How the average of K dropped-and-scaled outputs approaches the expected output."""

    ks: np.ndarray  # the K values sampled on a log grid
    mean_abs_error: np.ndarray  # mean |average_K - expected| over units, per K
    average: np.ndarray  # the running average after all K masks
    expected: np.ndarray  # the expected training output (x for inverted, x*(1-p) for original)


def convergence_ks(n_masks: int) -> np.ndarray:
    """The mask counts K at which the convergence chart is drawn: up to 60 on a log grid."""
    return np.unique(np.geomspace(1, n_masks, num=min(n_masks, 60)).astype(int))


def convergence(
    x: np.ndarray, rate: float, n_masks: int, rng: np.random.Generator, *, form: str = "inverted"
) -> Convergence:
    """Average `n_masks` sampled training outputs and track the error against the expectation.

    The NumPy reference of the Explore page's convergence chart (drawn in the browser): the tests
    hold the lesson's claim, the error shrinks like 1/sqrt(K), with it."""
    rate = check_rate(rate)
    if not 1 <= n_masks <= 100_000:
        raise ValueError(f"n_masks must be between 1 and 100000, got {n_masks}")
    keep = rng.random((n_masks, x.size)) >= rate
    scale = 1.0 / (1.0 - rate) if form == "inverted" else 1.0
    outputs = keep * (x.reshape(1, -1) * scale)
    running = np.cumsum(outputs, axis=0) / np.arange(1, n_masks + 1)[:, None]
    expected = x.reshape(-1) * (scale * (1.0 - rate))
    ks = convergence_ks(n_masks)
    errors = np.abs(running[ks - 1] - expected).mean(axis=1)
    return Convergence(ks=ks, mean_abs_error=errors, average=running[-1], expected=expected)


def subnetwork_count_log10(n_units: int) -> float:
    """log10 of 2**n_units, the number of thinned sub-networks a dropout mask can pick."""
    if n_units < 0:
        raise ValueError("n_units must be non-negative")
    return n_units * math.log10(2)


# --- Variants -------------------------------------------------------------------------------


def spatial_dropout(maps: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Drop whole feature maps (channels first: C×H×W) and scale the kept ones."""
    keep = keep_mask((maps.shape[0], 1, 1), rate, rng)
    return np.where(keep, maps / (1.0 - rate), 0.0)


def dropconnect_mask(n_in: int, n_out: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    """DropConnect drops individual weights (connections), not units: an n_in×n_out mask."""
    return keep_mask((n_in, n_out), rate, rng)


def dropblock_mask(size: int, rate: float, block_size: int, rng: np.random.Generator) -> np.ndarray:
    """DropBlock (Ghiasi et al., 2018): drop contiguous block_size² squares of a size×size map.

    Block centres are sampled with γ chosen so that about `rate` of the map is dropped.
    """
    rate = check_rate(rate)
    if not 1 <= block_size <= size:
        raise ValueError(f"block_size must be between 1 and {size}, got {block_size}")
    valid = size - block_size + 1
    gamma = rate / block_size**2 * size**2 / valid**2
    centres = rng.random((valid, valid)) < gamma
    dropped = np.zeros((size, size), dtype=bool)
    for i, j in zip(*np.nonzero(centres), strict=True):
        dropped[i : i + block_size, j : j + block_size] = True
    return ~dropped


def time_masks(
    steps: int, units: int, rate: float, rng: np.random.Generator, *, variational: bool
) -> np.ndarray:
    """Keep masks over time steps × units: fresh per step, or one reused (variational dropout)."""
    if variational:
        return np.repeat(keep_mask((1, units), rate, rng), steps, axis=0)
    return keep_mask((steps, units), rate, rng)


def alpha_dropout(x: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """AlphaDropout: dropped units go to SELU's negative saturation, then an affine fix-up
    keeps the mean and variance of self-normalising activations."""
    rate = check_rate(rate)
    if rate == 0.0:
        return x.copy()
    keep = keep_mask(x.shape, rate, rng)
    q = 1.0 - rate
    a = (q + ALPHA_PRIME**2 * q * (1.0 - q)) ** -0.5
    b = -a * (1.0 - q) * ALPHA_PRIME
    return a * np.where(keep, x, ALPHA_PRIME) + b
