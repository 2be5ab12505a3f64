"""Outside text inside Markdown, shown as the letters typed: a learner's name, a class code, an
error that quotes what was sent. Everything Streamlit renders as Markdown (st.markdown,
st.caption, st.info and the other alerts, expander, button and popover labels; a chart's
summary from `charts.describe`) gets a value from outside only through `text` (or `in_code`
inside a code span), never as it came. Pure text work: the pages and the logic packages
that write Markdown for them use the same one.

`text` backslash-escapes every ASCII punctuation character (CommonMark: no emphasis, link,
image, heading, list, table, HTML or math survives), turns any run of whitespace into one space
(no code block, no new paragraph), and puts an invisible word joiner (U+2060) where GitHub's
autolinks and Streamlit's shortcodes would still fire on the unescaped text: between `www` and
its dot, before `@`, after `:`. So `__bold__ www.x.com` shows as typed, with no link.
"""

from __future__ import annotations

import re
import string

WORD_JOINER = "\u2060"
ELLIPSIS = "…"
_PUNCTUATION = frozenset(string.punctuation)
_WWW = re.compile(r"(www)(?=\\\.)", re.IGNORECASE)


def text(value: object, limit: int | None = None) -> str:
    """`value` as Markdown source that renders as its own letters, on one line; cut to `limit`
    characters (with an ellipsis) when given."""
    plain = " ".join(str(value).split())
    if limit is not None and len(plain) > limit:
        plain = plain[: max(0, limit - 1)] + ELLIPSIS
    out = []
    for c in plain:
        if c == "@":
            out.append(WORD_JOINER)
        out.append("\\" + c if c in _PUNCTUATION else c)
        if c == ":":
            out.append(WORD_JOINER)
    return _WWW.sub(r"\1" + WORD_JOINER, "".join(out))


def in_code(value: object) -> str:
    """`value` for the inside of a code span (`...`) of a template: one line, no backtick (which
    would close the span); nothing else renders inside one."""
    return " ".join(str(value).split()).replace("`", "'")


_PLAIN = [
    (re.compile(r"`([^`]*)`"), r"\1"),  # code spans: their letters
    (re.compile(r"\*\*(.+?)\*\*|__(.+?)__"), r"\1\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),  # emphasis
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links: their words
    (re.compile(r"\$([^$]+)\$"), r"\1"),  # inline maths: its source
]


def plain(markdown: object) -> str:
    """The lesson's own Markdown as plain words, for a place that shows text as it is (a table's
    cell, a CSV): "`Dropout(0.3)` is **on**" -> "Dropout(0.3) is on". None is ""."""
    if markdown is None:
        return ""
    out = " ".join(str(markdown).split())
    for pattern, repl in _PLAIN:
        out = pattern.sub(repl, out)
    return out
