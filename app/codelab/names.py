"""Names in the learner's code: what each import binds, what a dotted name refers to.

Only the modules and objects of `rules` can be named. `keras`, `tf` and `layers` may be used
without an import (the seed lesson prints its model that way): they are read as the usual
imports, with a note. Every other unknown name is refused with a message saying what to import.
"""

from __future__ import annotations

import ast

from dropout_lab.codelab import rules
from dropout_lab.codelab.messages import (
    AlreadyReported,
    Refusal,
    Report,
    line_of,
    refusal,
    say,
    short,
    spoken_list,
)
from dropout_lab.lesson.layers import LAYER_KINDS, OPTIMIZERS

MODEL = "<model>"  # namespace value of the model variable
REFUSED = "<refused>"  # namespace value of a name whose import was already refused

# Expressions that are never values, and the message (`explain.<id>`) that says so.
_EXPLAIN = {
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "comprehension",
    ast.JoinedStr: "f_string",
    ast.Starred: "starred",
    ast.Subscript: "subscript",
    ast.BinOp: "arithmetic",
    ast.UnaryOp: "unary",
    ast.Compare: "condition",
    ast.BoolOp: "condition",
    ast.IfExp: "condition",
    ast.NamedExpr: "walrus",
    ast.Await: "await",
    ast.Yield: "await",
    ast.YieldFrom: "await",
    ast.Dict: "dict",
    ast.Set: "dict",
}


def layer_list() -> str:
    """'Dense, Dropout, ... and AlphaDropout (plus keras.Input)', from the layer table."""
    return say("model.layer_list", kinds=spoken_list(LAYER_KINDS))


def underscore_message(name: str) -> str:
    return say("names.underscore", name=name)


def builtin_message(name: str) -> str | None:
    """Why the builtin `name` is refused, or None if it is not a refused builtin."""
    why = rules.BUILTINS.get(name)
    return None if why is None else say(f"builtins.{why}", name=name)


