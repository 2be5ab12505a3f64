"""The `dropout-lab` command line, run as a learner or an instructor would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dropout_lab.lesson.labs import load_lab

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dropout_lab.cli", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=timeout,
    )  # fmt: skip


@pytest.fixture
def code_file(tmp_path: Path):
    def write(text: str) -> str:
        path = tmp_path / "model.py"
        path.write_text(text)
        return str(path)

    return write


def test_check_json_for_the_solution(code_file) -> None:
    start = time.perf_counter()
    out = cli("check", code_file(load_lab().solution), "--json")
    elapsed = time.perf_counter() - start
    assert out.returncode == 0, out.stderr
    verdict = json.loads(out.stdout)
    assert set(verdict) == {"ok", "errors", "layers", "goals"}
    assert verdict["ok"] is True and verdict["errors"] == []
    assert all(goal["met"] for goal in verdict["goals"])
    assert "Dropout(0.5)" in verdict["layers"]
    # No TensorFlow is imported: a whole interpreter start-up stays in the seconds range even
    # on a loaded machine (TF alone takes ~2 s to import here). Printed, not asserted tightly.
    print(f"dropout-lab check took {elapsed:.2f} s")


def test_check_refuses_hostile_code_with_line_numbers(code_file, tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    out = cli("check", code_file(f"import os\nos.system('touch {target}')\n"), "--json")
    assert out.returncode == 1
    verdict = json.loads(out.stdout)
    assert verdict["ok"] is False
    assert verdict["errors"][0]["line"] == 1
    assert "import os" in verdict["errors"][0]["message"]
    assert not target.exists()


def test_check_human_output_and_missing_file(code_file) -> None:
    out = cli("check", code_file(load_lab().starter))
    assert out.returncode == 0
    assert "OK" in out.stdout and "○ Dropout after at least one hidden layer" in out.stdout
    missing = cli("check", "/nonexistent/model.py")
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr and "Traceback" not in missing.stderr


def test_check_does_not_import_tensorflow() -> None:
    code = (
        "import json, sys\n"
        "from dropout_lab.cli import main\n"
        "import io, contextlib\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    main(['check', 'labs/overfit/solution.py', '--json'])\n"
        "print(json.dumps('tensorflow' in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "false"


def test_train_json_shape() -> None:
    out = cli("train", "--rate", "0.3", "--epochs", "2", "--seed", "1", "--json")
    assert out.returncode == 0, out.stderr[-2000:]
    payload = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(payload) == {"history", "train_seconds", "n_train", "n_val"}
    assert set(payload["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 2 for v in payload["history"].values())
    assert payload["n_train"] > 0 and payload["n_val"] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate", "1.0"], "--rate must be in [0, 1)"),
        (["--rate", "-0.5"], "--rate must be in [0, 1)"),
        (["--rate", "nan"], "--rate must be in [0, 1)"),
        (["--epochs", "301"], "--epochs must be"),
        (["--epochs", "0"], "--epochs must be"),
    ],
)
def test_train_refuses_bad_numbers_without_a_traceback(args, message) -> None:
    out = cli("train", *args)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr


def test_train_refuses_invalid_code(code_file) -> None:
    out = cli("train", "--code", code_file("model = eval('1')\n"), "--epochs", "1")
    assert out.returncode == 1
    assert "line 1" in out.stderr and "Traceback" not in out.stderr


def test_serve_help_names_host_and_port() -> None:
    out = cli("serve", "--help")
    assert out.returncode == 0 and "--host" in out.stdout and "--port" in out.stdout


def test_train_and_grade_refuse_a_missing_file() -> None:
    for command in (["train", "--code", "/nonexistent.py"], ["grade", "/nonexistent.py"]):
        out = cli(*command)
        assert out.returncode == 2
        assert "cannot read /nonexistent.py" in out.stderr and "Traceback" not in out.stderr


def test_train_refuses_a_negative_seed() -> None:
    out = cli("train", "--rate", "0.3", "--epochs", "1", "--seed", "-1")
    assert out.returncode == 2
    assert "--seed must be" in out.stderr and "Traceback" not in out.stderr


def test_check_refuses_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.py"
    path.write_bytes(b"model = 1  # caf\xe9\n")
    out = cli("check", str(path))
    assert out.returncode in (1, 2) and "Traceback" not in out.stderr


# --------------------------------------------------------------------------- quiet output


def test_train_writes_nothing_on_stderr_and_verbose_shows_the_libraries() -> None:
    quiet = cli("train", "--epochs", "1")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""  # no TensorFlow, absl or oneDNN start-up lines
    assert "trained in" in quiet.stdout
    loud = cli("train", "--epochs", "1", "--verbose")
    assert loud.returncode == 0
    assert "oneDNN" in loud.stderr or "absl" in loud.stderr  # what quiet mode hid


def test_the_stderr_filter_keeps_real_lines_from_this_process_and_its_children() -> None:
    noise = (
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        "I0000 00:00:1796155203.776525   16143 port.cc:153] oneDNN custom operations are on.\n"
    )
    code = (
        "import os, subprocess, sys\n"
        "from dropout_lab.console import NativeStderrFilter\n"
        "noise = os.environ['NOISE'].encode()\n"
        "with NativeStderrFilter():\n"
        "    os.write(2, noise + b'a real problem\\n')\n"
        "    child = 'import os; os.write(2, os.environ[\"NOISE\"].encode())'\n"
        "    subprocess.run([sys.executable, '-c', child], check=True)\n"
        "    print('E0000 00:00:1.0  1 file.cc:1] an error line stays', file=sys.stderr)\n"
        "print('after', file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, "NOISE": noise},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines() == [
        "a real problem",
        "E0000 00:00:1.0  1 file.cc:1] an error line stays",
        "after",
    ]


def test_the_progress_bar_on_a_pipe_prints_a_line_per_step() -> None:
    import io

    from dropout_lab.console import Bar

    stream = io.StringIO()
    bar = Bar(stream, "runs", width=10)
    for done, busy in [(0, "a"), (0, "a (3/50)"), (1, "b"), (2, "")]:
        bar.show(done, 2, busy)
    bar.close()
    assert stream.getvalue().splitlines() == [
        "[          ] 0/2 runs  a",
        "[#####     ] 1/2 runs  b",
        "[##########] 2/2 runs",
    ]


def test_warm_and_bench_show_progress(monkeypatch, capsys, tmp_path: Path) -> None:
    import tests.bench.bench as bench
    from dropout_lab import cli as cli_module
    from dropout_lab.training import precompute

    def fake_warm(service, on_progress, reqs):  # reqs: the lesson file's runs
        for done in range(3):
            on_progress(done, 2, "rate 0.3 seed 0 (10/50)" if done < 2 else "")
        return {"total": 2, "cached": 0, "computed": 2, "failed": 0}

    monkeypatch.setenv("DROPOUT_LAB_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(precompute, "warm", fake_warm)
    assert cli_module.main(["warm", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "[##############################] 2/2 runs" in out and "2 computed" in out

    monkeypatch.setattr(bench, "run_benchmarks", lambda only: {only[0]: {"figure": 1.0}})
    assert cli_module.main(["bench", "--only", "grading", "--only", "reflect"]) == 0
    captured = capsys.readouterr()
    assert "0/2 sections  measuring: reflect" in captured.err
    assert "2/2 sections" in captured.err
    assert "[reflect]" in captured.out and "[grading]" in captured.out


def test_serve_never_asks_for_an_email() -> None:
    from dropout_lab.serve import streamlit_command

    for headless in (True, False):
        cmd = streamlit_command("localhost", 8501, headless=headless)
        assert cmd[cmd.index("--server.showEmailPrompt") + 1] == "false"


def test_the_server_has_pandas_whole_before_any_session_thread() -> None:
    """Two sessions importing pandas at once were once handed a half-built module; the server's
    command imports it first, on the main thread, and is still Streamlit's own command line."""
    from dropout_lab.serve import streamlit_command

    cmd = streamlit_command("localhost", 8501)

    def pandas_loaded_by(module: str) -> bool:
        """Whether `module`'s main(), given `streamlit version`, leaves pandas imported."""
        probe = (
            f"import sys; sys.argv = ['streamlit', 'version']; from {module} import main\n"
            "try: main()\nexcept SystemExit: pass\nprint('pandas' in sys.modules)"
        )
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip().endswith("True")

    assert not pandas_loaded_by("streamlit.web.cli")  # Streamlit alone would leave it to a page
    assert pandas_loaded_by(cmd[2])
    # ...and a training worker, which imports the entry module again, does not load it
    bare = f"import {cmd[2]}, sys; print('pandas' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", bare], capture_output=True, text=True).stdout.strip()
        == "False"
    )
    version = subprocess.run([*cmd[:3], "version"], capture_output=True, text=True)
    assert version.returncode == 0 and "Streamlit, version" in version.stdout, version.stderr


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
