"""Reading the fields of the content's TOML entries (lessons, labs, predictions), with a message
that names the place and the field when one is wrong."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def text(
    entry: Mapping[str, Any],
    field: str,
    where: str,
    *,
    required: bool = True,
    error: type[ValueError] = ValueError,
) -> str:
    """`entry[field]` stripped; "" when it is absent and not required; else `error`."""
    value = entry.get(field)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise error(f"{where}: {field!r} must be a non-empty string")
    return value.strip()