class Names:
    """The code's namespace: name → dotted path (or MODEL / REFUSED)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.ns: dict[str, str] = {}
        self.model_var: str | None = None

    def bind_model(self, name: str) -> None:
        self.model_var = name
        self.ns[name] = MODEL

    def is_model(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and self.ns.get(node.id) == MODEL

    # -- imports -------------------------------------------------------------------------------

    def import_(self, stmt: ast.Import) -> None:
        for alias in stmt.names:
            full = rules.normalize(alias.name)
            root = alias.name.split(".")[0]
            bound = alias.asname or root
            if full not in rules.MODULES:
                self.ns[bound] = REFUSED
                self.report.error(stmt.lineno, say("imports.module", name=alias.name))
                continue
            self.ns[bound] = full if alias.asname else rules.normalize(root)

    def import_from(self, stmt: ast.ImportFrom) -> None:
        module = stmt.module or ""
        if stmt.level or not module:
            raise refusal(stmt.lineno, "imports.relative")
        base = rules.normalize(module)
        if base not in rules.MODULES or base == "numpy":
            for alias in stmt.names:
                self.ns[alias.asname or alias.name] = REFUSED
            raise refusal(stmt.lineno, "imports.from_module", module=module)
        for alias in stmt.names:
            if alias.name == "*":
                raise refusal(stmt.lineno, "imports.star", module=module)
            full = rules.normalize(f"{base}.{alias.name}")
            bound = alias.asname or alias.name
            if full in rules.MODULES or full in rules.OBJECTS:
                self.ns[bound] = full
            else:
                self.ns[bound] = REFUSED
                self.report.error(stmt.lineno, self.unknown_path_message(full))

    # -- lookups -------------------------------------------------------------------------------

    def kind_of(self, node: ast.expr) -> str | None:
        """What a name refers to ('layer:Dense', 'Input', ...), or None; never refuses."""
        try:
            return rules.OBJECTS.get(self.resolve(node))
        except Refusal:
            return None

    def callee_kind(self, call: ast.Call) -> str:
        """What a call creates ('Sequential', 'Input', 'layer:Dense', ...); refuses the rest."""
        func = call.func
        if not isinstance(func, ast.Name | ast.Attribute):
            raise Refusal(line_of(call), self.explain(func))
        path = self.resolve(func)
        kind = rules.OBJECTS.get(path)
        if kind is None:
            raise refusal(line_of(call), "names.module_call", path=path)
        return kind

    def resolve(self, node: ast.expr) -> str:
        """The dotted Keras path a name or attribute chain refers to; refuses anything else."""
        line = line_of(node)
        if isinstance(node, ast.Name):
            return self.resolve_name(node.id, line)
        if isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                raise Refusal(line, underscore_message(node.attr))
            path = rules.normalize(f"{self.resolve(node.value)}.{node.attr}")
            if path in rules.MODULES or path in rules.OBJECTS:
                return path
            raise Refusal(line, self.unknown_path_message(path))
        raise Refusal(line, self.explain(node))

    def resolve_name(self, name: str, line: int | None) -> str:
        if name in self.ns:
            value = self.ns[name]
            if value == REFUSED:
                raise AlreadyReported(line)
            if value == MODEL:
                raise refusal(line, "names.model", name=name)
            return value
        if name in rules.IMPLICIT_IMPORTS:
            path, statement = rules.IMPLICIT_IMPORTS[name]
            self.report.note(line, say("notes.implicit_import", name=name, statement=statement))
            return path
        message = builtin_message(name)
        if message is not None:
            raise Refusal(line, message)
        if name.startswith("__"):
            raise Refusal(line, underscore_message(name))
        raise Refusal(line, self.unknown_name_message(name))

    def unknown_name_message(self, name: str) -> str:
        if name in rules.IMPORT_SUGGESTIONS:
            return say("names.not_imported", name=name, statement=rules.IMPORT_SUGGESTIONS[name])
        if f"keras.layers.{name}" in rules.OBJECTS:
            return say("names.not_imported_layer", name=name)
        if name in ("Sequential", "Input"):
            return say("names.not_imported_keras", name=name)
        also = ""
        if self.model_var is not None and name == "model":
            also = " " + say("names.model_is_called", name=self.model_var)
        return say("names.unknown", name=name, also=also)

    @staticmethod
    def unknown_path_message(path: str) -> str:
        parent, _, name = path.rpartition(".")
        if parent == "keras.layers":
            return say("paths.layer", name=name, layers=layer_list())
        if parent == "keras.optimizers":
            classes = [o.keras_class for o in OPTIMIZERS.values()]
            return say("paths.optimizer", name=name, classes=spoken_list(classes, "or"))
        if parent == "keras.regularizers":
            return say("paths.regularizer", name=name)
        if parent == "keras.losses":
            return say("paths.loss", name=name)
        if path.startswith("numpy"):
            return say("paths.numpy")
        return say("paths.other", path=path)

    # -- why a value is refused ----------------------------------------------------------------

    def explain(self, node: ast.AST) -> str:
        """Why an expression is not a value the lab accepts, in plain words."""
        key = _EXPLAIN.get(type(node))
        if key is not None:
            quoted = key in ("arithmetic", "unary")  # only these messages quote the code
            return say(f"explain.{key}", code=short(node) if quoted else "")
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bytes):
                return say("explain.bytes")
            if isinstance(node.value, complex):
                return say("explain.complex")
            return say("explain.constant", code=short(node))
        if isinstance(node, ast.Call):
            try:
                kind = self.callee_kind(node)
            except Refusal as exc:
                return exc.message or say("explain.call_refused")
            return say("explain.call", code=short(node.func), kind=kind.split(":")[-1])
        if isinstance(node, ast.Name | ast.Attribute):
            try:
                path = self.resolve(node)
            except Refusal as exc:
                return exc.message or say("explain.name_refused")
            return say("explain.name", path=path)
        return say("explain.other", code=short(node))
