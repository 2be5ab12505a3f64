"""One way to write each kind of number in the sentences about the runs (lesson/claims.py)."""

from __future__ import annotations


def loss(x: float) -> str:
    return f"{x:.3f}"


def acc(x: float) -> str:
    """An accuracy or an error, as a fraction (as the summary table writes it)."""
    return f"{x:.3f}"


def diff(x: float) -> str:
    """A signed difference of two losses, accuracies or probabilities."""
    return f"{x:+.3f}"


def prob(x: float) -> str:
    """A probability P(malicious), or the size of a difference of two."""
    return f"{x:.3f}"


def share(x: float) -> str:
    return f"{x:.0%}"


def epoch(e: float) -> str:
    return f"{round(e)}"


def rate(r: float) -> str:
    return f"{r:g}"


def count(n: int) -> str:
    return f"{n:,}"


def times(x: float) -> str:
    return f"{x:.1f}"


def tiny(x: float) -> str:
    """A difference at floating-point rounding level."""
    return f"{x:.0e}"


def between(a: float, b: float, show=loss, signed: bool = False) -> str:
    """a − b, from the values as `show` writes them, so the sentence's arithmetic adds up."""
    d = float(show(a)) - float(show(b))
    return diff(d) if signed else show(abs(d))
