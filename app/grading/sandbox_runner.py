"""Runs INSIDE the sandbox: load the learner's submission, call it on the given inputs, and
stream back plain records. It never decides anything: the grader checks the bytes it sends.

argv: JOB_DIR RESULT_FD CPU_SECONDS MEMORY_BYTES PROCESSES FILE_BYTES SUBMISSION REQUEST

Each record on RESULT_FD: 4-byte meta length, 4-byte array length (big-endian), the meta as
JSON, then the array in `.npy` format (no pickles) or nothing.

A request names the functions to load and either lists calls (grading) or asks for the
training job (`"job": "train"`: our `numpy_net.py`, copied beside this file, trains a network
with the learner's functions and streams its predictions). A call's `kind`:
  forward   f(x, rate, training, rng) -> array; the array is sent
  pair      f(...) -> (out, cache); `out` is sent
  backward  (out, cache) = f(...); dx = backward(dout, cache); parts "out" and "dx" are sent
  numgrad   f(x ± h e_i, ...)[0] for every element i, each with a generator made from the same
            seed (so the same mask): one part "fd" of shape (2, x.size, *x.shape)
Standard library and NumPy only; this file is copied into the sandbox's read-only job folder.
"""

import importlib.util
import json
import os
import resource
import sys
import traceback

FUNCTIONS = ("dropout_forward", "dropout_backward")


def limit(cpu: int, memory: int, processes: int, file_bytes: int) -> None:
    for which, value in (
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_AS, (memory, memory)),
        (resource.RLIMIT_NPROC, (processes, processes)),
        (resource.RLIMIT_FSIZE, (file_bytes, file_bytes)),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_NOFILE, (64, 64)),
    ):
        try:
            resource.setrlimit(which, value)
        except (ValueError, OSError):
            if which in (resource.RLIMIT_CPU, resource.RLIMIT_AS):
                raise


def describe(exc: BaseException) -> dict:
    tb = traceback.extract_tb(exc.__traceback__)
    lines = [frame.lineno for frame in tb if frame.filename == "submission.py"]
    return {
        "error": type(exc).__name__,
        "message": str(exc)[:300],
        "value_error": isinstance(exc, ValueError),
        "line": lines[-1] if lines else getattr(exc, "lineno", None),
    }


class Failed(Exception):
    """A call gave no usable result; `info` goes into its record."""

    def __init__(self, info: dict) -> None:
        super().__init__(info.get("error", ""))
        self.info = info


def plain(result, name: str):
    """`result` as a plain, contiguous numeric ndarray (a subclass arrives as its numbers)."""
    import numpy as np

    try:
        array = np.asarray(result)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"an array of dtype {array.dtype}")
        return np.ascontiguousarray(array).view(np.ndarray)
    except BaseException as exc:
        raise Failed({"error": "BadResult", "message": str(exc)[:200], "returned": True,
                      "function": name, "type": type(result).__name__}) from None  # fmt: skip


def invoke(func, name: str, *args):
    try:
        return func(*args)
    except BaseException as exc:
        raise Failed({**describe(exc), "function": name}) from None


def out_of_pair(result, name: str = "dropout_forward"):
    if not isinstance(result, tuple) or len(result) != 2:
        raise Failed({"error": "BadResult", "returned": True, "function": name, "pair": True,
                      "type": type(result).__name__, "message": "not (out, cache)"})  # fmt: skip
    return result[0], result[1]


def one_call(funcs: dict, call: dict, inputs: dict, meta: dict) -> list:
    """The parts (name, array) of one call of kind forward, pair or backward."""
    import numpy as np

    kind = call.get("kind", "forward")
    np.random.seed(call["global_seed"])
    rng = np.random.default_rng(call["seed"])
    before = json.dumps(rng.bit_generator.state, default=str)
    x = inputs[call["x"]].copy()
    result = invoke(funcs["dropout_forward"], "dropout_forward",
                    x, call["rate"], call["training"], rng)  # fmt: skip
    meta["used_rng"] = json.dumps(rng.bit_generator.state, default=str) != before
    meta["type"] = type(result).__name__
    if kind == "forward":
        return [("", plain(result, "dropout_forward"))]
    out, cache = out_of_pair(result)
    out = plain(out, "dropout_forward")
    if kind == "pair":
        return [("", out)]
    dout = inputs[call["dout"]].copy()
    dx = invoke(funcs["dropout_backward"], "dropout_backward", dout, cache)
    return [("out", out), ("dx", plain(dx, "dropout_backward"))]


