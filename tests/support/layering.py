"""The package layering of `app/`, read from the one table that declares it: the "may import"
column of docs/architecture.md. A unit is a top-level package of `app/` (`lesson`, `charts`) or
a top-level module (`cli`, `clients`); `imports` reads every module's imports from its AST (the
ones inside functions too), `forbidden` lists those the table does not allow, and `cycles`
names the package-level cycles of the graph they make.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "dropout_lab"  # the import name of app/
EVERYTHING = "everything"  # a "may import" cell with this word allows any unit

Table = Mapping[str, frozenset[str] | None]  # unit → the units it may import (None: any)


def _unit(token: str) -> str:
    """`app/ui/`, `lesson/`, `app/cli.py`, `clients.py` → ui, lesson, cli, clients."""
    name = token.removeprefix("app/").strip("/").split("/")[0]
    return name.removesuffix(".py")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def read_table(markdown: str) -> dict[str, frozenset[str] | None]:
    """The table under the header with a "may import" column: each `app/...` in its folder
    cell may import the units named in backticks in its "may import" cell (`lesson/`), or any
    when that cell says "everything"; a cell naming none allows none. Rows outside app/
    (lessons/, tests/) are not units."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|")
                 and "may import" in _cells(line))  # fmt: skip
    header = _cells(lines[start])
    folder, may = header.index("folder"), header.index("may import")
    table: dict[str, frozenset[str] | None] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = _cells(line)
        units = [_unit(t) for t in re.findall(r"`([^`]+)`", cells[folder]) if t.startswith("app/")]
        allowed = (
            None
            if EVERYTHING in cells[may].split()
            else frozenset(_unit(t) for t in re.findall(r"`([^`]+)`", cells[may]))
        )
        for unit in units:
            if unit in table:
                raise ValueError(f"{unit} is in the layering table twice")
            table[unit] = allowed
    return table


def units(root: Path) -> set[str]:
    """The units of a source tree: its top-level packages (folders with Python) and modules."""
    return {p.stem for p in root.glob("*.py") if p.stem != "__init__"} | {
        d.name for d in root.iterdir() if d.is_dir() and any(d.rglob("*.py"))
    }


@dataclass(frozen=True)
class Import:
    """One import of another unit: `source` (file:line) in unit `src` imports `module` of `dst`."""

    src: str
    dst: str
    source: str
    module: str

    def __str__(self) -> str:
        return f"{self.source} imports {self.module}"


def _module_parts(root: Path, path: Path) -> list[str]:
    parts = [PACKAGE, *path.relative_to(root).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imported(node: ast.AST, here: list[str], is_package: bool) -> list[str]:
    """The dotted modules (or module.name) an import statement names, relative ones resolved."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = here if is_package else here[:-1]
        base = base[: len(base) - (node.level - 1)]
        module = ".".join([*base, *([node.module] if node.module else [])])
    else:
        module = node.module or ""
    if module == PACKAGE:  # from dropout_lab import charts
        return [f"{module}.{a.name}" for a in node.names]
    return [module]


def imports(root: Path) -> list[Import]:
    """Every import of one unit by another in the tree at `root` (the folder of `PACKAGE`)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        here = _module_parts(root, path)
        if len(here) < 2:  # the package's own __init__.py belongs to no unit
            continue
        src = here[1]
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            for module in _imported(node, here, path.name == "__init__.py"):
                parts = module.split(".")
                if parts[0] == PACKAGE and len(parts) > 1 and parts[1] != src:
                    found.append(Import(src, parts[1], f"{rel}:{node.lineno}", module))
    return found


def forbidden(found: Iterable[Import], table: Table) -> list[Import]:
    """The imports the table does not allow (an importer or an imported unit it does not name
    is not allowed either)."""
    bad = []
    for i in found:
        allowed = table.get(i.src, frozenset())
        if (
            i.src not in table
            or i.dst not in table
            or (allowed is not None and i.dst not in allowed)
        ):
            bad.append(i)
    return bad


def graph(found: Iterable[Import]) -> dict[str, set[str]]:
    """unit → the units it imports."""
    out: dict[str, set[str]] = {}
    for i in found:
        out.setdefault(i.src, set()).add(i.dst)
        out.setdefault(i.dst, set())
    return out


def cycles(found: Iterable[Import]) -> list[list[str]]:
    """One cycle per strongly connected group of units, as the path [a, b, ..., a], each
    starting at its alphabetically first unit; none when the package graph is acyclic."""
    edges = graph(found)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(_path_back(min(g), g, edges) for g in groups)


def _path_back(start: str, group: set[str], edges: Mapping[str, set[str]]) -> list[str]:
    """The shortest path from `start` back to itself inside `group` (breadth first)."""
    paths = [[start, w] for w in sorted(edges[start] & group)]
    seen = {start}
    while paths:
        path = paths.pop(0)
        if path[-1] == start:
            return path
        if path[-1] in seen:
            continue
        seen.add(path[-1])
        paths += [[*path, w] for w in sorted(edges[path[-1]] & group)]
    raise AssertionError(f"no cycle through {start}")  # a strongly connected group has one


def explain(cycle: list[str], found: Iterable[Import]) -> str:
    """A cycle with, for each of its steps, the first import that makes it."""
    first = {}
    for i in found:
        first.setdefault((i.src, i.dst), i)
    steps = [f"{a} → {b} ({first[a, b]})" for a, b in itertools.pairwise(cycle)]
    return " → ".join(cycle) + ": " + "; ".join(steps)
