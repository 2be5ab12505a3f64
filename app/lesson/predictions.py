"""The lesson's predictions (lessons/predictions.toml): what each one asks, how a learner's answer
is checked and written, what the lesson's own runs answer, and how far off an answer was.

A prediction is made once, before its reveal: a value, or an explicit skip (`Made`). Its outcome
is computed here from the runs (the Explore one from the rate alone), never typed into the
file: what the lesson's runs answer is `findings/predictions.py`'s (Explore's needs no run:
`scale_factor`). Pure: no Streamlit, no TensorFlow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from dropout_lab.lesson.content import read_toml, step_text
from dropout_lab.lesson.entries import text as _text
from dropout_lab.lesson.locate import LESSONS_DIR
from dropout_lab.lesson.steps import STEP_IDS

FILE = LESSONS_DIR / "predictions.toml"
EXPLORE, EXPLORE_UNSCALED, BUILD_SHAPE, BUILD_ACCURACY, COMPARE = (
    "explore-scale",
    "explore-unscaled",
    "build-shape",
    "build-accuracy",
    "compare-rate",
)
IDS = (EXPLORE, EXPLORE_UNSCALED, BUILD_SHAPE, BUILD_ACCURACY, COMPARE)  # outcomes the app computes
SHAPES = ("fall", "level", "climb")  # what a validation loss does (findings/predictions.py)
SIZES = ("larger", "same", "smaller")  # the test-time input against training's (lesson/explore.py)
KINDS = ("number", "choice", "rate")
RATE_TOLERANCE = 1e-9

History = Mapping[str, Sequence[float]]
Value = float | str


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Made:
    """A prediction as the learner made it: a value, or skipped (then `value` is None)."""

    value: Value | None
    skipped: bool = False

    def __post_init__(self) -> None:
        if self.skipped != (self.value is None):
            raise ValueError("a prediction has a value, or it is skipped (and has none)")

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "skipped": self.skipped}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Made:
        return cls(data.get("value"), bool(data.get("skipped")))


@dataclass(frozen=True)
class Prediction:
    """One question asked before a reveal (see lessons/predictions.toml for the fields)."""

    id: str
    step: str
    kind: str
    title: str
    prompt: str
    label: str
    options: tuple[Option, ...] = ()
    lo: float = 0.0
    hi: float = 0.0
    increment: float = 1.0
    unit: str = ""
    signed: bool = False
    tolerance: float = 0.0
    digits: int = 2
    rate: float | None = None  # the dropout rate the question is about (Explore's)

    def check(self, value: Any, rates: Sequence[float] = ()) -> Value:
        """The value to keep, or a ValueError: a number in range, a known option, or one of
        `rates` (any rate in [0, 1) when none are given)."""
        if self.kind == "choice":
            if value not in {o.value for o in self.options}:
                raise ValueError(f"{self.id}: {value!r} is not one of the options")
            return str(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{self.id}: a number is needed, got {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{self.id}: {value!r} is not a finite number")
        if self.kind == "rate":
            if rates and not any(abs(number - r) <= RATE_TOLERANCE for r in rates):
                raise ValueError(f"{self.id}: {value!r} is not one of the rates {list(rates)}")
            if not 0.0 <= number < 1.0:
                raise ValueError(f"{self.id}: a rate is in [0, 1), got {value!r}")
            return number
        if not self.lo <= number <= self.hi:
            raise ValueError(f"{self.id}: {value!r} is outside [{self.lo:g}, {self.hi:g}]")
        return number

    def show(self, value: Value | None) -> str:
        """A value as the pages and the CSV write it ("" for none)."""
        if value is None:
            return ""
        if self.kind == "choice":
            return next((o.label for o in self.options if o.value == value), str(value))
        if self.kind == "rate":
            return f"{float(value):g}"
        sign = "+" if self.signed else ""
        return f"{float(value):{sign}.{self.digits}f}{self.unit}"

    def matches(self, value: Value | None, outcome: Value | None) -> bool:
        """The prediction agrees with the outcome (a number: within the tolerance)."""
        if value is None or outcome is None:
            return False
        if self.kind == "choice":
            return value == outcome
        tolerance = RATE_TOLERANCE if self.kind == "rate" else self.tolerance
        return abs(float(value) - float(outcome)) <= tolerance + 1e-12


# --------------------------------------------------------------------------- loading


def _number(entry: Mapping, field: str, where: str) -> float:
    value = entry.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: {field!r} must be a number")
    return float(value)


def _options(entry: Mapping, where: str) -> tuple[Option, ...]:
    raw = entry.get("options")
    if not isinstance(raw, list) or len(raw) < 2:
        raise ValueError(f"{where}: a choice needs two or more options")
    options = tuple(Option(_text(o, "value", where), _text(o, "label", where)) for o in raw)
    if len({o.value for o in options}) != len(options):
        raise ValueError(f"{where}: two options have the same value")
    return options


def parse(entry: Mapping[str, Any], where: str = "prediction") -> Prediction:
    """A checked Prediction from one TOML table; a ValueError names the problem."""
    pid = _text(entry, "id", where)
    where = f"prediction {pid!r}"
    kind, step = entry.get("kind"), entry.get("step")
    if kind not in KINDS:
        raise ValueError(f"{where}: 'kind' must be one of {list(KINDS)}, got {kind!r}")
    if step not in STEP_IDS:
        raise ValueError(f"{where}: 'step' must be one of {list(STEP_IDS)}, got {step!r}")
    common = {"id": pid, "step": step, "kind": kind}
    common.update({k: _text(entry, k, where) for k in ("title", "prompt", "label")})
    rate = _number(entry, "rate", where) if "rate" in entry else None
    if rate is not None and not 0.0 <= rate < 1.0:
        raise ValueError(f"{where}: 'rate' must be in [0, 1)")
    if kind == "choice":
        return Prediction(**common, options=_options(entry, where), rate=rate)
    if kind == "rate":
        return Prediction(**common)
    lo, hi = _number(entry, "min", where), _number(entry, "max", where)
    increment, tolerance = _number(entry, "increment", where), _number(entry, "tolerance", where)
    if not lo < hi or increment <= 0 or tolerance < 0:
        raise ValueError(f"{where}: needs min < max, increment > 0 and tolerance >= 0")
    digits = entry.get("digits", 2)
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 6:
        raise ValueError(f"{where}: 'digits' must be an integer 0..6")
    return Prediction(**common, lo=lo, hi=hi, increment=increment,
                      unit=str(entry.get("unit", "")), signed=bool(entry.get("signed", False)),
                      tolerance=tolerance, digits=digits, rate=rate)  # fmt: skip


def load_file(path: Path = FILE) -> dict[str, Prediction]:
    """Every prediction of `path` by id, checked; the app's own ids must all be there, with
    the outcomes it computes as a choice's options."""
    entries = read_toml(path).get("prediction")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path.name}: expected one or more [[prediction]] tables")
    out: dict[str, Prediction] = {}
    for n, entry in enumerate(entries, start=1):
        p = parse(entry, f"{path.name}: prediction {n}")
        if p.id in out:
            raise ValueError(f"{path.name}: duplicate prediction id {p.id!r}")
        out[p.id] = p
    missing = [pid for pid in IDS if pid not in out]
    if missing:
        raise ValueError(f"{path.name}: the app asks {missing}, which the file does not define")
    shape = out[BUILD_SHAPE]
    if shape.kind != "choice" or {o.value for o in shape.options} != set(SHAPES):
        raise ValueError(f"{path.name}: {BUILD_SHAPE!r} must be a choice of {list(SHAPES)}")
    if out[EXPLORE].kind != "number" or out[EXPLORE].rate is None:
        raise ValueError(f"{path.name}: {EXPLORE!r} must be a number with a 'rate'")
    unscaled = out[EXPLORE_UNSCALED]
    if unscaled.kind != "choice" or {o.value for o in unscaled.options} != set(SIZES):
        raise ValueError(f"{path.name}: {EXPLORE_UNSCALED!r} must be a choice of {list(SIZES)}")
    if unscaled.rate is None or unscaled.rate <= 0.0:
        raise ValueError(f"{path.name}: {EXPLORE_UNSCALED!r} needs a 'rate' above 0")
    return out


