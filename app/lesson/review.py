"""Reflect's interleaved review: 6 to 8 checks drawn across the readings' sections, asked after a
delay rather than straight after the paragraph that answers them (retrieval practice). Pure."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from dropout_lab.lesson.lessons import QuizItem

SIZE = 8  # at most; at least MIN_SIZE
MIN_SIZE = 6


def _rank(who: str, item: QuizItem) -> bytes:
    return hashlib.sha256(f"review\x1f{who}\x1f{item.id}".encode()).digest()


def draw(
    items: Sequence[QuizItem], sections: Sequence[str], who: str, size: int = SIZE
) -> list[QuizItem]:
    """Up to `size` items of `sections`, one per section until every section has one, stable for
    `who` and different between learners: no two neighbours share a section. An item that reads
    a stored run is asked first (only Reflect, where the runs are, can ask it)."""
    if size < MIN_SIZE:
        raise ValueError(f"a review has at least {MIN_SIZE} items, asked for {size}")
    by_section = {
        s: sorted(
            (i for i in items if i.section == s), key=lambda i: (not i.needs_runs, _rank(who, i))
        )
        for s in sections
    }
    order = sorted(
        (s for s in sections if by_section[s]),
        key=lambda s: (not by_section[s][0].needs_runs, _rank(who, by_section[s][0])),
    )
    picked: list[QuizItem] = []
    depth = 0
    while len(picked) < size and any(len(by_section[s]) > depth for s in order):
        picked += [by_section[s][depth] for s in order if len(by_section[s]) > depth]
        depth += 1
    return picked[:size]
