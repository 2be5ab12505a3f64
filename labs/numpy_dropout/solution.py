import numpy as np


def dropout_forward(x, rate, training, rng):
    """Inverted dropout: zero each unit with probability `rate`, scale the rest by 1/(1-rate)."""
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"rate must be in [0, 1), got {rate}")
    if not training or rate == 0.0:
        return x
    keep = rng.random(x.shape) >= rate
    return np.where(keep, x / (1.0 - rate), 0).astype(x.dtype, copy=False)
