"""What the `dropout-lab` command shows: no library chatter on normal commands (TensorFlow's,
absl's, oneDNN's), progress bars for long commands, and every error as one line that says what
to do. No Streamlit, no TensorFlow."""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import warnings
from typing import TextIO

# TensorFlow prints these on import, through absl's C++ logging, before any Python setting can
# reach it (TF_CPP_MIN_LOG_LEVEL does not stop the pre-init lines); they mean nothing to a
# learner. Info and warning lines only: an error or fatal line still shows.
NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IW]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] "
    r"|To enable the following instructions: .*rebuild TensorFlow with the appropriate compiler)"
)


class NativeStderrFilter:
    """Drop NOISE lines written to file descriptor 2 by this process and its children (the
    C++ libraries and the training workers write there directly); pass every other line on."""

    def __init__(self) -> None:
        self._saved = -1
        self._thread: threading.Thread | None = None

    def __enter__(self) -> NativeStderrFilter:
        sys.stderr.flush()
        self._saved = os.dup(2)
        read_end, write_end = os.pipe()
        os.dup2(write_end, 2)
        os.close(write_end)
        self._thread = threading.Thread(target=self._pump, args=(read_end,), daemon=True)
        self._thread.start()
        return self

    def _pump(self, fd: int) -> None:
        pending = b""
        with os.fdopen(fd, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                *lines, pending = (pending + chunk).split(b"\n")
                self._emit(lines)
        self._emit([pending] if pending else [])

    def _emit(self, lines: list[bytes]) -> None:
        kept = [x for x in lines if not NOISE.match(x.decode("utf-8", "replace"))]
        if kept:
            os.write(self._saved, b"\n".join(kept) + b"\n")

    def __exit__(self, *exc: object) -> None:
        sys.stderr.flush()
        os.dup2(self._saved, 2)  # closes this process's last write end of the pipe
        if self._thread is not None:
            self._thread.join(timeout=5)  # children still holding the pipe: give up on them
        os.close(self._saved)


def quiet(verbose: bool) -> None:
    """Before TensorFlow is imported: its C++ log level, Python warnings and absl logging.
    Worker processes inherit the environment variables."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0" if verbose else "3"
    if verbose:
        return
    os.environ["PYTHONWARNINGS"] = "ignore"  # Keras' and TensorFlow's, in workers too
    warnings.simplefilter("ignore")
    for name in ("absl", "tensorflow", "keras", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)


class Bar:
    """A progress bar: redrawn in place on a terminal, one line per step on a pipe or a log."""

    def __init__(self, stream: TextIO, unit: str, width: int = 30) -> None:
        self.stream, self.unit, self.width = stream, unit, width
        self.tty = stream.isatty()
        self._last = ""

    def show(self, done: int, total: int, busy: str = "") -> None:
        filled = round(self.width * done / max(total, 1))
        head = f"[{'#' * filled:<{self.width}}] {done}/{total} {self.unit}"
        if self.tty:
            line = head + (f"  {busy}" if busy else "")
            print("\r" + line[:150].ljust(150), end="", file=self.stream, flush=True)
        elif head != self._last:
            print(head + (f"  {busy}" if busy else ""), file=self.stream, flush=True)
        self._last = head

    def close(self) -> None:
        if self.tty and self._last:
            print(file=self.stream, flush=True)


class CommandError(Exception):
    """A one-line message for the user (what went wrong and what to do), and an exit status."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def db_name(url: str) -> str:
    try:
        import sqlalchemy as sa

        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the database URL"


def _kind(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def explain(exc: BaseException) -> str:
    """One line for an error a command did not expect: what happened and what to do."""
    kinds = _kind(exc)
    if "LabError" in kinds:
        return f"{exc} The labs are part of the package: reinstall Dropout Lab."
    if "LessonConfigError" in kinds:
        return f"{exc} (fix the lesson file, or unset DROPOUT_LAB_LESSON)"
    if "ArgumentError" in kinds and "SQLAlchemyError" in kinds:  # the URL does not parse
        return (
            "DROPOUT_LAB_DATABASE_URL is not a database URL (write it like "
            "postgresql+psycopg://user:password@host:5432/dropout_lab, or unset it for SQLite)"
        )
    if "SQLAlchemyError" in kinds:
        url = os.environ.get("DROPOUT_LAB_DATABASE_URL", "").strip()
        why = " ".join(str(getattr(exc, "orig", None) or exc).split("\n")[0].split())
        if not url:  # the default SQLite file in the data directory
            return (
                f"cannot open the database in the data directory: {why} (DROPOUT_LAB_DATA_DIR "
                "must be a folder this user can write; `dropout-lab doctor` checks it)"
            )
        return (
            f"cannot use the database {db_name(url)}: {why} (is the database server running? "
            "check DROPOUT_LAB_DATABASE_URL; `dropout-lab doctor` checks it)"
        )
    if isinstance(exc, OSError) and exc.filename:
        return (
            f"cannot use {exc.filename}: {exc.strerror} (DROPOUT_LAB_DATA_DIR must be a folder "
            "this user can write; `dropout-lab doctor` checks it)"
        )
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{text} (run the command again with --verbose for the details)"
