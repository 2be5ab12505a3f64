"""`dropout-lab doctor`: can this server host a class? Each check prints ✓ or ✗ with what it
found and, for a ✗, one line saying how to fix it. The exit status is 0 only when every check
passes. It reads the same settings as the server (the DROPOUT_LAB_* environment variables) and
changes nothing but a probe file in the data directory. No Streamlit, no TensorFlow."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import socket
import statistics
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from dropout_lab.lesson import catalogue

WORKER_MIB = 600  # one training process (TensorFlow and the lesson model)
APP_MIB = 1024  # the app process itself, with headroom
EPOCH_SECONDS = 0.05  # a lesson-model epoch on one core when no run is stored to measure
WORKER_START_SECONDS = 6.0  # a training process importing TensorFlow
MIN_FREE_BYTES = 200 << 20
TOKEN_ENV = "DROPOUT_LAB_INSTRUCTOR_TOKEN"
TOKEN_MIN = 20  # docs/hosting.md asks for 20 or more; `serve` warns below it too
NEW_TOKEN = "python3 -c 'import secrets; print(secrets.token_urlsafe(24))'"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def good(detail: str) -> Check:
    return Check("", True, detail)  # run_checks gives it its name


def bad(detail: str, fix: str) -> Check:
    return Check("", False, detail, fix)


# --------------------------------------------------------------------------- the checks


def check_sandbox() -> Check:
    from dropout_lab.grading import sandbox
    from dropout_lab.grading.checks import LAB_NAME, grade
    from dropout_lab.lesson.labs import load_lab

    kind, why = sandbox.probe()
    if kind is None:
        return bad(
            why,
            "install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap); in a "
            "container, allow unprivileged user namespaces",
        )
    start = time.perf_counter()
    verdict = grade(load_lab(LAB_NAME).solution, mode=kind)
    seconds = time.perf_counter() - start
    passed = sum(c.passed for c in verdict.checks)
    if not verdict.passed:
        failed = verdict.error or next(c.message for c in verdict.checks if not c.passed)
        return bad(
            f"bubblewrap runs, but the reference solution failed: {failed}",
            "run `dropout-lab grade --verbose` on the NumPy lab's solution.py to see why",
        )
    return good(
        f"bubblewrap ({why}) graded the reference solution: {passed}/{len(verdict.checks)} "
        f"checks pass, in {seconds:.1f} s"
    )


def _shown(url: str) -> str:
    import sqlalchemy as sa

    return sa.make_url(url).render_as_string(hide_password=True)


def database_state(url: str) -> tuple[str, tuple[str, ...]]:
    """("missing" | "unreachable: why" | "ok", the schema revisions it is at). Creates nothing."""
    import sqlalchemy as sa
    from alembic.runtime.migration import MigrationContext

    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path and path != ":memory:" and not Path(path).expanduser().is_file():
            return "missing", ()
    engine = sa.create_engine(url, pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            return "ok", tuple(MigrationContext.configure(conn).get_current_heads())
    except sa.exc.SQLAlchemyError as e:
        why = " ".join(str(getattr(e, "orig", None) or e).split("\n")[0].split())
        return f"unreachable: {why}", ()
    finally:
        engine.dispose()


def check_database() -> Check:
    from dropout_lab.store import default_url
    from dropout_lab.store.schema import head_revision

    url = default_url()
    try:
        shown = _shown(url)
    except Exception as e:
        return bad(
            f"DROPOUT_LAB_DATABASE_URL is not a database URL: {e}",
            "set it like postgresql+psycopg://user:password@host:5432/dropout_lab",
        )
    state, current = database_state(url)
    head = head_revision()
    migrate = "run `dropout-lab migrate` (serve also upgrades the schema at start)"
    if state == "missing":
        return bad(f"{shown}: no database yet", migrate + "; it creates it")
    if state != "ok":
        return bad(
            f"{shown}: {state}",
            "start the database server, or correct DROPOUT_LAB_DATABASE_URL "
            "(postgresql+psycopg://user:password@host:5432/dropout_lab)",
        )
    if current == (head,):
        one = " (SQLite: one app process only)" if url.startswith("sqlite") else ""
        return good(f"{shown}: reachable, schema at {head}, the current{one}")
    from alembic.script import ScriptDirectory

    from dropout_lab.store.schema import MIGRATIONS

    known = {r.revision for r in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    if any(rev not in known for rev in current):
        return bad(
            f"{shown}: schema {', '.join(current)} is newer than this version's {head}",
            "upgrade Dropout Lab to the version that wrote this database",
        )
    at = ", ".join(current) or "none (empty)"
    return bad(f"{shown}: schema at {at}, this version needs {head}", migrate)


def check_data_dir() -> Check:
    from dropout_lab.store import default_data_dir
    from dropout_lab.training.runstore import default_root

    data, runs = default_data_dir(), default_root()
    fix = "set DROPOUT_LAB_DATA_DIR to a folder this user can write (a service: StateDirectory=)"
    try:
        runs.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=runs, prefix=".doctor-") as f:
            f.write(b"probe")
            f.flush()
            os.fsync(f.fileno())
        free = os.statvfs(runs).f_bavail * os.statvfs(runs).f_frsize
    except OSError as e:
        return bad(f"{data}: {e.strerror or e}", fix)
    if free < MIN_FREE_BYTES:
        return bad(
            f"{data}: only {free >> 20} MiB free",
            "free some space there, or point DROPOUT_LAB_DATA_DIR elsewhere",
        )
    return good(f"{data} is writable ({free / 2**30:.1f} GiB free)")


def worker_count() -> tuple[int | None, str]:
    """(the number of training processes, "") or (None, what is wrong with the setting)."""
    raw = os.environ.get("DROPOUT_LAB_WORKERS", "").strip()
    if not raw:
        return os.cpu_count() or 1, ""
    if not raw.isdigit() or int(raw) < 1:
        return None, f"DROPOUT_LAB_WORKERS={raw!r} is not a whole number of at least 1"
    return int(raw), ""


def _memory_mib() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") >> 20
    except (ValueError, OSError, AttributeError):
        return 0


def check_workers() -> Check:
    cores, memory = os.cpu_count() or 1, _memory_mib()
    n, problem = worker_count()
    if n is None:
        return bad(problem, f"set DROPOUT_LAB_WORKERS to 1..{cores}, or unset it (one per core)")
    need = n * WORKER_MIB + APP_MIB
    if memory and need > memory:
        fits = max(1, (memory - APP_MIB) // WORKER_MIB)
        return bad(
            f"{n} training processes need about {need / 1024:.1f} GiB; this machine "
            f"has {memory / 1024:.1f} GiB",
            f"set DROPOUT_LAB_WORKERS={fits}",
        )
    shared = " (more than the cores: runs share them)" if n > cores else ""
    return good(
        f"{n} runs train at once{shared}; {cores} cores, {memory / 1024:.1f} GiB memory "
        f"(~{WORKER_MIB} MiB per training process)"
    )


def _stored_keys(keys: list[str], db_ok: bool) -> set[str]:
    from dropout_lab.training.runstore import default_root

    root = default_root()
    found = {k for k in keys if (root / k / "run.json").is_file()}
    if db_ok and len(found) < len(keys):  # runs another process shared through the database
        from dropout_lab.store import Store, default_url

        store = Store(default_url())
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

    try:  # the lesson file decides the runs' epochs and data seed
        cfg = lesson_config.load(lesson)
    except lesson_config.LessonConfigError:
        return bad(
            "cannot tell which runs the lesson needs: its lesson file is not valid",
            "fix the lesson file first (its row below says what is wrong)",
        )
    reqs = catalogue.unique(catalogue.requests(catalogue.base_config(cfg)))
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


def _reached(ip: str, port: int, timeout: float = 2.0) -> bool:
    """True when a TCP connection to ip:port is accepted."""
    with contextlib.suppress(OSError), socket.create_connection((ip, port), timeout=timeout):
        return True
    return False


def _probe(host: str, port: int, targets: list[str]) -> list[str]:
    """Listen on host:port for a moment, as the server will, and return the addresses among
    `targets` at which a connection reaches that listener."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host.strip("[]"), port))
        listener.listen(len(targets) + 1)
        return [ip for ip in targets if _reached(ip, port)]


