"""A small counter-based random generator, written once here and once in JavaScript.

The n-th number of a stream is a pure function of (seed, stream, n): two 32-bit integer hash
rounds, no hidden state. So the Explore page's browser code (app/ui/explore_component/rng.js)
draws exactly the masks this module draws, bit for bit, and can redraw them on every slider
move without asking the server. The hash is Chris Wellons' `lowbias32` (hash-prospector).
Everything is uint32 arithmetic modulo 2**32, which JavaScript has as `Math.imul` and `>>> 0`.
"""

from __future__ import annotations

import math

import numpy as np

MASK32 = 0xFFFFFFFF
GOLDEN = 0x9E3779B9  # 2**32 / golden ratio: spreads seeds and stream numbers apart
STREAM_MULT = 0x85EBCA6B
TWO_32 = 2.0**32


def mix32(x: np.ndarray) -> np.ndarray:
    """lowbias32: a bijective 32-bit integer hash (uint32 in, uint32 out, element-wise)."""
    x = np.asarray(x, dtype=np.uint32).copy()
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x7FEB352D)
    x ^= x >> np.uint32(15)
    x *= np.uint32(0x846CA68B)
    x ^= x >> np.uint32(16)
    return x


def stream_key(seed: int, stream: int) -> int:
    """The 32-bit key of one stream of one seed."""
    if not 0 <= int(seed) <= MASK32 or not 0 <= int(stream) <= MASK32:
        raise ValueError(f"seed and stream must be in [0, 2**32), got {seed}, {stream}")
    s = mix32(np.array([(int(seed) + GOLDEN) & MASK32]))
    t = np.uint32(((int(stream) + 1) * STREAM_MULT) & MASK32)
    return int(mix32(s ^ t)[0])


def bits(key: int, start: int, n: int) -> np.ndarray:
    """The uint32 numbers at counters start, start+1, …, start+n-1 of the stream `key`."""
    counters = (np.arange(start, start + n, dtype=np.uint64) + np.uint64(key)) & np.uint64(MASK32)
    inner = mix32(counters.astype(np.uint32))
    return mix32(inner ^ np.uint32(key))


def uniform(key: int, start: int, n: int) -> np.ndarray:
    """Floats in [0, 1): each uint32 divided by 2**32 (exact in float64, so exact in JS too)."""
    return bits(key, start, n).astype(np.float64) / TWO_32


class CounterRNG:
    """A stream as a drop-in for `numpy.random.Generator.random`: successive calls read
    successive counters, so a sequence of draws is reproducible draw for draw in JavaScript."""

    def __init__(self, seed: int, stream: int) -> None:
        self.key = stream_key(seed, stream)
        self.counter = 0

    def random(self, size: int | tuple[int, ...] | None = None) -> np.ndarray:
        shape = () if size is None else (size,) if isinstance(size, int) else tuple(size)
        n = math.prod(shape)
        out = uniform(self.key, self.counter, n).reshape(shape)
        self.counter += n
        return out

    def normal(
        self, loc: float = 0.0, scale: float = 1.0, size: int | tuple[int, ...] | None = None
    ) -> np.ndarray:
        """Box-Muller from 2n uniforms (the first n give the radius, the next n the angle).
        JavaScript's Math.log and Math.cos may differ in the last bit: values for pictures,
        never for masks."""
        shape = () if size is None else (size,) if isinstance(size, int) else tuple(size)
        n = math.prod(shape)
        u = self.random(2 * n)
        z = np.sqrt(-2.0 * np.log1p(-u[:n])) * np.cos(2.0 * np.pi * u[n:])
        return (loc + scale * z).reshape(shape)


def keep_bits(seed: int, stream: int, rate: float, n: int) -> np.ndarray:
    """The first n keep decisions of a stream at `rate`: True where uniform >= rate."""
    return uniform(stream_key(seed, stream), 0, n) >= rate
