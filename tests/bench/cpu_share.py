"""Where a command's CPU goes, by kind of process: `python -m tests.bench.cpu_share -- CMD ...`.

Runs CMD and samples every process's CPU time (utime + stime, /proc/<pid>/stat) twice a second
until CMD ends, then prints CPU seconds per kind: the app server, its training workers,
Chromium, the Playwright driver, pytest, the sandbox, PostgreSQL. A process that lives less
than half a second may be missed; the total is of every process on the machine, so run it on a
quiet one. Linux only. Used for the suite's cost (issue 21): e.g. the server's share of a
browser journey before and after `boot.keep_keras_state`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter

TICK = os.sysconf("SC_CLK_TCK")
KINDS = (  # first match wins: (kind, words in the command line)
    ("app server", ("dropout_lab.boot",)),
    ("training worker", ("multiprocessing", "dropout-lab worker", "dropout_lab.cli worker")),
    ("chromium", ("chrom",)),
    ("playwright driver", ("playwright/driver",)),
    ("sandbox", ("bwrap", "runner.py")),
    ("postgresql", ("postgres",)),
    ("pytest", ("pytest",)),
    ("other python", ("python",)),
)


def kind_of(command: str) -> str:
    for kind, words in KINDS:
        if any(w in command for w in words):
            return kind
    return "other"


def snapshot(names: dict[tuple[str, str], str]) -> dict[tuple[str, str], float]:
    """CPU seconds of every process now, keyed by (pid, start time); names kinds on first sight."""
    out = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            key = (pid, fields[19])
            if key not in names:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    names[key] = kind_of(f.read().replace(b"\0", b" ").decode(errors="replace"))
            out[key] = (int(fields[11]) + int(fields[12])) / TICK
        except (OSError, IndexError, ValueError):
            continue
    return out


def measure(command: list[str]) -> tuple[int, float, Counter, Counter]:
    """Run `command`; (its exit code, wall seconds, CPU seconds by kind, processes started by
    kind: seen in a sample, so those that lived less than half a second are not all counted)."""
    names: dict[tuple[str, str], str] = {}
    first = snapshot(names)
    last = dict(first)
    start = time.monotonic()
    proc = subprocess.Popen(command)
    while True:
        try:
            proc.wait(timeout=0.5)  # a sample every half second until the command ends
            break
        except subprocess.TimeoutExpired:
            last.update(snapshot(names))
    last.update(snapshot(names))
    by_kind: Counter = Counter()
    for key, seconds in last.items():
        by_kind[names[key]] += seconds - first.get(key, 0.0)
    started = Counter(names[key] for key in last if key not in first)
    return proc.returncode, time.monotonic() - start, by_kind, started


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not command:
        print(__doc__)
        return 2
    code, wall, by_kind, started = measure(command)
    print(f"\nwall {wall:.1f} s; CPU seconds by kind of process (and processes started):")
    for kind, seconds in by_kind.most_common():
        print(f"{seconds:8.1f}  {kind} ({started[kind]})")
    print(f"{sum(by_kind.values()):8.1f}  total")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
