"""Lab definitions, loaded from data: `labs/<name>/lab.toml`, `starter.py` and `solution.py`.

A teacher edits a lab without touching Python: the TOML holds the title, the intro, the default
training configuration, the goals (each with the rule that checks it and hints that fade: the
idea, then a pointer, then code, one more level after each failed attempt) and the variants to
try; the code is kept as real `.py` files so it can be linted and shown. Nothing here runs the
lab's code.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from dropout_lab.lesson import entries
from dropout_lab.lesson.goals import CHECKS, RUN_CHECKS
from dropout_lab.lesson.layers import DROPOUT_KINDS
from dropout_lab.lesson.locate import LABS_DIR
from dropout_lab.lesson.spec import MAX_EPOCHS, LayerSpec, ModelSpec, TrainConfig

# The rules a Keras lab's goal can name in `check` → the parameters each takes (all optional).
# Defined once, in `dropout_lab.lesson.goals`; an unknown name is refused when the lab loads.
GOAL_CHECKS: dict[str, tuple[str, ...]] = {
    name: check.params for name, check in (*CHECKS.items(), *RUN_CHECKS.items())
}
FRACTION_PARAMS = ("rate", "within", "accuracy")  # numbers strictly between 0 and 1
# A goal's hints, in the order they are given: the idea, a pointer, then code. A lab of each kind
# shows this many levels before any failed attempt, and one more after each failed attempt (a
# Keras lab's idea is there from the start: the learner decides before training; a NumPy lab's
# hints follow a Grade, which says which properties fail).
HINT_LEVELS = ("hint", "pointer", "code")
HINTS_BEFORE_ATTEMPT = {"keras": 1, "numpy": 0}
# A `kind = "numpy"` lab: the learner writes a NumPy function, graded by these properties
# (`dropout_lab.grading.checks` implements each one; they take no parameters).
NUMPY_CHECKS: tuple[str, ...] = (
    "shape_dtype",
    "drop_fraction",
    "kept_scaled",
    "mean_preserved",
    "inference_identity",
    "rate_zero_identity",
    "bad_rate",
    "reproducible",
    "uses_generator",
)
# The backprop lab's extra properties, of its `dropout_backward` (`dropout_lab.grading.backward`).
NUMPY_BACKWARD_CHECKS: tuple[str, ...] = (
    "gradient_check",
    "mask_reused",
    "backward_scale",
    "backward_inference",
    "dx_shape_dtype",
)
KINDS = ("keras", "numpy")

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_TOP_KEYS = {"title", "intro", "kind", "train", "goals", "variants"}
_GOAL_KEYS = {"id", "label", "check", *HINT_LEVELS}


class LabError(ValueError):
    """A lab definition that cannot be used; the message names the file and the fix."""


@dataclass(frozen=True)
class Goal:
    """One item of the lab's checklist."""

    id: str
    label: str
    check: str  # a key of GOAL_CHECKS (or NUMPY_CHECKS in a numpy lab)
    hint: str  # the first level: the idea
    params: tuple[tuple[str, Any], ...] = ()  # the rule's parameters, e.g. (("rate", 0.3),)
    more: tuple[str, ...] = ()  # the next levels of HINT_LEVELS given (the pointer, the code)

    def param(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)

    @property
    def hints(self) -> tuple[str, ...]:
        """Every level of help, the idea first."""
        return (self.hint, *self.more)

    @property
    def on_run(self) -> bool:
        """Judged on a finished run's history (an outcome), not on the code."""
        return self.check in RUN_CHECKS


@dataclass(frozen=True)
class LabVariant:
    """A layout to try and compare: the starter with these dropout rates after its hidden layers."""

    id: str
    label: str
    rates: tuple[float, ...]  # one per hidden Dense layer, in order; 0: no dropout after it

    def apply(self, spec: ModelSpec) -> ModelSpec:
        """`spec` without its dropout layers, then Dropout(rate) after the i-th hidden Dense."""
        layers: list[LayerSpec] = []
        dense = 0
        plain = [layer for layer in spec.layers if layer.kind not in DROPOUT_KINDS]
        hidden = sum(layer.kind == "Dense" for layer in plain) - 1
        for layer in plain:
            layers.append(layer)
            if layer.kind == "Dense" and dense < min(hidden, len(self.rates)):
                if self.rates[dense] > 0:
                    layers.append(LayerSpec("Dropout", rate=self.rates[dense]))
                dense += 1
        return dataclasses.replace(spec, layers=tuple(layers))


