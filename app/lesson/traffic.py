"""The lesson's running example: synthetic network connections for a SOC classifier.

Each row is one connection seen by a security operations centre, described by 10 numeric
features; the label says whether it is malicious (1) or benign (0). The label follows a
non-linear rule (port scans, brute-force logins, night-time exfiltration, beaconing), then a
fraction of labels is flipped: analysts make mistakes, and noise is what an over-sized network
memorises. NumPy only: this module never imports TensorFlow, Keras or Streamlit.

Shapes: `x_*` are float32 `(n, 10)`; `y_*` are float32 `(n, 1)` holding 0.0 or 1.0 (the shape
Keras' `binary_crossentropy` pairs with a 1-unit sigmoid output). The model's inputs are
log1p of the heavy-tailed columns (LOG_COLUMNS), then every column standardised with the
training split's mean and standard deviation; `raw_train` keeps the original units.

Measured with `training.trainer.train` and the lesson's defaults (50 epochs, batch 32, Adam;
`lesson_spec(0.0)` vs `lesson_spec(0.3)`); `tests/unit/test_training.py` re-checks seed 0:

    data seed, train seed | no dropout: train acc, final val loss (min @epoch, ×min), val acc
                          | Dropout(0.3): final val loss (vs no dropout), val acc
    0, 0 | 1.000, 1.792 (0.502 @2, ×3.57), 0.730 | 0.691 (61% lower), 0.743
    0, 1 | 1.000, 1.950 (0.505 @3, ×3.86), 0.721 | 0.745 (62% lower), 0.733
    0, 2 | 0.998, 1.897 (0.502 @3, ×3.78), 0.738 | 0.702 (63% lower), 0.748
    1, 0 | 1.000, 1.739 (0.492 @5, ×3.53), 0.752 | 0.709 (59% lower), 0.769
    2, 0 | 0.986, 1.505 (0.533 @5, ×2.82), 0.725 | 0.729 (52% lower), 0.749

Targets: train acc ≥ 0.98, final val loss ≥ 1.5× its minimum, dropout ≥ 30% lower final val
loss and no lower val accuracy. The true rule itself (probability > 0.5) scores about 0.81
on these noisy labels: the ceiling a model could reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

FEATURES: tuple[str, ...] = (
    "duration_s",  # connection length, seconds (log-normal)
    "bytes_in",  # bytes received by the client (log-normal)
    "bytes_out",  # bytes sent by the client (log-normal)
    "packets",  # packets exchanged (Poisson, grows with bytes)
    "distinct_ports",  # destination ports touched by the source in the window (1 + Poisson)
    "failed_logins",  # failed authentications in the window (Poisson)
    "payload_entropy",  # Shannon entropy of the payload, bits per byte (0-8)
    "mean_interarrival_ms",  # mean gap between packets, milliseconds (log-normal)
    "syn_ratio",  # share of packets that are bare SYNs (0-1)
    "hour_of_day",  # local hour the connection started (0-23)
)

# Columns the model sees as log1p(value) before standardisation.
LOG_COLUMNS = tuple(
    FEATURES.index(f)
    for f in (
        "duration_s",
        "bytes_in",
        "bytes_out",
        "packets",
        "distinct_ports",
        "failed_logins",
        "mean_interarrival_ms",
    )
)

N_TRAIN = 1000
N_VAL = 2000
LABEL_NOISE = 0.08  # fraction of labels flipped at random


@dataclass(frozen=True)
class TrafficData:
    """Fixed train/validation splits. All arrays are float32 and read-only."""

    x_train: np.ndarray  # (N_TRAIN, 10) standardised
    y_train: np.ndarray  # (N_TRAIN, 1) 0.0 benign / 1.0 malicious
    x_val: np.ndarray  # (N_VAL, 10) standardised with the training statistics
    y_val: np.ndarray  # (N_VAL, 1)
    raw_train: np.ndarray  # (N_TRAIN, 10) original units, for the preview table
    feature_names: tuple[str, ...] = FEATURES
    mean: np.ndarray | None = None  # (10,) training means of the model inputs (after log1p)
    std: np.ndarray | None = None  # (10,) training standard deviations

    @property
    def n_train(self) -> int:
        return int(self.x_train.shape[0])

    @property
    def n_val(self) -> int:
        return int(self.x_val.shape[0])


def _connections(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` raw connections in original units, columns in FEATURES order."""
    duration = rng.lognormal(mean=np.log(8.0), sigma=1.3, size=n)
    bytes_in = rng.lognormal(mean=np.log(20_000.0), sigma=1.6, size=n)
    bytes_out = rng.lognormal(mean=np.log(3_000.0), sigma=1.5, size=n)
    packets = rng.poisson((bytes_in + bytes_out) / 900.0 + 3.0).astype(float)
    ports = 1.0 + rng.poisson(rng.choice([0.3, 6.0], size=n, p=[0.85, 0.15]))
    failed = rng.poisson(rng.choice([0.1, 4.0], size=n, p=[0.88, 0.12])).astype(float)
    entropy = 8.0 * rng.beta(5.0, 2.5, size=n)
    interarrival = rng.lognormal(mean=np.log(120.0), sigma=1.1, size=n)
    syn_ratio = rng.beta(1.5, 8.0, size=n)
    hour = rng.integers(0, 24, size=n).astype(float)
    return np.column_stack(
        [
            duration,
            bytes_in,
            bytes_out,
            packets,
            ports,
            failed,
            entropy,
            interarrival,
            syn_ratio,
            hour,
        ]
    )


