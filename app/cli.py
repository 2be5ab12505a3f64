"""The `dropout-lab` command: serve the app, check lab code, train, grade, precompute, benchmark,
bring the database up to date, print a class roster's resume links and check a class server
before the lesson (doctor).

Normal output is for people: no library chatter (`--verbose` shows it), a progress bar for long
commands, and every error one line that says what to do, with a non-zero exit status. This module
reads the subcommands' arguments and runs them; what each one does is `commands.py`'s."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import NoReturn

from dropout_lab.commands import (
    BENCH_SECTIONS,
    cmd_bench,
    cmd_check,
    cmd_doctor,
    cmd_grade,
    cmd_migrate,
    cmd_roster,
    cmd_serve,
    cmd_train,
    cmd_warm,
    cmd_worker,
)
from dropout_lab.console import CommandError, NativeStderrFilter, explain, quiet


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


LESSON_HELP = "the lesson file (default: DROPOUT_LAB_LESSON)"


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line instead of argparse's usage block."""
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


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
    check.add_argument("--lesson", metavar="PATH", help=LESSON_HELP + ": its epochs and budget")
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
    train.add_argument("--epochs", type=int, help="default: the lesson's (the lab's 50)")
    train.add_argument("--seed", type=int, help="default: the lesson's (the lab's 0)")
    train.add_argument("--lesson", metavar="PATH", help=LESSON_HELP + ": its seeds, epochs and "
                       "budget, as the Build step trains")  # fmt: skip
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
    roster.add_argument("--lesson", metavar="PATH", help=LESSON_HELP)
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
    doctor.add_argument("--lesson", metavar="PATH", help=LESSON_HELP)
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
