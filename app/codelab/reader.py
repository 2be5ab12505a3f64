"""The code lab's safe reader: the learner's Keras code becomes a `ModelSpec`, never a program.

The code is only ever given to `ast.parse`; nothing in it is evaluated, executed or compiled to
a code object. The syntax tree is then read against a small allow-list (Sequential models of
the layer kinds in `dropout_lab.lesson.layers`, literal arguments, a `compile` call from fixed
lists: `rules`) and everything else is refused with a message that names the line and says what
to do (the words are in `lessons/codelab.toml`). Whatever the input, `parse_code` and `verdict`
return; they never raise.

The package must stay light (no TensorFlow, Keras or Streamlit): `dropout-lab check` answers in
well under a second.

Decisions worth knowing:
- `keras`, `tf` and `layers` used without an import are read as `import keras`,
  `import tensorflow as tf` and `from keras import layers` (the seed lesson prints its model
  that way), with a note. Every other unknown name is refused.
- `seed=` on a dropout/noise layer: an int literal (or None) is accepted and ignored, with a
  note; the trainer seeds every layer itself so runs reproduce.
- `keras.utils.set_random_seed(n)`, `tf.random.set_seed(n)`, `np.random.seed(n)`: accepted and
  ignored, with the same note.
- `name=` (a string) on a layer, Input or Sequential: accepted and ignored.
- `model.fit(...)` / `evaluate` / `predict` (also `history = model.fit(...)`): accepted and
  ignored, with a note that training settings are set with the controls below the editor. Their
  arguments are not read, but hostile constructs in them (calls to eval/open/..., lambdas,
  comprehensions, dunder names, f-strings, *args) are still refused.
- `model.summary()`: accepted and ignored.
- A missing `model.compile(...)` is refused (Keras itself cannot train an uncompiled model); the
  message gives the line to add.
- No input shape at all: accepted with a note (Keras takes the width from the data: 10 features).
- `ParseResult.spec` is a best-effort reading whenever every layer could be read, even if the
  code is refused for a model-level rule (dropout after the output, wrong output, missing
  compile, a refused import...): the checklist can then still be shown. Train only when
  `ParseResult.ok`.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import asdict
from typing import Any

from dropout_lab.codelab.assemble import assemble
from dropout_lab.codelab.goals import GoalResult, check_goals, judged_run, run_goals
from dropout_lab.codelab.messages import say, text
from dropout_lab.codelab.rules import (
    ACTIVATIONS,
    LOSS,
    MAX_CHARS,
    MAX_DEPTH,
    MAX_ERRORS,
    MAX_L2,
    MAX_LAYERS,
    MAX_LEARNING_RATE,
    MAX_STDDEV,
    MAX_UNITS,
    METRIC_ALIASES,
    METRICS,
)
from dropout_lab.codelab.walk import Walker
from dropout_lab.lesson import budget
from dropout_lab.lesson.labs import Lab, load_lab
from dropout_lab.lesson.spec import ParseError, ParseResult
from dropout_lab.lesson.train_settings import TrainSettings, train_settings

__all__ = [
    "ACTIVATIONS",
    "LOSS",
    "MAX_CHARS",
    "MAX_DEPTH",
    "MAX_ERRORS",
    "MAX_L2",
    "MAX_LAYERS",
    "MAX_LEARNING_RATE",
    "MAX_STDDEV",
    "MAX_UNITS",
    "METRICS",
    "METRIC_ALIASES",
    "GoalResult",
    "check_goals",
    "judged_run",
    "parse_code",
    "run_goals",
    "verdict",
]


def parse_code(source: str, *, input_dim: int = 10) -> ParseResult:
    """Read the learner's code into a ModelSpec, or refuse with messages; never runs it.

    Errors are sorted by line. `spec` may be set alongside errors (a best-effort reading for the
    checklist); only `result.ok` means the model can be trained.
    """
    try:
        return _parse_code(source, input_dim)
    except (RecursionError, MemoryError):
        return _fail(None, say("read.too_deep"))
    except Exception as exc:  # the contract is: never a traceback
        return _fail(None, say("read.crashed", error=type(exc).__name__))


def verdict(
    source: str, *, lab: Lab | None = None, input_dim: int = 10,
    training: TrainSettings | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The JSON that `dropout-lab check FILE --json` prints.

    `ok` means the code is a valid model for the lab, whether or not the goals are met, and
    that its run at the lesson's epochs fits the lesson's compute budget (`training`, default:
    $DROPOUT_LAB_LESSON's file).
    """
    result = parse_code(source, input_dim=input_dim)
    lab = lab if lab is not None else load_lab()
    spec = result.spec
    errors = [{"line": e.line, "message": e.message} for e in result.errors]
    training = training if training is not None else train_settings()
    over = budget.message(spec, training.config, training.budget_seconds) if result.ok else None
    if over is not None:  # at the lesson's epochs, within the lesson file's budget
        errors.append({"line": None, "message": over})
    return {
        "ok": result.ok and over is None,
        "errors": errors,
        "layers": [layer.describe() for layer in spec.layers] if spec is not None else [],
        "goals": [asdict(g) for g in check_goals(spec, lab)],
    }


