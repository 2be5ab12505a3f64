"""A class's lesson configuration: defaults and locks an instructor sets in a TOML file.

The file's path comes from DROPOUT_LAB_LESSON (or `dropout-lab serve --lesson PATH`, which sets
it). Without one, every default applies and nothing is locked. The file is validated when the
server starts: a mistake is reported with the file, the key and what is allowed. Example:
lessons/class-example.toml.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dropout_lab.lesson import lesson_file
from dropout_lab.lesson.budget import DEFAULT_BUDGET_SECONDS
from dropout_lab.lesson.catalogue import RATES
from dropout_lab.lesson.lesson_file import shown
from dropout_lab.lesson.score import ALLOWED, Weights, written_weights
from dropout_lab.lesson.spec import MAX_EPOCHS
from dropout_lab.lesson.steps import STEP_IDS

ENV = "DROPOUT_LAB_LESSON"


class LessonConfigError(ValueError):
    """The lesson file cannot be used; the message (one line) says where and why."""

    path: str = ""  # the file, as the message names it

    def public(self) -> str:
        """The message with the file's name only, not the server's folders (for a browser)."""
        text = " ".join(str(self).split())
        return text.replace(self.path, Path(self.path).name) if self.path else text


@dataclass(frozen=True)
class LessonConfig:
    source: str = ""  # the file it came from ("" for the built-in defaults)
    class_code: str | None = None  # the code offered to learners in the join form
    open_steps: tuple[str, ...] = STEP_IDS  # the steps learners can open
    data_seed: int | None = None  # None: the lab's own; else fixed for every run
    epochs: int | None = None  # the Build step's default epochs (None: the lab's)
    max_epochs: int = MAX_EPOCHS  # the Build step's cap on epochs
    seed: int | None = None  # a fixed training seed (the seed input is locked)
    budget_seconds: float = DEFAULT_BUDGET_SECONDS  # the longest run allowed (estimated)
    sweep_rates: tuple[float, ...] = RATES  # the rates the Compare step's sweep shows
    quiz_pass: float = 0.8  # the Read step counts as done at this share of right answers
    roster: tuple[str, ...] = ()  # learners created ahead, each with a resume link
    first_visit_link: bool = False  # learners without a resume link get one by name (see docs)
    idle_minutes: int = 30  # the dashboard locks after this long without a click
    live_questions: tuple = ()  # [[live.question]]: quiz items to ask live (lesson/live.py)
    grading: Weights = field(default_factory=Weights)  # [grading]: the LMS score (lesson/score)
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    def is_open(self, step_id: str) -> bool:
        return step_id in self.open_steps


# section -> key -> (type check, description of what is allowed)
_SCHEMA: dict[str, dict[str, str]] = {
    "class": {
        "code": "a class code (letters, digits, - and _)",
        "roster": "a list of distinct learner names (needs [class] code)",
        "first_visit_link": "true or false",
    },
    "steps": {"open": f"a list of step ids from {list(STEP_IDS)}"},
    "build": {
        "data_seed": "an integer 0..2**31-1",
        "epochs": f"an integer 1..{MAX_EPOCHS}",
        "max_epochs": f"an integer 1..{MAX_EPOCHS}",
        "seed": "an integer 0..2**31-1",
        "budget_seconds": "a number of seconds in [1, 3600]",
    },
    "compare": {"sweep_rates": f"a non-empty list of rates from {list(RATES)}"},
    "read": {"quiz_pass": "a number in (0, 1]"},
    "dashboard": {"idle_minutes": "an integer 1..1440"},
    "live": {"question": "[[live.question]] tables, each a quiz item (id, prompt, choices, ...)"},
    "grading": ALLOWED,
}


def _int(value, lo: int, hi: int, where: str, allowed: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise LessonConfigError(f"{where} must be {allowed}, got {shown(value)}")
    return value


def parse(data: dict, source: str = "<lesson>") -> LessonConfig:
    """Validate a parsed TOML table; raise LessonConfigError naming the first problem."""
    _check_keys(data, source)
    fields: dict = {"source": source}
    for reader, sections in _READERS:
        try:
            fields.update(reader(data, source))
        except LessonConfigError:
            raise
        except (
            TypeError,
            ValueError,
            ArithmeticError,
            RecursionError,
        ) as e:  # a value no check foresaw
            raise LessonConfigError(
                f"{source}: {' or '.join(f'[{s}]' for s in sections)} has a value that cannot be "
                f"used ({type(e).__name__}); compare it with lessons/class-example.toml"
            ) from None
    return LessonConfig(**fields)


def _check_keys(data: dict, source: str) -> None:
    """Every section and key is one the schema knows."""
    for section, table in data.items():
        if section not in _SCHEMA:
            raise LessonConfigError(
                f"{source}: unknown section [{shown(section)[1:-1]}]; "
                f"the sections are {list(_SCHEMA)}"
            )
        if not isinstance(table, dict):
            raise LessonConfigError(f"{source}: {section} must be a [{section}] table")
        for key in table:
            if key not in _SCHEMA[section]:
                raise LessonConfigError(
                    f"{source}: unknown key {shown(key)} in [{section}]; "
                    f"the keys are {list(_SCHEMA[section])}"
                )


def _where(source: str, section: str, key: str) -> str:
    return f"{source}: [{section}] {key}"


def _number(value) -> bool:
    """An int or a float, not a bool (TOML's true is not 1 here)."""
    return not isinstance(value, bool) and isinstance(value, int | float)


def _class_code(data: dict, source: str) -> dict:
    """[class] code: the code offered in the join form."""
    code = data.get("class", {}).get("code")
    if code is None:
        return {}
    ok = isinstance(code, str) and 0 < len(code) <= 32
    if not ok or not all(c.isalnum() or c in "-_" for c in code):
        allowed = f"{_SCHEMA['class']['code']} (at most 32)"
        where = _where(source, "class", "code")
        raise LessonConfigError(f"{where} must be {allowed}, got {shown(code)}")
    return {"class_code": code}


def _steps(data: dict, source: str) -> dict:
    """[steps] open: the steps learners can open, in the lesson's order."""
    steps = data.get("steps", {})
    if "open" not in steps:
        return {}
    opened = steps["open"]
    if (
        not isinstance(opened, list)
        or not opened
        or any(s not in STEP_IDS for s in opened)
        or len(set(opened)) != len(opened)
    ):
        raise LessonConfigError(
            f"{_where(source, 'steps', 'open')} must be a non-empty list of distinct step ids "
            f"from {list(STEP_IDS)}, got {shown(opened)}"
        )
    return {"open_steps": tuple(s for s in STEP_IDS if s in opened)}


def _build(data: dict, source: str) -> dict:
    """[build]: seeds, epochs and their cap, the compute budget."""
    build, out = data.get("build", {}), {}
    for key, lo, hi in (("data_seed", 0, 2**31 - 1), ("seed", 0, 2**31 - 1),
                        ("epochs", 1, MAX_EPOCHS), ("max_epochs", 1, MAX_EPOCHS)):  # fmt: skip
        if key in build:
            out[key] = _int(build[key], lo, hi, _where(source, "build", key), _SCHEMA["build"][key])
    if out.get("epochs", 0) > out.get("max_epochs", MAX_EPOCHS):
        raise LessonConfigError(
            f"{_where(source, 'build', 'epochs')} ({out['epochs']}) is above "
            f"[build] max_epochs ({out['max_epochs']})"
        )
    if "budget_seconds" in build:
        value = build["budget_seconds"]
        if not _number(value) or not 1 <= value <= 3600:
            raise LessonConfigError(
                f"{_where(source, 'build', 'budget_seconds')} must be "
                f"{_SCHEMA['build']['budget_seconds']}, got {shown(value)}"
            )
        out["budget_seconds"] = float(value)
    return out


def _compare(data: dict, source: str) -> dict:
    """[compare] sweep_rates: which of the precomputed rates the sweep shows."""
    compare = data.get("compare", {})
    if "sweep_rates" not in compare:
        return {}
    rates = compare["sweep_rates"]
    if (
        not isinstance(rates, list)
        or not rates
        or not all(_number(r) for r in rates)
        or any(r not in RATES for r in rates)  # exact: a huge integer never overflows here
    ):
        raise LessonConfigError(
            f"{_where(source, 'compare', 'sweep_rates')} must be "
            f"{_SCHEMA['compare']['sweep_rates']} (the precomputed ones), got {shown(rates)}"
        )
    return {"sweep_rates": tuple(sorted({float(r) for r in rates}))}


def _read(data: dict, source: str) -> dict:
    """[read] quiz_pass: the share of right answers that counts the Read step as done."""
    read = data.get("read", {})
    if "quiz_pass" not in read:
        return {}
    value = read["quiz_pass"]
    if not _number(value) or not 0 < value <= 1:
        raise LessonConfigError(
            f"{_where(source, 'read', 'quiz_pass')} must be {_SCHEMA['read']['quiz_pass']}, "
            f"got {shown(value)}"
        )
    return {"quiz_pass": float(value)}


def _access(data: dict, source: str) -> dict:
    """[class] roster and first_visit_link, [dashboard] idle_minutes: who gets in, and how."""
    from dropout_lab.lesson.names import clean, looks_like  # the join form's rule

    out: dict = {}
    table = data.get("class", {})
    if "roster" in table:
        names, where = table["roster"], f"{source}: [class] roster"
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise LessonConfigError(
                f"{where} must be {_SCHEMA['class']['roster']}, got {shown(names)}"
            )
        if names and "code" not in table:
            raise LessonConfigError(f"{where} needs [class] code: the class the names join")
        cleaned = []
        for name in names:
            try:
                cleaned.append(clean(name, "Name"))
            except ValueError as e:
                raise LessonConfigError(f"{where}: {shown(name)}: {e}") from None
        pairs = [(a, b) for i, a in enumerate(cleaned) for b in cleaned[i + 1 :]]
        twice = sorted({n for a, b in pairs if looks_like(a, b) for n in (a, b)})
        if twice:  # Ada and ada, or Ada and Аda (a Cyrillic А)
            raise LessonConfigError(f"{where} names a learner twice, or names that look alike: "
                                    f"{twice}")  # fmt: skip
        out["roster"] = tuple(cleaned)
    if "first_visit_link" in table:
        value = table["first_visit_link"]
        if not isinstance(value, bool):
            raise LessonConfigError(
                f"{source}: [class] first_visit_link must be true or false, got {shown(value)}"
            )
        out["first_visit_link"] = value
    dash = data.get("dashboard", {})
    if "idle_minutes" in dash:
        out["idle_minutes"] = _int(dash["idle_minutes"], 1, 1440,
                                   f"{source}: [dashboard] idle_minutes",
                                   _SCHEMA["dashboard"]["idle_minutes"])  # fmt: skip
    return out


def _live(data: dict, source: str) -> dict:
    from dropout_lab.lesson.live import written_questions  # it reads the quiz items

    return {"live_questions": written_questions(data["live"], source)} if "live" in data else {}


def _grading(data: dict, source: str) -> dict:
    return {"grading": written_weights(data["grading"], source)} if "grading" in data else {}


# Each reader with the sections it reads (named when a value surprises it).
_READERS = (
    (_class_code, ("class",)),
    (_access, ("class", "dashboard")),
    (_steps, ("steps",)),
    (_build, ("build",)),
    (_compare, ("compare",)),
    (_read, ("read",)),
    (_live, ("live",)),
    (_grading, ("grading",)),
)


def load(path: str | Path | None = None) -> LessonConfig:
    """The lesson configuration from `path`, else from $DROPOUT_LAB_LESSON, else the defaults.

    Whatever the file holds (not text, not UTF-8, endless, deeply nested, numbers too long,
    values of the wrong type), what goes wrong is one LessonConfigError naming the file and,
    where there is one, the key (`lesson_file.py` reads the file, `parse` its values)."""
    if path is None:
        path = os.environ.get(ENV, "").strip() or None
    if path is None:
        return LessonConfig()
    p = Path(path)
    try:
        return parse(lesson_file.read(p), str(p))
    except lesson_file.Unreadable as e:
        problem = LessonConfigError(str(e))
    except LessonConfigError as e:
        problem = e
    problem.path = str(p)
    raise problem from None