def _sigmoid(t: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-t))


def _malicious_probability(raw: np.ndarray) -> np.ndarray:
    """The non-linear rule an expert analyst would apply, as a probability.

    Soft versions of four attack patterns (each a product of soft thresholds), plus milder
    signals: upload-heavy traffic, time of day, near-random (encrypted/compressed) payloads.
    """
    duration, b_in, b_out, _packets, ports, failed, entropy, gap, syn, hour = raw.T
    night = (hour < 6) | (hour >= 22)
    upload = np.log(b_out / b_in)
    scan = _sigmoid(2.0 * (ports - 4.0)) * _sigmoid(30.0 * (syn - 0.12))
    brute_force = _sigmoid(2.0 * (failed - 2.5))
    exfiltration = _sigmoid(3.0 * (upload - 0.5)) * _sigmoid(3.0 * (entropy - 6.0)) * night
    beaconing = _sigmoid(2.0 * np.log(gap / 600.0)) * _sigmoid(2.0 * np.log(duration / 30.0))
    score = (
        3.0 * scan
        + 2.6 * brute_force
        + 3.2 * exfiltration
        + 2.4 * beaconing
        + 1.2 * np.tanh(upload)
        + 0.8 * np.sin(hour * np.pi / 12.0)
        + 0.9 * (entropy > 7.0)
    )
    return _sigmoid(3.0 * score)


def _model_inputs(raw: np.ndarray) -> np.ndarray:
    """Sizes, durations and counts are heavy-tailed: the model sees log1p of them."""
    z = raw.astype(np.float64).copy()
    cols = list(LOG_COLUMNS)
    z[:, cols] = np.log1p(z[:, cols])
    return z


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=np.float32)
    a.setflags(write=False)
    return a


@lru_cache(maxsize=8)
def load_lesson_data(seed: int = 0) -> TrafficData:
    """The lesson's dataset for `seed`: same seed, same arrays (memoised, read-only)."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    rng = np.random.default_rng([seed, 0x50C])
    n = N_TRAIN + N_VAL
    raw = _connections(rng, n)
    p = _malicious_probability(raw)
    y = (rng.random(n) < p).astype(np.float32)
    flip = rng.random(n) < LABEL_NOISE
    y = np.where(flip, 1.0 - y, y)

    raw_train = raw[:N_TRAIN]
    z = _model_inputs(raw)
    mean = z[:N_TRAIN].mean(axis=0)
    std = z[:N_TRAIN].std(axis=0)
    std = np.where(std > 0, std, 1.0)
    z = (z - mean) / std
    return TrafficData(
        x_train=_frozen(z[:N_TRAIN]),
        y_train=_frozen(y[:N_TRAIN, None]),
        x_val=_frozen(z[N_TRAIN:]),
        y_val=_frozen(y[N_TRAIN:, None]),
        raw_train=_frozen(raw_train),
        feature_names=FEATURES,
        mean=_frozen(mean),
        std=_frozen(std),
    )
