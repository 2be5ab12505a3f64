"""Which claims each page shows, read from the code: a step script (app/steps/<page>.py) is
followed through every function of `dropout_lab.ui` and `dropout_lab.findings` it reaches (a
call, a callback or a function passed on: any reference), down to the `say(<CLAIMS>, ...)`
calls of the findings, whose first argument is a tuple of claims. The same reader follows a
test's own functions, so a test can show that it renders every claim a page shows.

Static and a little generous: a function referenced anywhere in a reached function counts as
reached, whether or not the branch that calls it runs.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from dropout_lab.findings.claims import Claim

APP = Path(__file__).resolve().parents[2] / "app"
PACKAGE = "dropout_lab"
FOLLOWED = (f"{PACKAGE}.ui.", f"{PACKAGE}.findings.")  # the packages a page's claims pass through

Node = tuple[str, str | None]  # (module file, function name; None: the whole file)


def steps() -> dict[str, Path]:
    """page name → its step script."""
    return {p.stem: p for p in sorted((APP / "steps").glob("*.py")) if p.stem != "__init__"}


def module_file(module: str) -> Path | None:
    """The file of `dropout_lab.<...>` (None for other packages, or a package's name)."""
    if not module.startswith(f"{PACKAGE}."):
        return None
    path = APP.joinpath(*module.split(".")[1:])
    return path.with_suffix(".py") if path.with_suffix(".py").is_file() else None


def module_name(path: Path) -> str | None:
    """The import name of a file under app/ (None elsewhere)."""
    try:
        parts = path.resolve().relative_to(APP).with_suffix("").parts
    except ValueError:
        return None
    return ".".join((PACKAGE, *parts))


@cache
def _parsed(path: Path) -> tuple[ast.Module, dict[str, str], dict[str, tuple[str, str]]]:
    """The file's AST; alias → module it names; name → (module, name) imported from one
    (imports anywhere in the file, inside functions too)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    modules: dict[str, str] = {}
    names: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    modules[a.asname] = a.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                full = f"{node.module}.{a.name}"
                if module_file(full) is not None:
                    modules[a.asname or a.name] = full
                else:
                    names[a.asname or a.name] = (node.module, a.name)
    return tree, modules, names


def _function(tree: ast.Module, name: str) -> ast.AST | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return node
    return None


def _followed(module: str, name: str) -> Node | None:
    """(file, function) when `module` is followed and defines a function `name`."""
    path = module_file(module)
    if path is None or not module.startswith(FOLLOWED):
        return None
    return (str(path), name) if _function(_parsed(path)[0], name) is not None else None


def _tables(module: str | None, call: ast.Call) -> list[tuple[Claim, ...]]:
    """The claims of `say(<NAME>, ...)` in `module` (an empty list for another call)."""
    if not (isinstance(call.func, ast.Name) and call.func.id == "say" and call.args):
        return []
    first = call.args[0]
    if module is None or not isinstance(first, ast.Name):
        raise ValueError(f"say() without a module's tuple of claims: {ast.dump(first)}")
    return [getattr(importlib.import_module(module), first.id)]


def claims_reached(start: Iterable[Node]) -> set[Claim]:
    """Every claim whose `say` is reached from the nodes `start` (a file and a function of it,
    or None for the whole file)."""
    todo, seen, found = list(start), set(), set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        path = Path(node[0])
        tree, modules, names = _parsed(path)
        body = tree if node[1] is None else _function(tree, node[1])
        here = module_name(path)
        for sub in ast.walk(body):
            if isinstance(sub, ast.Call):
                for table in _tables(here, sub):
                    found |= set(table)
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                if _function(tree, sub.id) is not None and sub.id != node[1]:
                    todo.append((str(path), sub.id))
                elif sub.id in names:
                    todo += [n for n in [_followed(*names[sub.id])] if n]
            elif (isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name)
                  and sub.value.id in modules):  # fmt: skip
                todo += [n for n in [_followed(modules[sub.value.id], sub.attr)] if n]
    return found


def page_claims() -> dict[str, set[Claim]]:
    """page → the claims it shows (pages showing none left out)."""
    out = {name: claims_reached([(str(path), None)]) for name, path in steps().items()}
    return {name: found for name, found in out.items() if found}