@cache
def load() -> dict[str, Prediction]:
    """lessons/predictions.toml's predictions (read once per process)."""
    return load_file()


def get(pid: str) -> Prediction:
    return load()[pid]


def words(part: str | None = None) -> dict:
    """The words of lessons/predictions.toml, or one of its sections."""
    return step_text("predictions", part or "")


def of_step(step: str) -> list[Prediction]:
    return [p for p in load().values() if p.step == step]


# --------------------------------------------------------------------------- outcomes


def scale_factor(rate: float) -> float:
    """What inverted dropout multiplies a kept unit by: 1/(1 - rate)."""
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"rate must be in [0, 1), got {rate}")
    return 1.0 / (1.0 - rate)


def unscaled_outcome(rate: float) -> str:
    """Without the 1/(1 - rate) scaling, what the next layer's input is at test time against
    its expectation in training, on the Explore page's layer: one of SIZES."""
    from dropout_lab.lesson import explore

    return explore.unscaled(rate).outcome


@dataclass(frozen=True)
class Off:
    """How far a number prediction was from its outcome."""

    right: bool  # within the prediction's tolerance
    size: float  # |prediction - outcome|
    direction: str  # "high", "low", or "" when right


def off_by(p: Prediction, value: float, outcome: float) -> Off:
    """How far `value` is from `outcome`, for a number prediction."""
    diff = float(value) - float(outcome)
    if p.matches(value, outcome):
        return Off(True, abs(diff), "")
    return Off(False, abs(diff), "high" if diff > 0 else "low")
