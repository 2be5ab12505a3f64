"""A throw-away PostgreSQL server for benchmarks (outside pytest), as tests/db/conftest.py
starts one: initdb + pg_ctl in a temporary directory, 127.0.0.1 only, trust auth (as root,
the binaries run as the `postgres` system user)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]))  # fmt: skip
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if not initdb:
        raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    return Path(initdb).parent


@contextlib.contextmanager
def postgres_server(db: str = "dropout_lab") -> Iterator[str]:
    """A running server with an empty database `db`; yields its SQLAlchemy URL."""
    import psycopg

    bin_dir, as_root = _bin(), os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    tmp = Path(tempfile.mkdtemp(prefix="dropout-lab-pg-"))
    if as_root:
        shutil.chown(tmp, "postgres", "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    data = tmp / "data"
    run(str(bin_dir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres", "-E", "UTF8")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} -c max_connections=200"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(tmp / "log"), "-o", options, "-w",
        "start")  # fmt: skip
    try:
        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres") as c:
            c.autocommit = True
            c.execute(f"CREATE DATABASE {db}")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{db}"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(tmp, ignore_errors=True)
