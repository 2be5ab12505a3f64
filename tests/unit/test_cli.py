"""The `dropout-lab` command line, run as a learner or an instructor would run it (its errors and
bounded inputs: test_cli_errors.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dropout_lab.lesson.labs import load_lab
from tests.support.cli import ROOT, cli


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