@dataclass(frozen=True)
class Lab:
    name: str
    title: str
    starter: str  # code the learner starts from
    solution: str  # the reference solution
    goals: tuple[Goal, ...]
    config: TrainConfig  # default training configuration
    intro: str = ""
    kind: str = "keras"  # "keras": a model to train; "numpy": a function graded in a sandbox
    variants: tuple[LabVariant, ...] = ()  # layouts to try and compare (a Keras lab)

    def hint_level(self, failed: int) -> int:
        """How many levels of each goal's hints to show after `failed` failed attempts."""
        return HINTS_BEFORE_ATTEMPT[self.kind] + max(0, failed)


def list_labs(root: Path | None = None) -> list[str]:
    """Names of the labs under `root` (default: the repository's `labs/`)."""
    base = LABS_DIR if root is None else Path(root)
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / "lab.toml").is_file())


def load_lab(name: str = "overfit", *, root: Path | None = None) -> Lab:
    """Read and validate the lab `name`. Raises LabError with a clear message if it is broken.

    The project's own labs are read once per process (pages ask for them on every rerun; a
    `Lab` is frozen); a lab under another `root` is read each time."""
    if root is None and isinstance(name, str):
        return _project_lab(name)
    return _read_lab(name, root)


@functools.lru_cache(maxsize=16)
def _project_lab(name: str) -> Lab:
    return _read_lab(name, None)


def _read_lab(name: str, root: Path | None) -> Lab:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise LabError(
            f"Lab name {name!r} is not valid: use lower-case letters, digits, '-' and '_' only."
        )
    base = (LABS_DIR if root is None else Path(root)) / name
    toml_path = base / "lab.toml"
    if not toml_path.is_file():
        available = ", ".join(list_labs(root)) or "none"
        raise LabError(f"No lab named {name!r}: {toml_path} does not exist (labs: {available}).")
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LabError(f"{toml_path}: not valid TOML: {exc}") from None

    where = str(toml_path)
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise LabError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(_TOP_KEYS))}."
        )
    title = entries.text(data, "title", where, error=LabError)
    intro = entries.text(data, "intro", where, required=False, error=LabError)
    kind = data.get("kind", "keras")
    if kind not in KINDS:
        raise LabError(f"{where}: `kind` must be one of {', '.join(KINDS)}, got {kind!r}.")
    config = _train_config(data.get("train", {}), where)
    numpy_checks = NUMPY_CHECKS + NUMPY_BACKWARD_CHECKS
    goals = _goals(data.get("goals"), where, numpy_checks if kind == "numpy" else None)
    return Lab(
        name=name,
        title=title,
        starter=_code(base / "starter.py"),
        solution=_code(base / "solution.py"),
        goals=goals,
        config=config,
        intro=intro,
        kind=kind,
        variants=_variants(data.get("variants", []), where),
    )


def _code(path: Path) -> str:
    if not path.is_file():
        raise LabError(f"{path} is missing: every lab needs starter.py and solution.py.")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LabError(f"{path}: not UTF-8 text ({exc}).") from None


def _train_config(table: Any, where: str) -> TrainConfig:
    if not isinstance(table, dict):
        raise LabError(f"{where}: [train] must be a table, e.g. `[train]` then `epochs = 50`.")
    allowed = {f.name for f in fields(TrainConfig)}
    unknown = set(table) - allowed
    if unknown:
        raise LabError(
            f"{where}: unknown [train] key(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(allowed))}."
        )
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise LabError(f"{where}: [train] {key} must be a whole number, got {value!r}.")
    epochs = table.get("epochs", TrainConfig.epochs)
    if not 1 <= epochs <= MAX_EPOCHS:
        raise LabError(f"{where}: [train] epochs must be between 1 and {MAX_EPOCHS}, got {epochs}.")
    if table.get("batch_size", 1) < 1:
        raise LabError(f"{where}: [train] batch_size must be at least 1.")
    patience = table.get("early_stopping_patience")
    if patience is not None and patience < 1:
        raise LabError(f"{where}: [train] early_stopping_patience must be at least 1.")
    for key in ("seed", "data_seed"):
        if table.get(key, 0) < 0:
            raise LabError(f"{where}: [train] {key} must not be negative.")
    return TrainConfig(**table)


