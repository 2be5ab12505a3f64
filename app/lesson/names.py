"""Learners' names and class codes: one form for each (NFKC), no invisible characters, and a
lookalike test so that `Аda` (a Cyrillic А) cannot join beside `Ada`.

`clean` turns what was typed into the name to keep, or raises ValueError with a sentence from
lessons/learners.toml [names]. `skeleton` is a name's shape in the spirit of Unicode's UTS #39:
each character replaced by the representative of its confusables class (Unicode's
confusables.txt, as shipped by the confusable-homoglyphs package), NFKC and case folded until
nothing changes. Two names look alike when their skeletons meet.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from dropout_lab.lesson.content import step_text

NAME_MAX = 40  # characters of a name or a class code (the database's columns are this wide)

ALLOWED = re.compile(r"^[\w .\-]+$")  # \w: letters (any script), digits and _
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}
# Letters and marks that draw nothing (Unicode's Default_Ignorable_Code_Point fillers and
# variation selectors, which \w or a category test would let through) and the braille blank.
INVISIBLE = {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2800, 0x3164, 0xFFA0}
INVISIBLE_RANGES = ((0x180B, 0x180F), (0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
_MARKS = "\u200e\u200f"  # direction marks around right-to-left text in the confusables data


def words() -> dict[str, str]:
    return step_text("learners", "names")


def invisible(c: str) -> bool:
    n = ord(c)
    return (
        unicodedata.category(c) in INVISIBLE_CATEGORIES
        or n in INVISIBLE
        or any(lo <= n <= hi for lo, hi in INVISIBLE_RANGES)
    )


def clean(value: Any, what: str) -> str:
    """A learner's name or a class code as kept: NFKC, trimmed, one space between words.
    Refused (ValueError): not text, empty, too long, an invisible, filler or control character
    (as typed or once normalised), or any character other than letters, digits, spaces (any
    Unicode space: they become one) and - _ ."""
    say = words()
    if not isinstance(value, str):
        raise ValueError(say["not_text"].format(what=what))
    normal = unicodedata.normalize("NFKC", value)
    hidden = sorted({c for c in value if invisible(c)} or {c for c in normal if invisible(c)})
    if hidden:
        chars = " ".join(f"U+{ord(c):04X}" for c in hidden)
        raise ValueError(say["invisible"].format(what=what, chars=chars))
    value = " ".join(normal.split())  # trim, and one space between words
    if not value:
        raise ValueError(say["empty"].format(what=what, what_lower=what.lower()))
    if len(value) > NAME_MAX:
        raise ValueError(say["too_long"].format(what=what, max=NAME_MAX, length=len(value)))
    if not ALLOWED.match(value):
        bad = sorted({c for c in value if not (c.isalnum() or c in " -_.")})
        raise ValueError(say["bad_chars"].format(what=what, chars=" ".join(map(repr, bad))))
    return value


# --------------------------------------------------------------------------- lookalikes


@cache
def _representatives() -> dict[str, str]:
    """character -> its confusables class's representative (ASCII first, then the longest:
    `m` -> `rn`, `I` and `l` -> `1`), for every character that is not its own."""
    path = resources.files("confusable_homoglyphs") / "confusables.json"
    data = json.loads(path.read_text("utf-8"))
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for key, alikes in data.items():
        a = key.strip(_MARKS)
        for alike in alikes:
            b = alike["c"].strip(_MARKS)
            if a and b:
                parent[root(a)] = root(b)
    classes: dict[str, list[str]] = {}
    for x in list(parent):
        classes.setdefault(root(x), []).append(x)
    out = {}
    for members in classes.values():
        rep = min(members, key=lambda m: (not m.isascii(), -len(m), m))
        out.update({m: rep for m in members if len(m) == 1 and m != rep})
    return out


def _shape(text: str) -> str:
    reps = _representatives()
    for _ in range(4):  # a representative's NFKC or case fold may have a representative too
        shaped = unicodedata.normalize("NFKC", "".join(reps.get(c, c) for c in text)).casefold()
        if shaped == text:
            break
        text = shaped
    return text


@lru_cache(maxsize=8192)
def skeleton(name: str) -> frozenset[str]:
    """The shapes of `name`, as typed and case folded (`AI` and `Al` share one, as do `Аda`
    and `ada`)."""
    return frozenset({_shape(name), _shape(name.casefold())})


def looks_like(name: str, other: str) -> bool:
    return bool(skeleton(name) & skeleton(other))


def lookalike(name: str, others: list[str]) -> str | None:
    """The first of `others` that looks like `name` but is not the same name (case folded)."""
    for other in others:
        if other.casefold() != name.casefold() and looks_like(name, other):
            return other
    return None


class NameLookalike(ValueError):
    """The name looks like another learner's of the same class."""

    def __init__(self, name: str, other: str) -> None:
        super().__init__(words()["lookalike"].format(name=name, other=other))
        self.name, self.other = name, other
