"""A hostile corpus against the grader's sandbox: each submission is contained, gets a clear
verdict within the time limit, writes nothing outside, and leaves nothing running. Three
corpora: the forward lab's, the backprop lab's (hostile backward passes: loops, memory, forks,
lying arrays...), and the training job's (the same, only once the network trains with them)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from dropout_lab.grading import checks as grading
from dropout_lab.grading import net_run, sandbox_mode
from tests.sandbox_required import require_sandbox  # noqa: F401  (autouse)
from tests.support import wait

MARK = f"dlhostile{uuid.uuid4().hex[:10]}"
HOST_TMP = Path("/tmp")
HOME = Path.home()
REPO = Path(__file__).resolve().parents[2]
# The installation (the venv) is bound read-only into the sandbox wherever it lives; a checkout
# under /tmp is not (the sandbox's own /tmp is a throw-away tmpfs, where a write lands harmlessly).
INSTALLATION = Path(sys.prefix)
OUTSIDE = [HOST_TMP / MARK, HOME / MARK, REPO / MARK, Path("/root") / MARK, INSTALLATION / MARK]
# The hostile training corpus runs under the lab's limits with a shorter wall clock: the same
# mechanism, but a fork bomb holds two cores shared with other test workers for 15 s, not the
# lab's 45 (it drove the load average past 400 and starved browser tests into their timeouts).
HOSTILE_WALL = 15.0
BUSY_MARGIN = 20.0  # seconds to start and end a sandbox on a machine busy with other tests
RUN_MARGIN = 1.0  # running time past the wall limit: the clock is read every 0.1 s
SLEEPER = f"[sys.executable, '-c', 'import time; time.sleep(60)', '{MARK}']"
HEAD = "import os, sys, time, signal, subprocess, threading\nimport numpy as np\n"
DEF = "def dropout_forward(x, rate, training, rng):\n"
GOOD = (
    "    if not 0 <= rate < 1: raise ValueError('rate')\n"
    "    if not training or rate == 0: return x\n"
    "    return np.where(rng.random(x.shape) >= rate, x / (1 - rate), 0).astype(x.dtype)\n"
)


def at_call(body: str) -> str:
    return (
        HEAD + DEF + "".join("    " + line + "\n" for line in body.splitlines()) + "    return x\n"
    )


def at_import(body: str) -> str:
    return HEAD + body + "\n" + DEF + GOOD


def touches(path: Path) -> str:
    return f"open({str(path)!r}, 'w').write('pwned')"


CORPUS: dict[str, str] = {
    "loop at import": at_import("while True: pass"),
    "loop at call": at_call("while True: pass"),
    "memory bomb at import": at_import("hog = bytearray(10**10)"),
    "memory bomb at call": at_call("hog = []\nwhile True: hog.append(' ' * 10**7)"),
    "numpy memory bomb": at_call("hog = np.ones((10**6, 10**5))"),
    "fork bomb": at_call("while True:\n    try: os.fork()\n    except OSError: pass"),
    "fork daemon": at_call(f"if os.fork() == 0:\n    os.execv(sys.executable, {SLEEPER})"),
    "double-fork daemon": at_import(
        "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        f"        os.execv(sys.executable, {SLEEPER})\n    os._exit(0)"
    ),
    "write host tmp": at_import(touches(HOST_TMP / MARK)),
    "write home": at_import(touches(HOME / MARK) + "\n" + touches(Path("~").expanduser() / MARK)),
    "write the repository": at_call(touches(REPO / MARK)),
    "write root's home": at_call(touches(Path("/root") / MARK)),
    "subprocess": at_call(
        f"subprocess.run(['sh', '-c', 'touch {HOST_TMP / MARK}; sleep 30 # {MARK}'])"
    ),
    "os.system": at_import(f"os.system('touch {HOME / MARK}; sleep 30 # {MARK}')"),
    "subclasses escape": at_import(
        "P = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'Popen'][0]\n"
        f"P({SLEEPER})\nP(['sh', '-c', 'touch {REPO / MARK}'])"
    ),
    "ignored signals": at_call(
        "for s in (signal.SIGTERM, signal.SIGXCPU, signal.SIGINT, signal.SIGHUP):\n"
        "    signal.signal(s, signal.SIG_IGN)\nwhile True: pass"
    ),
    "deep recursion": at_call("sys.setrecursionlimit(10**7)\ndef f(n): return f(n + 1) + 1\nf(0)"),
    "ctypes segfault": at_import("import ctypes\nctypes.string_at(0)"),
    "huge output": at_import("print('x' * 10**8)\nsys.stderr.write('y' * 10**8)"),
    "output forever": at_call("while True: print('PASSED ' * 1000)"),
    "sleep forever": at_call("time.sleep(10**6)"),
    "spinning threads": at_call(
        "def spin():\n    while True: pass\n"
        "for _ in range(8): threading.Thread(target=spin).start()"
    ),
    "fake verdict on stdout": at_import(
        'print(\'{"passed": true, "checks": [], "error": null}\')\nprint("ALL CHECKS PASSED")'
    ).replace(GOOD, "    return x\n"),
    "sys.exit at import": at_import("sys.exit(0)"),
    "sys.exit at call": at_call("sys.exit(0)"),
    "os._exit at call": at_call("os._exit(0)"),
    "kill everything": at_call("os.kill(-1, signal.SIGKILL)"),
    "patched numpy checks": at_import(
        "np.array_equal = lambda *a, **k: True\nnp.allclose = lambda *a, **k: True\n"
        "np.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)\nnp.mean = lambda *a, **k: 0.3"
    ).replace(GOOD, "    return x\n"),
    "lying array subclass": HEAD
    + (
        "class Liar(np.ndarray):\n"
        "    def __eq__(self, other): return np.ones(self.shape, bool)\n"
        "    def __ne__(self, other): return np.zeros(self.shape, bool)\n"
        "    def __array_finalize__(self, obj): pass\n"
    )
    + DEF
    + "    return (x * 0 + 7).view(Liar)\n",
    "forged result records": at_import(
        "import json\nfor fd in range(3, 20):\n"
        "    head = json.dumps({'event': 'done'}).encode()\n"
        "    try: os.write(fd, len(head).to_bytes(4, 'big') + bytes(4) + head)\n"
        "    except OSError: pass\nos._exit(0)"
    ),
    "patched json": at_import('import json\njson.dumps = lambda *a, **k: \'{"event": "done"}\''),
    "network": at_import("import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=1)"),
    "read host secrets": at_import("print(open('/etc/shadow').read())"),
    "raise limits": at_import("import resource\nresource.setrlimit(resource.RLIMIT_CPU, (-1, -1))"),
    "fill the tmpfs": at_call("open('/tmp/big', 'wb').write(b'x' * 10**9)"),
    "multiprocessing spin": at_call(
        "import multiprocessing as mp\ndef spin(_):\n    while True: pass\n"
        "mp.Pool(4).map(spin, range(8))"
    ),
    "returns strings": HEAD + DEF + "    return ['a'] * len(x)\n",
    "syntax error": "def dropout_forward(x, rate, training, rng)\n    return x\n",
}


# A correct function whose side effect stays inside the sandbox may pass; every other case fails.
MAY_PASS = {"double-fork daemon", "write host tmp", "subclasses escape", "huge output"}


def grade_case(name: str) -> tuple[str, grading.Verdict, float]:
    start = time.monotonic()
    verdict = grading.grade(CORPUS[name])
    return name, verdict, time.monotonic() - start


@pytest.fixture(scope="module")
def verdicts() -> dict[str, tuple[grading.Verdict, float]]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(grade_case, CORPUS))
    return {name: (v, s) for name, v, s in done}


def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("name", list(CORPUS))
def test_contained_with_a_clear_verdict_in_time(verdicts, name):
    verdict, seconds = verdicts[name]
    assert name in MAY_PASS or not verdict.passed, name
    assert verdict.passed or verdict.error or any(not c.passed for c in verdict.checks)
    assert len(verdict.checks) == len(grading.CHECKS)
    # A hang never returns: the wall limit ends it, charged in running time (waits for a CPU
    # not counted), and the ceiling on the clock. The margin is starting and tearing down the
    # sandbox, which on two cores shared with other tests can take seconds.
    assert verdict.running_seconds < grading.LIMITS.wall_seconds + RUN_MARGIN, (name, verdict)
    assert seconds < grading.LIMITS.ceiling + BUSY_MARGIN, (name, seconds)
    assert len(verdict.output) <= 2 * grading.LIMITS.output_bytes


def test_nothing_was_written_outside(verdicts, backprop_verdicts, training_runs):
    for path in OUTSIDE:
        assert not path.exists(), path
        path.unlink(missing_ok=True)


def _marked_processes() -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if MARK.encode() in cmdline and int(pid) != os.getpid():
                found.append(f"{pid}: {cmdline!r}")
    return found


def test_nothing_is_left_running(verdicts, backprop_verdicts, training_runs):
    # The kernel tears a sandbox's namespaces down after its runner has answered: allow it.
    with contextlib.suppress(TimeoutError):
        wait.until(lambda: not _marked_processes(), timeout=30, what="the sandboxes' exit")
    assert _marked_processes() == []


def test_clear_messages_for_the_classic_cases(verdicts):
    def error(name: str) -> str:
        return verdicts[name][0].error or ""

    assert "infinite loop" in error("loop at call")
    assert "infinite loop" in error("loop at import")
    assert "did not finish" in error("sleep forever")
    assert "syntax error on line 1" in error("syntax error")
    assert "sys.exit" in error("sys.exit at import")
    assert "ended the process" in error("os._exit at call")
    assert "crashed" in error("ctypes segfault")
    assert "MemoryError" in error("memory bomb at import")
    # A fake verdict on stdout is only text; the lying subclass arrives as its numbers.
    fake = verdicts["fake verdict on stdout"][0]
    assert "ALL CHECKS PASSED" in fake.output and not fake.passed
    liar = {c.name: c.passed for c in verdicts["lying array subclass"][0].checks}
    assert not liar["inference_identity"] and not liar["rate_zero_identity"]
    patched = {c.name: c.passed for c in verdicts["patched numpy checks"][0].checks}
    assert not patched["drop_fraction"] and not patched["kept_scaled"]


def test_results_come_only_from_the_sandbox_and_the_reference_still_passes():
    verdict = grading.grade(grading._lab().solution)
    assert verdict.passed, verdict.to_json()
    assert verdict.mode == "bwrap"


def test_hosted_mode_refuses_without_isolation(monkeypatch):
    monkeypatch.setattr(sandbox_mode, "probe", lambda: (None, "bubblewrap is not installed"))
    with pytest.raises(
        sandbox_mode.SandboxUnavailable, match=r"hosted.*bubblewrap is not installed"
    ):
        sandbox_mode.choose_mode(hosted_mode=True, allow_unsandboxed=True)
    with pytest.raises(sandbox_mode.SandboxUnavailable, match="DROPOUT_LAB_UNSANDBOXED=1"):
        sandbox_mode.choose_mode(hosted_mode=False, allow_unsandboxed=False)
    assert sandbox_mode.choose_mode(hosted_mode=False, allow_unsandboxed=True) == "unsandboxed"
    monkeypatch.setenv("DROPOUT_LAB_HOSTED", "1")
    verdict = grading.grade(grading._lab().solution)
    assert not verdict.passed and "hosted" in verdict.error
    assert all(c.message == "Not checked." for c in verdict.checks)


def test_unsandboxed_mode_still_grades_in_a_separate_limited_process():
    verdict = grading.grade(grading._lab().solution, mode="unsandboxed")
    assert verdict.passed and verdict.mode == "unsandboxed"
    assert "WITHOUT a sandbox" in verdict.notes[0]
    loop = grading.grade(CORPUS["loop at call"], mode="unsandboxed")
    assert not loop.passed and loop.error


def test_the_sandbox_has_no_network_and_a_read_only_system():
    probe = at_import(
        "import socket\nprint(sorted(n for _, n in socket.if_nameindex()))\n"
        "print(os.access('/usr', os.W_OK), os.getuid(), sys.executable)"
    )
    verdict = grading.grade(probe)
    assert verdict.passed, verdict.to_json()
    assert "['lo']" in verdict.output and "False" in verdict.output
    assert sys.executable in verdict.output


# --------------------------------------------------------------------------- the backprop lab

BP_FORWARD = (
    "def dropout_forward(x, rate, training, rng):\n"
    "    if not 0 <= rate < 1: raise ValueError('rate')\n"
    "    if not training or rate == 0: return x, None\n"
    "    mask = (rng.random(x.shape) >= rate).astype(x.dtype) / (1 - rate)\n"
    "    return x * mask, mask\n"
)
BP_BACKWARD = "def dropout_backward(dout, cache):\n"
BP_GOOD = "    return dout if cache is None else dout * cache\n"
LIAR = (
    "class Liar(np.ndarray):\n"
    "    def __eq__(self, other): return np.ones(self.shape, bool)\n"
    "    def __ne__(self, other): return np.zeros(self.shape, bool)\n"
    "    def __array_finalize__(self, obj): pass\n"
)


def in_backward(body: str, tail: str = "    return dout\n") -> str:
    lines = "".join("    " + line + "\n" for line in body.splitlines())
    return HEAD + BP_FORWARD + BP_BACKWARD + lines + tail


BACKPROP_CORPUS: dict[str, str] = {
    "loop in backward": in_backward("while True: pass"),
    "loop in forward": HEAD
    + BP_FORWARD.replace("    if not 0", "    while True: pass\n    if not 0")
    + BP_BACKWARD + BP_GOOD,
    "memory bomb in backward": in_backward("hog = []\nwhile True: hog.append(' ' * 10**7)"),
    "numpy memory bomb in backward": in_backward("hog = np.ones((10**6, 10**5))"),
    "huge dx": in_backward("return np.zeros(10**8)"),
    "fork bomb in backward": in_backward(
        "while True:\n    try: os.fork()\n    except OSError: pass"
    ),
    "fork daemon in backward": in_backward(
        f"if os.fork() == 0:\n    os.execv(sys.executable, {SLEEPER})"
    ),
    "subprocess in backward": in_backward(
        f"subprocess.run(['sh', '-c', 'touch {HOST_TMP / MARK}; sleep 30 # {MARK}'])"
    ),
    "write the repository in backward": in_backward(touches(REPO / MARK)),
    "sleep forever in backward": in_backward("time.sleep(10**6)"),
    "ignored signals in backward": in_backward(
        "for s in (signal.SIGTERM, signal.SIGXCPU, signal.SIGINT, signal.SIGHUP):\n"
        "    signal.signal(s, signal.SIG_IGN)\nwhile True: pass"
    ),
    "sys.exit in backward": in_backward("sys.exit(0)"),
    "os._exit in backward": in_backward("os._exit(0)"),
    "kill everything in backward": in_backward("os.kill(-1, signal.SIGKILL)"),
    "lying array from backward": HEAD + LIAR + BP_FORWARD + BP_BACKWARD
    + "    return (dout * 0 + 7).view(Liar)\n",
    "lying pair from forward": HEAD + (
        "class Pair(tuple):\n"
        "    def __len__(self): return 2\n"
        "    def __getitem__(self, i): return np.ones(3) if i == 0 else None\n"
        "def dropout_forward(x, rate, training, rng):\n"
        "    return Pair((x, None))\n"
    ) + BP_BACKWARD + "    return dout\n",
    "backward returns strings": in_backward("return ['a'] * len(dout)"),
    "backward returns the cache": in_backward("return cache"),
    "patched numpy in backward": in_backward(
        "np.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n"
        "np.count_nonzero = lambda *a, **k: 0", tail="    return dout * 0\n"
    ),
    "forged records from backward": in_backward(
        "import json\nfor fd in range(3, 20):\n"
        "    head = json.dumps({'event': 'done'}).encode()\n"
        "    try: os.write(fd, len(head).to_bytes(4, 'big') + bytes(4) + head)\n"
        "    except OSError: pass\nos._exit(0)"
    ),
    "no backward at all": HEAD + BP_FORWARD,
}  # fmt: skip


@pytest.fixture(scope="module")
def backprop_verdicts() -> dict[str, tuple[grading.Verdict, float]]:
    def one(name: str) -> tuple[str, grading.Verdict, float]:
        start = time.monotonic()
        verdict = grading.grade(BACKPROP_CORPUS[name], lab="numpy_backprop")
        return name, verdict, time.monotonic() - start

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(one, BACKPROP_CORPUS))
    return {name: (v, s) for name, v, s in done}


def test_the_backprop_corpus_is_big_enough():
    assert len(BACKPROP_CORPUS) >= 20


@pytest.mark.parametrize("name", list(BACKPROP_CORPUS))
def test_backprop_contained_with_a_clear_verdict_in_time(backprop_verdicts, name):
    verdict, seconds = backprop_verdicts[name]
    assert not verdict.passed, name
    assert verdict.error or any(not c.passed for c in verdict.checks)
    assert len(verdict.checks) == len(grading._lab("numpy_backprop").goals)
    # A hang never returns: the wall limit ends it, charged in running time (waits for a CPU
    # not counted), and the ceiling on the clock. The margin is starting and tearing down the
    # sandbox, which on two cores shared with other tests can take seconds.
    assert verdict.running_seconds < grading.LIMITS.wall_seconds + RUN_MARGIN, (name, verdict)
    assert seconds < grading.LIMITS.ceiling + BUSY_MARGIN, (name, seconds)
    assert len(verdict.output) <= 2 * grading.LIMITS.output_bytes


def test_backprop_clear_messages(backprop_verdicts):
    def error(name: str) -> str:
        return backprop_verdicts[name][0].error or ""

    def checks(name: str) -> dict[str, grading.CheckResult]:
        return {c.name: c for c in backprop_verdicts[name][0].checks}

    assert "infinite loop" in error("loop in backward")
    assert "infinite loop" in error("loop in forward")
    assert "did not finish" in error("sleep forever in backward")
    assert "ended the process" in error("os._exit in backward")
    assert "no function named `dropout_backward`" in error("no backward at all")
    # The memory bomb is stopped by the memory limit; on a busy machine the wall or CPU limit
    # may stop it first, and then the gradient check was never reached: its message says so,
    # and the verdict says which limit stopped the code.
    bomb = backprop_verdicts["memory bomb in backward"][0]
    gradient = checks("memory bomb in backward")["gradient_check"].message
    why = [bomb.error or "", *(c.message for c in bomb.checks)]
    limit = ("MemoryError", "did not finish in time", "s of CPU time")
    assert "MemoryError" in gradient or (
        "did not get this far" in gradient and any(w in m for m in why for w in limit)
    ), (gradient, why)
    # The lying array arrives as its numbers (all 7s): the properties see through it.
    liar = checks("lying array from backward")
    assert not liar["mask_reused"].passed and not liar["backward_inference"].passed
    assert not liar["gradient_check"].passed
    pair = checks("lying pair from forward")
    assert not pair["shape_dtype"].passed
    patched = checks("patched numpy in backward")
    assert not patched["backward_scale"].passed and not patched["gradient_check"].passed
    assert "not a numeric array" in checks("backward returns strings")["dx_shape_dtype"].message


# --------------------------------------------------------------------------- the training job

# Each case passes the grading's shapes untouched and turns hostile only on the network's
# batches (32 rows), so that the training job meets it, under the job's own limits.
ON_BATCH = "if dout.shape[0] == 32:\n"


def while_training(body: str) -> str:
    return in_backward(ON_BATCH + "".join("    " + line + "\n" for line in body.splitlines()),
                       tail=BP_GOOD)  # fmt: skip


TRAINING_CORPUS: dict[str, tuple[str, str | tuple[str, ...]]] = {
    # name: (code, words the learner's message must hold, or one of them; "" when training may
    # finish)
    "loop while training": (while_training("while True: pass"), "infinite loop"),
    "memory bomb while training": (
        while_training("hog = []\nwhile True: hog.append(' ' * 10**7)"),
        ("MemoryError", "infinite loop")),  # a very busy machine may reach the wall limit first
    "fork bomb while training": (
        while_training("while True:\n    try: os.fork()\n    except OSError: pass"), "stopped"),
    "daemon while training": (
        while_training(f"if os.fork() == 0:\n    os.execv(sys.executable, {SLEEPER})"), ""),
    "write outside while training": (
        while_training(touches(INSTALLATION / MARK)),
        ("Read-only file", "did not finish in time")),  # the wall limit, on a very busy machine
    "garbage records while training": (
        # every descriptor a process may hold: the result pipe's number is whatever the parent
        # had free, which in a long test session is well past the first few
        while_training("for fd in range(3, 1024):\n    try: os.write(fd, b'\\xff' * 64)\n"
                       "    except OSError: pass"),
        ("unreadable", "did not finish in time")),  # the wall limit, on a very busy machine
    "lying arrays while training": (
        HEAD + LIAR + BP_FORWARD + BP_BACKWARD
        + "    dx = dout if cache is None else dout * cache\n    return dx.view(Liar)\n", ""),
    "NaN hidden from isfinite": (
        HEAD + "class Sly(np.ndarray):\n"
        "    def __array_ufunc__(self, ufunc, method, *args, **kw):\n"
        "        if ufunc is np.isfinite: return np.ones(self.shape, bool)\n"
        "        plain = [np.asarray(a) for a in args]\n"
        "        return super().__array_ufunc__(ufunc, method, *plain, **kw)\n"
        + BP_FORWARD + BP_BACKWARD + "    if cache is None: return dout\n"
        "    return (dout * cache * np.nan).view(Sly) if dout.shape[0] == 32 else dout * cache\n",
        "NaN"),
}  # fmt: skip


@pytest.fixture(scope="module")
def training_runs() -> dict[str, tuple[net_run.NetSnapshot, float]]:
    def one(name: str) -> tuple[str, net_run.NetSnapshot, float]:
        start = time.monotonic()
        config = dataclasses.replace(net_run.lab_config(), wall_budget_seconds=HOSTILE_WALL - 3)
        limits = dataclasses.replace(net_run.TRAIN_LIMITS, wall_seconds=HOSTILE_WALL)
        snap = net_run.NetRun(TRAINING_CORPUS[name][0], config, limits=limits).run()
        return name, snap, time.monotonic() - start

    # The fork bomb fills the machine with processes until its wall limit: it runs alone, so
    # that the case beside it is not starved into its own wall limit.
    alone = ["fork bomb while training"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(one, [name for name in TRAINING_CORPUS if name not in alone]))
    done += [one(name) for name in alone]
    return {name: (snap, seconds) for name, snap, seconds in done}


@pytest.mark.parametrize("name", list(TRAINING_CORPUS))
def test_training_contained_with_a_clear_message_in_time(training_runs, name):
    snap, seconds = training_runs[name]
    words = TRAINING_CORPUS[name][1]
    limits = dataclasses.replace(net_run.TRAIN_LIMITS, wall_seconds=HOSTILE_WALL)
    assert snap.running_seconds < HOSTILE_WALL + RUN_MARGIN, (name, snap.running_seconds)
    assert snap.seconds < limits.ceiling + 2.0, (name, snap.seconds)  # the sandbox's clock
    assert seconds < limits.ceiling + BUSY_MARGIN, (name, seconds)  # plus starting it, busy
    assert "Traceback" not in snap.error
    if words:
        options = (words,) if isinstance(words, str) else words
        assert snap.state == "failed" and any(w in snap.error for w in options), (name, snap.error)
    else:
        assert snap.state in ("done", "failed"), name
    for history in snap.histories.values():  # whatever came back is plain numbers
        assert all(np.isfinite(v) for values in history.values() for v in values)
