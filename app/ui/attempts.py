"""The learner's attempts at a lab, counted in the session: a finished run of their own model
(the Keras lab) or a Grade of new code (the NumPy labs), each counted once, and whether it
missed a goal. The count decides how far each goal's hints go (`Lab.hint_level`) and whether the
solution may be shown (only after an attempt)."""

from __future__ import annotations

import hashlib

from dropout_lab.ui import session


def _book(lab: str) -> dict[str, list[str]]:
    books = session.value(session.BUILD_ATTEMPTS)
    return books.setdefault(lab, {"tried": [], "failed": []})


def code_id(code: str) -> str:
    """An attempt's id for graded code: its digest (grading the same code again is no attempt)."""
    return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()[:16]


def record(lab: str, attempt: str, *, failed: bool) -> bool:
    """Count `attempt` once; True if it is new."""
    book = _book(lab)
    if attempt in book["tried"]:
        return False
    book["tried"].append(attempt)
    if failed:
        book["failed"].append(attempt)
    return True


def tried(lab: str) -> bool:
    return bool(_book(lab)["tried"])


def failed(lab: str) -> int:
    """How many of the learner's attempts at `lab` missed a goal."""
    return len(_book(lab)["failed"])
