"""Model answers that end with what the lesson's own runs show (reflect.toml `runs`): the
stored runs are read, never trained here (Compare trains them), and the paragraph is computed
by `findings/` with the words of reflect_page.toml [runs.<name>]."""

from __future__ import annotations

import logging

from dropout_lab.findings import additive
from dropout_lab.lesson import catalogue
from dropout_lab.lesson.content import step_text
from dropout_lab.ui import settings

log = logging.getLogger(__name__)
WORDS = step_text("reflect_page")["runs"]
LABELS = step_text("compare")["curves"]["labels"]  # the runs' names, as Compare writes them


def _stored() -> dict[str, dict]:
    """name -> history of the lesson's runs stored so far ({} when they cannot be read)."""
    from dropout_lab.training import precompute
    from dropout_lab.ui import training

    try:
        reqs = catalogue.requests(settings.train_settings().config)
        return precompute.load(training.service().store, reqs)
    except Exception:  # the model answer goes on without the runs' paragraph
        log.exception("reading the lesson's runs for a model answer failed")
        return {}


def paragraph(name: str) -> str:
    """The paragraph `name` (lesson.lessons.RUN_ANSWERS), headed, in Markdown."""
    words = WORDS[name]
    text = additive.answer(_stored(), LABELS, words)
    return f"**{WORDS['heading']}.** {text}"
