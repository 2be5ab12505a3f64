"""Install anywhere: the wheel holds everything the app needs (code, lesson text, labs,
migrations, the sandbox runner) under its own import name, and installed into a fresh venv
outside the checkout it checks, trains, grades and serves every step from another directory."""

from __future__ import annotations

import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from tests.hosting import docs
from tests.hosting.conftest import BASE_PYTHON, ROOT, clean_env, open_every_step, started
from tests.support.harness import free_port

# The repository folder -> where its files live inside the wheel.
SHIPPED_AS = {"app": "dropout_lab", "lessons": "dropout_lab/lessons", "labs": "dropout_lab/labs"}


def _tracked_files() -> list[str]:
    """The files of app/, lessons/ and labs/ that git knows (work in progress not yet added is
    not held against the wheel), and that are there."""
    out = subprocess.run(
        ["git", "ls-files", "--", *SHIPPED_AS], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return [p for p in out.stdout.splitlines() if (ROOT / p).is_file()]


def _in_wheel(path: str) -> str:
    top, _, rest = path.partition("/")
    return f"{SHIPPED_AS[top]}/{rest}"


def test_the_wheel_ships_everything_under_its_own_name(built_wheel: dict) -> None:
    wheel = zipfile.ZipFile(built_wheel["path"])
    names = set(wheel.namelist())
    missing = sorted(_in_wheel(p) for p in _tracked_files() if _in_wheel(p) not in names)
    assert not missing, (
        f"not in the wheel (add them to pyproject's packages/package-data): {missing}"
    )
    # What the app reads at run time, named, so a failure says what broke
    for needed in (
        "dropout_lab/grading/sandbox_runner.py",
        "dropout_lab/store/migrations/env.py",
        "dropout_lab/labs/overfit/lab.toml",
        "dropout_lab/labs/overfit/starter.py",
        "dropout_lab/labs/overfit/solution.py",
        "dropout_lab/labs/numpy_dropout/lab.toml",
        "dropout_lab/labs/numpy_dropout/starter.py",
        "dropout_lab/labs/numpy_dropout/solution.py",
        "dropout_lab/main.py",
        "dropout_lab/steps/explore.py",
    ):
        assert needed in names, needed
    assert any(n.startswith("dropout_lab/store/migrations/versions/0001") for n in names)
    readings = [n for n in names if n.startswith("dropout_lab/lessons/read/") and n.endswith(".md")]
    assert len(readings) == len(list((ROOT / "lessons" / "read").glob("*.md"))) > 0
    # Its own import name, and nothing of the checkout's top level
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"dropout_lab"}, tops
    (top_level,) = [n for n in names if n.endswith(".dist-info/top_level.txt")]
    assert wheel.read(top_level).decode().split() == ["dropout_lab"]
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "dropout-lab = dropout_lab.cli:main" in wheel.read(entry_points).decode()
    size = built_wheel["path"].stat().st_size
    print(f"\nwheel: {built_wheel['path'].name}, {size / 1024:.0f} KiB, built in "
          f"{built_wheel['seconds']:.1f} s")  # fmt: skip


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 300):
    return subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.mark.e2e
def test_the_wheel_installed_in_a_fresh_venv_runs_from_anywhere(
    browser, built_wheel: dict, tmp_path: Path
) -> None:
    venv, elsewhere, home = tmp_path / "venv", tmp_path / "elsewhere", tmp_path / "home"
    elsewhere.mkdir()
    home.mkdir()
    subprocess.run([str(BASE_PYTHON), "-m", "venv", str(venv)], check=True, timeout=300)
    start = time.perf_counter()
    # Dependencies from PyPI, or pip's cache when it has them (the user's, as a user's would).
    # --no-compile: Python compiles what the app imports as it first imports it, not every file
    # of TensorFlow's 2 GB up front (the install alone: 91 s -> 52 s, AMD EPYC, 2026-12-08).
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--no-input", "--no-compile",
         "--disable-pip-version-check", "--quiet", str(built_wheel["path"])],
        capture_output=True, text=True, timeout=3600,
    )  # fmt: skip
    install_seconds = time.perf_counter() - start
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    exe = str(venv / "bin" / "dropout-lab")
    env = clean_env(home, DROPOUT_LAB_PRECOMPUTE="0")
    # The lab files come from the installed package, and nothing of the checkout is used
    where = "import dropout_lab, pathlib; print(pathlib.Path(dropout_lab.__file__).parent)"
    package = _run([str(venv / "bin" / "python"), "-c", where], elsewhere, env).stdout.strip()
    assert package.startswith(str(venv)), package
    labs = Path(package) / "labs"
    (elsewhere / "model.py").write_text((labs / "overfit" / "solution.py").read_text())
    (elsewhere / "dropout.py").write_text((labs / "numpy_dropout" / "solution.py").read_text())

    check = _run([exe, "check", "model.py"], elsewhere, env)
    assert check.returncode == 0 and check.stdout.startswith("OK"), check.stdout + check.stderr
    train = _run([exe, "train", "--epochs", "2"], elsewhere, env)
    assert train.returncode == 0, train.stderr
    assert train.stdout.count("epoch ") == 2 and train.stderr == "", train.stderr
    grade = _run([exe, "grade", "dropout.py"], elsewhere, env)
    assert grade.returncode == 0 and grade.stdout.startswith("PASSED"), grade.stdout + grade.stderr

    port = free_port()
    argv = [
        a.replace(f"{docs.INSTALL_DIR}/venv", str(venv)) for a in docs.exec_start("wheel-execstart")
    ]
    argv = [str(port) if a == docs.PORT else a for a in argv]  # the documented unit's command
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with started(argv, cwd=elsewhere, env=env, log=log, url=url, timeout=180):
        assert f"open http://localhost:{port}" in log.read_text()
        titles = open_every_step(browser, url)
    assert len(titles) == 6
    size = built_wheel["path"].stat().st_size
    venv_mib = _du(venv) / 2**20
    print(
        f"\nwheel {size / 1024:.0f} KiB; installed with its dependencies into a fresh venv in "
        f"{install_seconds:.1f} s ({venv_mib:.0f} MiB installed)"
    )


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
