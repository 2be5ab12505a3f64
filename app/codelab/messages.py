"""The code lab's words: refusals and notes, kept as data in `lessons/codelab.toml`.

Each message has a dotted id (`units.above`, `names.not_imported`, ...) and `{field}`
placeholders filled by the reader. Every message may also use the `[common]` fields
(`{not_run}`, ...). A `Refusal` carries one message with the line it is about.
"""

from __future__ import annotations

import ast
from typing import Any

from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.spec import ParseError


def text(key: str) -> Any:
    """The raw entry `key` (dotted) of lessons/codelab.toml: a template, a table or a list."""
    return step_text("codelab", key)


def say(key: str, /, **fields: Any) -> str:
    """The message `key` with its placeholders filled."""
    return " ".join(str(text(key)).split()).format(**text("common"), **fields)


class Refusal(Exception):
    """The code cannot be accepted: `message` says why and what to do, at `line`."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class AlreadyReported(Refusal):
    """A use of a name whose import was already refused: do not report it twice."""

    def __init__(self, line: int | None) -> None:
        super().__init__(line, "")


def refusal(line: int | None, key: str, /, **fields: Any) -> Refusal:
    """A Refusal carrying the message `key`."""
    return Refusal(line, say(key, **fields))


class Report:
    """The errors and notes collected while reading one piece of code."""

    def __init__(self) -> None:
        self.errors: list[ParseError] = []
        self.notes: list[ParseError] = []

    def error(self, line: int | None, message: str) -> None:
        self.errors.append(ParseError(line, message))

    def refuse(self, exc: Refusal) -> None:
        if not isinstance(exc, AlreadyReported):
            self.error(exc.line, exc.message)

    def note(self, line: int | None, message: str) -> None:
        """A remark (not a refusal); each distinct remark is kept once, at its first line."""
        if all(n.message != message for n in self.notes):
            self.notes.append(ParseError(line, message))


def line_of(node: ast.AST | None) -> int | None:
    return getattr(node, "lineno", None)


def short(node: ast.AST, limit: int = 40) -> str:
    """The code of `node` on one line, cut to `limit` characters, to quote it in a message."""
    try:
        code = ast.unparse(node)
    except Exception:  # only used to quote code in a message
        return "this"
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 1] + "…"


def spoken_list(items: list[str] | tuple[str, ...], last_word: str = "and") -> str:
    """'a, b and c' (the conjunction is a field of lessons/codelab.toml's [common])."""
    words = text("common")
    joiner = f" {words[last_word]} "
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + joiner + items[-1]
