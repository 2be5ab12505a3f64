"""The systemd units of docs/hosting.md: the class server's ExecStart is the README's run command
(which tests/hosting/test_start.py runs with no terminal), the workers' is `dropout-lab worker`
with the server's settings, and systemd accepts both files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dropout_lab.cli import build_parser
from tests.hosting import docs

README = Path(__file__).resolve().parents[2] / "README.md"


def test_exec_start_is_the_readme_run_command_from_the_install_dir() -> None:
    service = docs.unit()["Service"]
    argv = docs.exec_start()
    assert argv[0] in ("/bin/bash", "/usr/bin/bash")
    assert argv[1] == f"{docs.INSTALL_DIR}/scripts/start.sh"
    assert docs.values(service, "WorkingDirectory") == [docs.INSTALL_DIR]
    assert "bash scripts/start.sh" in README.read_text(encoding="utf-8")  # the README's command
    serve = build_parser().parse_args(["serve", *argv[2:]])  # the rest: serve's own arguments
    assert (serve.host, serve.port) == ("0.0.0.0", int(docs.PORT))


def test_the_unit_restarts_keeps_its_data_and_starts_at_boot() -> None:
    unit = docs.unit()
    service = unit["Service"]
    assert docs.values(service, "Type") == ["simple"]
    assert docs.values(service, "Restart") == ["on-failure"]
    assert docs.values(service, "User") == ["dropout-lab"]
    state = docs.values(service, "StateDirectory")
    assert state == ["dropout-lab"] and f"/var/lib/{state[0]}" == docs.DATA_DIR
    assert f"DROPOUT_LAB_DATA_DIR={docs.DATA_DIR}" in docs.values(service, "Environment")
    assert docs.values(unit["Install"], "WantedBy") == ["multi-user.target"]
    # bubblewrap needs user namespaces: hardening that removes them would break grading
    assert not docs.values(service, "RestrictNamespaces")
    assert not docs.values(service, "PrivateUsers")


def test_the_wheel_exec_start_is_serve() -> None:
    argv = docs.exec_start("wheel-execstart")
    assert argv[0] == f"{docs.INSTALL_DIR}/venv/bin/dropout-lab" and argv[1] == "serve"
    serve = build_parser().parse_args(argv[1:])
    assert (serve.host, serve.port) == ("0.0.0.0", int(docs.PORT))


def test_the_worker_unit_runs_the_worker_command_with_the_servers_settings() -> None:
    worker, server = docs.unit("worker-unit"), docs.unit()
    argv = docs.exec_start("worker-unit")
    assert argv == [f"{docs.INSTALL_DIR}/.venv/bin/dropout-lab", "worker"]
    assert build_parser().parse_args(argv[1:]).command == "worker"
    for key in ("User", "Group", "WorkingDirectory", "EnvironmentFile", "Environment",
                "StateDirectory", "Restart", "KillMode"):  # fmt: skip
        assert docs.values(worker["Service"], key) == docs.values(server["Service"], key), key
    assert "%i" in docs.values(worker["Unit"], "Description")[0]  # a template: one per core
    assert docs.values(worker["Install"], "WantedBy") == ["multi-user.target"]


def test_systemd_accepts_the_worker_unit(tmp_path: Path) -> None:
    """Verified as an instance, with ExecStart pointing at this venv's real `dropout-lab`."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (the unit's structure is checked above)")
    here = Path(sys.prefix) / "bin" / "dropout-lab"
    assert here.exists(), here
    text = docs.tested_block("worker-unit").replace(f"{docs.INSTALL_DIR}/.venv/bin/dropout-lab",
                                                     str(here))  # fmt: skip
    path = tmp_path / "dropout-lab-worker@1.service"
    path.write_text(text + "\n")
    out = subprocess.run(
        ["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "Unknown" not in out.stderr and "dropout-lab-worker" not in out.stderr, out.stderr


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (the unit's structure is checked above)")
    path = tmp_path / "dropout-lab.service"
    path.write_text(docs.tested_block("systemd-unit") + "\n")
    out = subprocess.run(
        ["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "Unknown" not in out.stderr and "dropout-lab.service" not in out.stderr, out.stderr
