"""The one place that knows where the lesson's content lives: `lessons/` and `labs/`.

Both are shipped inside the package (`dropout_lab.lessons`, `dropout_lab.labs`) and found through
`importlib.resources`, so a wheel installed anywhere finds them as an editable checkout does.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

LESSONS_DIR = Path(str(files("dropout_lab.lessons")))
LABS_DIR = Path(str(files("dropout_lab.labs")))
