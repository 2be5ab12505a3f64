"""A figure builder's code as one standalone block: the exported script and notebook draw the
app's own curves figure, yet need nothing from Dropout Lab.

`standalone_source(module, *names)` returns the third-party imports the named definitions need,
then those definitions and, recursively, every top-level definition they use from their own
module or from a `dropout_lab` module they import by name (`from dropout_lab.x import name`),
each dependency before its user, copied from the source with the comments just above it.
A module imported whole (`from dropout_lab.charts import panels`) cannot be followed: that
raises, and the tests run the copy, so a figure that cannot travel fails loudly.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
from dataclasses import dataclass, field
from types import ModuleType

_FMT_SKIP = "  # fmt: skip"


@dataclass
class _Module:
    """One module's top-level names: its definitions and where its imports come from."""

    source: str
    defs: dict[str, ast.stmt] = field(default_factory=dict)
    internal: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → (module, name)
    external: dict[str, str] = field(default_factory=dict)  # name → its import line

    @classmethod
    def read(cls, module: ModuleType) -> _Module:
        source = inspect.getsource(module)
        out = cls(source)
        for node in ast.parse(source).body:
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dropout_lab"):
                for a in node.names:
                    out.internal[a.asname or a.name] = (node.module, a.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                head = (
                    f"from {node.module} import " if isinstance(node, ast.ImportFrom) else "import "
                )
                for a in node.names:
                    line = head + a.name + (f" as {a.asname}" if a.asname else "")
                    out.external[(a.asname or a.name).split(".")[0]] = line
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                out.defs[node.name] = node
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    for n in ast.walk(t):
                        if isinstance(n, ast.Name):
                            out.defs[n.id] = node
        return out

    def segment(self, node: ast.stmt) -> str:
        """The definition's source lines, with the comment lines just above it."""
        lines = self.source.splitlines()
        start = node.lineno - 1
        while start > 0 and lines[start - 1].lstrip().startswith("#"):
            start -= 1
        kept = [line.removesuffix(_FMT_SKIP) for line in lines[start : node.end_lineno]]
        return "\n".join(kept)


def standalone_source(module: ModuleType, *names: str) -> str:
    """The definitions `names` of `module` and everything they use, as one runnable block: the
    imports, then module by module (a module after those it uses) in source order."""
    modules: dict[str, _Module] = {}
    needed: dict[str, dict[int, ast.stmt]] = {}  # module → {node id: node}
    uses: dict[str, set[str]] = {}  # module → the modules it takes definitions from
    imports: set[str] = set()

    def get(name: str) -> _Module:
        if name not in modules:
            modules[name] = _Module.read(importlib.import_module(name))
        return modules[name]

    def visit(mod_name: str, name: str) -> None:
        mod = get(mod_name)
        if name in mod.internal:
            source_module = mod.internal[name][0]
            uses.setdefault(mod_name, set()).add(source_module)
            visit(source_module, mod.internal[name][1])
            return
        if name not in mod.defs:
            raise ValueError(f"{mod_name}.{name} is not a top-level definition it can copy")
        node = mod.defs[name]
        if id(node) in needed.setdefault(mod_name, {}):
            return
        needed[mod_name][id(node)] = node
        for ref in sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name)}):
            if ref in mod.external:
                imports.add(mod.external[ref])
            elif ref in mod.internal or (ref in mod.defs and mod.defs[ref] is not node):
                visit(mod_name, ref)  # anything else is a builtin or a local name

    for name in names:
        visit(module.__name__, name)
    order: list[str] = []  # each module after the ones it uses

    def place(mod_name: str) -> None:
        for dep in sorted(uses.get(mod_name, ())):
            place(dep)
        if mod_name not in order:
            order.append(mod_name)

    for mod_name in needed:
        place(mod_name)
    parts = [("import", line) for line in sorted(imports, key=lambda x: (x[:4] == "from", x))]
    for mod_name in order:
        nodes = sorted(needed[mod_name].values(), key=lambda n: n.lineno)
        parts += [(type(n).__name__, modules[mod_name].segment(n)) for n in nodes]
    out = parts[0][1]
    for (kind_a, _), (kind_b, text) in itertools.pairwise(parts):
        # Imports and neighbouring constants stay together; everything else two lines apart.
        together = kind_a == kind_b and kind_a in ("import", "Assign", "AnnAssign")
        out += ("\n" if together else "\n\n\n") + text
    return out + "\n"
