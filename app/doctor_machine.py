"""The doctor's checks of this machine (`dropout-lab doctor`, `doctor.py`): the sandbox that
grades learners' code, the database and its schema, the data directory, the training processes'
memory, and the address learners open. Each returns a `Check`: ✓ with what it found, or ✗ with
one line saying how to fix it. They change nothing but a probe file in the data directory.
No Streamlit, no TensorFlow."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

WORKER_MIB = 600  # one training process (TensorFlow and the lesson model)
APP_MIB = 1024  # the app process itself, with headroom
MIN_FREE_BYTES = 200 << 20


@dataclass
class Check:
    """One row of the doctor's report (`doctor.render`)."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def good(detail: str) -> Check:
    return Check("", True, detail)  # run_checks gives it its name


def bad(detail: str, fix: str) -> Check:
    return Check("", False, detail, fix)


def check_sandbox() -> Check:
    from dropout_lab.grading import sandbox_mode
    from dropout_lab.grading.checks import DROPOUT_LAB, grade
    from dropout_lab.lesson.labs import load_lab

    kind, why = sandbox_mode.probe()
    if kind is None:
        return bad(
            why,
            "install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap); in a "
            "container, allow unprivileged user namespaces",
        )
    start = time.perf_counter()
    verdict = grade(load_lab(DROPOUT_LAB).solution, mode=kind)
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
