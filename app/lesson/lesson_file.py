"""Reading a lesson file, whatever it holds: a regular file of at most MAX_FILE_BYTES, UTF-8
text, brackets nested at most MAX_NESTING deep (checked before tomllib, which recurses once per
level), TOML, no number too long to read. What is wrong is one `Unreadable` line naming the file
and, where it can tell, the line and its key. What the values mean is `lesson_config.py`'s."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path

MAX_FILE_BYTES = 256 * 1024  # a lesson file is a few dozen lines
MAX_NESTING = 8  # brackets and braces deep: the schema needs 2 ([[...]] headers, lists of values)
SHOWN_CHARS = 80  # of a wrong value, in a message


class Unreadable(ValueError):
    """The file cannot be read as a lesson file's TOML; the message (one line) says where, why."""


def shown(value: object) -> str:
    """A value as a message shows it: its repr, on one line, cut to SHOWN_CHARS."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print
        text = "a number too long to show"
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def read(p: Path) -> dict:
    """The TOML table of the lesson file `p`; raises Unreadable."""
    return _toml(p, _text(p))


def _text(p: Path) -> str:
    """The file's text: a regular file, at most MAX_FILE_BYTES, UTF-8."""
    try:
        if not stat.S_ISREG(os.stat(p).st_mode):
            raise Unreadable(f"lesson file {p} is not a regular file")
        with p.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise Unreadable(f"lesson file {p} does not exist") from None
    except OSError as e:
        raise Unreadable(f"cannot read lesson file {p}: {e.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise Unreadable(
            f"lesson file {p} is larger than {MAX_FILE_BYTES // 1024} KiB (a lesson file is a "
            "few dozen lines)"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise Unreadable(
            f"{p}: line {line}{_key_on(raw.decode('utf-8', 'replace'), line)} is not UTF-8 "
            "text (save the file as UTF-8)"
        ) from None


def _toml(p: Path, text: str) -> dict:
    deep = _too_deep(text)
    if deep is not None:
        raise Unreadable(
            f"{p}: line {deep}{_key_on(text, deep)} nests lists or tables more than "
            f"{MAX_NESTING} deep (a lesson file's values are numbers, text and lists of them)"
        )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise Unreadable(f"{p} is not valid TOML: {e}") from None
    except (ValueError, RecursionError, MemoryError):  # an integer beyond Python's digit limit
        long = re.search(r"\d{1000,}", text)
        line = text.count("\n", 0, long.start()) + 1 if long else 0
        where = f": line {line}{_key_on(text, line)}" if line else ""
        raise Unreadable(f"{p}{where} has a number too long to read") from None


def _key_on(text: str, line: int) -> str:
    """' (key NAME)' when that line of the file assigns a key, else ''."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    key, sep, _ = lines[line - 1].partition("=")
    key = key.strip()
    return f" (key {shown(key)[1:-1]})" if sep and key and len(key) <= 64 else ""


def _too_deep(text: str) -> int | None:
    """The line where brackets or braces first nest deeper than MAX_NESTING (outside strings
    and comments), or None. Checked before tomllib, which would recurse once per level."""
    depth, line, i, n, quote = 0, 1, 0, len(text), ""
    while i < n:
        c = text[i]
        if quote:
            if text.startswith(quote, i):
                i, quote = i + len(quote), ""
                continue
            if c == "\\" and quote[0] == '"':
                i += 1
            elif c == "\n":
                line += 1
            i += 1
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            continue
        if c in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif c in "]}":
            depth = max(0, depth - 1)
        elif c == "\n":
            line += 1
        i += 1
    return None
