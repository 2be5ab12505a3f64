"""One way to write each kind of number in the sentences about the runs (findings/claims.py)."""

from __future__ import annotations

from collections.abc import Callable


def _writer(spec: str, doc: str) -> Callable[[float], str]:
    """A function writing a number with the format `spec` (the kinds differ in name and doc)."""

    def show(x: float) -> str:
        return format(x, spec)

    show.__doc__ = doc
    return show


loss = _writer(".3f", "A loss.")
acc = _writer(".3f", "An accuracy or an error, as a fraction (as the summary table writes it).")
diff = _writer("+.3f", "A signed difference of two losses, accuracies or probabilities.")
prob = _writer(".3f", "A probability P(malicious), or the size of a difference of two.")
share = _writer(".0%", "A share, in per cent.")
rate = _writer("g", "A dropout rate.")
count = _writer(",", "A count, with thousands separators.")
times = _writer(".1f", "How many times larger.")
mean = _writer(".3g", "A mean activation, or a ratio of two (Explore's layer).")
tiny = _writer(".0e", "A difference at floating-point rounding level.")
mean_epoch = _writer(".1f", "An epoch averaged over seeds.")


def epoch(e: float) -> str:
    """An epoch, rounded to a whole one."""
    return f"{round(e)}"


def between(a: float, b: float, show=loss, signed: bool = False) -> str:
    """a − b, from the values as `show` writes them, so the sentence's arithmetic adds up."""
    d = float(show(a)) - float(show(b))
    return diff(d) if signed else show(abs(d))


class Count(int):
    """A count that spells its noun right: in a lesson file's sentence, `{runs:run|runs}` is
    "1 run" or "3 runs" (any words, e.g. `{n:answer is|answers are}`); `{runs}` and other format
    specs write the number alone. The one pluralisation helper: counts shown in sentences are
    passed as Count(n)."""

    def __format__(self, spec: str) -> str:
        if "|" not in spec:
            return super().__format__(spec)
        one, many = spec.split("|", 1)
        return f"{int(self):,} {one if int(self) == 1 else many}"
