"""What each subcommand of `dropout-lab` does (`cli.py` reads their arguments and runs them):
serve the app, check lab code, grade, train, precompute, benchmark, run a training worker, bring
the database up to date, print a class roster's resume links, check a server (doctor).

What trains asks the lesson file, through `lesson/train_settings.py` as the app does: `train`'s
default run is the Build step's and the lesson's precomputed one, a locked seed included. Every
error is a CommandError: one line that says what to do."""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from dropout_lab.console import Bar, CommandError, db_name

if TYPE_CHECKING:
    from dropout_lab.lesson.spec import ModelSpec, TrainConfig
    from dropout_lab.lesson.train_settings import TrainSettings


def cmd_serve(args: argparse.Namespace) -> int:
    from dropout_lab.doctor import NEW_TOKEN, short_token
    from dropout_lab.lesson import lesson_config
    from dropout_lab.serve import (
        can_open_browser,
        is_loopback,
        listen_problem,
        streamlit_command,
        urls,
    )
    from dropout_lab.store import Store, default_url

    # The server's log: the app's own lines, or the libraries' too (dropout_lab.boot reads it).
    os.environ["DROPOUT_LAB_VERBOSE"] = "1" if args.verbose else "0"
    if not is_loopback(args.host):
        # Other machines can reach this server: learners' code is graded only in the sandbox.
        os.environ.setdefault("DROPOUT_LAB_HOSTED", "1")
    if args.lesson:  # checked here, before the server starts; the app reads the variable
        os.environ[lesson_config.ENV] = str(Path(args.lesson).resolve())
    try:
        cfg = lesson_config.load()
    except lesson_config.LessonConfigError as e:
        raise CommandError(f"{e} (fix the lesson file, or unset DROPOUT_LAB_LESSON)") from None
    if cfg.source:
        print(f"Lesson configuration: {cfg.source}", flush=True)
    if weak := short_token():  # a warning: the class may still start
        warning = f"the instructor token is {weak}, so it can be guessed; make one: {NEW_TOKEN}"
        print(f"dropout-lab serve: warning: {warning}", file=sys.stderr, flush=True)
    busy = listen_problem(args.host, args.port)
    if busy:
        raise CommandError(
            f"cannot listen on {args.host}:{args.port}: {busy} (choose another --port, or stop "
            "what uses it; --host must be an address of this machine)"
        )
    Store(default_url()).close()  # the migrations run here, at start, and fail here if they can
    headless = args.headless or not can_open_browser()
    cmd = streamlit_command(args.host, args.port, headless=headless)
    for url, who in urls(args.host, args.port):
        print(f"Dropout Lab: open {url}  ({who})", flush=True)
    print("Ctrl+C stops it.", flush=True)
    os.execv(cmd[0], cmd)  # replaces this process: signals go straight to Streamlit
    return 0  # pragma: no cover


def _read_code(path: str, cap: int) -> str:
    """The file's text (or stdin for -), refused when it is not a regular file or is longer
    than the lab's `cap` characters (only that much is ever read)."""
    shown = "standard input" if path == "-" else path
    tip = "give the path of a Python file, or - to read standard input"
    try:
        if path == "-":
            text = sys.stdin.read(cap + 1)
        else:
            if not stat.S_ISREG(os.stat(path).st_mode):  # a device, a pipe, a folder: not read
                raise CommandError(f"cannot read {path}: not a regular file ({tip})")
            with open(path, encoding="utf-8", errors="replace") as f:
                if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # replaced meanwhile
                    raise CommandError(f"cannot read {path}: not a regular file ({tip})")
                text = f.read(cap + 1)
    except OSError as e:
        raise CommandError(f"cannot read {path}: {e.strerror} ({tip})") from None
    if len(text) > cap:
        raise CommandError(
            f"{shown} is longer than the lab's {cap:,} characters (the editor's limit too): "
            "give the model's code alone"
        )
    return text


def cmd_check(args: argparse.Namespace) -> int:
    from dropout_lab.codelab.reader import MAX_CHARS, verdict

    result = verdict(_read_code(args.file, MAX_CHARS), training=lesson_training(args.lesson))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print("OK: a valid model for the lab." if result["ok"] else "Not a valid model:")
        for err in result["errors"]:
            where = f"line {err['line']}: " if err["line"] else ""
            print(f"  ✗ {where}{err['message']}")
        for layer in result["layers"]:
            print(f"  · {layer}")
        for goal in result["goals"]:
            print(f"  {'✓' if goal['met'] else '○'} {goal['label']}")
    return 0 if result["ok"] else 1