def numgrad(funcs: dict, call: dict, inputs: dict) -> list:
    """The forward pass at x ± h e_i for every i, with the same seed (the same mask)."""
    import numpy as np

    x, h = inputs[call["x"]], float(call["h"])
    outs = np.zeros((2, x.size, *x.shape), np.float64)
    for i in range(x.size):
        for j, sign in enumerate((1.0, -1.0)):
            moved = x.copy()
            moved.flat[i] += sign * h
            np.random.seed(call["global_seed"])
            rng = np.random.default_rng(call["seed"])
            result = invoke(funcs["dropout_forward"], "dropout_forward",
                            moved, call["rate"], True, rng)  # fmt: skip
            out = plain(out_of_pair(result)[0], "dropout_forward")
            if out.shape != x.shape:
                raise Failed({"error": "BadResult", "returned": True, "type": "ndarray",
                              "function": "dropout_forward", "shape": list(out.shape)})  # fmt: skip
            outs[j, i] = out
    return [("fd", outs)]


def answer(request: dict, inputs: dict, funcs: dict, send) -> None:
    """Send one record per part of every call (or one error record for a call that failed).
    The tests call this in-process too, with the reference solution, to grade it many times."""
    for call in request["calls"]:
        meta = {"event": "call", "id": call["id"]}
        try:
            if call.get("kind") == "numgrad":
                parts = numgrad(funcs, call, inputs)
            else:
                parts = one_call(funcs, call, inputs, meta)
        except Failed as failed:
            meta.update(failed.info)
            send(meta)
            continue
        for part, array in parts:
            send({**meta, "part": part} if part else meta, array)


def ours(job: str, name: str):
    """Our module `name`.py, copied into the job folder beside this file."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(job, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train_job(job: str, request: dict, funcs: dict, net, send, wall) -> None:
    import numpy as np

    data = {}
    for key, name in request["data"].items():
        with open(os.path.join(job, name), "rb") as f:
            data[key] = np.lib.format.read_array(f, allow_pickle=False)
    try:
        net.train(funcs["dropout_forward"], funcs["dropout_backward"], data, request["config"],
                  send, wall=wall)  # fmt: skip
    except net.Stop as stop:
        send({"event": "train_error", **stop.info})


def read_inputs(job: str, request: dict) -> dict:
    import numpy as np

    inputs = {}
    for call in request.get("calls", []):
        for key in ("x", "dout"):
            if key in call and call[key] not in inputs:
                with open(os.path.join(job, call[key]), "rb") as f:
                    inputs[call[key]] = np.lib.format.read_array(f, allow_pickle=False)
    return inputs


def load(source: str, names: list, send) -> dict | None:
    """Run the submission's source; its functions by name, or None after a load_error record."""
    namespace = {"__name__": "submission", "__builtins__": __builtins__}
    try:
        exec(compile(source, "submission.py", "exec"), namespace)
    except BaseException as exc:
        send({"event": "load_error", **describe(exc)})
        return None
    funcs = {}
    for name in names:
        if not callable(namespace.get(name)):
            send({"event": "load_error", "error": "missing", "name": name, "message": "",
                  "line": None})  # fmt: skip
            return None
        funcs[name] = namespace[name]
    return funcs


def main(argv: list[str]) -> int:
    job, fd = argv[0], int(argv[1])
    cpu, memory, processes, file_bytes = (int(a) for a in argv[2:6])
    submission, request_name = argv[6], argv[7]
    limit(cpu, memory, processes, file_bytes)

    import io

    import numpy as np

    write, to_bytes = os.write, int.to_bytes  # kept before the submission can patch them

    def send(meta: dict, array=None) -> None:
        blob = b""
        if array is not None:
            buf = io.BytesIO()
            np.lib.format.write_array(buf, array, allow_pickle=False)
            blob = buf.getvalue()
        head = json.dumps(meta).encode()
        data = to_bytes(len(head), 4, "big") + to_bytes(len(blob), 4, "big") + head + blob
        while data:
            data = data[write(fd, data) :]

    with open(os.path.join(job, request_name), encoding="utf-8") as f:
        request = json.load(f)
    inputs = read_inputs(job, request)
    net = wall = None
    if request.get("job") == "train":  # our network code and clock, loaded before the submission
        net = ours(job, "numpy_net")
        wall = ours(job, "run_clock").running_clock()  # this thread's, without its CPU waits
    with open(os.path.join(job, submission), encoding="utf-8", errors="replace") as f:
        funcs = load(f.read(), request.get("functions", FUNCTIONS[:1]), send)
    if funcs is None:
        return 0
    send({"event": "loaded"})
    if net is not None:
        train_job(job, request, funcs, net, send, wall)
    else:
        answer(request, inputs, funcs, send)
    send({"event": "done"})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
