"""The walk over the learner's statements: each one is an import, the model, `model.add`,
`model.compile`, an ignored call (`model.fit`, seeding, `model.summary`) or a refusal.

Nothing is evaluated: the syntax tree is only read, and the rules of `rules` decide.
"""

from __future__ import annotations

import ast

from dropout_lab.codelab import arguments, rules
from dropout_lab.codelab.compiling import CompileReader
from dropout_lab.codelab.messages import Refusal, Report, line_of, refusal, say, short
from dropout_lab.codelab.model import ModelReader
from dropout_lab.codelab.names import Names, builtin_message, underscore_message
from dropout_lab.codelab.values import literal

_COMPREHENSIONS = ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp
_NEVER_VALUES = ast.JoinedStr | ast.Starred | ast.NamedExpr | ast.Await | ast.Yield
_PLAIN = ast.Call | ast.Constant | ast.Name | ast.Attribute | ast.List | ast.Tuple


class Walker:
    """Reads a module's statements in order into the model, the compile settings and a report."""

    def __init__(self, input_dim: int) -> None:
        self.report = Report()
        self.names = Names(self.report)
        self.model = ModelReader(self.names, input_dim)
        self.compiled = CompileReader(self.names)

    def read(self, tree: ast.Module) -> None:
        for stmt in tree.body:
            try:
                self.statement(stmt)
            except Refusal as exc:
                self.report.refuse(exc)

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Import):
            self.names.import_(stmt)
        elif isinstance(stmt, ast.ImportFrom):
            self.names.import_from(stmt)
        elif isinstance(stmt, ast.Pass):
            return
        elif isinstance(stmt, ast.Expr):
            value = stmt.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return  # a docstring or a string used as a comment
            if not isinstance(value, ast.Call):
                raise refusal(stmt.lineno, "statements.expression", code=short(value))
            self.call_statement(value)
        elif isinstance(stmt, ast.Assign):
            self.assign(stmt)
        else:
            kind = type(stmt).__name__
            what = text_or(f"statements.names.{kind}", say("statements.other", kind=kind))
            raise refusal(stmt.lineno, "statements.refused", what=what[0].upper() + what[1:])

    def assign(self, stmt: ast.Assign) -> None:
        line = stmt.lineno
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            raise refusal(line, "assign.simple")
        target = stmt.targets[0].id
        value = stmt.value
        if isinstance(value, ast.Call) and self.is_model_method(value, rules.IGNORED_METHODS):
            self.ignored_method(value)
            return
        if target.startswith("__"):
            raise refusal(line, "assign.dunder", name=target)
        callee = ""
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name | ast.Attribute):
            callee = getattr(value.func, "attr", None) or getattr(value.func, "id", "")
        looks_like_model = bool(callee) and (target == "model" or callee.lower().startswith("seq"))
        if looks_like_model and self.names.model_var is None:
            assert isinstance(value, ast.Call)
            self.create_model(target, value, line)
            return
        kind = self.names.callee_kind(value) if isinstance(value, ast.Call) else None
        if kind != "Sequential":
            why = "" if isinstance(value, _PLAIN) else self.names.explain(value) + " "
            raise refusal(line, "assign.other", why=why)
        raise refusal(
            line, "assign.second_model", line=self.model.model_line, name=self.names.model_var
        )

    def create_model(self, target: str, call: ast.Call, line: int) -> None:
        # Register the model first, so a misspelt import is reported once, not at every use.
        self.names.bind_model(target)
        self.model.model_line = line
        try:
            kind = self.names.callee_kind(call)
        except Refusal:
            self.model.unreadable(line)  # the model exists but cannot be read
            raise
        if kind == "Sequential":
            self.model.sequential(call)
            return
        self.model.unreadable(line)
        raise refusal(line, "assign.not_sequential", name=target)

    def call_statement(self, call: ast.Call) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and self.names.is_model(func.value):
            assert isinstance(func.value, ast.Name)
            method = func.attr
            if method == "add":
                self.model.add(call)
            elif method == "compile":
                self.compiled.compile(call)
            elif method == "summary":
                for node in [*call.args, *(k.value for k in call.keywords)]:
                    literal(node, self.names)
            elif method in rules.IGNORED_METHODS:
                self.ignored_method(call)
            else:
                raise refusal(call.lineno, "calls.model_method", model=func.value.id, method=method)
            return
        kind = self.names.callee_kind(call)  # raises a clear refusal for anything unknown
        if kind == "seed":
            if call.keywords or len(call.args) != 1:
                raise refusal(call.lineno, "calls.one_seed", func=short(call.func))
            arguments.read_seed(call.args[0], self.names)
            return
        if kind == "Sequential":
            raise refusal(call.lineno, "calls.unnamed_model")
        raise refusal(call.lineno, "calls.on_its_own", code=short(call))

    def is_model_method(self, call: ast.Call, methods: tuple[str, ...]) -> bool:
        func = call.func
        return (
            isinstance(func, ast.Attribute)
            and func.attr in methods
            and self.names.is_model(func.value)
        )

    def ignored_method(self, call: ast.Call) -> None:
        assert isinstance(call.func, ast.Attribute)
        for node in ast.walk(call):
            if node is not call:
                self.scan_hostile(node)
        method = call.func.attr
        self.report.note(call.lineno, say("notes.ignored_method", method=method, line=call.lineno))

    def scan_hostile(self, node: ast.AST) -> None:
        """Refuse constructs that have no place in model code, even where arguments are ignored."""
        line = line_of(node)
        if isinstance(node, ast.Name) and (node.id in rules.DANGEROUS or node.id.startswith("__")):
            raise Refusal(line, builtin_message(node.id) or underscore_message(node.id))
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise Refusal(line, underscore_message(node.attr))
        if isinstance(node, ast.Lambda | _COMPREHENSIONS | _NEVER_VALUES):
            raise Refusal(line, self.names.explain(node))
        if isinstance(node, ast.keyword) and node.arg is None:
            raise refusal(line, "args.double_star")


def text_or(key: str, default: str) -> str:
    """The message `key` if lessons/codelab.toml has it, else `default`."""
    try:
        return say(key)
    except KeyError:
        return default
