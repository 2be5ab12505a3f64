"""The colour of each run the pages draw: one colour, one meaning (`panels.MEANINGS`), whatever
chart it is on. The ids of the lesson's runs (`lesson/catalogue.py`) are the meanings' names."""

from __future__ import annotations

from dropout_lab.charts import panels
from dropout_lab.lesson.catalogue import DROPOUT, NO_DROPOUT

# The lesson's runs by id, plus the learner's ("yours"); the lab's reference solution (Dropout(0.5))
# is drawn in the colour of the lesson's dropout.
COLOURS = {**panels.MEANINGS, "reference": panels.MEANINGS[DROPOUT]}
# The learner's own runs, by the label Build trains them under: what each is.
SESSION_RUNS = {"Your model": "yours", "Starter (no dropout)": NO_DROPOUT}


def session_colour(label: str) -> str:
    """The colour of a learner's run labelled `label` (Build's two; any other is "other")."""
    return panels.colour_of(SESSION_RUNS.get(label, "other"))
