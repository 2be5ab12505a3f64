import numpy as np  # noqa: F401  (you will need it)


def dropout_forward(x, rate, training, rng):
    """Inverted dropout, the forward pass, in the layer API: return (out, cache).

    x        -- a NumPy array of activations (any shape, float32 or float64)
    rate     -- the probability of DROPPING each unit, in [0, 1)
    training -- True during training; False at inference (then out is x unchanged)
    rng      -- a numpy.random.Generator: draw all your randomness from it

    out is what the first lab returned: zero each unit with probability `rate`, scale the kept
    ones by 1 / (1 - rate), same shape and dtype as x; x itself at inference or with rate 0.
    Raise ValueError if `rate` is outside [0, 1).
    cache is anything dropout_backward will need (for example the mask you used).
    """
    # Your code here.
    cache = None
    return x, cache


def dropout_backward(dout, cache):
    """Inverted dropout, the backward pass: return dx, the gradient of the loss w.r.t. x.

    dout  -- the gradient of the loss w.r.t. out (shape and dtype of out)
    cache -- what your dropout_forward returned beside out

    out = x * mask / (1 - rate), so dx = dout * mask / (1 - rate) with THE SAME mask the forward
    pass drew; at inference (or rate 0) dx is dout. dx has dout's shape and dtype.
    """
    # Your code here.
    return dout
