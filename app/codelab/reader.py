"""The code lab's safe reader: the learner's Keras code becomes a `ModelSpec`, never a program.

The code is only ever given to `ast.parse`; nothing in it is evaluated, executed or compiled to
a code object. The syntax tree is then read against a small allow-list (Sequential models of
Dense / Dropout / GaussianNoise / BatchNormalization / AlphaDropout layers, literal arguments,
a `compile` call from fixed lists) and everything else is refused with a message that names the
line and says what to do. Whatever the input, `parse_code` and `verdict` return; they never raise.

This module must stay light (no TensorFlow, Keras or Streamlit): `dropout-lab check` answers in
well under a second.

Decisions worth knowing:
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
import itertools
import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any

from dropout_lab.lesson.labs import GOAL_CHECKS, Goal, Lab, load_lab
from dropout_lab.lesson.spec import (
    DROPOUT_KINDS,
    LAYER_KINDS,
    LayerSpec,
    ModelSpec,
    ParseError,
    ParseResult,
)

MAX_CHARS = 20_000
MAX_LAYERS = 12
MAX_UNITS = 2_048
MAX_DEPTH = 40  # syntax-tree nesting; real model code stays under 10
MAX_ERRORS = 20
MAX_L2 = 1.0
MAX_STDDEV = 10.0
MAX_LEARNING_RATE = 1.0

ACTIVATIONS = ("relu", "sigmoid", "tanh", "elu", "selu", "gelu", "swish", "linear", "softmax")
OPTIMIZERS = {
    "adam": "Adam",
    "sgd": "SGD",
    "rmsprop": "RMSprop",
    "adamw": "AdamW",
    "adagrad": "Adagrad",
}
LOSS = "binary_crossentropy"
METRICS = ("accuracy", "auc", "precision", "recall")
METRIC_ALIASES = {"acc": "accuracy"}

# Modules the code may import or name (after `tensorflow.keras` → `keras`).
_MODULES = {
    "keras",
    "keras.layers",
    "keras.models",
    "keras.regularizers",
    "keras.optimizers",
    "keras.losses",
    "keras.utils",
    "tensorflow",
    "tensorflow.random",
    "numpy",
    "numpy.random",
}
# Objects the code may name: dotted path → what it is.
_OBJECTS: dict[str, str] = {
    "keras.Sequential": "Sequential",
    "keras.models.Sequential": "Sequential",
    "keras.Input": "Input",
    "keras.layers.Input": "Input",
    "keras.regularizers.l2": "l2",
    "keras.regularizers.L2": "l2",
    "keras.losses.BinaryCrossentropy": "loss:BinaryCrossentropy",
    "keras.losses.binary_crossentropy": "loss:binary_crossentropy",
    # global seeding: accepted and ignored (the lab seeds every run itself)
    "keras.utils.set_random_seed": "seed",
    "tensorflow.random.set_seed": "seed",
    "numpy.random.seed": "seed",
    **{f"keras.layers.{kind}": f"layer:{kind}" for kind in LAYER_KINDS},
    **{f"keras.optimizers.{cls}": f"optimizer:{name}" for name, cls in OPTIMIZERS.items()},
}
_MODEL = "<model>"  # namespace value of the model variable
_REFUSED = "<refused>"  # namespace value of a name whose import was already refused

_NOT_RUN = "the lab reads your code but never runs it"
_DANGEROUS = frozenset(
    {
        "eval",
        "exec",
        "compile",
        "__import__",
        "open",
        "getattr",
        "setattr",
        "delattr",
        "hasattr",
        "globals",
        "locals",
        "vars",
        "dir",
        "input",
        "breakpoint",
        "help",
        "type",
        "object",
        "super",
        "exit",
        "quit",
        "memoryview",
        "print",
        "isinstance",
        "id",
        "classmethod",
        "staticmethod",
        "property",
    }
)
_BUILTIN_MESSAGES = {
    **{
        name: f"`{name}` is not allowed: {_NOT_RUN}, so only Keras model code is accepted."
        for name in _DANGEROUS
    },
    **{
        name: f"`{name}(...)` is not allowed: write the value itself, e.g. 0.3, 256 or 'relu'."
        for name in ("float", "int", "str", "bool", "round", "abs", "min", "max", "pow", "sum")
    },
    **{
        name: f"`{name}` is not allowed: write each layer out on its own line instead of a loop."
        for name in (
            "range",
            "list",
            "tuple",
            "dict",
            "set",
            "len",
            "map",
            "filter",
            "zip",
            "enumerate",
        )
    },
}
_STATEMENT_NAMES = {
    ast.FunctionDef: "function definitions (def)",
    ast.AsyncFunctionDef: "function definitions (async def)",
    ast.ClassDef: "class definitions",
    ast.Return: "return statements",
    ast.Delete: "del statements",
    ast.AugAssign: "augmented assignments (+=, -=, ...)",
    ast.AnnAssign: "annotated assignments",
    ast.For: "for loops",
    ast.AsyncFor: "for loops",
    ast.While: "while loops",
    ast.If: "if statements",
    ast.With: "with statements",
    ast.AsyncWith: "with statements",
    ast.Raise: "raise statements",
    ast.Try: "try statements",
    ast.Assert: "assert statements",
    ast.Global: "global statements",
    ast.Nonlocal: "nonlocal statements",
    ast.Break: "break statements",
    ast.Continue: "continue statements",
    ast.Match: "match statements",
}
_LAYER_LIST = (
    "Dense, Dropout, GaussianNoise, BatchNormalization and AlphaDropout (plus keras.Input)"
)


@dataclass(frozen=True)
class GoalResult:
    id: str
    label: str
    met: bool
    hint: str


class _Refusal(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _AlreadyReported(_Refusal):
    """A use of a name whose import was already refused: do not report it twice."""

    def __init__(self, line: int | None) -> None:
        super().__init__(line, "")


@dataclass
class _Item:
    """One element of the model: a layer (None if it could not be read) or an Input marker."""

    line: int
    layer: LayerSpec | None = None
    is_input: bool = False
    width: int | None = None  # an input width given by Input(shape=) or input_shape=/input_dim=


def _line(node: ast.AST | None) -> int | None:
    return getattr(node, "lineno", None)


def _short(node: ast.AST, limit: int = 40) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # only used to quote code in a message
        return "this"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _normalize(path: str) -> str:
    if path == "tensorflow.keras" or path.startswith("tensorflow.keras."):
        return "keras" + path[len("tensorflow.keras") :]
    return path


# ----------------------------------------------------------------------------------------------
# The reader
# ----------------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, input_dim: int) -> None:
        self.input_dim = input_dim
        self.ns: dict[str, str] = {}
        self.errors: list[ParseError] = []
        self.notes: list[ParseError] = []
        self.model_var: str | None = None
        self.model_line: int | None = None
        self.items: list[_Item] = []
        self.compile_line: int | None = None
        self.optimizer = "adam"
        self.learning_rate: float | None = None
        self.loss = LOSS
        self.metrics: tuple[str, ...] = ()
        self.seed_noted = False
        self.width_given = False  # an input width was written somewhere (valid or not)

    # -- reporting ---------------------------------------------------------------------------

    def error(self, line: int | None, message: str) -> None:
        self.errors.append(ParseError(line, message))

    def refuse(self, exc: _Refusal) -> None:
        if not isinstance(exc, _AlreadyReported):
            self.error(exc.line, exc.message)

    def note(self, line: int | None, message: str) -> None:
        if all(n.message != message for n in self.notes):
            self.notes.append(ParseError(line, message))

    # -- statements --------------------------------------------------------------------------

    def read(self, tree: ast.Module) -> None:
        for stmt in tree.body:
            try:
                self.statement(stmt)
            except _Refusal as exc:
                self.refuse(exc)

    def statement(self, stmt: ast.stmt) -> None:
        line = _line(stmt)
        if isinstance(stmt, ast.Import):
            self.import_(stmt)
        elif isinstance(stmt, ast.ImportFrom):
            self.import_from(stmt)
        elif isinstance(stmt, ast.Pass):
            return
        elif isinstance(stmt, ast.Expr):
            value = stmt.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return  # a docstring or a string used as a comment
            if isinstance(value, ast.Call):
                self.call_statement(value)
            else:
                raise _Refusal(
                    line,
                    f"`{_short(value)}` on its own does nothing here. Each line should import "
                    "Keras, build the model, or call model.add(...) / model.compile(...).",
                )
        elif isinstance(stmt, ast.Assign):
            self.assign(stmt)
        else:
            what = _STATEMENT_NAMES.get(type(stmt), f"{type(stmt).__name__} statements")
            raise _Refusal(
                line,
                f"{what[0].upper()}{what[1:]} are not allowed: {_NOT_RUN}. Write the model as "
                "plain statements: model = keras.Sequential([...]) and model.compile(...).",
            )

    def import_(self, stmt: ast.Import) -> None:
        for alias in stmt.names:
            full = _normalize(alias.name)
            root = alias.name.split(".")[0]
            bound = alias.asname or root
            if full not in _MODULES:
                self.ns[bound] = _REFUSED
                self.error(
                    stmt.lineno,
                    f"`import {alias.name}` is not allowed: {_NOT_RUN}, so only keras, "
                    "tensorflow and numpy may be imported (e.g. `import keras`). Remove this line.",
                )
                continue
            self.ns[bound] = full if alias.asname else _normalize(root)

    def import_from(self, stmt: ast.ImportFrom) -> None:
        module = stmt.module or ""
        if stmt.level or not module:
            raise _Refusal(stmt.lineno, "Relative imports are not allowed: write `import keras`.")
        base = _normalize(module)
        if base not in _MODULES or base == "numpy":
            for alias in stmt.names:
                self.ns[alias.asname or alias.name] = _REFUSED
            raise _Refusal(
                stmt.lineno,
                f"`from {module} import ...` is not allowed: {_NOT_RUN}, so only Keras names can "
                "be imported (e.g. `from keras import layers`). Remove this line.",
            )
        for alias in stmt.names:
            if alias.name == "*":
                raise _Refusal(
                    stmt.lineno,
                    f"`from {module} import *` is not allowed: import the names you use, "
                    "e.g. `from keras.layers import Dense, Dropout`.",
                )
            full = _normalize(f"{base}.{alias.name}")
            bound = alias.asname or alias.name
            if full in _MODULES or full in _OBJECTS:
                self.ns[bound] = full
            else:
                self.ns[bound] = _REFUSED
                self.error(stmt.lineno, self.unknown_path_message(full))

    def assign(self, stmt: ast.Assign) -> None:
        line = stmt.lineno
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            raise _Refusal(
                line,
                "Only a simple assignment of the model is allowed: model = keras.Sequential(...).",
            )
        target = stmt.targets[0].id
        value = stmt.value
        if isinstance(value, ast.Call) and self.is_model_method(
            value, ("fit", "evaluate", "predict")
        ):
            self.ignored_method(value)
            return
        if target.startswith("__"):
            raise _Refusal(line, f"Names with double underscores like `{target}` are not allowed.")
        callee = ""
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name | ast.Attribute):
            callee = getattr(value.func, "attr", None) or getattr(value.func, "id", "")
        looks_like_model = bool(callee) and (target == "model" or callee.lower().startswith("seq"))
        if looks_like_model and self.model_var is None:
            # Register the model first, so a misspelt import is reported once, not at every use.
            self.model_var, self.model_line = target, line
            self.ns[target] = _MODEL
            try:
                kind = self.callee_kind(value)  # type: ignore[arg-type]
            except _Refusal:
                self.items.append(_Item(line=line))  # the model exists but cannot be read
                raise
            if kind == "Sequential":
                self.sequential(value)  # type: ignore[arg-type]
                return
            self.items.append(_Item(line=line))
            raise _Refusal(
                line,
                f"The model must be a Sequential model: {target} = keras.Sequential([...]), "
                "with the layers inside the list.",
            )
        kind = self.callee_kind(value) if isinstance(value, ast.Call) else None
        if kind != "Sequential":
            plain = ast.Call | ast.Constant | ast.Name | ast.Attribute | ast.List | ast.Tuple
            why = "" if isinstance(value, plain) else self.explain(value) + " "
            raise _Refusal(
                line,
                f"{why}Only the model can be assigned here (model = keras.Sequential([...])); "
                f"{_NOT_RUN}, so other variables are not available. Write values such as the "
                "optimizer directly inside model.compile(...).",
            )
        raise _Refusal(
            line,
            f"A second model: the lab trains one model, already created on line "
            f"{self.model_line}. Keep a single `{self.model_var} = keras.Sequential(...)`.",
        )

    def call_statement(self, call: ast.Call) -> None:
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and self.ns.get(func.value.id) == _MODEL
        ):
            method = func.attr
            if method == "add":
                self.add(call)
            elif method == "compile":
                self.compile(call)
            elif method == "summary":
                for node in [*call.args, *(k.value for k in call.keywords)]:
                    self.literal(node)
            elif method in ("fit", "evaluate", "predict"):
                self.ignored_method(call)
            else:
                raise _Refusal(
                    call.lineno,
                    f"`{func.value.id}.{method}` is not available in the lab: use "
                    f"{func.value.id}.add(...), {func.value.id}.compile(...) and "
                    f"{func.value.id}.summary(); training is set up below the editor.",
                )
            return
        kind = self.callee_kind(call)  # raises a clear refusal for anything unknown
        if kind == "seed":
            if call.keywords or len(call.args) != 1:
                raise _Refusal(call.lineno, f"Give one seed: {_short(call.func)}(42).")
            self.seed_arg(call.args[0])
            return
        if kind == "Sequential":
            raise _Refusal(
                call.lineno,
                "Give the model a name: `model = keras.Sequential([...])`, then "
                "model.compile(...).",
            )
        raise _Refusal(
            call.lineno,
            f"`{_short(call)}` on its own does nothing here: put layers inside "
            "keras.Sequential([...]) or pass them to model.add(...).",
        )

    def is_model_method(self, call: ast.Call, methods: tuple[str, ...]) -> bool:
        func = call.func
        return (
            isinstance(func, ast.Attribute)
            and func.attr in methods
            and isinstance(func.value, ast.Name)
            and self.ns.get(func.value.id) == _MODEL
        )

    def ignored_method(self, call: ast.Call) -> None:
        assert isinstance(call.func, ast.Attribute)
        for node in ast.walk(call):
            if node is not call:
                self.scan_hostile(node)
        method = call.func.attr
        self.note(
            call.lineno,
            f"model.{method}(...) on line {call.lineno} is ignored: training settings (epochs, "
            "batch size) are set with the controls below the editor, and the lab trains and "
            "evaluates the model for you.",
        )

    def scan_hostile(self, node: ast.AST) -> None:
        """Refuse constructs that have no place in model code, even where arguments are ignored."""
        line = _line(node)
        if isinstance(node, ast.Name) and (node.id in _DANGEROUS or node.id.startswith("__")):
            raise _Refusal(line, _BUILTIN_MESSAGES.get(node.id) or self.dunder_message(node.id))
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise _Refusal(line, self.dunder_message(node.attr))
        if isinstance(
            node, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp
        ):
            raise _Refusal(line, self.explain(node))
        if isinstance(node, ast.JoinedStr | ast.Starred | ast.NamedExpr | ast.Await | ast.Yield):
            raise _Refusal(line, self.explain(node))
        if isinstance(node, ast.keyword) and node.arg is None:
            raise _Refusal(line, "Unpacking with ** is not allowed: write the arguments out.")

    # -- the model ---------------------------------------------------------------------------

    def sequential(self, call: ast.Call) -> None:
        args = self.bind(
            call, "keras.Sequential(...)", ("layers", "trainable", "name"), ("layers", "name")
        )
        if "name" in args:
            self.name_arg(args["name"])
        layers = args.get("layers")
        if layers is None or (isinstance(layers, ast.Constant) and layers.value is None):
            return
        if not isinstance(layers, ast.List | ast.Tuple):
            self.items.append(_Item(line=_line(layers) or call.lineno))  # unreadable layers
            raise _Refusal(
                _line(layers),
                "Pass the layers as a list: keras.Sequential([keras.layers.Dense(...), ...]). "
                + self.explain(layers),
            )
        for element in layers.elts:
            self.item(element)

    def add(self, call: ast.Call) -> None:
        if call.keywords or len(call.args) != 1 or isinstance(call.args[0], ast.Starred):
            raise _Refusal(
                call.lineno,
                "model.add(...) takes exactly one layer, e.g. "
                "model.add(keras.layers.Dropout(0.3)).",
            )
        self.item(call.args[0])

    def item(self, node: ast.expr) -> None:
        line = _line(node) or self.model_line or 1
        try:
            self.items.append(self.read_item(node))
        except _Refusal as exc:
            self.refuse(exc)
            self.items.append(_Item(line=line))  # unreadable: keeps counting and positions

    def read_item(self, node: ast.expr) -> _Item:
        line = _line(node) or 1
        if not isinstance(node, ast.Call):
            kind = None
            if isinstance(node, ast.Name | ast.Attribute):
                try:
                    kind = _OBJECTS.get(self.resolve(node))
                except _Refusal:
                    kind = None
            if kind and (kind.startswith("layer:") or kind == "Input"):
                raise _Refusal(
                    line,
                    f"Add parentheses to create the layer: {_short(node)}(...), e.g. Dropout(0.3).",
                )
            raise _Refusal(
                line,
                f"Each element of the model must be a layer such as keras.layers.Dense(256, "
                f"activation='relu'); `{_short(node)}` is not one. {self.explain(node)}",
            )
        kind = self.callee_kind(node)
        if kind == "Input":
            return self.input_(node)
        if not kind.startswith("layer:"):
            raise _Refusal(
                line,
                f"`{_short(node.func)}` is not a layer. The lab understands {_LAYER_LIST}.",
            )
        name = kind.removeprefix("layer:")
        return self.layer(name, node)

    def input_(self, call: ast.Call) -> _Item:
        args = self.bind(call, "keras.Input(...)", ("shape",), ("shape", "name"))
        self.width_given = True
        if "name" in args:
            self.name_arg(args["name"])
        if "shape" not in args:
            raise _Refusal(
                call.lineno, f"Give the input its shape: keras.Input(shape=({self.input_dim},))."
            )
        width = self.width(args["shape"], "shape")
        return _Item(line=call.lineno, is_input=True, width=width)

    def layer(self, kind: str, call: ast.Call) -> _Item:
        common = ("name", "input_shape", "input_dim")
        if kind == "Dense":
            positional: tuple[str, ...] = ("units", "activation")
            allowed = ("units", "activation", "kernel_regularizer", *common)
        elif kind in DROPOUT_KINDS:
            positional = ("rate", "noise_shape", "seed")
            allowed = ("rate", "seed", *common)
        elif kind == "GaussianNoise":
            positional = ("stddev", "seed")
            allowed = ("stddev", "seed", *common)
        else:  # BatchNormalization
            positional = ()
            allowed = common
        args = self.bind(call, f"{kind}(...)", positional, allowed)
        line = call.lineno
        problems = 0
        fields: dict[str, Any] = {}
        width: int | None = None

        def attempt(fn: Any, *a: Any) -> Any:
            nonlocal problems
            try:
                return fn(*a)
            except _Refusal as exc:
                problems += 1
                self.refuse(exc)
                return None

        if "name" in args:
            attempt(self.name_arg, args["name"])
        if "seed" in args:
            attempt(self.seed_arg, args["seed"])
        if "input_shape" in args or "input_dim" in args:
            self.width_given = True
        if "input_shape" in args and "input_dim" in args:
            problems += 1
            self.error(
                line, "Give the input width once: input_shape=(10,) or input_dim=10, not both."
            )
        elif "input_shape" in args:
            width = attempt(self.width, args["input_shape"], "input_shape")
        elif "input_dim" in args:
            width = attempt(self.input_dim_arg, args["input_dim"])

        if kind == "Dense":
            if "units" in args:
                fields["units"] = attempt(self.units, args["units"])
            elif not args.failed:
                problems += 1
                self.error(
                    line,
                    "Dense needs a number of units, e.g. "
                    "keras.layers.Dense(256, activation='relu').",
                )
            if "activation" in args:
                fields["activation"] = attempt(self.activation, args["activation"])
            if "kernel_regularizer" in args:
                fields["l2"] = attempt(self.regularizer, args["kernel_regularizer"])
        elif kind in DROPOUT_KINDS:
            if "rate" in args:
                fields["rate"] = attempt(self.rate, args["rate"], kind)
            elif not args.failed:
                problems += 1
                self.error(line, f"{kind} needs a rate, e.g. keras.layers.{kind}(0.3).")
        elif kind == "GaussianNoise":
            if "stddev" in args:
                fields["stddev"] = attempt(self.stddev, args["stddev"])
            elif not args.failed:
                problems += 1
                self.error(
                    line,
                    "GaussianNoise needs a standard deviation, e.g. "
                    "keras.layers.GaussianNoise(0.1).",
                )
        if problems or args.failed:
            return _Item(line=line, width=width)
        return _Item(line=line, layer=LayerSpec(kind, line=line, **fields), width=width)

    # -- arguments ---------------------------------------------------------------------------

    def bind(
        self, call: ast.Call, what: str, positional: tuple[str, ...], allowed: tuple[str, ...]
    ) -> _Args:
        """Match a call's arguments to names; report (and drop) what the lab does not take."""
        args = _Args()
        line = call.lineno
        allowed_text = ", ".join(f"{a}=" for a in allowed) or "no arguments"
        for i, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                args.failed = True
                self.error(_line(arg), "Unpacking with * is not allowed: write the arguments out.")
            elif i >= len(positional) or positional[i] not in allowed:
                args.failed = True
                self.error(
                    _line(arg) or line,
                    f"{what} got an extra argument `{_short(arg)}`; in this lab it takes "
                    f"{allowed_text}.",
                )
            else:
                args[positional[i]] = arg
        for kw in call.keywords:
            kline = _line(kw) or line
            if kw.arg is None:
                args.failed = True
                self.error(kline, "Unpacking with ** is not allowed: write the arguments out.")
            elif kw.arg in args:
                args.failed = True
                self.error(kline, f"{what} got `{kw.arg}` twice; give it once.")
            elif kw.arg == "lr" and "learning_rate" in allowed:
                args.failed = True
                self.error(kline, "`lr=` was renamed: write learning_rate=0.001.")
            elif kw.arg not in allowed:
                args.failed = True
                self.error(
                    kline,
                    f"{what} does not take `{kw.arg}=` in this lab; it takes {allowed_text}. "
                    "Remove it.",
                )
            else:
                args[kw.arg] = kw.value
        return args

    def literal(self, node: ast.expr) -> Any:
        """A literal value: number, string, None, True/False, or a tuple/list of those."""
        if isinstance(node, ast.Constant):
            value = node.value
            if value is None or isinstance(value, bool | int | float | str):
                return value
            raise _Refusal(_line(node), self.explain(node))
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub | ast.UAdd)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, int | float)
            and not isinstance(node.operand.value, bool)
        ):
            value = node.operand.value
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Tuple):
            return tuple(self.literal(e) for e in node.elts)
        if isinstance(node, ast.List):
            return [self.literal(e) for e in node.elts]
        raise _Refusal(_line(node), self.explain(node))

    def number(self, node: ast.expr, what: str) -> float | int:
        value = self.literal(node)
        line = _line(node)
        if isinstance(value, bool):
            raise _Refusal(line, f"{what} must be a number, not {value}.")
        if isinstance(value, str):
            raise _Refusal(
                line, f"{what} must be a number, not the string {value!r}: remove the quotes."
            )
        if not isinstance(value, int | float):
            raise _Refusal(line, f"{what} must be a number, not {_short(node)}.")
        if isinstance(value, float) and not math.isfinite(value):
            raise _Refusal(line, f"{what} must be a finite number.")
        return value

    def units(self, node: ast.expr) -> int:
        line = _line(node)
        value = self.number(node, "The number of units")
        if isinstance(value, float):
            raise _Refusal(
                line, f"The number of units must be a whole number such as 256, not {value:g}."
            )
        if value < 1:
            raise _Refusal(
                line,
                f"The number of units must be a positive whole number such as 256, not {value}.",
            )
        if value > MAX_UNITS:
            raise _Refusal(
                line,
                f"{value} units is too many: the lab allows at most {MAX_UNITS:,} units per layer.",
            )
        return value

    def activation(self, node: ast.expr) -> str | None:
        line = _line(node)
        value = (
            self.literal(node) if not isinstance(node, ast.Name | ast.Attribute) else _short(node)
        )
        choices = ", ".join(f"'{a}'" for a in ACTIVATIONS)
        if value is None:
            return None
        if not isinstance(value, str) or isinstance(node, ast.Name | ast.Attribute):
            raise _Refusal(
                line, f"Write the activation as a string, one of {choices}: activation='relu'."
            )
        if value.lower() in ACTIVATIONS and value != value.lower():
            raise _Refusal(
                line, f"Write the activation in lower case: activation='{value.lower()}'."
            )
        if value not in ACTIVATIONS:
            raise _Refusal(line, f"Unknown activation {value!r}: use one of {choices}.")
        return None if value == "linear" else value

    def rate(self, node: ast.expr, kind: str) -> float:
        line = _line(node)
        value = self.number(node, f"The {kind} rate")
        if not 0 <= value < 1:
            raise _Refusal(
                line,
                f"The {kind} rate must be at least 0 and below 1 (it is the probability of "
                f"dropping a unit), not {value:g}: try 0.3.",
            )
        return float(value)

    def stddev(self, node: ast.expr) -> float:
        line = _line(node)
        value = self.number(node, "GaussianNoise's stddev")
        if not 0 <= value <= MAX_STDDEV:
            raise _Refusal(
                line,
                f"GaussianNoise's stddev must be between 0 and {MAX_STDDEV:g}, not {value:g}: "
                "try 0.1.",
            )
        return float(value)

    def regularizer(self, node: ast.expr) -> float | None:
        line = _line(node)
        if isinstance(node, ast.Constant) and node.value == "l2":
            return 0.01  # Keras' default factor for the string 'l2'
        if not isinstance(node, ast.Call):
            raise _Refusal(
                line,
                "Write the regulariser as kernel_regularizer=keras.regularizers.l2(0.001). "
                + self.explain(node),
            )
        if self.callee_kind(node) != "l2":
            raise _Refusal(
                line,
                "Only an L2 regulariser is supported: "
                "kernel_regularizer=keras.regularizers.l2(0.001).",
            )
        args = self.bind(node, "l2(...)", ("l2",), ("l2",))
        if args.failed:
            raise _AlreadyReported(line)
        if "l2" not in args:
            return 0.01
        value = self.number(args["l2"], "The L2 factor")
        if not 0 <= value <= MAX_L2:
            raise _Refusal(
                line, f"The L2 factor must be between 0 and {MAX_L2:g}, not {value:g}: try 0.001."
            )
        return float(value) or None

    def width(self, node: ast.expr, what: str) -> int:
        line = _line(node)
        value = self.literal(node)
        example = f"{what}=({self.input_dim},)"
        if isinstance(value, int) and not isinstance(value, bool):
            raise _Refusal(line, f"{what} is a tuple: write {example}, with the comma.")
        if not isinstance(value, tuple | list) or len(value) != 1:
            raise _Refusal(
                line, f"The input is one row of {self.input_dim} features: write {example}."
            )
        (width,) = value
        if isinstance(width, bool) or not isinstance(width, int):
            raise _Refusal(line, f"The input width must be a whole number: write {example}.")
        return self.check_width(width, line, example)

    def input_dim_arg(self, node: ast.expr) -> int:
        line = _line(node)
        value = self.literal(node)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Refusal(line, f"input_dim must be a whole number: input_dim={self.input_dim}.")
        return self.check_width(value, line, f"input_dim={self.input_dim}")

    def check_width(self, width: int, line: int | None, example: str) -> int:
        if width != self.input_dim:
            raise _Refusal(
                line,
                f"The data has {self.input_dim} features, so the input must be {self.input_dim} "
                f"wide, not {width}: write {example}.",
            )
        return width

    def seed_arg(self, node: ast.expr) -> None:
        value = self.literal(node)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise _Refusal(
                _line(node), "seed= must be a whole number such as 42 (or leave it out)."
            )
        if not self.seed_noted:
            self.seed_noted = True
            self.note(
                _line(node),
                "Seeds in the code are ignored: the lab seeds every run and layer itself so that "
                "runs reproduce.",
            )

    def name_arg(self, node: ast.expr) -> None:
        if not isinstance(self.literal(node), str):
            raise _Refusal(_line(node), "name= must be a string, e.g. name='hidden_1'.")

    # -- compile -----------------------------------------------------------------------------

    def compile(self, call: ast.Call) -> None:
        line = call.lineno
        if self.compile_line is not None:
            raise _Refusal(
                line, f"model.compile(...) is already called on line {self.compile_line}: keep one."
            )
        self.compile_line = line
        args = self.bind(
            call, "model.compile(...)", ("optimizer", "loss"), ("optimizer", "loss", "metrics")
        )
        for key, reader in (
            ("optimizer", self.optimizer_arg),
            ("loss", self.loss_arg),
            ("metrics", self.metrics_arg),
        ):
            if key in args:
                try:
                    reader(args[key])
                except _Refusal as exc:
                    self.refuse(exc)

    def optimizer_arg(self, node: ast.expr) -> None:
        line = _line(node)
        names = ", ".join(f"'{n}'" for n in OPTIMIZERS)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            name = node.value.lower()
            if name not in OPTIMIZERS:
                raise _Refusal(line, f"Unknown optimizer {node.value!r}: use one of {names}.")
            self.optimizer = name
            return
        if isinstance(node, ast.Call):
            kind = self.callee_kind(node)
            if kind.startswith("optimizer:"):
                args = self.bind(
                    node, f"{_short(node.func)}(...)", ("learning_rate",), ("learning_rate",)
                )
                if args.failed:
                    raise _AlreadyReported(line)
                self.optimizer = kind.removeprefix("optimizer:")
                if "learning_rate" in args:
                    lr = self.number(args["learning_rate"], "The learning rate")
                    if not 0 < lr <= MAX_LEARNING_RATE:
                        raise _Refusal(
                            line,
                            f"The learning rate must be above 0 and at most 1, not {lr:g}: "
                            "try 0.001.",
                        )
                    self.learning_rate = float(lr)
                return
        elif isinstance(node, ast.Name | ast.Attribute):
            kind = _OBJECTS.get(self.resolve(node), "")
            if kind.startswith("optimizer:"):
                raise _Refusal(
                    line, f"Add parentheses: optimizer={_short(node)}(learning_rate=0.001)."
                )
        raise _Refusal(
            line,
            f"The optimizer must be a name such as 'adam' ({names}) or "
            "keras.optimizers.Adam(learning_rate=0.001).",
        )

    def loss_arg(self, node: ast.expr) -> None:
        line = _line(node)
        advice = (
            "a yes/no classifier with a sigmoid output uses loss='binary_crossentropy' "
            "(or keras.losses.BinaryCrossentropy())"
        )
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value not in (LOSS, "BinaryCrossentropy"):
                raise _Refusal(line, f"The loss {node.value!r} does not fit this task: {advice}.")
            return
        if isinstance(node, ast.Call) and self.callee_kind(node) == "loss:BinaryCrossentropy":
            args = self.bind(node, "BinaryCrossentropy(...)", ("from_logits",), ("from_logits",))
            if args.failed:
                raise _AlreadyReported(line)
            if "from_logits" in args and self.literal(args["from_logits"]) is not False:
                raise _Refusal(
                    line,
                    "from_logits=True is for outputs without a sigmoid; this model ends in a "
                    "sigmoid, so remove from_logits.",
                )
            return
        if (
            isinstance(node, ast.Name | ast.Attribute)
            and _OBJECTS.get(self.resolve(node)) == "loss:binary_crossentropy"
        ):
            return
        raise _Refusal(line, f"Unsupported loss: {advice}.")

    def metrics_arg(self, node: ast.expr) -> None:
        line = _line(node)
        choices = ", ".join(f"'{m}'" for m in METRICS)
        value = (
            self.literal(node)
            if not isinstance(node, ast.Name | ast.Attribute | ast.Call)
            else object()
        )
        if value is None:
            self.metrics = ()
            return
        if isinstance(value, str):
            raise _Refusal(line, f"Write metrics as a list: metrics=[{value!r}].")
        if not isinstance(value, list | tuple):
            raise _Refusal(
                line, f"Write metrics as a list of names, e.g. metrics=['accuracy'] ({choices})."
            )
        metrics: list[str] = []
        for item in value:
            name = METRIC_ALIASES.get(item, item) if isinstance(item, str) else item
            if not isinstance(name, str) or name not in METRICS:
                raise _Refusal(line, f"Unknown metric {item!r}: use names from {choices}.")
            if name not in metrics:
                metrics.append(name)
        self.metrics = tuple(metrics)

    # -- names -------------------------------------------------------------------------------

    def callee_kind(self, call: ast.Call) -> str:
        """What a call creates ('Sequential', 'Input', 'layer:Dense', ...); refuses the rest."""
        func = call.func
        if not isinstance(func, ast.Name | ast.Attribute):
            raise _Refusal(_line(call), self.explain(func))
        path = self.resolve(func)
        kind = _OBJECTS.get(path)
        if kind is None:
            raise _Refusal(_line(call), f"`{path}` is a module, not something to call.")
        return kind

    def resolve(self, node: ast.expr) -> str:
        """The dotted Keras path a name or attribute chain refers to; refuses anything else."""
        line = _line(node)
        if isinstance(node, ast.Name):
            name = node.id
            if name in self.ns:
                value = self.ns[name]
                if value == _REFUSED:
                    raise _AlreadyReported(line)
                if value == _MODEL:
                    raise _Refusal(
                        line,
                        f"`{name}` is the model; it can only be used as {name}.add(...) or "
                        f"{name}.compile(...).",
                    )
                return value
            if name in _BUILTIN_MESSAGES:
                raise _Refusal(line, _BUILTIN_MESSAGES[name])
            if name.startswith("__"):
                raise _Refusal(line, self.dunder_message(name))
            suggestion = {
                "keras": "add `import keras` at the top",
                "tf": "add `import tensorflow as tf` at the top",
                "tensorflow": "add `import tensorflow as tf` at the top",
                "layers": "add `from keras import layers` at the top",
                "models": "add `from keras import models` at the top",
                "regularizers": "add `from keras import regularizers` at the top",
                "optimizers": "add `from keras import optimizers` at the top",
                "losses": "add `from keras import losses` at the top",
                "np": "add `import numpy as np` at the top",
            }.get(name)
            if suggestion is None and f"keras.layers.{name}" in _OBJECTS:
                suggestion = (
                    f"add `from keras.layers import {name}` at the top, "
                    f"or write keras.layers.{name}"
                )
            if suggestion is None and name in ("Sequential", "Input"):
                suggestion = f"write keras.{name}"
            if suggestion:
                raise _Refusal(line, f"`{name}` is used but not imported: {suggestion}.")
            also = ""
            if self.model_var is not None and name == "model":
                also = f" The model in this code is called `{self.model_var}`."
            raise _Refusal(
                line,
                f"Unknown name `{name}`: {_NOT_RUN}, so only Keras names, numbers and strings are "
                f"understood (no variables other than the model).{also}",
            )
        if isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                raise _Refusal(line, self.dunder_message(node.attr))
            base = self.resolve(node.value)
            path = _normalize(f"{base}.{node.attr}")
            if path in _MODULES or path in _OBJECTS:
                return path
            raise _Refusal(line, self.unknown_path_message(path))
        raise _Refusal(line, self.explain(node))

    def unknown_path_message(self, path: str) -> str:
        parent, _, name = path.rpartition(".")
        if parent == "keras.layers":
            return f"`{name}` is not one of the layers this lab understands: {_LAYER_LIST}."
        if parent == "keras.optimizers":
            return f"`{name}` is not available: use Adam, SGD, RMSprop, AdamW or Adagrad."
        if parent == "keras.regularizers":
            return f"`{name}` is not available: the lab supports keras.regularizers.l2(0.001)."
        if parent == "keras.losses":
            return f"`{name}` is not available: use loss='binary_crossentropy'."
        if path.startswith("numpy"):
            return "numpy is not needed to build the model: remove this use of it."
        return f"`{path}` is not available in the lab: it only understands Keras model code."

    @staticmethod
    def dunder_message(name: str) -> str:
        return (
            f"Names starting with an underscore such as `{name}` are not allowed: "
            f"{_NOT_RUN}, and only public Keras names are understood."
        )

    def explain(self, node: ast.AST) -> str:
        """Why an expression is not a value the lab accepts, in plain words."""
        if isinstance(node, ast.Lambda):
            return "Lambda functions are not allowed: write the value directly."
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            return (
                "Comprehensions (`for ... in ...` inside brackets) are not allowed: "
                "write each layer out on its own line."
            )
        if isinstance(node, ast.JoinedStr):
            return "f-strings are not allowed: write a plain string such as 'relu'."
        if isinstance(node, ast.Starred):
            return "Unpacking with * is not allowed: write the items out."
        if isinstance(node, ast.Subscript):
            return "Indexing or slicing with [...] is not allowed: write the value itself."
        if isinstance(node, ast.BinOp):
            return (
                f"Arithmetic such as `{_short(node)}` is not allowed: "
                "write the number itself, e.g. 0.3 or 1000."
            )
        if isinstance(node, ast.UnaryOp):
            return f"`{_short(node)}` is not allowed: write a plain number such as -1 or 0.3."
        if isinstance(node, ast.Compare | ast.BoolOp | ast.IfExp):
            return "Conditions are not allowed: write the value itself."
        if isinstance(node, ast.NamedExpr):
            return "The := operator is not allowed."
        if isinstance(node, ast.Await | ast.Yield | ast.YieldFrom):
            return "await / yield are not allowed."
        if isinstance(node, ast.Dict | ast.Set):
            return "Dicts and sets are not used here: write a number, a string or a list."
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bytes):
                return "Byte strings (b'...') are not allowed: write a plain string."
            if isinstance(node.value, complex):
                return "Complex numbers are not allowed."
            return f"`{_short(node)}` is not a value the lab understands."
        if isinstance(node, ast.Call):
            try:
                kind = self.callee_kind(node)
            except _Refusal as exc:
                return exc.message or "This call is not allowed."
            return f"`{_short(node.func)}(...)` ({kind.split(':')[-1]}) cannot be used here."
        if isinstance(node, ast.Name | ast.Attribute):
            try:
                path = self.resolve(node)
            except _Refusal as exc:
                return exc.message or "This name is not available."
            return f"`{path}` cannot be used here."
        return f"`{_short(node)}` is not allowed here: write plain numbers and strings."

    # -- assembly ----------------------------------------------------------------------------

    def spec(self) -> ModelSpec | None:
        """Check the model as a whole; return it if every layer could be read."""
        if self.model_var is None:
            if not self.errors:
                self.error(
                    None,
                    "No model found: create one with model = keras.Sequential([...]) "
                    "(start again from the starter code if in doubt).",
                )
            return None
        items = self.items
        layers_items = [i for i in items if not i.is_input]
        readable = all(i.layer is not None for i in layers_items)

        for position, item in enumerate(items):
            if item.is_input and position > 0:
                self.error(item.line, "keras.Input(...) must come first, before every layer.")
            elif (
                not item.is_input
                and item.width is not None
                and position > 0
                and not (position == 1 and items[0].is_input)
            ):
                self.error(
                    item.line,
                    "input_shape= only belongs on the first layer: remove it here.",
                )
        if not self.width_given:
            self.note(
                self.model_line,
                f"No input shape is given, so Keras takes it from the data ({self.input_dim} "
                f"features). You can write keras.Input(shape=({self.input_dim},)) as the first "
                "item.",
            )

        if not layers_items:
            self.error(
                self.model_line,
                "The model has no layers: add them, e.g. keras.Sequential([keras.layers.Dense(256, "
                "activation='relu'), ..., keras.layers.Dense(1, activation='sigmoid')]).",
            )
            return None
        if len(layers_items) > MAX_LAYERS:
            self.error(
                layers_items[MAX_LAYERS].line,
                f"The model has {len(layers_items)} layers; the lab allows at most {MAX_LAYERS} "
                "(Dropout layers count too). Remove some.",
            )
        if self.compile_line is None:
            self.error(
                self.model_line,
                "The model is never compiled: add model.compile(optimizer='adam', "
                "loss='binary_crossentropy', metrics=['accuracy']) after it.",
            )
        if not readable:
            return None
        layers = tuple(i.layer for i in layers_items if i.layer is not None)
        self.check_output(layers)
        return ModelSpec(
            input_dim=self.input_dim,
            layers=layers,
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            loss=LOSS,
            metrics=self.metrics,
        )

    def check_output(self, layers: tuple[LayerSpec, ...]) -> None:
        dense = [i for i, layer in enumerate(layers) if layer.kind == "Dense"]
        if not dense:
            self.error(
                layers[-1].line,
                "The model has no Dense layer: end it with "
                "keras.layers.Dense(1, activation='sigmoid').",
            )
            return
        last = layers[dense[-1]]
        for layer in layers[dense[-1] + 1 :]:
            if layer.kind in DROPOUT_KINDS:
                self.error(
                    layer.line,
                    f"{layer.kind} after the output layer: it would randomly zero the prediction "
                    "itself. Dropout belongs between hidden layers: remove this one or move it "
                    "above Dense(1, activation='sigmoid').",
                )
            else:
                self.error(
                    layer.line,
                    f"{layer.kind} after the output layer: the last layer must be "
                    "Dense(1, activation='sigmoid'). Move this one above it.",
                )
        task = (
            "This is a yes/no task, so the output is one unit with a sigmoid: "
            "Dense(1, activation='sigmoid')"
        )
        if last.units != 1 and last.activation == "softmax":
            self.error(
                last.line,
                f"{task}. {last.units} softmax units would need a different loss "
                "(sparse_categorical_crossentropy) and labels.",
            )
        elif last.units != 1:
            self.error(last.line, f"The output layer has {last.units} units. {task}.")
        elif last.activation == "softmax":
            self.error(
                last.line,
                "softmax over a single unit always outputs 1.0: use activation='sigmoid' on the "
                "output.",
            )
        elif last.activation is None:
            self.error(
                last.line,
                "The output layer needs activation='sigmoid' so that it gives a probability "
                "between 0 and 1, which binary_crossentropy expects.",
            )
        elif last.activation != "sigmoid":
            self.error(last.line, f"The output layer's activation is '{last.activation}'. {task}.")


