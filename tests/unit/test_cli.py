"""The `dropout-lab` command line, run as a learner or an instructor would run it."""

from __future__ import annotations

import json
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
    assert "Dropout(0.3)" in verdict["layers"]
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
    assert "OK" in out.stdout and "○ A Dropout after each hidden Dense layer" in out.stdout
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
