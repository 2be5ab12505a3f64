"""How long a training worker takes to start here (its process, then TensorFlow imported), as
last measured by the service, kept in the run store's folder so that the first run after the
next start can say it ("starting the trainer, about N s") before anything is measured again.

No Streamlit, no TensorFlow.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

log = logging.getLogger(__name__)

FILE = "trainer_start.json"
DEFAULT_SECONDS = 6.0  # measured on the 2-core class machine (issue 23): about 5-6 s
MAX_SECONDS = 600.0


def load(root: str | Path) -> float:
    """The last measured start, else DEFAULT_SECONDS (a missing or broken file is no error)."""
    try:
        seconds = float(json.loads((Path(root) / FILE).read_text())["seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_SECONDS
    return seconds if math.isfinite(seconds) and 0 < seconds <= MAX_SECONDS else DEFAULT_SECONDS


def save(root: str | Path, seconds: float) -> None:
    """Keep a measured start (never fatal: a read-only folder keeps the default)."""
    try:
        (Path(root) / FILE).write_text(json.dumps({"seconds": round(float(seconds), 2)}))
    except OSError:
        log.warning("could not keep the trainer's start time in %s", root)
