"""Values in the learner's code: literals, numbers, and a call's arguments bound to names.

Only literals are values here (numbers, strings, None, True/False, tuples and lists of them);
anything else is refused with the reason `Names.explain` gives.
"""

from __future__ import annotations

import ast
import math
from typing import Any

from dropout_lab.codelab.messages import Refusal, line_of, refusal, say, short
from dropout_lab.codelab.names import Names


class Args(dict):
    """Bound call arguments (name → node); `failed` if some argument was refused."""

    failed: bool = False


def literal(node: ast.expr, names: Names) -> Any:
    """A literal value: number, string, None, True/False, or a tuple/list of those."""
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, bool | int | float | str):
            return value
        raise Refusal(line_of(node), names.explain(node))
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
        return tuple(literal(e, names) for e in node.elts)
    if isinstance(node, ast.List):
        return [literal(e, names) for e in node.elts]
    raise Refusal(line_of(node), names.explain(node))


def number(node: ast.expr, what: str, names: Names) -> float | int:
    """A finite int or float literal; `what` names it in the refusals."""
    value = literal(node, names)
    line = line_of(node)
    if isinstance(value, bool):
        raise refusal(line, "number.bool", what=what, value=value)
    if isinstance(value, str):
        raise refusal(line, "number.string", what=what, value=value)
    if not isinstance(value, int | float):
        raise refusal(line, "number.other", what=what, code=short(node))
    if isinstance(value, float) and not math.isfinite(value):
        raise refusal(line, "number.finite", what=what)
    return value


def bind(
    call: ast.Call,
    what: str,
    positional: tuple[str, ...],
    allowed: tuple[str, ...],
    names: Names,
) -> Args:
    """Match a call's arguments to names; report (and drop) what the lab does not take.

    `positional` is the callee's positional order (it may name arguments the lab refuses);
    `allowed` the arguments the lab reads.
    """
    args = Args()
    line = call.lineno
    error = names.report.error
    allowed_text = ", ".join(f"{a}=" for a in allowed) or say("common.no_arguments")
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            args.failed = True
            error(line_of(arg), say("args.star"))
        elif i >= len(positional) or positional[i] not in allowed:
            args.failed = True
            error(
                line_of(arg) or line,
                say("args.extra", what=what, code=short(arg), allowed=allowed_text),
            )
        else:
            args[positional[i]] = arg
    for kw in call.keywords:
        kline = line_of(kw) or line
        if kw.arg is None:
            args.failed = True
            error(kline, say("args.double_star"))
        elif kw.arg in args:
            args.failed = True
            error(kline, say("args.twice", what=what, name=kw.arg))
        elif kw.arg == "lr" and "learning_rate" in allowed:
            args.failed = True
            error(kline, say("args.lr"))
        elif kw.arg not in allowed:
            args.failed = True
            error(kline, say("args.unknown", what=what, name=kw.arg, allowed=allowed_text))
        else:
            args[kw.arg] = kw.value
    return args
