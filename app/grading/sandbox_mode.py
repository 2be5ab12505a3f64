"""Which way a learner's code runs here, and bubblewrap's command line (`sandbox.py` runs it).

Modes: "bwrap" when bubblewrap isolates on this machine (checked once, `probe`); otherwise, when
the server is hosted (`DROPOUT_LAB_HOSTED=1`) grading is refused with the reason, and a single
local user may opt in to `DROPOUT_LAB_UNSANDBOXED=1` (a separate process with the same limits,
but no isolation).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile

JOB_DIR = "/job"  # where the job's files appear inside the sandbox (read-only)
PROBE_TMP_BYTES = 1 << 20  # the probe runs `python -c 1`: a small tmpfs is plenty


class SandboxUnavailable(RuntimeError):
    """No acceptable way to run untrusted code here; the message says why and what to do."""


def hosted() -> bool:
    return os.environ.get("DROPOUT_LAB_HOSTED", "") not in ("", "0")


def unsandboxed_allowed() -> bool:
    return os.environ.get("DROPOUT_LAB_UNSANDBOXED", "") not in ("", "0")


def python_dirs() -> list[str]:
    """The directories the sandboxed Python needs to read: the interpreter, the venv, NumPy."""
    dirs = {os.path.realpath(sys.base_prefix), os.path.abspath(sys.prefix)}
    dirs.add(os.path.realpath(sys.prefix))
    import numpy

    dirs.add(os.path.dirname(os.path.dirname(os.path.realpath(numpy.__file__))))
    # Drop any directory inside another one; never expose the system root.
    out = sorted(d for d in dirs if d not in ("/", ""))
    return [d for d in out if not any(d != o and d.startswith(o + "/") for o in out)]


def bwrap_argv(job: str, user_ns: bool, tmp_bytes: int) -> list[str]:
    """bwrap's command line (up to `--`) for a job folder `job` and a tmpfs of `tmp_bytes`."""
    argv = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
    argv += ["--unshare-cgroup-try"]
    if user_ns:
        argv += ["--unshare-user", "--uid", "65534", "--gid", "65534"]
    argv += ["--die-with-parent", "--new-session", "--cap-drop", "ALL", "--hostname", "sandbox"]
    argv += ["--ro-bind", "/usr", "/usr"]
    for top in ("/lib", "/lib64", "/lib32", "/bin", "/sbin"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    # The writable tmpfs first: the Python binds below may live under /tmp (a checkout or a
    # venv there) and must be mounted on top of it, not hidden by it.
    argv += ["--size", str(tmp_bytes), "--tmpfs", "/tmp"]
    for d in python_dirs():
        if not d.startswith("/usr/"):
            argv += ["--ro-bind", d, d]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--ro-bind", job, JOB_DIR, "--remount-ro", "/", "--chdir", "/tmp", "--clearenv"]
    for key, value in ENV.items():
        argv += ["--setenv", key, value]
    return argv


ENV = {
    "HOME": "/tmp",
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONIOENCODING": "utf-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


@functools.lru_cache(maxsize=1)
def probe() -> tuple[str | None, str]:
    """("bwrap", how) when bubblewrap isolates here, else (None, why not). Checked once."""
    if shutil.which("bwrap") is None:
        return None, "bubblewrap (`bwrap`) is not installed (Debian: apt-get install bubblewrap)"
    with tempfile.TemporaryDirectory(prefix="dropout-lab-probe-") as job:
        why = ""
        for user_ns in (True, False):
            cmd = [
                *bwrap_argv(job, user_ns, PROBE_TMP_BYTES),
                "--",
                sys.executable,
                "-I",
                "-c",
                "1",
            ]
            try:
                done = subprocess.run(
                    cmd, capture_output=True, timeout=20, stdin=subprocess.DEVNULL
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                return None, f"bubblewrap could not start: {exc}"
            if done.returncode == 0:
                return "bwrap", "user namespace" if user_ns else "no user namespace (root)"
            why = done.stderr.decode("utf-8", "replace").strip()[:300]
        return None, f"bubblewrap does not work on this machine: {why}"


def choose_mode(*, hosted_mode: bool | None = None, allow_unsandboxed: bool | None = None) -> str:
    """The mode to grade in, or SandboxUnavailable saying why grading is refused."""
    kind, why = probe()
    if kind is not None:
        return kind
    is_hosted = hosted() if hosted_mode is None else hosted_mode
    allow = unsandboxed_allowed() if allow_unsandboxed is None else allow_unsandboxed
    if is_hosted:
        raise SandboxUnavailable(
            f"Grading is switched off on this hosted server because no sandbox is available: "
            f"{why}. Learners' code is only run in isolation when the app is hosted."
        )
    if not allow:
        raise SandboxUnavailable(
            f"No sandbox is available: {why}. On your own machine you may run your code "
            f"without isolation: set DROPOUT_LAB_UNSANDBOXED=1 and restart."
        )
    return "unsandboxed"
