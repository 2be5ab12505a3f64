"""Running the learner's functions in the sandbox, and reading what comes back as plain data.

The grader decides the inputs (`Call`s), sends them as `.npy` files with a JSON request, and
parses the result pipe's records itself (`allow_pickle=False`, plain numeric arrays only). The
sandboxed side (`sandbox_runner.py`) only calls functions and sends bytes.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from dropout_lab.grading import sandbox

LIMITS = sandbox.Limits()
MAX_META_BYTES = 65_536


@dataclass(frozen=True)
class Call:
    """One call the grader makes (see `sandbox_runner` for the kinds)."""

    id: str
    x: np.ndarray
    rate: float
    training: bool
    seed: int
    global_seed: int
    kind: str = "forward"  # forward | pair | backward | numgrad
    dout: np.ndarray | None = None  # backward: the upstream gradient
    h: float = 0.0  # numgrad: the step of the centred differences


@dataclass
class Outcome:
    """What came back from the sandbox, parsed: per call (and part), its meta and its array.

    `records` is keyed by the call id for a single result (or a call that failed), and by
    "id:part" for the parts of a backward or numgrad call."""

    run: sandbox.SandboxRun | None
    loaded: bool = False
    load_error: dict | None = None
    done: bool = False
    records: dict[str, tuple[dict, np.ndarray | None]] = field(default_factory=dict)
    protocol_error: str = ""

    def add(self, meta: dict, array: np.ndarray | None) -> None:
        """Take one record in (the first record of a key wins)."""
        event = meta.get("event")
        if event == "loaded":
            self.loaded = True
        elif event == "load_error" and self.load_error is None and not self.loaded:
            self.load_error = meta
        elif event == "done":
            self.done = True
        elif event == "call" and isinstance(meta.get("id"), str):
            part = meta.get("part")
            key = f"{meta['id']}:{part}" if isinstance(part, str) and part else meta["id"]
            self.records.setdefault(key, (meta, array))


def npy(x: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.ascontiguousarray(x), allow_pickle=False)
    return buf.getvalue()


def request_of(calls: list[Call], functions: tuple[str, ...]) -> tuple[dict, dict[str, np.ndarray]]:
    """The request the sandbox runner answers, and its input arrays by file name (the tests
    answer it in-process too)."""
    request: dict = {"functions": list(functions), "calls": []}
    arrays: dict[str, np.ndarray] = {}
    for call in calls:
        entry = {
            "id": call.id, "kind": call.kind, "x": f"x_{call.id}.npy", "rate": call.rate,
            "training": call.training, "seed": call.seed, "global_seed": call.global_seed,
        }  # fmt: skip
        arrays[entry["x"]] = call.x
        if call.dout is not None:
            entry["dout"] = f"dout_{call.id}.npy"
            arrays[entry["dout"]] = call.dout
        if call.kind == "numgrad":
            entry["h"] = call.h
        request["calls"].append(entry)
    return request, arrays


def request_files(code: str, calls: list[Call], functions: tuple[str, ...]) -> dict[str, bytes]:
    """The job folder's files: the submission, the request and its inputs as `.npy`."""
    request, arrays = request_of(calls, functions)
    files = {"submission.py": code.encode("utf-8", "replace")}
    files |= {name: npy(array) for name, array in arrays.items()}
    files["request.json"] = json.dumps(request).encode()
    return files


def run_calls(
    code: str,
    calls: list[Call],
    *,
    functions: tuple[str, ...] = ("dropout_forward",),
    limits: sandbox.Limits = LIMITS,
    mode: str | None = None,
) -> Outcome:
    files = request_files(code, calls, functions)
    run = sandbox.run(files, ["submission.py", "request.json"], limits=limits, mode=mode)
    return parse_records(run)


class RecordReader:
    """Parses the result pipe's records as they arrive, chunk by chunk.

    `feed` returns the complete records so far; after a malformed record `error` says why and
    nothing more is read (the stream is the submission's to corrupt, not ours to trust)."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.error = ""

    def feed(self, chunk: bytes) -> list[tuple[dict, np.ndarray | None]]:
        if self.error:
            return []
        self.buffer += chunk
        out = []
        while len(self.buffer) >= 8:
            n_meta = int.from_bytes(self.buffer[0:4], "big")
            n_blob = int.from_bytes(self.buffer[4:8], "big")
            if n_meta > MAX_META_BYTES:
                self.error = "a record longer than the data"
                return out
            if len(self.buffer) < 8 + n_meta + n_blob:
                break
            raw_meta = bytes(self.buffer[8 : 8 + n_meta])
            blob = bytes(self.buffer[8 + n_meta : 8 + n_meta + n_blob])
            del self.buffer[: 8 + n_meta + n_blob]
            try:
                out.append(_record(raw_meta, blob))
            except Exception as exc:
                self.error = str(exc)
                return out
        return out

    def finish(self) -> None:
        """The stream ended: a partial record left over is an error."""
        if self.buffer and not self.error:
            self.error = "a cut record" if len(self.buffer) < 8 else "a record longer than the data"


def _record(raw_meta: bytes, blob: bytes) -> tuple[dict, np.ndarray | None]:
    meta = json.loads(raw_meta)
    if not isinstance(meta, dict):
        raise ValueError("a record that is not an object")
    return meta, (read_npy(blob) if blob else None)


_NPY_HEADER = re.compile(
    r"\{'descr': '([<>|][biuf]\d{1,2})', 'fortran_order': (True|False), "
    r"'shape': \(((?:\d{1,10}, )*\d{1,10},?)?\), \} *\n"
)


def read_npy(blob: bytes) -> np.ndarray:
    """A `.npy` array of plain numbers, parsed strictly and without `ast`.

    NumPy's own reader evaluates the header with `ast.literal_eval`; CPython 3.11's AST
    conversion is not thread-safe ("AST constructor recursion depth mismatch"), and these bytes
    are read in training threads and sessions beside Streamlit compiling scripts. The header
    our runner writes is one fixed shape; anything else is refused."""
    if blob[:6] != b"\x93NUMPY" or len(blob) < 10:
        raise ValueError("an array that is not .npy")
    size, start = (int.from_bytes(blob[8:10], "little"), 10) if blob[6] == 1 else (
        int.from_bytes(blob[8:12], "little"), 12)  # fmt: skip
    match = _NPY_HEADER.fullmatch(blob[start : start + size].decode("latin-1"))
    if blob[6] not in (1, 2, 3) or match is None:
        raise ValueError("an array that is not plain numbers")
    dtype = np.dtype(match[1])
    shape = tuple(int(n) for n in (match[3] or "").replace(",", " ").split())
    data = blob[start + size :]
    if len(data) != dtype.itemsize * math.prod(shape):  # exact: no overflow
        raise ValueError("an array whose size does not match its shape")
    order = "F" if match[2] == "True" else "C"
    return np.frombuffer(data, dtype=dtype).reshape(shape, order=order).copy(order="C")


def parse_records(
    run: sandbox.SandboxRun, *, stop: Callable[[Outcome], bool] = lambda o: o.done
) -> Outcome:
    out = Outcome(run=run)
    reader = RecordReader()
    for meta, array in reader.feed(run.result):
        out.add(meta, array)
        if stop(out):
            return out
    reader.finish()
    if reader.error:
        out.protocol_error = f"unreadable results ({reader.error})"
    return out
