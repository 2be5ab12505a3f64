"""One meaning per name, and one way to the lesson's words (issue 24, part 8).

Read from the sources with `ast`, not imported: a class is a type a reader meets in many files,
so two classes of one name in app/ are two meanings for one word (`Claim` was once both a
sentence about the runs and the queue's lease on a run). And the lesson's words in lessons/*.toml
are read in one module, `lesson/content.py`, which every other module asks.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"

# The names issue 24 found with two meanings, and the one module each now lives in.
ONE_HOME = {
    "Claim": "findings/claims.py",  # a sentence about the runs (the queue's is a Lease)
    "Judgement": "findings/claims.py",  # what a judge found (was findings' Verdict)
    "Verdict": "grading/verdict.py",  # a learner's code graded
    "RunResult": "lesson/spec.py",  # a finished training run (the sandbox's is a SandboxRun)
    "SandboxRun": "grading/sandbox.py",
    "Outcome": "grading/runner.py",  # the sandbox's records, parsed (a turn's end is a RunEnd)
    "RunEnd": "training/turns.py",
    "Curve": "charts/curves.py",  # one run on the curves figure (findings' are RunCurves)
    "RunCurves": "findings/run_claims.py",
    "Learner": "store/access.py",  # a joined learner (the NumPy net's is LearnerCode)
    "LearnerCode": "grading/numpy_net.py",
    "Lease": "store/runqueue.py",
    "DROPOUT_LAB": "grading/checks.py",  # was LAB_NAME there, and LAB_NAME the backprop lab's
}
GONE = ("LAB_NAME",)  # said "a lab" in two modules that meant two labs

# Modules that read a TOML file themselves, each for a file that is not the lesson's words.
READS_TOML = {
    "lesson/content.py": "the one reader of lessons/*.toml (step_text, read_toml)",
    "lesson/lesson_file.py": "a class's lesson configuration file, read safely (not words)",
    "lesson/labs.py": "labs/<lab>/lab.toml: a lab's definition, found through lesson/locate.py",
    "doctor.py": "Streamlit's secrets.toml, to find the instructor token",
    "grading/net_run.py": "labs/numpy_backprop/network.toml: the backprop lab's own words",
}


@cache
def sources() -> dict[str, ast.Module]:
    return {p.relative_to(APP).as_posix(): ast.parse(p.read_text(encoding="utf-8"), str(p))
            for p in sorted(APP.rglob("*.py"))}  # fmt: skip


def module_names(tree: ast.Module) -> set[str]:
    """The classes and the module-level assigned names of one module."""
    out: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            out |= {t.id for t in targets if isinstance(t, ast.Name)}
    return out


def test_no_two_classes_in_app_share_a_name() -> None:
    where: defaultdict[str, list[str]] = defaultdict(list)
    for path, tree in sources().items():
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                where[node.name].append(path)
    twice = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert not twice, f"one class name, two meanings (rename one to say what it is): {twice}"


def test_each_name_issue_24_found_twice_has_one_home() -> None:
    trees = sources()
    for name, home in ONE_HOME.items():
        homes = [path for path, tree in trees.items() if name in module_names(tree)]
        assert homes == [home], (name, homes)
    for name in GONE:
        assert not [path for path, tree in trees.items() if name in module_names(tree)], name


def test_only_content_reads_the_lessons_words() -> None:
    """No module but those named opens a TOML file (lessons/*.toml go through content.py)."""
    readers = set()
    for path, tree in sources().items():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "tomllib" and node.attr in ("load", "loads")):  # fmt: skip
                readers.add(path)
    assert readers <= set(READS_TOML), readers - set(READS_TOML)
    assert "lesson/content.py" in readers


def test_the_words_accessor_reaches_a_file_and_an_entry() -> None:
    from dropout_lab.lesson import content

    codelab = content.step_text("codelab")
    assert isinstance(codelab, dict) and codelab
    key = next(k for k, v in codelab.items() if isinstance(v, dict) and v)
    sub = next(iter(codelab[key]))
    assert content.step_text("codelab", f"{key}.{sub}") == codelab[key][sub]
    assert content.step_text("codelab", key) is codelab[key]