def _goals(items: Any, where: str, checks: tuple[str, ...] | None = None) -> tuple[Goal, ...]:
    known = GOAL_CHECKS if checks is None else dict.fromkeys(checks, ())
    if not isinstance(items, list) or not items:
        raise LabError(f"{where}: a lab needs at least one goal: add a `[[goals]]` table.")
    goals: list[Goal] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        at = f"{where}: goal {number}"
        if not isinstance(item, dict):
            raise LabError(f"{at} must be a table (`[[goals]]`).")
        for key in ("id", "label", "check", HINT_LEVELS[0]):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise LabError(f"{at} needs `{key}` as a non-empty string.")
        goal_id, check = item["id"].strip(), item["check"].strip()
        if goal_id in seen:
            raise LabError(f"{at}: id {goal_id!r} is used twice; ids must be unique.")
        seen.add(goal_id)
        if check not in known:
            raise LabError(
                f"{at}: unknown check {check!r}; known checks: {', '.join(sorted(known))}."
            )
        params = {k: v for k, v in item.items() if k not in _GOAL_KEYS}
        unknown = set(params) - set(known[check])
        if unknown:
            takes = ", ".join(known[check]) or "no parameters"
            raise LabError(
                f"{at}: check {check!r} takes {takes}, not {', '.join(sorted(unknown))}."
            )
        for name in set(params) & set(FRACTION_PARAMS):
            params[name] = _fraction(params[name], f"{at}: {name}")
        goals.append(
            Goal(
                id=goal_id,
                label=item["label"].strip(),
                check=check,
                hint=" ".join(item["hint"].split()),
                params=tuple(sorted(params.items())),
                more=_more_hints(item, at),
            )
        )
    return tuple(goals)


def _fraction(value: Any, what: str, *, low_ok: bool = False) -> float:
    bad = isinstance(value, bool) or not isinstance(value, int | float)
    if bad or not (0 <= value < 1 if low_ok else 0 < value < 1):
        raise LabError(f"{what} must be a number between 0 and 1, got {value!r}.")
    return float(value)


def _more_hints(item: dict, at: str) -> tuple[str, ...]:
    """The levels after the idea, in order; the code level keeps its lines (it holds code)."""
    more: list[str] = []
    for level in HINT_LEVELS[1:]:
        if level not in item:
            break
        if not isinstance(item[level], str) or not item[level].strip():
            raise LabError(f"{at} needs `{level}` as a non-empty string.")
        text = item[level].strip()
        more.append(text if level == HINT_LEVELS[-1] else " ".join(text.split()))
    extra = [level for level in HINT_LEVELS[len(more) + 1 :] if level in item]
    if extra:
        raise LabError(f"{at}: `{extra[0]}` needs the hint levels before it ({HINT_LEVELS}).")
    return tuple(more)


def _variants(items: Any, where: str) -> tuple[LabVariant, ...]:
    if not isinstance(items, list):
        raise LabError(f"{where}: `variants` must be a list of tables (`[[variants]]`).")
    out: list[LabVariant] = []
    for number, item in enumerate(items, start=1):
        at = f"{where}: variant {number}"
        ok = isinstance(item, dict) and set(item) == {"id", "label", "rates"}
        if not ok or not all(isinstance(item[k], str) and item[k].strip() for k in ("id", "label")):
            raise LabError(f"{at} needs exactly `id`, `label` (strings) and `rates` (a list).")
        rates = item["rates"]
        if not isinstance(rates, list) or not rates:
            raise LabError(f"{at}: `rates` must be a list of rates, one per hidden layer.")
        rates = tuple(_fraction(r, f"{at}: each rate", low_ok=True) for r in rates)
        out.append(LabVariant(item["id"].strip(), item["label"].strip(), rates))
    if len({v.id for v in out}) != len(out):
        raise LabError(f"{where}: two variants share an id; ids must be unique.")
    return tuple(out)
