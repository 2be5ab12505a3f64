"""The instructor's view of a class, as plain data: the progress table, every learner's work,
the class's own sweep (a figure), and CSV exports of all three. No Streamlit here."""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass, field

from dropout_lab.lesson.csv_cells import safe_cell
from dropout_lab.lesson.steps import STEP_IDS

DONE, PARTIAL, NONE = "✓", "◐", ""
STEPS_DONE = "Steps done"  # the progress table's column of finished steps


@dataclass(frozen=True)
class Words:
    """What the work CSV says beside the ids: each quiz item's and question's title, and each
    quiz item's choices (plain text), by id."""

    titles: dict[str, str] = field(default_factory=dict)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)


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
        row[STEPS_DONE] = done
        row["Quiz right"] = r["quiz_correct"]
        row["Quiz answered"] = r["quiz_answered"]
        row["Submissions"] = r["submissions"]
        row["Reflections"] = r["reflections"]
        rows.append(row)
    return rows


def step_counts(class_progress: list[dict], criteria: dict[str, dict[str, str]]) -> list[dict]:
    """Per step (in the lesson's order): how many learners have done it and how many have started
    it without finishing; no names (the projector's view)."""
    out = []
    for step in STEP_IDS:
        marks = [step_mark(set(r["progress"].get(step, set())), set(criteria.get(step, {})))
                 for r in class_progress]  # fmt: skip
        out.append({"step": step, "done": marks.count(DONE), "started": marks.count(PARTIAL),
                    "learners": len(class_progress)})  # fmt: skip
    return out


def work_rows(name: str, quiz: dict[str, tuple[int, bool]], submissions: list[dict],
              reflections: dict[str, str], words: Words | None = None) -> list[dict]:  # fmt: skip
    """One learner's answers and submissions as flat rows (kind, item, answer, correct, detail,
    title, answer_text): a quiz answer is its choice's number and its words, and
    every quiz item and question has its title, from `words` (plain text, no Markdown)."""
    words = words or Words()
    rows = []
    for item_id, (choice, correct) in sorted(quiz.items()):
        options = words.choices.get(item_id, ())
        said = options[choice] if 0 <= choice < len(options) else ""
        rows.append({"learner": name, "kind": "quiz", "item": item_id,
                     "title": words.titles.get(item_id, ""), "answer": str(choice),
                     "answer_text": said, "correct": bool(correct), "detail": ""})  # fmt: skip
    for sub in submissions:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(sub.get("created_at") or 0))
        rows.append({"learner": name, "kind": "submission", "item": sub.get("lab", ""),
                     "answer": sub.get("code", ""), "correct": "",
                     "detail": json.dumps({"spec": sub.get("spec"), "summary": sub.get("summary"),
                                           "at": when})})  # fmt: skip
    for qid, text in sorted(reflections.items()):
        rows.append({"learner": name, "kind": "reflection", "item": qid,
                     "title": words.titles.get(qid, ""), "answer": text, "correct": "",
                     "detail": ""})  # fmt: skip
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


# title and answer_text last: the earlier columns keep their places for existing spreadsheets
WORK_COLUMNS = ["learner", "kind", "item", "answer", "correct", "detail", "title", "answer_text"]
SWEEP_COLUMNS = ["name", "lab", "rates", "mean_rate", "val_accuracy", "val_loss", "epochs",
                 "run_key"]  # fmt: skip
