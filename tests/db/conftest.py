"""Fixtures of the database tests: a real PostgreSQL server, started here, and `store_url`,
which runs each test against SQLite (a file in tmp_path) and PostgreSQL (a fresh database).

The server is PostgreSQL's own `initdb` + `pg_ctl` in a temporary directory, listening on
127.0.0.1 only (trust auth, so no password). PostgreSQL refuses to run as root: as root, the
binaries run as the `postgres` system user. Missing binaries fail the tests (never a skip):
`bash scripts/test.sh` installs them.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from dropout_lab.store import Store

DB_NAME = "dropout_lab"


def _pg_bin() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    pytest.fail(
        "The database tests need a PostgreSQL server (initdb, pg_ctl), which is not installed: "
        "`bash scripts/test.sh` installs it (Debian: apt-get install postgresql)."
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A running PostgreSQL server with a database `dropout_lab`; yields its SQLAlchemy URL."""
    bin_dir = _pg_bin()
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    tmp = Path(tempfile.mkdtemp(prefix="dropout-lab-pg-"))  # not under pytest's 0700 root dir
    data, log = tmp / "data", tmp / "server.log"
    if as_root:
        shutil.chown(tmp, "postgres", "postgres")

    def run(*args: str) -> None:
        out = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            tail = log.read_text()[-2000:] if log.exists() else ""
            pytest.fail(f"{' '.join(args)} failed:\n{out.stdout}\n{out.stderr}\n{tail}")

    port = _free_port()
    run(str(bin_dir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres", "-E", "UTF8")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} -c max_connections=200"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
    try:
        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres") as c:
            c.autocommit = True
            c.execute(f"CREATE DATABASE {DB_NAME}")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{DB_NAME}"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(tmp, ignore_errors=True)


def _admin(pg_url: str) -> psycopg.Connection:
    port = int(pg_url.rsplit(":", 1)[1].split("/")[0])
    conn = psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres")
    conn.autocommit = True
    return conn


@pytest.fixture
def fresh_pg_url(pg_server: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with _admin(pg_server) as c:
        c.execute(f"CREATE DATABASE {name}")
    yield pg_server.rsplit("/", 1)[0] + "/" + name
    with _admin(pg_server) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'dropout-lab.sqlite3'}"
    return request.getfixturevalue("fresh_pg_url")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A store on `store_url`, closed after the test."""
    s = Store(store_url)
    yield s
    s.close()