def cmd_grade(args: argparse.Namespace) -> int:
    from dropout_lab.grading.checks import MAX_CODE_CHARS, grade

    code = _read_code(args.file, MAX_CODE_CHARS)
    verdict = grade(code, lab=args.lab)  # it runs in a sandbox; its output never reaches here
    if args.json:
        print(json.dumps(verdict.to_json(), indent=2))
    else:
        print("PASSED: every property holds." if verdict.passed else "Not yet:")
        if verdict.error:
            print(f"  ! {verdict.error}")
        for note in verdict.notes:
            print(f"  · {note}")
        for check in verdict.checks:
            print(f"  {'✓' if check.passed else '✗'} {check.label}: {check.message}")
            if not check.passed and check.hint:
                print(f"      hint: {check.hint}")
    return 0 if verdict.passed else 1


def lesson_training(path: str | None) -> TrainSettings:
    """The training settings of the lesson file `path` (None: DROPOUT_LAB_LESSON's, else the
    defaults), as the app reads them (`lesson/train_settings.py`); a broken file is one line."""
    from dropout_lab.lesson import lesson_config
    from dropout_lab.lesson.train_settings import train_settings

    try:
        return train_settings(lesson_config.load(path))
    except lesson_config.LessonConfigError as e:
        raise CommandError(f"{e} (fix the lesson file, or unset DROPOUT_LAB_LESSON)") from None


def train_config(args: argparse.Namespace, training: TrainSettings) -> TrainConfig:
    """What `dropout-lab train` trains with: the lesson's default run (the Build step's and the
    precomputed one) with --epochs and --seed, within the lesson file's cap and its locked seed."""
    from dropout_lab.lesson.spec import MAX_EPOCHS

    cap, locked = training.max_epochs, training.locked_seed
    if args.epochs is not None and not 1 <= args.epochs <= cap:
        why = "" if cap == MAX_EPOCHS else " (the lesson file's [build] max_epochs)"
        raise CommandError(f"--epochs must be 1..{cap}{why}, got {args.epochs}")
    if args.seed is not None and not 0 <= args.seed < 2**31:
        raise CommandError(f"--seed must be 0..2147483647, got {args.seed}")
    if locked is not None and args.seed not in (None, locked):
        raise CommandError(f"the lesson file locks the training seed at {locked} ([build] seed): "
                           "leave out --seed, or give that one")  # fmt: skip
    return training.choose(args.epochs, args.seed)


def train_spec(args: argparse.Namespace) -> ModelSpec | None:
    """The model `dropout-lab train` trains: --code's (None, its refusals printed, when it is not
    a valid model), else the lesson model with Dropout(--rate)."""
    from dropout_lab.codelab.reader import MAX_CHARS, parse_code
    from dropout_lab.lesson.spec import lesson_spec

    if args.code:
        result = parse_code(_read_code(args.code, MAX_CHARS))
        for err in result.errors if not result.ok else []:
            where = f"line {err.line}: " if err.line else ""
            print(f"dropout-lab train: {where}{err.message}", file=sys.stderr)
        return result.spec if result.ok else None
    if not 0.0 <= args.rate < 1.0:
        raise CommandError(f"--rate must be in [0, 1), got {args.rate} (e.g. --rate 0.3)")
    return lesson_spec(args.rate)


def cmd_train(args: argparse.Namespace) -> int:
    from dropout_lab.lesson import budget

    training = lesson_training(args.lesson)
    config = train_config(args, training)
    spec = train_spec(args)
    if spec is None:
        return 1
    over = budget.message(spec, config, training.budget_seconds)
    if over is not None:  # refused before any training (and before TensorFlow is imported)
        raise CommandError(over, status=2)
    from dropout_lab.training.trainer import train, train_cli_payload

    def progress(epoch: int, logs: dict[str, float]) -> None:
        if not args.json:
            print(
                f"epoch {epoch:3d}/{config.epochs}  loss {logs['loss']:.4f}  "
                f"acc {logs['accuracy']:.4f}  val_loss {logs['val_loss']:.4f}  "
                f"val_acc {logs['val_accuracy']:.4f}",
                flush=True,
            )

    run = train(spec, config, on_epoch=progress)
    if args.json:
        print(json.dumps(train_cli_payload(run)))
    else:
        print(f"trained in {run.train_seconds:.2f} s")
    return 0


