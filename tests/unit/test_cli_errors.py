"""The `dropout-lab` command line's errors, each one line and never a traceback: missing,
unreadable and oversized files, bad arguments and lesson files, an unreachable database, an
unwritable data directory, a port or host that cannot be used; and its bounded inputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dropout_lab.lesson.labs import load_lab
from tests.support.cli import ROOT, cli

# --------------------------------------------------------------------------- one-line errors


def _one_line_error(out: subprocess.CompletedProcess, command: str) -> str:
    assert out.returncode != 0, out.stdout
    assert "Traceback" not in out.stderr, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(f"dropout-lab {command}: "), lines[0]
    return lines[0]


def test_a_directory_or_a_missing_file_is_one_line(tmp_path: Path) -> None:
    for command in ("check", "grade"):
        line = _one_line_error(cli(command, str(tmp_path)), command)
        assert "cannot read" in line and "give the path of a Python file" in line
    line = _one_line_error(cli("train", "--code", str(tmp_path / "nope.py")), "train")
    assert "No such file" in line


def test_an_unreadable_file_is_one_line(tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root reads past permissions; this file refuses everyone (EIO)
        path = "/proc/self/mem"
    else:
        path = str(tmp_path / "secret.py")
        Path(path).write_text("x = 1\n")
        Path(path).chmod(0)
    line = _one_line_error(cli("check", path), "check")
    assert "cannot read" in line


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["train", "--rate", "2"], "e.g. --rate 0.3"),
        (["train", "--rate", "abc"], "invalid float value"),
        (["train", "--epochs", "many"], "--help"),
        (["warm", "--workers", "0"], "--workers must be at least 1"),
        (["nonsense"], "invalid choice"),
    ],
)
def test_bad_arguments_are_one_line(args: list[str], hint: str) -> None:
    out = cli(*args)
    assert out.returncode == 2
    command = args[0] if args[0] != "nonsense" else ""
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert out.stderr.startswith(f"dropout-lab {command}".strip()) and hint in out.stderr


def test_a_missing_lab_is_one_line(monkeypatch, capsys, tmp_path: Path) -> None:
    from dropout_lab import cli as cli_module
    from dropout_lab.lesson import labs

    code = tmp_path / "model.py"
    code.write_text(load_lab().solution)
    labs._project_lab.cache_clear()
    monkeypatch.setattr(labs, "LABS_DIR", tmp_path / "no-labs")  # as a wheel without its labs
    try:
        assert cli_module.main(["check", str(code)]) == 1
    finally:
        labs._project_lab.cache_clear()
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "No lab named 'overfit'" in err and "reinstall Dropout Lab" in err


def test_a_bad_lesson_file_stops_serve_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "class.toml"
    bad.write_text('[build]\nepochs = "many"\n')
    line = _one_line_error(cli("serve", "--lesson", str(bad), "--port", "1"), "serve")
    assert "epochs" in line and "fix the lesson file" in line
    broken = tmp_path / "broken.toml"
    broken.write_text("[build\n")
    line = _one_line_error(cli("serve", "--lesson", str(broken)), "serve")
    assert "not valid TOML" in line


def test_serve_warns_in_one_line_of_a_short_instructor_token(tmp_path: Path) -> None:
    """Serve is stopped at its port check (a port taken here), after its start-up warnings."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        args = ("serve", "--host", "127.0.0.1", "--port", str(taken.getsockname()[1]))
        env = {"DROPOUT_LAB_DATA_DIR": str(tmp_path), "HOME": str(tmp_path)}
        short = _env_cli({**env, "DROPOUT_LAB_INSTRUCTOR_TOKEN": "correct-horse-batt1"}, *args)
        long = _env_cli({**env, "DROPOUT_LAB_INSTRUCTOR_TOKEN": "correct-horse-battery"}, *args)
    warning, error = short.stderr.strip().splitlines()
    assert warning.startswith("dropout-lab serve: warning: the instructor token is 19 characters")
    assert "shorter than 20" in warning and "correct-horse" not in short.stderr
    assert error.startswith("dropout-lab serve: cannot listen on"), error
    _one_line_error(long, "serve")  # 20 characters: no warning


def _env_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dropout_lab.cli", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=120, env={**os.environ, **env},
    )  # fmt: skip


@pytest.mark.parametrize("command", ["migrate", "warm", "serve"])
def test_an_unreachable_database_is_one_line(command: str, tmp_path: Path) -> None:
    from tests.support.harness import free_port

    url = f"postgresql+psycopg://learner:s3cret@127.0.0.1:{free_port()}/dropout_lab"
    env = {"DROPOUT_LAB_DATABASE_URL": url, "DROPOUT_LAB_DATA_DIR": str(tmp_path)}
    line = _one_line_error(_env_cli(env, command), command)
    assert "cannot use the database" in line and "DROPOUT_LAB_DATABASE_URL" in line
    assert "s3cret" not in line  # the password is never printed
    bad = _one_line_error(_env_cli({"DROPOUT_LAB_DATABASE_URL": "not a url"}, command), command)
    assert "is not a database URL" in bad