class _Args(dict):
    """Bound call arguments (name → node); `failed` if some argument was refused."""

    failed: bool = False


# ----------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------


def parse_code(source: str, *, input_dim: int = 10) -> ParseResult:
    """Read the learner's code into a ModelSpec, or refuse with messages; never runs it.

    Errors are sorted by line. `spec` may be set alongside errors (a best-effort reading for the
    checklist); only `result.ok` means the model can be trained.
    """
    try:
        return _parse_code(source, input_dim)
    except (RecursionError, MemoryError):
        return ParseResult(None, (ParseError(None, _TOO_DEEP),))
    except Exception as exc:  # the contract is: never a traceback
        return ParseResult(
            None,
            (
                ParseError(
                    None,
                    f"The lab could not read this code ({type(exc).__name__}). Simplify it, or "
                    "start again from the starter code.",
                ),
            ),
        )


_TOO_DEEP = (
    "The code is nested too deeply to read (brackets or operators inside each other hundreds of "
    "times). Write the model plainly, as in the starter code."
)


def _parse_code(source: Any, input_dim: int) -> ParseResult:
    if isinstance(source, bytes | bytearray):
        try:
            source = bytes(source).decode("utf-8")
        except UnicodeDecodeError as exc:
            line = bytes(source)[: exc.start].count(b"\n") + 1
            return _fail(line, "The code is not UTF-8 text: save it as UTF-8 and try again.")
    if not isinstance(source, str):
        return _fail(None, f"Expected the code as text, got {type(source).__name__}.")
    if len(source) > MAX_CHARS:
        return _fail(
            None,
            f"The code is {len(source):,} characters long; the lab reads at most {MAX_CHARS:,}. "
            "Shorten it (the starter is well under 1,000).",
        )
    source = source.removeprefix("\ufeff")
    if "\x00" in source:
        line = source[: source.index("\x00")].count("\n") + 1
        return _fail(line, "The code contains a null character (\\x00): delete it.")
    try:
        source.encode("utf-8")
    except UnicodeEncodeError as exc:
        line = source[: exc.start].count("\n") + 1
        return _fail(line, "The code contains a character that is not valid text: delete it.")
    if not source.strip():
        return _fail(None, "The code is empty: start from the starter code.")

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename="<lab>", mode="exec")
    except SyntaxError as exc:
        return _fail(_syntax_line(exc, source), _syntax_message(exc))
    except (RecursionError, MemoryError):
        return _fail(None, _TOO_DEEP)
    except (ValueError, TypeError, UnicodeError, OverflowError) as exc:
        return _fail(None, f"The code could not be read ({exc}). Check for unusual characters.")

    too_deep = _too_deep(tree)
    if too_deep is not None:
        return _fail(too_deep, _TOO_DEEP)

    reader = _Reader(input_dim)
    reader.read(tree)
    spec = reader.spec()
    errors = sorted(reader.errors, key=lambda e: (e.line is None, e.line or 0))
    if len(errors) > MAX_ERRORS:
        more = len(errors) - (MAX_ERRORS - 1)
        errors = [
            *errors[: MAX_ERRORS - 1],
            ParseError(None, f"…and {more} more problems: fix the ones above first."),
        ]
    notes = sorted(reader.notes, key=lambda e: (e.line is None, e.line or 0))
    return ParseResult(spec, tuple(errors), tuple(notes))


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


