"""`model.compile(...)`: the optimizer (from the optimizer table), the loss and the metrics."""

from __future__ import annotations

import ast

from dropout_lab.codelab import rules
from dropout_lab.codelab.messages import AlreadyReported, Refusal, line_of, refusal, say, short
from dropout_lab.codelab.names import Names
from dropout_lab.codelab.values import bind, literal, number
from dropout_lab.lesson.layers import OPTIMIZERS


class CompileReader:
    """The settings of the one `model.compile(...)` call."""

    def __init__(self, names: Names) -> None:
        self.names = names
        self.line: int | None = None
        self.optimizer = "adam"
        self.learning_rate: float | None = None
        self.metrics: tuple[str, ...] = ()

    def compile(self, call: ast.Call) -> None:
        if self.line is not None:
            raise refusal(call.lineno, "compile.twice", line=self.line)
        self.line = call.lineno
        args = bind(
            call,
            "model.compile(...)",
            ("optimizer", "loss"),
            ("optimizer", "loss", "metrics"),
            self.names,
        )
        for key, reader in (
            ("optimizer", self.optimizer_arg),
            ("loss", self.loss_arg),
            ("metrics", self.metrics_arg),
        ):
            if key in args:
                try:
                    reader(args[key])
                except Refusal as exc:
                    self.names.report.refuse(exc)

    def optimizer_arg(self, node: ast.expr) -> None:
        line = line_of(node)
        choices = ", ".join(f"'{n}'" for n in OPTIMIZERS)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            name = node.value.lower()
            if name not in OPTIMIZERS:
                raise refusal(line, "compile.optimizer_unknown", value=node.value, choices=choices)
            self.optimizer = name
            return
        if isinstance(node, ast.Call):
            kind = self.names.callee_kind(node)
            if kind.startswith("optimizer:"):
                self.optimizer_object(node, kind.removeprefix("optimizer:"))
                return
        if isinstance(node, ast.Name | ast.Attribute):
            kind = rules.OBJECTS.get(self.names.resolve(node), "")
            if kind.startswith("optimizer:"):
                raise refusal(line, "compile.optimizer_parentheses", code=short(node))
        raise refusal(line, "compile.optimizer_form", choices=choices)

    def optimizer_object(self, call: ast.Call, name: str) -> None:
        """keras.optimizers.Adam(learning_rate=0.001)."""
        line = line_of(call)
        what = f"{short(call.func)}(...)"
        args = bind(call, what, ("learning_rate",), ("learning_rate",), self.names)
        if args.failed:
            raise AlreadyReported(line)
        self.optimizer = name
        if "learning_rate" in args:
            lr = number(args["learning_rate"], say("compile.learning_rate_what"), self.names)
            if not 0 < lr <= rules.MAX_LEARNING_RATE:
                raise refusal(
                    line, "compile.learning_rate_range", value=lr, high=rules.MAX_LEARNING_RATE
                )
            self.learning_rate = float(lr)

    def loss_arg(self, node: ast.expr) -> None:
        line = line_of(node)
        advice = say("compile.loss_advice")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value not in rules.LOSS_NAMES:
                raise refusal(line, "compile.loss_unfit", value=node.value, advice=advice)
            return
        if isinstance(node, ast.Call) and self.names.callee_kind(node) == "loss:BinaryCrossentropy":
            args = bind(
                node, "BinaryCrossentropy(...)", ("from_logits",), ("from_logits",), self.names
            )
            if args.failed:
                raise AlreadyReported(line)
            if "from_logits" in args and literal(args["from_logits"], self.names) is not False:
                raise refusal(line, "compile.from_logits")
            return
        if (
            isinstance(node, ast.Name | ast.Attribute)
            and rules.OBJECTS.get(self.names.resolve(node)) == "loss:binary_crossentropy"
        ):
            return
        raise refusal(line, "compile.loss_unsupported", advice=advice)

    def metrics_arg(self, node: ast.expr) -> None:
        line = line_of(node)
        choices = ", ".join(f"'{m}'" for m in rules.METRICS)
        named = isinstance(node, ast.Name | ast.Attribute | ast.Call)
        value = literal(node, self.names) if not named else object()
        if value is None:
            self.metrics = ()
            return
        if isinstance(value, str):
            raise refusal(line, "compile.metrics_list", value=value)
        if not isinstance(value, list | tuple):
            raise refusal(line, "compile.metrics_names", choices=choices)
        metrics: list[str] = []
        for item in value:
            name = rules.METRIC_ALIASES.get(item, item) if isinstance(item, str) else item
            if not isinstance(name, str) or name not in rules.METRICS:
                raise refusal(line, "compile.metric_unknown", value=item, choices=choices)
            if name not in metrics:
                metrics.append(name)
        self.metrics = tuple(metrics)