def cmd_warm(args: argparse.Namespace) -> int:
    from dropout_lab.lesson import catalogue
    from dropout_lab.store import Store, default_url
    from dropout_lab.training import precompute
    from dropout_lab.training.runstore import RunStore
    from dropout_lab.training.service import training_service

    if args.workers is not None and args.workers < 1:
        raise CommandError(f"--workers must be at least 1, got {args.workers}")
    runs = catalogue.everything(lesson_training(None).config)  # the lesson file's runs
    Store(default_url()).close()  # an unreachable database fails here, before any training
    store = RunStore(database_url=default_url())  # shared with the app's processes
    print(f"Precomputing the Compare step's runs in {store.root}", flush=True)
    bar = Bar(sys.stdout, "runs")
    with training_service(store, max_workers=args.workers) as service:
        counts = precompute.warm(service, lambda d, t, busy: bar.show(d, t, busy), runs)
    bar.close()
    print(
        f"{counts['total']} runs: {counts['computed']} computed, {counts['cached']} already "
        f"there, {counts['failed']} failed"
    )
    return 1 if counts["failed"] else 0


BENCH_SECTIONS = (
    "explore", "editor", "training", "fit", "compare", "reflect", "grading", "fairness", "live",
)  # fmt: skip


def _checkout_root() -> Path | None:
    """The repository this package was installed from in development mode (it has tests/bench/)."""
    root = Path(__file__).resolve().parents[1]
    return root if (root / "tests" / "bench" / "bench.py").is_file() else None


def cmd_bench(args: argparse.Namespace) -> int:
    root = _checkout_root()
    if root is None:
        raise CommandError(
            "the benchmarks live in the repository's tests/bench/; run it from a development "
            "install (bash scripts/setup.sh --test sets one up)"
        )
    sys.path.insert(0, str(root))
    from tests.bench.bench import run_benchmarks

    sections = [s for s in BENCH_SECTIONS if s in (args.only or BENCH_SECTIONS)]
    bar, figures = Bar(sys.stderr, "sections"), {}  # stderr: stdout is the figures (or JSON)
    for done, section in enumerate(sections):
        bar.show(done, len(sections), f"measuring: {section}")
        figures.update(run_benchmarks([section]))
    bar.show(len(sections), len(sections))
    bar.close()
    print(json.dumps(figures, indent=2) if args.json else _format_bench(figures))
    return 0


def _format_bench(figures: dict) -> str:
    lines = []
    for section, values in figures.items():
        lines.append(f"[{section}]")
        for key, value in values.items():
            shown = f"{value:.4g}" if isinstance(value, float) else value
            lines.append(f"  {key:32s} {shown}")
    return "\n".join(lines)


def cmd_worker(args: argparse.Namespace) -> int:
    from dropout_lab.store import Store, default_url
    from dropout_lab.training.distributed import run_worker

    url = args.database or default_url()
    if not url.startswith("postgresql"):
        raise CommandError(
            "training workers on several machines need the class's PostgreSQL database: set "
            "DROPOUT_LAB_DATABASE_URL (or --database) to a postgresql+psycopg:// URL"
        )
    Store(url).close()  # the migrations run here; an unreachable database fails here
    print(f"Training worker on {db_name(url)} (Ctrl+C stops it after the current epoch)")
    run_worker(url, args.runs)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from dropout_lab.store import Store, default_url
    from dropout_lab.store.schema import head_revision

    Store(default_url()).close()
    print(f"{db_name(default_url())} is at schema revision {head_revision()} (the current one)")
    return 0


def cmd_roster(args: argparse.Namespace) -> int:
    from dropout_lab.lesson import lesson_config
    from dropout_lab.store import Store, default_url
    from dropout_lab.store.access import resume_link

    try:
        cfg = lesson_config.load(args.lesson)
    except lesson_config.LessonConfigError as e:
        raise CommandError(str(e)) from None
    if not cfg.roster:
        raise CommandError("the lesson file has no [class] roster (give --lesson PATH)")
    store = Store(default_url())
    lines = store.roster(cfg.class_code, list(cfg.roster), reissue=args.reissue)
    store.close()
    print(f"Class {cfg.class_code}: give each learner their own link (it opens their work).")
    for line in lines:
        shown = resume_link(args.base_url, line.code) if line.code else "has a link already"
        print(f"{line.name}\t{shown}")
    if any(not line.code for line in lines):
        print("(--reissue replaces those links: their old links stop working)")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from dropout_lab import doctor

    return doctor.main(args)