_SYNTAX_HINTS = (
    (
        "too many nested",
        "The code nests brackets too deeply: write the model plainly, as in the starter.",
    ),
    ("was never closed", "A bracket opened here is never closed: add the missing ), ] or }."),
    (
        "unmatched",
        "There is a closing bracket without an opening one: remove it or add the opening one.",
    ),
    (
        "does not match",
        "The brackets do not pair up: check that each ( [ { closes with ) ] } in order.",
    ),
    ("forgot a comma", "Add a comma between the items."),
    ("unterminated string", "A string is not closed: end it with the same quote it starts with."),
    (
        "unterminated triple-quoted",
        "A triple-quoted string is not closed: end it with the same three quotes.",
    ),
    (
        "unexpected indent",
        "This line is indented: start it at the left edge, like the lines around it.",
    ),
    ("unindent", "The indentation does not line up: start top-level lines at the left edge."),
    (
        "expected an indented block",
        "The lab does not use blocks (if/for/def): write plain statements.",
    ),
    ("invalid character", "Remove the unusual character (perhaps a curly quote: use ' or \")."),
    ("invalid non-printable", "Remove the invisible character on this line."),
    ("invalid decimal literal", "A number runs into a name: put a space or operator between them."),
    ("cannot assign", "Use = only to name the model: model = keras.Sequential([...])."),
    ("exceeds the limit", "That number has too many digits: write a small number."),
)