def _parse_code(source: Any, input_dim: int) -> ParseResult:
    checked = _as_text(source)
    if isinstance(checked, ParseResult):
        return checked
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(checked, filename="<lab>", mode="exec")
    except SyntaxError as exc:
        return _fail(_syntax_line(exc, checked), _syntax_message(exc))
    except (RecursionError, MemoryError):
        return _fail(None, say("read.too_deep"))
    except (ValueError, TypeError, UnicodeError, OverflowError) as exc:
        return _fail(None, say("read.unreadable", error=exc))

    too_deep = _too_deep(tree)
    if too_deep is not None:
        return _fail(too_deep, say("read.too_deep"))

    walker = Walker(input_dim)
    walker.read(tree)
    spec = assemble(walker)
    errors = _by_line(walker.report.errors)
    if len(errors) > MAX_ERRORS:
        more = len(errors) - (MAX_ERRORS - 1)
        errors = [*errors[: MAX_ERRORS - 1], ParseError(None, say("read.more", count=more))]
    return ParseResult(spec, tuple(errors), tuple(_by_line(walker.report.notes)))


def _as_text(source: Any) -> str | ParseResult:
    """The code as text fit for `ast.parse`, or the refusal that says why it is not."""
    if isinstance(source, bytes | bytearray):
        try:
            source = bytes(source).decode("utf-8")
        except UnicodeDecodeError as exc:
            line = bytes(source)[: exc.start].count(b"\n") + 1
            return _fail(line, say("read.not_utf8"))
    if not isinstance(source, str):
        return _fail(None, say("read.not_text", type=type(source).__name__))
    if len(source) > MAX_CHARS:
        return _fail(None, say("read.too_long", length=len(source), max=MAX_CHARS))
    source = source.removeprefix("\ufeff")
    if "\x00" in source:
        line = source[: source.index("\x00")].count("\n") + 1
        return _fail(line, say("read.null"))
    try:
        source.encode("utf-8")
    except UnicodeEncodeError as exc:
        line = source[: exc.start].count("\n") + 1
        return _fail(line, say("read.invalid_char"))
    if not source.strip():
        return _fail(None, say("read.empty"))
    return source


def _by_line(items: list[ParseError]) -> list[ParseError]:
    return sorted(items, key=lambda e: (e.line is None, e.line or 0))


def _fail(line: int | None, message: str) -> ParseResult:
    return ParseResult(None, (ParseError(line, message),))


def _too_deep(tree: ast.AST) -> int | None:
    """The line of the first node nested deeper than MAX_DEPTH, or None (iterative)."""
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return getattr(node, "lineno", None) or 1
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None


def _syntax_line(exc: SyntaxError, source: str) -> int | None:
    line = exc.lineno
    if not isinstance(line, int) or line < 1:
        return None
    return min(line, source.count("\n") + 1)


def _syntax_message(exc: SyntaxError) -> str:
    raw = str(exc.msg or "invalid syntax")
    lowered = raw.lower()
    if "exceeds the limit" in lowered:
        raw = say("syntax.huge_number")  # Python's own text names sys internals
    hints = text("syntax.hints")
    hint = next((_hint(h) for h in hints if h["match"] in lowered), None)
    if hint is None:
        hint = say("syntax.default_hint")
    return say("syntax.message", error=raw.rstrip("."), hint=hint)


def _hint(entry: dict[str, str]) -> str:
    return " ".join(entry["hint"].split()).format()
