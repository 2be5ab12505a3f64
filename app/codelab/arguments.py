"""One reader per argument type of the layer table (`dropout_lab.lesson.layers.Arg.type`).

`read_arg` checks a layer's argument against its entry in the table: a number within its range,
an activation from the allow-list, an L2 regulariser, a seed. The refusals for argument `x` are
the messages `args.x.*` of lessons/codelab.toml (`what`, `missing`, `range`, `fraction`, `below`,
`above`), filled with the table's bounds. The input width (`input_shape=`, `input_dim=`,
`Input(shape=)`) and `name=` are read here too.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from dropout_lab.codelab import rules
from dropout_lab.codelab.messages import AlreadyReported, Refusal, line_of, refusal, say
from dropout_lab.codelab.names import Names
from dropout_lab.codelab.values import bind, literal, number
from dropout_lab.lesson.layers import Arg


def read_arg(arg: Arg, node: ast.expr, kind: str, names: Names) -> Any:
    """The value of argument `arg` of a `kind` layer; refuses what the table does not allow."""
    return _READERS[arg.type](arg, node, kind, names)


def _fields(arg: Arg, kind: str, value: Any) -> dict[str, Any]:
    return {"kind": kind, "value": value, "low": arg.low, "high": arg.high}


def _whole(arg: Arg, node: ast.expr, kind: str, names: Names) -> int:
    value = number(node, say(f"args.{arg.name}.what", kind=kind), names)
    line = line_of(node)
    fields = _fields(arg, kind, value)
    if isinstance(value, float):
        raise refusal(line, f"args.{arg.name}.fraction", **fields)
    if arg.below(value):
        raise refusal(line, f"args.{arg.name}.below", **fields)
    if arg.above(value):
        raise refusal(line, f"args.{arg.name}.above", **fields)
    return value


def _real(arg: Arg, node: ast.expr, kind: str, names: Names) -> float:
    value = number(node, say(f"args.{arg.name}.what", kind=kind), names)
    if not arg.within(value):
        raise refusal(line_of(node), f"args.{arg.name}.range", **_fields(arg, kind, value))
    return float(value)


def _activation(arg: Arg, node: ast.expr, kind: str, names: Names) -> str | None:
    line = line_of(node)
    named = isinstance(node, ast.Name | ast.Attribute)
    value = literal(node, names) if not named else None
    choices = ", ".join(f"'{a}'" for a in rules.ACTIVATIONS)
    if value is None and not named:
        return None
    if not isinstance(value, str) or named:
        raise refusal(line, "args.activation.not_string", choices=choices)
    if value.lower() in rules.ACTIVATIONS and value != value.lower():
        raise refusal(line, "args.activation.case", lower=value.lower())
    if value not in rules.ACTIVATIONS:
        raise refusal(line, "args.activation.unknown", value=value, choices=choices)
    return None if value == "linear" else value


def _l2(arg: Arg, node: ast.expr, kind: str, names: Names) -> float | None:
    line = line_of(node)
    if isinstance(node, ast.Constant) and node.value == "l2":
        return rules.DEFAULT_L2
    if not isinstance(node, ast.Call):
        raise refusal(line, "args.kernel_regularizer.form", why=names.explain(node))
    if names.callee_kind(node) != "l2":
        raise refusal(line, "args.kernel_regularizer.only_l2")
    args = bind(node, "l2(...)", ("l2",), ("l2",), names)
    if args.failed:
        raise AlreadyReported(line)
    if "l2" not in args:
        return rules.DEFAULT_L2
    value = number(args["l2"], say("args.kernel_regularizer.what"), names)
    if not arg.within(value):
        raise refusal(line, "args.kernel_regularizer.range", **_fields(arg, kind, value))
    return float(value) or None


def _seed(arg: Arg | None, node: ast.expr, kind: str, names: Names) -> None:
    """A seed is accepted and ignored (the lab seeds every run itself), with a note."""
    value = literal(node, names)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise refusal(line_of(node), "args.seed.whole")
    names.report.note(line_of(node), say("notes.seeds"))


_READERS: dict[str, Callable[[Arg, ast.expr, str, Names], Any]] = {
    "int": _whole,
    "float": _real,
    "activation": _activation,
    "l2": _l2,
    "seed": _seed,
}


def read_seed(node: ast.expr, names: Names) -> None:
    """The argument of a global seeding call such as keras.utils.set_random_seed(42)."""
    _seed(None, node, "", names)


def read_name(node: ast.expr, names: Names) -> None:
    """`name=` on a layer, Input or Sequential: a string, accepted and ignored."""
    if not isinstance(literal(node, names), str):
        raise refusal(line_of(node), "args.name.string")


def read_width(node: ast.expr, what: str, names: Names, input_dim: int) -> int:
    """`input_shape=(10,)` or `shape=(10,)`: the input width, which must be the data's."""
    line = line_of(node)
    value = literal(node, names)
    example = f"{what}=({input_dim},)"
    if isinstance(value, int) and not isinstance(value, bool):
        raise refusal(line, "input.tuple", what=what, example=example)
    if not isinstance(value, tuple | list) or len(value) != 1:
        raise refusal(line, "input.one_row", dim=input_dim, example=example)
    (width,) = value
    if isinstance(width, bool) or not isinstance(width, int):
        raise refusal(line, "input.whole", example=example)
    return _check_width(width, line, example, input_dim)


def read_input_dim(node: ast.expr, names: Names, input_dim: int) -> int:
    """The legacy `input_dim=10`."""
    line = line_of(node)
    value = literal(node, names)
    if isinstance(value, bool) or not isinstance(value, int):
        raise refusal(line, "input.dim_whole", dim=input_dim)
    return _check_width(value, line, f"input_dim={input_dim}", input_dim)


def _check_width(width: int, line: int | None, example: str, input_dim: int) -> int:
    if width != input_dim:
        raise Refusal(line, say("input.width", dim=input_dim, width=width, example=example))
    return width