def _syntax_message(exc: SyntaxError) -> str:
    raw = str(exc.msg or "invalid syntax")
    lowered = raw.lower()
    if "exceeds the limit" in lowered:
        raw = "a number with thousands of digits"  # Python's own text names sys internals
    hint = next((h for key, h in _SYNTAX_HINTS if key in lowered), None)
    if hint is None:
        hint = "Check this line and the one before it for a missing bracket, comma, quote or colon."
    return f"Syntax error: {raw.rstrip('.')}. {hint}"


# ----------------------------------------------------------------------------------------------
# Goals
# ----------------------------------------------------------------------------------------------


def _dense_positions(spec: ModelSpec) -> list[int]:
    return [i for i, layer in enumerate(spec.layers) if layer.kind == "Dense"]


def _dropout_after_each_hidden(spec: ModelSpec, goal: Goal) -> bool:
    """Every hidden Dense is followed by a dropout layer before the next Dense."""
    dense = _dense_positions(spec)
    if len(dense) < 2:
        return False
    return all(
        any(layer.kind in DROPOUT_KINDS for layer in spec.layers[a + 1 : b])
        for a, b in itertools.pairwise(dense)
    )


def _dropout_rate(spec: ModelSpec, goal: Goal) -> bool:
    rates = spec.dropout_rates()
    target = goal.param("rate")
    if not rates:
        return False
    if target is None:
        return all(0 < r < 1 for r in rates)
    return all(math.isclose(r, float(target), abs_tol=1e-9) for r in rates)


