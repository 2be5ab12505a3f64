"""`dropout-lab doctor`: every check passes on a server set up for a class, and each one fails,
with a fix, when its setting is broken on purpose; the exit status is 0 only when all pass."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT, fresh_python
from tests.support.harness import free_port

TOKEN = "correct-horse-battery-staple-42"
NAMES = [
    "sandbox", "database", "data directory", "workers", "compare runs", "lesson file",
    "instructor token", "LTI", "address",
]  # fmt: skip


def doctor(env: dict[str, str], *args: str) -> tuple[int, dict[str, dict], str]:
    """(exit status, {check name: check}, the text report) for a doctor run with `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DROPOUT_LAB_")}
    full = {**base, **env}
    cmd = [sys.executable, "-m", "dropout_lab.cli", "doctor", *args]
    as_json = subprocess.run([*cmd, "--json"], capture_output=True, text=True, env=full, cwd=ROOT)
    assert as_json.returncode in (0, 1) and as_json.stderr == "", as_json.stderr
    report = json.loads(as_json.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert list(checks) == NAMES
    assert report["ok"] == (as_json.returncode == 0) == all(c["ok"] for c in checks.values())
    text = subprocess.run(cmd, capture_output=True, text=True, env=full, cwd=ROOT)
    assert text.returncode == as_json.returncode
    for c in checks.values():  # the table: a mark and the detail per check, a fix for each ✗
        assert f"{'✓' if c['ok'] else '✗'}  {c['name']}" in text.stdout
        assert c["ok"] or (c["fix"] and f"fix: {c['fix']}" in text.stdout)
    return as_json.returncode, checks, text.stdout


def _precomputed() -> int:
    from dropout_lab.lesson import catalogue

    return len(catalogue.unique(catalogue.requests()))


def _fake_precomputed(runs: Path) -> None:
    """A stored run for every Compare request (doctor only looks for them, never loads them)."""
    from dropout_lab.lesson import catalogue
    from dropout_lab.lesson.spec import run_key

    for r in catalogue.unique(catalogue.requests()):
        d = runs / run_key(r.spec, r.config)
        d.mkdir(parents=True)
        meta = {"train_seconds": 2.0, "history": {"loss": [0.5] * r.config.epochs}}
        (d / "run.json").write_text(json.dumps(meta))


@pytest.fixture(scope="module")
def ready(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The settings of a server ready for a class (SQLite at the current schema)."""
    data = tmp_path_factory.mktemp("data")
    env = {"DROPOUT_LAB_DATA_DIR": str(data), "DROPOUT_LAB_INSTRUCTOR_TOKEN": TOKEN}
    base = {k: v for k, v in os.environ.items() if not k.startswith("DROPOUT_LAB_")}
    migrate = subprocess.run(
        [sys.executable, "-m", "dropout_lab.cli", "migrate"],
        capture_output=True, text=True, env={**base, **env}, cwd=ROOT,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr
    _fake_precomputed(data / "runs")
    return env


def _serving(port: int) -> list[str]:
    return ["--host", "0.0.0.0", "--port", str(port)]


def test_a_ready_server_passes_every_check(ready: dict[str, str]) -> None:
    status, checks, text = doctor(ready, *_serving(free_port()))
    assert status == 0, text
    assert "graded the reference solution" in checks["sandbox"]["detail"]
    assert checks["compare runs"]["detail"].startswith(f"all {_precomputed()} precomputed runs")
    assert "Ready: the class can start." in text
    assert TOKEN not in text and "not shown" in checks["instructor token"]["detail"]


def test_no_sandbox(ready: dict[str, str]) -> None:
    status, checks, _ = doctor({**ready, "PATH": "/nonexistent"}, *_serving(free_port()))
    assert status == 1 and not checks["sandbox"]["ok"]
    assert "bubblewrap" in checks["sandbox"]["detail"] and "apt-get" in checks["sandbox"]["fix"]
    assert all(c["ok"] for name, c in checks.items() if name != "sandbox")


def test_an_unreachable_database(ready: dict[str, str]) -> None:
    url = f"postgresql+psycopg://teacher:hunter2@127.0.0.1:{free_port()}/dropout_lab"
    env = {**ready, "DROPOUT_LAB_DATABASE_URL": url}
    status, checks, text = doctor(env, *_serving(free_port()))
    assert status == 1 and not checks["database"]["ok"]
    assert "Connection refused" in checks["database"]["detail"]
    assert "DROPOUT_LAB_DATABASE_URL" in checks["database"]["fix"]
    assert "hunter2" not in text  # the password is never shown
    assert checks["compare runs"]["ok"]  # the local copies are still there


def test_a_database_not_yet_created_or_behind(tmp_path: Path, ready: dict[str, str]) -> None:
    from dropout_lab.store.schema import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'class.sqlite3'}"
    env = {**ready, "DROPOUT_LAB_DATABASE_URL": url}
    status, checks, _ = doctor(env, *_serving(free_port()))
    assert status == 1 and "no database yet" in checks["database"]["detail"]
    assert not (tmp_path / "class.sqlite3").exists()  # the doctor created nothing
    engine = make_engine(url)
    with engine.connect() as conn, conn.begin():
        upgrade(conn, url, "0001")
    engine.dispose()
    status, checks, _ = doctor(env, *_serving(free_port()))
    assert status == 1 and "schema at 0001" in checks["database"]["detail"]
    assert "dropout-lab migrate" in checks["database"]["fix"]
    base = {k: v for k, v in os.environ.items() if not k.startswith("DROPOUT_LAB_")}
    subprocess.run(
        [sys.executable, "-m", "dropout_lab.cli", "migrate"], env={**base, **env}, check=True,
        capture_output=True,
    )  # fmt: skip
    status, checks, _ = doctor(env, *_serving(free_port()))
    assert status == 0 and checks["database"]["ok"]


def test_an_unwritable_data_directory(tmp_path: Path, ready: dict[str, str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {**ready, "DROPOUT_LAB_DATA_DIR": str(blocker / "data")}  # never writable, even as root
    status, checks, _ = doctor(env, *_serving(free_port()))
    assert status == 1 and not checks["data directory"]["ok"]
    assert "Not a directory" in checks["data directory"]["detail"]
    assert "DROPOUT_LAB_DATA_DIR" in checks["data directory"]["fix"]


def test_compare_runs_not_precomputed(tmp_path: Path, ready: dict[str, str]) -> None:
    env = {**ready, "DROPOUT_LAB_DATA_DIR": str(tmp_path), "DROPOUT_LAB_WORKERS": "1"}
    status, checks, _ = doctor(env, *_serving(free_port()))
    assert status == 1 and not checks["compare runs"]["ok"]
    detail = checks["compare runs"]["detail"]
    assert f"{_precomputed()} of {_precomputed()} precomputed runs are missing" in detail
    assert "`dropout-lab warm` would take about" in detail and "1 worker" in detail
    assert "dropout-lab warm" in checks["compare runs"]["fix"]


@pytest.mark.parametrize("workers", ["many", "0", "-2", "100000"])
def test_a_bad_worker_count(ready: dict[str, str], workers: str) -> None:
    env = {**ready, "DROPOUT_LAB_WORKERS": workers}
    status, checks, _ = doctor(env, *_serving(free_port()))
    assert status == 1 and not checks["workers"]["ok"]
    assert "DROPOUT_LAB_WORKERS" in checks["workers"]["fix"]


def test_a_broken_lesson_file(tmp_path: Path, ready: dict[str, str]) -> None:
    broken = tmp_path / "class.toml"
    broken.write_text('[steps]\nopen = ["explore", "nowhere"]\n')
    status, checks, _ = doctor({**ready, "DROPOUT_LAB_LESSON": str(broken)}, *_serving(free_port()))
    assert status == 1 and not checks["lesson file"]["ok"]
    assert str(broken) in checks["lesson file"]["detail"]
    example = str(ROOT / "lessons" / "class-example.toml")
    status, checks, _ = doctor(ready, "--lesson", example, *_serving(free_port()))
    assert status == 0 and example in checks["lesson file"]["detail"]


@pytest.mark.parametrize("token", ["", "x7Qz9", "correct-horse-batt1"])  # 19: one too few
def test_no_or_a_weak_instructor_token(tmp_path: Path, ready: dict, token: str) -> None:
    env = {**ready, "DROPOUT_LAB_INSTRUCTOR_TOKEN": token, "HOME": str(tmp_path)}
    status, checks, text = doctor(env, *_serving(free_port()))
    assert status == 1 and not checks["instructor token"]["ok"]
    assert "DROPOUT_LAB_INSTRUCTOR_TOKEN" in checks["instructor token"]["fix"]
    assert not token or token not in text
    if token:  # its length said on the check's one line, never the token
        line = next(x for x in text.splitlines() if "instructor token" in x and "✗" in x)
        assert f"{len(token)} characters, shorter than 20" in line, line


def test_a_token_in_streamlit_secrets_is_found_and_not_shown(tmp_path: Path, ready: dict) -> None:
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(f'instructor_token = "{TOKEN}"\n')
    env = {**ready, "DROPOUT_LAB_INSTRUCTOR_TOKEN": "", "HOME": str(tmp_path)}
    status, checks, text = doctor(env, *_serving(free_port()))
    assert status == 0 and "secrets.toml" in checks["instructor token"]["detail"]
    assert TOKEN not in text


def test_localhost_only(ready: dict[str, str]) -> None:
    for host in ("localhost", "127.0.0.1"):
        status, checks, _ = doctor(ready, "--host", host, "--port", str(free_port()))
        assert status == 1 and not checks["address"]["ok"]
        assert "this machine only" in checks["address"]["detail"]
        assert "--host 0.0.0.0" in checks["address"]["fix"]


def test_a_port_taken_by_another_program(ready: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, checks, _ = doctor(ready, *_serving(port))
    assert status == 1 and not checks["address"]["ok"]
    assert "in use" in checks["address"]["detail"] and "--port" in checks["address"]["fix"]


@pytest.fixture
def health_server() -> Iterator[int]:
    """Something answering /_stcore/health like a running Dropout Lab, on every interface."""

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("0.0.0.0", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_server_already_running_there_counts(ready: dict[str, str], health_server: int) -> None:
    status, checks, _ = doctor(ready, *_serving(health_server))
    assert status == 0 and "already answers" in checks["address"]["detail"]


@pytest.mark.parametrize("bind", ["127.0.0.1", "0.0.0.0"])
def test_a_real_server_counts_only_where_learners_reach_it(
    tmp_path: Path, ready: dict[str, str], bind: str
) -> None:
    """A Dropout Lab listening on loopback alone answers at localhost, not at the machine's
    network address a learner opens: doctor --host 0.0.0.0 fails its address row, with the fix;
    the same server listening on every interface passes it."""
    from dropout_lab.serve import network_addresses, streamlit_command
    from tests.hosting.conftest import started

    port = free_port()
    env = {**os.environ, **ready, "DROPOUT_LAB_PRECOMPUTE": "0"}
    cmd = streamlit_command(bind, port)
    url = f"http://127.0.0.1:{port}"
    with started(cmd, cwd=ROOT, env=env, log=tmp_path / "server.log", url=url, timeout=120):
        status, checks, text = doctor(ready, *_serving(port))
    address = checks["address"]
    network = f"http://{network_addresses()[0]}:{port}"
    if bind == "127.0.0.1":
        assert status == 1 and not address["ok"], text
        assert f"answers at http://localhost:{port} but not at {network}" in address["detail"]
        assert "this machine only" in address["detail"]
        assert "--host 0.0.0.0" in address["fix"]
    else:
        assert status == 0 and address["ok"], text
        assert address["detail"] == f"a Dropout Lab already answers at {network}"


def test_nothing_running_yet_is_probed_at_the_network_address(ready: dict[str, str]) -> None:
    from dropout_lab.serve import network_addresses

    port = free_port()
    status, checks, text = doctor(ready, *_serving(port))
    assert status == 0, text
    assert checks["address"]["detail"].startswith(
        f"learners open http://{network_addresses()[0]}:{port} (reached here at that address"
    )


def test_doctor_imports_neither_streamlit_nor_tensorflow() -> None:
    loaded = fresh_python(
        "import contextlib, io, json, sys\n"
        "from dropout_lab.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['doctor', '--json'])\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'streamlit', 'tensorflow', 'keras'})))"
    )
    assert loaded == []


def test_postgresql_with_the_runs_shared_through_it(tmp_path: Path, fresh_pg_url: str) -> None:
    """A class server on PostgreSQL: reachable and current once migrated, and the Compare runs
    another process stored in the database count, with none in this data directory."""
    from dropout_lab.lesson import catalogue
    from dropout_lab.lesson.spec import run_key
    from dropout_lab.store.runblobs import RunBlobs

    env = {
        "DROPOUT_LAB_DATABASE_URL": fresh_pg_url,
        "DROPOUT_LAB_DATA_DIR": str(tmp_path),
        "DROPOUT_LAB_INSTRUCTOR_TOKEN": TOKEN,
    }
    status, checks, _ = doctor(env, *_serving(free_port()))
    assert status == 1 and "schema at none (empty)" in checks["database"]["detail"]
    store = RunBlobs(fresh_pg_url)  # what `dropout-lab migrate` or the first server does
    for r in catalogue.unique(catalogue.requests()):
        meta = {"train_seconds": 2.0, "history": {"loss": [0.5] * r.config.epochs}}
        store.put_run(run_key(r.spec, r.config), meta, b"weights")
    store.close()
    status, checks, text = doctor(env, *_serving(free_port()))
    assert status == 0, text
    assert "postgresql+psycopg://" in checks["database"]["detail"]
    assert not list((tmp_path / "runs").glob("*/run.json"))  # found in the database only
