"""The `dropout-lab` command: serve the app, check lab code, train, precompute, benchmark."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def cmd_serve(args: argparse.Namespace) -> int:
    from dropout_lab.lesson import lesson_config
    from dropout_lab.serve import streamlit_command

    if args.host not in ("localhost", "127.0.0.1", "::1"):
        # Other machines can reach this server: learners' code is graded only in the sandbox.
        os.environ.setdefault("DROPOUT_LAB_HOSTED", "1")
    if args.lesson:  # checked here, before the server starts; the app reads the variable
        os.environ[lesson_config.ENV] = str(Path(args.lesson).resolve())
    try:
        cfg = lesson_config.load()
    except lesson_config.LessonConfigError as e:
        print(f"dropout-lab serve: {e}", file=sys.stderr)
        return 2
    if cfg.source:
        print(f"Lesson configuration: {cfg.source}", flush=True)
    cmd = streamlit_command(args.host, args.port, headless=args.headless)
    print(f"Dropout Lab on http://{args.host}:{args.port}  (Ctrl+C stops it)", flush=True)
    os.execv(cmd[0], cmd)  # replaces this process: signals go straight to Streamlit
    return 0  # pragma: no cover


def _read_code(command: str, path: str) -> str | None:
    """The file's text (or stdin for -), or None after saying why it cannot be read."""
    try:
        if path == "-":
            return sys.stdin.read()
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else "not UTF-8 text"
        print(f"dropout-lab {command}: cannot read {path}: {reason}", file=sys.stderr)
        return None


def cmd_check(args: argparse.Namespace) -> int:
    from dropout_lab.codelab.reader import verdict

    source = _read_code("check", args.file)
    if source is None:
        return 2
    result = verdict(source)
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
    from dropout_lab.grading.checks import grade

    source = _read_code("grade", args.file)
    if source is None:
        return 2
    verdict = grade(source, lab=args.lab)  # it runs in a sandbox; its output never reaches here
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
    from dropout_lab.codelab.reader import parse_code
    from dropout_lab.lesson.spec import MAX_EPOCHS, TrainConfig, lesson_spec

    if args.code:
        source = _read_code("train", args.code)
        if source is None:
            return 2
        result = parse_code(source)
        if not result.ok:
            for err in result.errors:
                where = f"line {err.line}: " if err.line else ""
                print(f"dropout-lab train: {where}{err.message}", file=sys.stderr)
            return 1
        spec = result.spec
    else:
        if not 0.0 <= args.rate < 1.0:
            print(f"dropout-lab train: --rate must be in [0, 1), got {args.rate}", file=sys.stderr)
            return 2
        spec = lesson_spec(args.rate)
    if not 1 <= args.epochs <= MAX_EPOCHS:
        print(f"dropout-lab train: --epochs must be 1..{MAX_EPOCHS}", file=sys.stderr)
        return 2
    if not 0 <= args.seed < 2**31:
        print("dropout-lab train: --seed must be 0..2147483647", file=sys.stderr)
        return 2
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
    from dropout_lab.store import default_url
    from dropout_lab.training import precompute
    from dropout_lab.training.runstore import RunStore
    from dropout_lab.training.service import TrainingService

    store = RunStore(database_url=default_url())  # shared with the app's processes
    tty, last = sys.stdout.isatty(), [""]

    def show(done: int, total: int, busy: str) -> None:
        bar = "#" * round(30 * done / max(total, 1))
        line = f"[{bar:<30}] {done}/{total} runs" + (f"  training: {busy}" if busy else "")
        if tty:
            print("\r" + line[:150].ljust(150), end="", flush=True)
        elif line.split("  training")[0] != last[0]:
            print(line, flush=True)
        last[0] = line.split("  training")[0]

    print(f"Precomputing the Compare step's runs in {store.root}", flush=True)
    with TrainingService(store, max_workers=args.workers) as service:
        counts = precompute.warm(service, show)
    if tty:
        print()
    print(
        f"{counts['total']} runs: {counts['computed']} computed, {counts['cached']} already "
        f"there, {counts['failed']} failed"
    )
    return 1 if counts["failed"] else 0


BENCH_SECTIONS = ("explore", "training", "compare", "reflect", "grading")


def _checkout_root() -> Path | None:
    """The repository this package was installed from in development mode (it has tests/bench/)."""
    root = Path(__file__).resolve().parents[1]
    return root if (root / "tests" / "bench" / "bench.py").is_file() else None


def cmd_bench(args: argparse.Namespace) -> int:
    root = _checkout_root()
    if root is None:
        print(
            "dropout-lab bench: the benchmarks live in the repository's tests/bench/; run it "
            "from a development install (bash scripts/test.sh sets one up)",
            file=sys.stderr,
        )
        return 2
    sys.path.insert(0, str(root))
    from tests.bench.bench import run_benchmarks

    figures = run_benchmarks(args.only)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dropout-lab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="start the app in the browser")
    serve.add_argument("--host", default="localhost", help="address to listen on (0.0.0.0: all)")
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument("--headless", action="store_true", help="do not open a browser")
    serve.add_argument(
        "--lesson", metavar="PATH",
        help="a lesson configuration (TOML) with the class's defaults and locks; "
        "sets DROPOUT_LAB_LESSON (example: lessons/class-example.toml)",
    )  # fmt: skip
    serve.set_defaults(func=cmd_serve)

    check = sub.add_parser("check", help="the lab verdict for a code file (no training)")
    check.add_argument("file", help="a Python file with the model code, or - for stdin")
    check.add_argument("--json", action="store_true")
    check.set_defaults(func=cmd_check)

    grade = sub.add_parser(
        "grade", help="grade a NumPy dropout_forward (the NumPy lab) in a sandbox"
    )
    grade.add_argument("file", help="a Python file defining dropout_forward, or - for stdin")
    grade.add_argument("--json", action="store_true")
    grade.add_argument(
        "--lab", default="numpy_dropout", choices=["numpy_dropout", "numpy_backprop"],
        help="numpy_backprop: dropout_forward -> (out, cache) and dropout_backward (default: "
        "numpy_dropout)",
    )  # fmt: skip
    grade.set_defaults(func=cmd_grade)

    train = sub.add_parser("train", help="train one run on the lesson data")
    source = train.add_mutually_exclusive_group()
    source.add_argument("--code", help="a Python file with the model code")
    source.add_argument("--rate", type=float, default=0.0, help="lesson model with Dropout(R)")
    train.add_argument("--epochs", type=int, default=50)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--json", action="store_true")
    train.set_defaults(func=cmd_train)

    warm = sub.add_parser("warm", help="precompute the Compare step's runs (what is missing)")
    warm.add_argument("--workers", type=int, help="training processes (default: one per core)")
    warm.set_defaults(func=cmd_warm)

    bench = sub.add_parser("bench", help="measure speed and print the figures")
    bench.add_argument(
        "--only", choices=list(BENCH_SECTIONS), action="append",
        help="run only this section (repeatable); default: all",
    )  # fmt: skip
    bench.add_argument("--json", action="store_true")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