def _no_dropout_after_output(spec: ModelSpec, goal: Goal) -> bool:
    dense = _dense_positions(spec)
    if not dense:
        return False
    return not any(layer.kind in DROPOUT_KINDS for layer in spec.layers[dense[-1] + 1 :])


_CHECKS = {
    "dropout_after_each_hidden": _dropout_after_each_hidden,
    "dropout_rate": _dropout_rate,
    "no_dropout_after_output": _no_dropout_after_output,
}
assert set(_CHECKS) == set(GOAL_CHECKS), "labs.GOAL_CHECKS and codelab._CHECKS must agree"


def check_goals(spec: ModelSpec | None, lab: Lab) -> list[GoalResult]:
    """The lab's checklist for `spec` (every goal unmet if the code could not be read)."""
    return [
        GoalResult(
            id=goal.id,
            label=goal.label,
            met=spec is not None and bool(_CHECKS[goal.check](spec, goal)),
            hint=goal.hint,
        )
        for goal in lab.goals
    ]


def verdict(source: str, *, lab: Lab | None = None, input_dim: int = 10) -> dict[str, Any]:
    """The JSON that `dropout-lab check FILE --json` prints.

    `ok` means the code is a valid model for the lab, whether or not the goals are met.
    """
    result = parse_code(source, input_dim=input_dim)
    lab = lab if lab is not None else load_lab()
    spec = result.spec
    return {
        "ok": result.ok,
        "errors": [{"line": e.line, "message": e.message} for e in result.errors],
        "layers": [layer.describe() for layer in spec.layers] if spec is not None else [],
        "goals": [asdict(g) for g in check_goals(spec, lab)],
    }
