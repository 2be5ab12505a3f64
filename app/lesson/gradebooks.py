"""The class's scores as the LMS gradebooks import them, for instructors who do not use LTI
(or want a copy): one file per LMS, each in the columns its import expects as it is.

- Canvas (Grades → Import): `Student, ID, SIS User ID, SIS Login ID, Section`, then one column
  per assignment, then a `Points Possible` row first. Canvas matches a row by ID, SIS User ID
  or SIS Login ID (the LMS's, filled where a launch or the roster gave them), else by name; an
  assignment column without `(id)` becomes a new assignment of that many points.
- Moodle (Grades → Import → CSV file): any identifier column mapped to a user field (here
  `Email address`, filled where the LMS gave it), then the grade item's column.

Every cell goes through `csv_cells.safe_cell`: a learner's name never runs as a formula."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from dropout_lab.lesson.csv_cells import safe_cell

CANVAS_HEAD = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_HEAD = ("Full name", "Email address", "ID number")


@dataclass(frozen=True)
class Row:
    name: str
    score: float
    email: str = ""
    sis_id: str = ""  # the student information system's id (lis person_sourcedid)
    lms_id: str = ""  # the LMS's own user id, where known


def _write(rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell("" if v is None else f"{v:g}" if isinstance(v, float) else v)
                         for v in row])  # fmt: skip
    return out.getvalue()


def canvas(rows: list[Row], assignment: str, points: float) -> str:
    """Canvas's gradebook import: the learners' scores as one (new) assignment."""
    table: list[list[object]] = [[*CANVAS_HEAD, assignment]]
    table.append(["Points Possible", "", "", "", "", float(points)])
    table += [[r.name, r.lms_id, r.sis_id, "", "", float(r.score)] for r in rows]
    return _write(table)


def moodle(rows: list[Row], item: str) -> str:
    """Moodle's CSV grade import: map `Email address` (or `ID number`) to the user, and the
    last column to the grade item."""
    table: list[list[object]] = [[*MOODLE_HEAD, item]]
    table += [[r.name, r.email, r.sis_id, float(r.score)] for r in rows]
    return _write(table)
