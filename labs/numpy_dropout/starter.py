import numpy as np  # noqa: F401  (you will need it)


def dropout_forward(x, rate, training, rng):
    """Inverted dropout, the forward pass.

    x        -- a NumPy array of activations (any shape, float32 or float64)
    rate     -- the probability of DROPPING each unit, in [0, 1)
    training -- True during training; False at inference (then return x unchanged)
    rng      -- a numpy.random.Generator: draw all your randomness from it

    During training, zero each unit with probability `rate` and scale the kept units by
    1 / (1 - rate), so the expected output equals x. Return x unchanged when `training` is
    False or `rate` is 0. Raise ValueError if `rate` is outside [0, 1).
    The result has the same shape and dtype as x.
    """
    # Your code here.
    return x
