"""The model's elements: `keras.Sequential([...])`, `model.add(...)`, `keras.Input(...)` and
the layers, each read generically from its entry in the layer table (`lesson/layers.py`)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from dropout_lab.codelab import arguments, rules
from dropout_lab.codelab.messages import Refusal, line_of, refusal, say, short
from dropout_lab.codelab.names import Names, layer_list
from dropout_lab.codelab.values import bind
from dropout_lab.lesson.layers import LayerKind, layer_kind
from dropout_lab.lesson.spec import LayerSpec


@dataclass
class Item:
    """One element of the model: a layer (None if it could not be read) or an Input marker."""

    line: int
    layer: LayerSpec | None = None
    is_input: bool = False
    width: int | None = None  # an input width given by Input(shape=) or input_shape=/input_dim=


class ModelReader:
    """Collects the model's items in order, refusing what is not a layer the lab knows."""

    def __init__(self, names: Names, input_dim: int) -> None:
        self.names = names
        self.report = names.report
        self.input_dim = input_dim
        self.items: list[Item] = []
        self.model_line: int | None = None  # where the model is created
        self.width_given = False  # an input width was written somewhere (valid or not)

    def unreadable(self, line: int) -> None:
        """The model has an element here that cannot be read: it still counts and has a place."""
        self.items.append(Item(line=line))

    def sequential(self, call: ast.Call) -> None:
        args = bind(
            call,
            "keras.Sequential(...)",
            ("layers", "trainable", "name"),
            ("layers", "name"),
            self.names,
        )
        if "name" in args:
            arguments.read_name(args["name"], self.names)
        layers = args.get("layers")
        if layers is None or (isinstance(layers, ast.Constant) and layers.value is None):
            return
        if not isinstance(layers, ast.List | ast.Tuple):
            self.unreadable(line_of(layers) or call.lineno)
            raise refusal(line_of(layers), "model.layers_list", why=self.names.explain(layers))
        for element in layers.elts:
            self.item(element)

    def add(self, call: ast.Call) -> None:
        if call.keywords or len(call.args) != 1 or isinstance(call.args[0], ast.Starred):
            raise refusal(call.lineno, "model.add_one")
        self.item(call.args[0])

    def item(self, node: ast.expr) -> None:
        line = line_of(node) or self.model_line or 1
        try:
            self.items.append(self.read_item(node))
        except Refusal as exc:
            self.report.refuse(exc)
            self.unreadable(line)

    def read_item(self, node: ast.expr) -> Item:
        line = line_of(node) or 1
        if not isinstance(node, ast.Call):
            kind = self.names.kind_of(node) if isinstance(node, ast.Name | ast.Attribute) else None
            if kind and (kind.startswith("layer:") or kind == "Input"):
                raise refusal(line, "model.parentheses", code=short(node))
            why = self.names.explain(node)
            raise refusal(line, "model.not_a_layer_element", code=short(node), why=why)
        kind = self.names.callee_kind(node)
        if kind == "Input":
            return self.input_(node)
        if not kind.startswith("layer:"):
            raise refusal(line, "model.not_a_layer", code=short(node.func), layers=layer_list())
        return self.layer(layer_kind(kind.removeprefix("layer:")), node)

    def input_(self, call: ast.Call) -> Item:
        args = bind(call, "keras.Input(...)", ("shape",), ("shape", "name"), self.names)
        self.width_given = True
        if "name" in args:
            arguments.read_name(args["name"], self.names)
        if "shape" not in args:
            raise refusal(call.lineno, "input.no_shape", dim=self.input_dim)
        width = arguments.read_width(args["shape"], "shape", self.names, self.input_dim)
        return Item(line=call.lineno, is_input=True, width=width)

    def layer(self, kind: LayerKind, call: ast.Call) -> Item:
        """A layer of `kind`: each argument checked against the table, all problems reported."""
        allowed = (*(a.name for a in kind.args), *rules.LAYER_COMMON_ARGS)
        args = bind(call, f"{kind.name}(...)", kind.positional, allowed, self.names)
        line = call.lineno
        problems = 0

        def attempt(fn: Any, *a: Any) -> Any:
            nonlocal problems
            try:
                return fn(*a)
            except Refusal as exc:
                problems += 1
                self.report.refuse(exc)
                return None

        if "name" in args:
            attempt(arguments.read_name, args["name"], self.names)
        for arg in kind.args:  # arguments read and ignored (seed=) come before the width
            if arg.field is None and arg.name in args:
                attempt(arguments.read_arg, arg, args[arg.name], kind.name, self.names)
        width, width_ok = self.layer_width(args, line)
        problems += not width_ok
        fields: dict[str, Any] = {}
        for arg in kind.args:
            if arg.field is None:
                continue
            if arg.name in args:
                node = args[arg.name]
                fields[arg.field] = attempt(arguments.read_arg, arg, node, kind.name, self.names)
            elif not arg.required:
                fields[arg.field] = arg.default
            elif not args.failed:
                problems += 1
                self.report.error(line, say(f"args.{arg.name}.missing", kind=kind.name))
        if problems or args.failed:
            return Item(line=line, width=width)
        return Item(line=line, layer=LayerSpec(kind.name, line=line, **fields), width=width)

    def layer_width(self, args: dict[str, ast.expr], line: int) -> tuple[int | None, bool]:
        """The width given by input_shape= or input_dim= (None if neither), and whether it is
        acceptable (a refusal is reported here)."""
        if "input_shape" in args or "input_dim" in args:
            self.width_given = True
        try:
            if "input_shape" in args and "input_dim" in args:
                raise refusal(line, "input.twice")
            if "input_shape" in args:
                node = args["input_shape"]
                return arguments.read_width(node, "input_shape", self.names, self.input_dim), True
            if "input_dim" in args:
                node = args["input_dim"]
                return arguments.read_input_dim(node, self.names, self.input_dim), True
        except Refusal as exc:
            self.report.refuse(exc)
            return None, False
        return None, True
