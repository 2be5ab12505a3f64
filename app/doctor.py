"""`dropout-lab doctor`: can this server host a class? Each check prints ✓ or ✗ with what it
found and, for a ✗, one line saying how to fix it. The exit status is 0 only when every check
passes. It reads the same settings as the server (the DROPOUT_LAB_* environment variables) and
changes nothing but a probe file in the data directory. This machine's checks (sandbox,
database, data directory, workers, address) are `doctor_machine.py`'s; the class's (its
precomputed runs, lesson file, instructor token, LMS) are here, with the report.
No Streamlit, no TensorFlow."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import statistics
import tomllib
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from dropout_lab.doctor_machine import (
    Check,
    bad,
    check_address,
    check_data_dir,
    check_database,
    check_sandbox,
    check_workers,
    good,
    worker_count,
)
from dropout_lab.lesson import catalogue

EPOCH_SECONDS = 0.05  # a lesson-model epoch on one core when no run is stored to measure
WORKER_START_SECONDS = 6.0  # a training process importing TensorFlow
TOKEN_ENV = "DROPOUT_LAB_INSTRUCTOR_TOKEN"
TOKEN_MIN = 20  # docs/hosting.md asks for 20 or more; `serve` warns below it too
NEW_TOKEN = "python3 -c 'import secrets; print(secrets.token_urlsafe(24))'"


# --------------------------------------------------------------------------- the class's checks


def _stored_keys(keys: list[str], db_ok: bool) -> set[str]:
    from dropout_lab.training.runstore import default_root

    root = default_root()
    found = {k for k in keys if (root / k / "run.json").is_file()}
    if db_ok and len(found) < len(keys):  # runs another process shared through the database
        from dropout_lab.store import default_url
        from dropout_lab.store.runblobs import RunBlobs

        store = RunBlobs(default_url())
        try:
            found |= {k for k in keys if k not in found and store.has_run(k)}
        finally:
            store.close()
    return found


def _seconds_per_epoch(keys: list[str]) -> float:
    from dropout_lab.training.runstore import default_root

    measured = []
    for key in keys:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError, ZeroDivisionError):
            meta = json.loads((default_root() / key / "run.json").read_text())
            measured.append(float(meta["train_seconds"]) / len(meta["history"]["loss"]))
    return statistics.median(measured) if measured else EPOCH_SECONDS


def check_precomputed(db_ok: bool, lesson: str | None = None) -> Check:
    from dropout_lab.lesson import lesson_config
    from dropout_lab.lesson.spec import run_key
    from dropout_lab.lesson.train_settings import train_settings

    try:  # the lesson file decides the runs' epochs and seeds, as the server's
        training = train_settings(lesson_config.load(lesson))
    except lesson_config.LessonConfigError:
        return bad(
            "cannot tell which runs the lesson needs: its lesson file is not valid",
            "fix the lesson file first (its row below says what is wrong)",
        )
    reqs = catalogue.unique(catalogue.requests(training.config))
    keys = {run_key(r.spec, r.config): r for r in reqs}
    stored = _stored_keys(list(keys), db_ok)
    missing = [r for k, r in keys.items() if k not in stored]
    workers = worker_count()[0] or 1
    per_epoch = _seconds_per_epoch(sorted(stored))
    waves = math.ceil(len(missing) / workers)
    epochs = max((r.config.epochs for r in missing), default=0)
    estimate = waves * epochs * per_epoch + (WORKER_START_SECONDS if missing else 0.0)
    if missing:
        return bad(
            f"{len(missing)} of {len(keys)} precomputed runs are missing; `dropout-lab warm` "
            f"would take about {max(1, round(estimate))} s with {workers} worker(s)",
            "run `dropout-lab warm` with the server's settings (DROPOUT_LAB_DATABASE_URL, "
            "DROPOUT_LAB_DATA_DIR)",
        )
    return good(f"all {len(keys)} precomputed runs are stored (`dropout-lab warm`: 0 s)")


def check_lesson(path: str | None) -> Check:
    from dropout_lab.lesson import lesson_config

    try:
        cfg = lesson_config.load(path)
    except lesson_config.LessonConfigError as e:
        return bad(
            str(e), "fix the file (docs/hosting.md, 'The lesson file'), or unset DROPOUT_LAB_LESSON"
        )
    if not cfg.source:
        return good("none: the built-in defaults, every step open")
    code = f"class code {cfg.class_code}, " if cfg.class_code else ""
    return good(f"{cfg.source}: {code}steps open: {', '.join(cfg.open_steps)}")


def instructor_token() -> tuple[str, str]:
    """(the token, where it is set) as the app finds it, or ("", "")."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token:
        return token, TOKEN_ENV
    for secrets in (
        Path.cwd() / ".streamlit" / "secrets.toml",
        Path.home() / ".streamlit" / "secrets.toml",
    ):
        with contextlib.suppress(OSError, tomllib.TOMLDecodeError):
            value = str(tomllib.loads(secrets.read_text()).get("instructor_token", "")).strip()
            if value:
                return value, str(secrets)
    return "", ""