def _url(ip: str, port: int) -> str:
    return f"http://[{ip}]:{port}" if ":" in ip else f"http://{ip}:{port}"


def check_address(host: str, port: int) -> Check:
    """Whether learners reach host:port: asked at this machine's network addresses (the ones a
    learner opens), never at localhost, so a server listening on loopback alone fails. A server
    already running there must answer its health check at one of them; with none running, a
    listener doctor opens on host:port for a moment must be reached at one of them."""
    from dropout_lab.serve import (
        answers,
        is_loopback,
        is_wildcard,
        listen_problem,
        network_addresses,
    )

    wider = f"serve with --host 0.0.0.0 (and let port {port} through the firewall)"
    if is_loopback(host):
        return bad(f"--host {host} listens on this machine only: learners cannot reach it", wider)
    targets = network_addresses() if is_wildcard(host) else [host.strip("[]")]
    if not targets:
        return bad(
            "this machine has no network address besides loopback",
            "connect it to the class network",
        )
    shown = ", ".join(_url(ip, port) for ip in targets)
    busy = listen_problem(host, port)
    if busy:  # something listens there already
        reached = [_url(ip, port) for ip in targets if answers(_url(ip, port))]
        if reached:
            return good(f"a Dropout Lab already answers at {', '.join(reached)}")
        if answers(f"http://localhost:{port}"):
            return bad(
                f"a Dropout Lab answers at http://localhost:{port} but not at {shown}: it "
                "listens on this machine only, learners cannot reach it",
                f"restart it with --host 0.0.0.0 --port {port}",
            )
        return bad(
            f"cannot listen on {host}:{port}: {busy}, and no Dropout Lab answers at {shown}",
            "choose another --port (or stop what uses it), or a --host of this machine",
        )
    try:
        reached = [_url(ip, port) for ip in _probe(host, port, targets)]
    except OSError as e:
        return bad(f"cannot listen on {host}:{port}: {e.strerror or e}", "choose another --port")
    if not reached:
        return bad(
            f"a listener on {host}:{port} was not reached at {shown}",
            f"check this machine's firewall for port {port}, or serve with --host 0.0.0.0",
        )
    return good(
        f"learners open {', '.join(reached)} (reached here at that address; a firewall "
        "between machines is not checked)"
    )


# --------------------------------------------------------------------------- running, printing


def check_lti() -> Check:
    """LTI off, or its configuration file and the tool's key (dropout_lab/lti/commands.py)."""
    from dropout_lab.lti.commands import health

    ok, detail, fix = health()
    return good(detail) if ok else bad(detail, fix)


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
