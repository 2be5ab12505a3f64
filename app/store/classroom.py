"""The instructor's view of a class, as plain data: the progress table, every learner's work,
the class's own sweep (a figure), and CSV exports of all three. No Streamlit here."""

from __future__ import annotations

import csv
import io
import json
import time

from dropout_lab.lesson.csv_cells import safe_cell
from dropout_lab.lesson.steps import STEP_IDS

DONE, PARTIAL, NONE = "✓", "◐", ""


def step_mark(have: set[str], needed: set[str]) -> str:
    if needed and needed <= have:
        return DONE
    return PARTIAL if have else NONE


def progress_rows(class_progress: list[dict], criteria: dict[str, dict[str, str]],
                  titles: dict[str, str]) -> list[dict]:  # fmt: skip
    """One row per learner: name, a mark per step, steps done, quiz, submissions, reflections."""
    rows = []
    for r in class_progress:
        row: dict = {"Learner": r["name"]}
        done = 0
        for step in STEP_IDS:
            have = set(r["progress"].get(step, set()))
            mark = step_mark(have, set(criteria.get(step, {})))
            done += mark == DONE
            row[titles.get(step, step)] = mark
        row["Steps done"] = done
        row["Quiz right"] = r["quiz_correct"]
        row["Quiz answered"] = r["quiz_answered"]
        row["Submissions"] = r["submissions"]
        row["Reflections"] = r["reflections"]
        rows.append(row)
    return rows


def work_rows(name: str, quiz: dict[str, tuple[int, bool]], submissions: list[dict],
              reflections: dict[str, str]) -> list[dict]:  # fmt: skip
    """One learner's answers and submissions as flat rows (kind, item, answer, correct, detail)."""
    rows = []
    for item_id, (choice, correct) in sorted(quiz.items()):
        rows.append({"learner": name, "kind": "quiz", "item": item_id, "answer": str(choice),
                     "correct": bool(correct), "detail": ""})  # fmt: skip
    for sub in submissions:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(sub.get("created_at") or 0))
        rows.append({"learner": name, "kind": "submission", "item": sub.get("lab", ""),
                     "answer": sub.get("code", ""), "correct": "",
                     "detail": json.dumps({"spec": sub.get("spec"), "summary": sub.get("summary"),
                                           "at": when})})  # fmt: skip
    for qid, text in sorted(reflections.items()):
        rows.append({"learner": name, "kind": "reflection", "item": qid, "answer": text,
                     "correct": "", "detail": ""})  # fmt: skip
    return rows


def add_lab_grades(table: list[dict], class_progress: list[dict],
                   grades: dict[int, dict[str, bool]], columns: dict[str, str],
                   words: tuple[str, str] = ("passed", "failed")) -> list[dict]:  # fmt: skip
    """The progress table with a column per graded lab (`columns`: lab -> title): each
    learner's last grade of it, `words` (passed, failed), or blank if never graded."""
    for row, learner in zip(table, class_progress, strict=True):
        mine = grades.get(learner["learner_id"], {})
        for lab, title in columns.items():
            row[title] = "" if lab not in mine else words[0] if mine[lab] else words[1]
    return table


def grade_rows(name: str, work: dict[str, dict], labs: tuple[str, ...],
               describe=lambda grade: "") -> list[dict]:  # fmt: skip
    """One learner's graded labs (of `labs`) as rows of the work CSV: the code graded, whether
    it passed, and `describe(grade)` (which properties failed) with when it was graded."""
    rows = []
    for lab in labs:
        got = work.get(lab) or {}
        grade = got.get("grade")
        if not grade:
            continue
        at = grade.get("graded_at") or got.get("updated_at") or 0
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(at))
        rows.append({"learner": name, "kind": "numpy lab", "item": lab,
                     "answer": grade.get("code", ""), "correct": bool(grade.get("passed")),
                     "detail": json.dumps({"grade": describe(grade), "at": when})})  # fmt: skip
    return rows


def to_csv(rows: list[dict], columns: list[str] | None = None) -> str:
    """CSV text of `rows` (the columns of the first row unless given). Every cell, header
    included, goes through `safe_cell`: no spreadsheet runs a learner's `=HYPERLINK(...)`."""
    columns = columns or (list(rows[0]) if rows else [])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(k) for k in columns])
    for row in rows:
        writer.writerow([safe_cell(_cell(row.get(k))) for k in columns])
    return out.getvalue()


def _cell(value) -> str:
    if isinstance(value, list | tuple | set):
        return " ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return "" if value is None else str(value)


WORK_COLUMNS = ["learner", "kind", "item", "answer", "correct", "detail"]
SWEEP_COLUMNS = ["name", "lab", "rates", "mean_rate", "val_accuracy", "val_loss", "epochs",
                 "run_key"]  # fmt: skip