def short_token() -> str:
    """What is wrong with a set instructor token that is too short to resist guessing (its
    length, never the token), or "" when none is set or it is long enough."""
    token, where = instructor_token()
    if not token or len(token) >= TOKEN_MIN:
        return ""
    return f"{len(token)} characters, shorter than {TOKEN_MIN} (set in {where})"


def check_token() -> Check:
    token, where = instructor_token()  # never printed
    fix = f"set {TOKEN_ENV} to a long random value: {NEW_TOKEN}"
    if not token:
        return bad("not set: there is no instructor dashboard", fix)
    if short_token():
        return bad(f"set, but {short_token()}", fix)
    return good(f"set in {where} (not shown)")


def check_lti() -> Check:
    """LTI off, or its configuration file and the tool's key (dropout_lab/lti/commands.py)."""
    from dropout_lab.lti.commands import health

    ok, detail, fix = health()
    return good(detail) if ok else bad(detail, fix)


# --------------------------------------------------------------------------- running, printing


def run_checks(host: str, port: int, lesson: str | None, *, verbose: bool = False) -> list[Check]:
    """Every check, in the order an instructor fixes them; one that crashes is a ✗."""
    checks: list[tuple[str, Callable[[], Check]]] = [
        ("sandbox", check_sandbox),
        ("database", check_database),
        ("data directory", check_data_dir),
        ("workers", check_workers),
    ]
    out: list[Check] = []

    def run(name: str, fn: Callable[[], Check]) -> None:
        try:
            out.append(fn())
        except Exception as e:
            if verbose:
                raise
            detail = f"the check itself failed: {type(e).__name__}: {' '.join(str(e).split())}"
            out.append(Check(name, False, detail, "run `dropout-lab doctor --verbose` for more"))
            return
        out[-1].name = name

    for name, fn in checks:
        run(name, fn)
    db_ok = out[1].ok
    run("compare runs", lambda: check_precomputed(db_ok, lesson))
    run("lesson file", lambda: check_lesson(lesson))
    run("instructor token", check_token)
    run("LTI", check_lti)
    run("address", lambda: check_address(host, port))
    return out


def render(checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks) + 2
    lines = ["Dropout Lab doctor: can this server host a class?", ""]
    for c in checks:
        lines.append(f"  {'✓' if c.ok else '✗'}  {c.name:<{width}}{c.detail}")
        if not c.ok and c.fix:
            lines.append(f"     {'':<{width}}fix: {c.fix}")
    bad = sum(not c.ok for c in checks)
    lines.append("")
    lines.append(
        "Ready: the class can start."
        if not bad
        else f"{bad} problem{'s' if bad > 1 else ''}: fix {'them' if bad > 1 else 'it'} "
        "before the class."
    )
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    checks = run_checks(args.host, args.port, args.lesson, verbose=args.verbose)
    ok = all(c.ok for c in checks)
    if args.json:
        print(json.dumps({"ok": ok, "checks": [asdict(c) for c in checks]}, indent=2))
    else:
        print(render(checks))
    return 0 if ok else 1
