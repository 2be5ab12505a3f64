"""The steps' completion criteria and the sidebar's marks: from the criteria met (the joined
learner's stored progress, else this session's own), so a mark means the same for everyone."""

from __future__ import annotations

from dropout_lab.lesson.steps import STEP_IDS
from dropout_lab.ui import learners, settings

TEXT = learners.TEXT


def criteria() -> dict[str, dict[str, str]]:
    """{step id: {criterion id: label}} in lesson order."""
    words = TEXT["criteria"]
    pass_mark = settings.config().quiz_pass if settings.config_ok() else 0.8
    return {
        step: {c: label.format(pass_mark=pass_mark) for c, label in words.get(step, {}).items()}
        for step in STEP_IDS
    }


def step_done(step_id: str, progress: dict[str, set[str]] | None = None) -> bool:
    needed = set(criteria()[step_id])
    have = (progress if progress is not None else learners.my_progress()).get(step_id, set())
    return bool(needed) and needed <= set(have)


def criteria_help(step_id: str) -> str:
    """The step's criteria, each marked done or to do (markdown, for a tooltip)."""
    have = learners.my_progress().get(step_id, set())
    marks = TEXT["marks"]
    lines = [
        (marks["criterion_done"] if c in have else marks["criterion_todo"]).format(label=label)
        for c, label in criteria()[step_id].items()
    ]
    return "  \n".join(lines)


def step_mark(step_id: str) -> str:
    """The sidebar's mark: ✓ when the step's criteria are met, ◐ when some are, else none."""
    marks = TEXT["marks"]
    if step_done(step_id):
        return " " + marks["done"]
    return " " + marks["partial"] if learners.my_progress().get(step_id) else ""


def steps_done() -> tuple[int, str]:
    """(count, sentence) for the sidebar's progress bar."""
    done = sum(step_done(s) for s in STEP_IDS)
    return done, TEXT["marks"]["progress"].format(done=done, total=len(STEP_IDS))
