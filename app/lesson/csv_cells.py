"""CSV cells a spreadsheet reads as text, never as a formula (OWASP's CSV injection rule).

Every CSV file the app writes (the instructor's exports, a run's history) passes each cell,
header included, through `safe_cell` at the writer. A cell that starts with `=`, `+`, `-`, `@`,
a tab or a line break (after any spaces) is prefixed with a single quote, which spreadsheets
take as "this is text": `=HYPERLINK("http://x", "click")` arrives as `'=HYPERLINK(...)`. Plain
numbers (`-0.25`, `1e-3`) are left as they are: no spreadsheet runs them, and they stay numbers.
"""

from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def safe_cell(value: object) -> str:
    """`value` as CSV cell text that no spreadsheet evaluates (None is the empty cell)."""
    text = "" if value is None else str(value)
    if _NUMBER.match(text):
        return text
    if text.lstrip(" ")[:1] in TRIGGERS and text.lstrip(" "):
        return "'" + text
    return text
