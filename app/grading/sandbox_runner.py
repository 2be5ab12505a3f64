"""Runs INSIDE the sandbox: load the learner's submission, call it on the given inputs, and
stream back plain records. It never decides anything: the grader checks the bytes it sends.

argv: JOB_DIR RESULT_FD CPU_SECONDS MEMORY_BYTES PROCESSES FILE_BYTES SUBMISSION REQUEST

Each record on RESULT_FD: 4-byte meta length, 4-byte array length (big-endian), the meta as
JSON, then the array in `.npy` format (no pickles) or nothing.
Standard library and NumPy only; this file is copied into the sandbox's read-only job folder.
"""

import json
import os
import resource
import sys
import traceback


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
    inputs = {}
    for call in request["calls"]:
        with open(os.path.join(job, call["x"]), "rb") as f:
            inputs[call["id"]] = np.lib.format.read_array(f, allow_pickle=False)
    with open(os.path.join(job, submission), encoding="utf-8", errors="replace") as f:
        source = f.read()

    def describe(exc: BaseException) -> dict:
        tb = traceback.extract_tb(exc.__traceback__)
        lines = [frame.lineno for frame in tb if frame.filename == "submission.py"]
        return {
            "error": type(exc).__name__,
            "message": str(exc)[:300],
            "value_error": isinstance(exc, ValueError),
            "line": lines[-1] if lines else getattr(exc, "lineno", None),
        }

    namespace = {"__name__": "submission", "__builtins__": __builtins__}
    try:
        code = compile(source, "submission.py", "exec")
        exec(code, namespace)
    except BaseException as exc:
        send({"event": "load_error", **describe(exc)})
        return 0
    func = namespace.get(request.get("function", "dropout_forward"))
    if not callable(func):
        send({"event": "load_error", "error": "missing", "message": "", "line": None})
        return 0
    send({"event": "loaded"})

    for call in request["calls"]:
        x = inputs[call["id"]].copy()
        np.random.seed(call["global_seed"])
        rng = np.random.default_rng(call["seed"])
        before = json.dumps(rng.bit_generator.state, default=str)
        meta = {"event": "call", "id": call["id"]}
        try:
            result = func(x, call["rate"], call["training"], rng)
        except BaseException as exc:
            meta.update(describe(exc))
            send(meta)
            continue
        meta["used_rng"] = json.dumps(rng.bit_generator.state, default=str) != before
        meta["type"] = type(result).__name__
        try:
            array = np.asarray(result)
            if array.dtype.kind not in "biuf":
                raise TypeError(f"an array of dtype {array.dtype}")
            array = np.ascontiguousarray(array).view(np.ndarray)
        except BaseException as exc:
            meta.update({"error": "BadResult", "message": str(exc)[:200], "returned": True})
            send(meta)
            continue
        send(meta, array)
    send({"event": "done"})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
