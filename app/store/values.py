"""Checks on what callers hand the store: names, ids and keys, texts, JSON data. Each returns the
value to keep (trimmed, converted) or raises ValueError with a sentence a learner can act on."""

from __future__ import annotations

import json
import re
from typing import Any

from dropout_lab.lesson import names
from dropout_lab.store.schema import KEY_MAX

_KEY_RE = re.compile(r"^[A-Za-z0-9_.:\-]+$")


def clean_name(value: Any, what: str) -> str:
    """A learner's name or a class code: NFKC, trimmed with one space between words, without
    invisible characters (`names.clean`)."""
    return names.clean(value, what)


def check_key(value: Any, what: str) -> str:
    """A step, criterion, quiz item, question, lab or run id."""
    if not isinstance(value, str) or not value or len(value) > KEY_MAX or not _KEY_RE.match(value):
        raise ValueError(
            f"{what} must be 1-{KEY_MAX} characters of letters, digits and _ . : -, got {value!r}"
        )
    return value


def check_id(learner_id: Any) -> int:
    if isinstance(learner_id, bool) or not isinstance(learner_id, int):
        raise ValueError(f"a learner id is an integer, got {learner_id!r}")
    return learner_id


def check_text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, got {type(value).__name__}")
    if len(value) > limit:
        raise ValueError(f"{what} is too long: {len(value)} characters (at most {limit}).")
    return value


def to_json(value: Any, what: str) -> Any:
    """`value` as plain JSON data (NumPy scalars and arrays become numbers and lists)."""
    if value is None:
        return None

    def default(obj: Any) -> Any:
        if hasattr(obj, "tolist"):
            return obj.tolist()
        if isinstance(obj, (set, frozenset, tuple)):
            return list(obj)
        raise TypeError(f"{type(obj).__name__} is not JSON data")

    try:
        return json.loads(json.dumps(value, default=default, allow_nan=True))
    except (TypeError, ValueError) as e:
        raise ValueError(f"{what} must be JSON data: {e}") from e


def float_or_none(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None
