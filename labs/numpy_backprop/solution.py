def dropout_forward(x, rate, training, rng):
    """Inverted dropout, forward: (out, cache); the cache keeps the scaled mask for backward."""
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"rate must be in [0, 1), got {rate}")
    if not training or rate == 0.0:
        return x, None
    keep = rng.random(x.shape) >= rate
    mask = keep.astype(x.dtype) / (1.0 - rate)  # a Python float keeps float32 in float32
    return x * mask, mask


def dropout_backward(dout, cache):
    """Inverted dropout, backward: the gradient flows through the kept units, scaled alike."""
    mask = cache
    if mask is None:  # inference, or rate 0: the forward pass was the identity
        return dout
    return dout * mask