def test_an_unwritable_data_directory_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {"DROPOUT_LAB_DATA_DIR": str(blocker / "data")}  # under a file: never writable
    for command in ("migrate", "warm"):
        line = _one_line_error(_env_cli(env, command), command)
        assert "DROPOUT_LAB_DATA_DIR" in line


def test_migrate_brings_an_old_database_to_the_current_schema(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from dropout_lab.store.schema import head_revision, make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    with engine.connect() as conn, conn.begin():
        upgrade(conn, url, "0001")
    engine.dispose()
    out = _env_cli({"DROPOUT_LAB_DATABASE_URL": url}, "migrate")
    assert out.returncode == 0, out.stderr
    assert head_revision() in out.stdout
    with sa.create_engine(url).connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version == head_revision()


# --------------------------------------------------------------------------- bounded inputs


def _limited(*args: str) -> subprocess.CompletedProcess:
    """The command under a 2 GiB address-space ceiling: a file read without a bound fails fast
    here instead of filling the machine's memory."""
    import resource

    def ceiling() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run(
        [sys.executable, "-m", "dropout_lab.cli", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=120, preexec_fn=ceiling,
    )  # fmt: skip


def _refused(out: subprocess.CompletedProcess, command: str) -> str:
    """The one line of a refusal, with exit status 2."""
    line = _one_line_error(out, command)
    assert out.returncode == 2, line
    return line


@pytest.mark.parametrize(
    "command", [["check"], ["grade"], ["train", "--code"]], ids=["check", "grade", "train"]
)
def test_code_files_are_read_up_to_the_labs_cap(command: list[str], tmp_path: Path) -> None:
    from dropout_lab.codelab.reader import MAX_CHARS
    from dropout_lab.grading.checks import MAX_CODE_CHARS

    cap = MAX_CODE_CHARS if command == ["grade"] else MAX_CHARS
    name = command[0]
    line = _refused(_limited(*command, "/dev/zero"), name)  # endless: never read
    assert "not a regular file" in line and "/dev/zero" in line
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)  # opening it would wait for a writer for ever
    assert "not a regular file" in _refused(_limited(*command, str(fifo)), name)
    long = tmp_path / "long.py"
    long.write_text("#" * (cap + 1))
    line = _refused(_limited(*command, str(long)), name)
    assert f"longer than the lab's {cap:,} characters" in line
    piped = subprocess.run(
        [sys.executable, "-m", "dropout_lab.cli", *command, "-"], input="#" * (cap + 1),
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert "standard input is longer" in _refused(piped, name)


def test_a_file_at_the_cap_is_read(tmp_path: Path, capsys) -> None:
    from dropout_lab import cli as cli_module
    from dropout_lab.codelab.reader import MAX_CHARS

    at_cap = tmp_path / "at_cap.py"
    at_cap.write_text("#" * MAX_CHARS)
    assert cli_module.main(["check", str(at_cap), "--json"]) == 1  # read, then judged
    assert json.loads(capsys.readouterr().out)["ok"] is False


@pytest.mark.parametrize("command", ["serve", "doctor"])
@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--port", "99999"], "--port: must be a port number 1..65535, got '99999'"),
        (["--port", "0"], "--port: must be a port number 1..65535"),
        (["--port", "http"], "--port: must be a port number 1..65535"),
        (["--host", "no-such-host.invalid"], "--host: must be an IP address of this machine"),
        (["--host", "a b"], "--host: must be an IP address"),
        (["--host", ""], "--host: must be an IP address"),
        (["--host", "x" * 300], "--host: must be an IP address"),
    ],
)
def test_serve_and_doctor_check_port_and_host_in_one_line(
    command: str, args: list[str], said: str, capsys
) -> None:
    from dropout_lab import cli as cli_module

    with pytest.raises(SystemExit) as stopped:
        cli_module.main([command, *args])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"dropout-lab {command}: argument ") and said in err


def test_host_names_are_resolved_on_this_machine_only(monkeypatch) -> None:
    from dropout_lab import serve

    asked: list[str] = []
    real = serve.socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        asked.append(host)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(serve.socket, "getaddrinfo", getaddrinfo)
    for ok in ("0.0.0.0", "127.0.0.1", "::1", "[::1]", "localhost"):
        assert serve.check_host(ok) == ok
    with pytest.raises(ValueError, match="a name in /etc/hosts"):
        serve.check_host("example.com")  # refused before any lookup: no DNS query
    assert "example.com" not in asked


def test_serve_cannot_listen_is_one_line() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        out = _limited("serve", "--host", "127.0.0.1", "--port", port, "--headless")
    line = _refused(out, "serve")
    assert f"cannot listen on 127.0.0.1:{port}" in line and "another --port" in line


def test_the_server_never_shows_browsers_a_traceback() -> None:
    """Uncaught errors reach a browser as their type at most: no message, trace or server path."""
    from streamlit import config

    from dropout_lab.serve import streamlit_command

    cmd = streamlit_command("localhost", 8501)
    value = cmd[cmd.index("--client.showErrorDetails") + 1]
    assert value in ("type", "none")
    assert value in {o.value for o in config.ShowErrorDetailsConfigOptions}  # 1.67 accepts it
