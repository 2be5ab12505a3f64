"""The `dropout-lab` command: serve the app, check lab code, train, grade, precompute, benchmark,
bring the database up to date, print a class roster's resume links and check a class server
before the lesson (doctor).

Normal output is for people: no library chatter (`--verbose` shows it), a progress bar for long
commands, and every error one line that says what to do, with a non-zero exit status."""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from dropout_lab.console import Bar, CommandError, NativeStderrFilter, db_name, explain, quiet


def _checked(check: Callable[[str], object], name: str) -> Callable[[str], object]:
    """An argparse type from a checker that raises ValueError with what is allowed."""

    def convert(text: str) -> object:
        try:
            return check(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    convert.__name__ = name
    return convert


def _port(text: str) -> object:
    from dropout_lab.serve import check_port

    return _checked(check_port, "port")(text)


def _host(text: str) -> object:
    from dropout_lab.serve import check_host

    return _checked(check_host, "host")(text)


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line instead of argparse's usage block."""
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


# ----------------------------------------------------------------------------- commands


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

    result = verdict(_read_code(args.file, MAX_CHARS))
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


def cmd_train(args: argparse.Namespace) -> int:
    from dropout_lab.codelab.reader import MAX_CHARS, parse_code
    from dropout_lab.lesson.spec import MAX_EPOCHS, TrainConfig, lesson_spec

    if not 1 <= args.epochs <= MAX_EPOCHS:
        raise CommandError(f"--epochs must be 1..{MAX_EPOCHS}, got {args.epochs}")
    if not 0 <= args.seed < 2**31:
        raise CommandError(f"--seed must be 0..2147483647, got {args.seed}")
    if args.code:
        result = parse_code(_read_code(args.code, MAX_CHARS))
        if not result.ok:
            for err in result.errors:
                where = f"line {err.line}: " if err.line else ""
                print(f"dropout-lab train: {where}{err.message}", file=sys.stderr)
            return 1
        spec = result.spec
    else:
        if not 0.0 <= args.rate < 1.0:
            raise CommandError(f"--rate must be in [0, 1), got {args.rate} (e.g. --rate 0.3)")
        spec = lesson_spec(args.rate)
    from dropout_lab.codelab.budget import budget_message, lesson_budget

    over = budget_message(spec, TrainConfig(epochs=args.epochs, seed=args.seed), lesson_budget())
    if over is not None:  # refused before any training (and before TensorFlow is imported)
        raise CommandError(over, status=2)
    from dropout_lab.training.trainer import train, train_cli_payload

    def progress(epoch: int, logs: dict[str, float]) -> None:
        if not args.json:
            print(
                f"epoch {epoch:3d}/{args.epochs}  loss {logs['loss']:.4f}  "
                f"acc {logs['accuracy']:.4f}  val_loss {logs['val_loss']:.4f}  "
                f"val_acc {logs['val_accuracy']:.4f}",
                flush=True,
            )

    run = train(spec, TrainConfig(epochs=args.epochs, seed=args.seed), on_epoch=progress)
    if args.json:
        print(json.dumps(train_cli_payload(run)))
    else:
        print(f"trained in {run.train_seconds:.2f} s")
    return 0


def cmd_warm(args: argparse.Namespace) -> int:
    from dropout_lab.store import Store, default_url
    from dropout_lab.training import precompute
    from dropout_lab.training.runstore import RunStore
    from dropout_lab.training.service import TrainingService

    if args.workers is not None and args.workers < 1:
        raise CommandError(f"--workers must be at least 1, got {args.workers}")
    Store(default_url()).close()  # an unreachable database fails here, before any training
    store = RunStore(database_url=default_url())  # shared with the app's processes
    print(f"Precomputing the Compare step's runs in {store.root}", flush=True)
    bar = Bar(sys.stdout, "runs")
    with TrainingService(store, max_workers=args.workers) as service:
        counts = precompute.warm(service, lambda d, t, busy: bar.show(d, t, busy))
    bar.close()
    print(
        f"{counts['total']} runs: {counts['computed']} computed, {counts['cached']} already "
        f"there, {counts['failed']} failed"
    )
    return 1 if counts["failed"] else 0


BENCH_SECTIONS = (
    "explore", "editor", "training", "compare", "reflect", "grading", "fairness", "live",
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


# ----------------------------------------------------------------------------- the parser


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="dropout-lab", description=__doc__.split("\n\n")[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", action="store_true", help="show the libraries' messages too")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, func, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, parents=[common])
        p.set_defaults(func=func)
        return p

    for group in (_serve_command, _lab_commands, _compute_commands, _class_commands, _lti_command):
        group(command)
    return parser


def _lti_command(command: Callable[..., argparse.ArgumentParser]) -> None:
    """LTI 1.3: the tool's keys (`dropout_lab/lti/commands.py`, docs/lms.md)."""
    from dropout_lab.lti import commands

    commands.add(command)


def _serve_command(command: Callable[..., argparse.ArgumentParser]) -> None:
    """The app itself."""
    serve = command("serve", cmd_serve, "start the app (the address to open is printed)")
    serve.add_argument("--host", type=_host, default="localhost",
                       help="address to listen on (0.0.0.0: all)")  # fmt: skip
    serve.add_argument("--port", type=_port, default=8501, help="1..65535")
    serve.add_argument("--headless", action="store_true", help="never open a browser tab")
    serve.add_argument(
        "--lesson", metavar="PATH",
        help="a lesson configuration (TOML) with the class's defaults and locks; "
        "sets DROPOUT_LAB_LESSON (example: lessons/class-example.toml)",
    )  # fmt: skip


def _lab_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    """What a learner does in the Build step and the NumPy labs, from the shell."""
    check = command("check", cmd_check, "the lab verdict for a code file (no training)")
    check.add_argument("file", help="a Python file with the model code, or - for stdin")
    check.add_argument("--json", action="store_true")

    grade = command("grade", cmd_grade, "grade a NumPy dropout_forward (the NumPy lab)")
    grade.add_argument("file", help="a Python file defining dropout_forward, or - for stdin")
    grade.add_argument("--json", action="store_true")
    grade.add_argument(
        "--lab", default="numpy_dropout", choices=["numpy_dropout", "numpy_backprop"],
        help="numpy_backprop: dropout_forward -> (out, cache) and dropout_backward (default: "
        "numpy_dropout)",
    )  # fmt: skip

    train = command("train", cmd_train, "train one run on the lesson data")
    source = train.add_mutually_exclusive_group()
    source.add_argument("--code", help="a Python file with the model code")
    source.add_argument("--rate", type=float, default=0.0, help="lesson model with Dropout(R)")
    train.add_argument("--epochs", type=int, default=50)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--json", action="store_true")


def _compute_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    """Precomputing the Compare step's runs; measuring speed."""
    warm = command("warm", cmd_warm, "precompute the Compare step's runs (what is missing)")
    warm.add_argument("--workers", type=int, help="training processes (default: one per core)")

    bench = command("bench", cmd_bench, "measure speed and print the figures")
    bench.add_argument(
        "--only", choices=list(BENCH_SECTIONS), action="append",
        help="run only this section (repeatable); default: all",
    )  # fmt: skip
    bench.add_argument("--json", action="store_true")


def _class_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    """Hosting a class: training workers, the schema, the roster, the server's check-up."""
    worker = command("worker", cmd_worker, "train queued runs for every app process (PostgreSQL)")
    worker.add_argument("--database", metavar="URL", help="default: DROPOUT_LAB_DATABASE_URL")
    worker.add_argument("--runs", metavar="DIR", help="this machine's run folder (default: "
                        "$DROPOUT_LAB_DATA_DIR/runs)")  # fmt: skip

    command("migrate", cmd_migrate, "bring the database to the current schema (serve does too)")

    roster = command("roster", cmd_roster, "create the lesson file's roster; print their links")
    roster.add_argument("--lesson", metavar="PATH", help="the lesson file (DROPOUT_LAB_LESSON)")
    roster.add_argument(
        "--base-url", default="", metavar="URL",
        help="the app's address, e.g. https://lab.example.org (to print whole links)",
    )  # fmt: skip
    roster.add_argument(
        "--reissue", action="store_true",
        help="new links for learners who have one already (their old links stop working)",
    )  # fmt: skip

    doctor = command("doctor", cmd_doctor, "check that this server can host a class")
    doctor.add_argument("--host", type=_host, default="localhost", help="the --host serve will get")
    doctor.add_argument("--port", type=_port, default=8501, help="the --port serve will get")
    doctor.add_argument("--lesson", metavar="PATH", help="the lesson file (DROPOUT_LAB_LESSON)")
    doctor.add_argument("--json", action="store_true")


# Commands that import TensorFlow here or in worker processes: their stderr is filtered.
NOISY = ("train", "warm", "bench", "worker")


def main(argv: list[str] | None = None) -> int:
    from dropout_lab.serve import PRIVATE_UMASK

    # What the command creates (the data directory, the database, the runs) is the owner's only;
    # serve's server inherits it. Restored after: main() also runs inside other programs' tests.
    before = os.umask(PRIVATE_UMASK)
    try:
        return _run(build_parser().parse_args(argv))
    finally:
        os.umask(before)


def _run(args: argparse.Namespace) -> int:
    if args.command != "serve":  # the server keeps its own logging
        quiet(args.verbose)
    try:
        if args.verbose or args.command not in NOISY:
            return args.func(args)
        with NativeStderrFilter():
            return args.func(args)
    except CommandError as e:
        print(f"dropout-lab {args.command}: {e}", file=sys.stderr)
        return e.status
    except KeyboardInterrupt:
        print(f"dropout-lab {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:
        if args.verbose:
            raise
        print(f"dropout-lab {args.command}: {explain(e)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
