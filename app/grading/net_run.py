"""Train the small NumPy network with the learner's dropout, in the sandbox, followed live.

The network is ours (`numpy_net.py`, copied into the job folder); it calls the learner's
`dropout_forward` / `dropout_backward` inside the sandbox and streams, per epoch and variant,
its predictions. This side trusts only those arrays (parsed with `allow_pickle=False`, checked
for shape, finiteness and range): every loss and accuracy shown is computed here from them and
from labels it holds itself (the validation labels never enter the sandbox).

A `NetRun` trains in a thread of its own (never the Streamlit script thread) and is read
through `snapshot()`; `NetRuns` shares identical requests between learners and caps how many
sandboxes train at once. No Streamlit here.
"""

from __future__ import annotations

import functools
import threading
import time
import tomllib
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from dropout_lab.grading import sandbox, sandbox_mode
from dropout_lab.grading.checks import BACKPROP_LAB
from dropout_lab.grading.runner import LIMITS, Outcome, RecordReader, npy
from dropout_lab.grading.verdict import run_error
from dropout_lab.lesson import traffic
from dropout_lab.lesson.labs import load_lab
from dropout_lab.lesson.locate import LABS_DIR

NET = Path(__file__).with_name("numpy_net.py")
CLOCK = Path(__file__).with_name("run_clock.py")  # the network's wall budget, in running time
VARIANTS = ("plain", "dropout")  # the order numpy_net trains them in, each epoch
METRICS = ("loss", "accuracy", "val_loss", "val_accuracy")  # the Keras history keys
EPSILON = 1e-7  # Keras' clipping of probabilities in binary cross-entropy
# Raised for this job only. The reference trains 2 × 50 epochs (3,200 steps) in 1.3 s of CPU
# here (wall 4-5 s at a load of 14, measured 2026-12-07), and a learner's slow function is
# stopped by the network itself after `budget_seconds` of CPU time, before the CPU limit hits.
# A busy machine stretches wall time, not CPU time (under 4 test workers on 2 cores the
# reference took about 21 s of wall time); the wall limit and the network's own wall budget
# (`wall_budget_seconds`) are charged running time, without the waits for a CPU (run_clock.py,
# the same rule and code as every sandbox run), so they end only code that sleeps or hangs.
# Its ceiling on the clock (4 x the wall limit, see sandbox.Limits) also bounds how long a
# run holds one of `NetRuns`' few training slots.
TRAIN_LIMITS = sandbox.Limits(
    wall_seconds=45.0,
    cpu_seconds=12,
    memory_bytes=LIMITS.memory_bytes,
    processes=LIMITS.processes,
    file_bytes=LIMITS.file_bytes,
    tmp_bytes=LIMITS.tmp_bytes,
    output_bytes=LIMITS.output_bytes,
    result_bytes=LIMITS.result_bytes,
)


@dataclass(frozen=True)
class NetConfig:
    """Everything that determines a run (with the learner's code)."""

    epochs: int = 50
    batch_size: int = 32
    seed: int = 0
    data_seed: int = 0
    rate: float = 0.3  # the lesson's rate (Compare's pair)
    lr: float = 1e-3  # Keras' Adam default
    hidden: tuple[int, ...] = (128, 128)
    budget_seconds: float = 9.0  # of CPU time: the network stops itself after (a clear message)
    wall_budget_seconds: float = 40.0  # of wall time, for code that sleeps; under the wall limit


def lab_config() -> NetConfig:
    """The backprop lab's training configuration (its TOML's [train])."""
    c = load_lab(BACKPROP_LAB).config
    return NetConfig(epochs=c.epochs, batch_size=c.batch_size, seed=c.seed, data_seed=c.data_seed)


@functools.lru_cache(maxsize=1)
def texts() -> dict:
    """The words of this part (labs/numpy_backprop/network.toml)."""
    return tomllib.loads((LABS_DIR / BACKPROP_LAB / "network.toml").read_text(encoding="utf-8"))


@dataclass
class NetSnapshot:
    state: str  # queued | running | done | failed
    histories: dict[str, dict[str, list[float]]]  # variant → Keras-style history
    epochs_total: int
    error: str = ""
    seconds: float = 0.0  # the sandbox's wall time, once finished
    running_seconds: float = 0.0  # what its wall limit was charged (the sandbox run's)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    @property
    def epochs_done(self) -> int:
        return min(len(h["loss"]) for h in self.histories.values())


def bce(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p.astype(np.float64), EPSILON, 1 - EPSILON)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


def _empty() -> dict[str, dict[str, list[float]]]:
    return {v: {m: [] for m in METRICS} for v in VARIANTS}


@dataclass
class _Progress:
    histories: dict = field(default_factory=_empty)
    train_error: dict | None = None
    malformed: str = ""


class NetRun:
    """One training of both variants for one learner's code (thread-safe to read)."""

    def __init__(
        self,
        code: str,
        config: NetConfig,
        mode: str | None = None,
        limits: sandbox.Limits = TRAIN_LIMITS,
    ) -> None:
        self.code, self.config, self.mode, self.limits = code, config, mode, limits
        self._lock = threading.Lock()
        self._state, self._error, self._seconds, self._running = "queued", "", 0.0, 0.0
        self._progress = _Progress()
        data = traffic.load_lesson_data(config.data_seed)
        self._y = np.concatenate([data.y_train[:, 0], data.y_val[:, 0]]).astype(np.float64)
        self._n_train = data.n_train
        self._data = data
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ reading

    def snapshot(self) -> NetSnapshot:
        with self._lock:
            hist = {v: {m: list(h[m]) for m in METRICS}
                    for v, h in self._progress.histories.items()}  # fmt: skip
            return NetSnapshot(self._state, hist, self.config.epochs, self._error, self._seconds,
                               self._running)  # fmt: skip

    # ------------------------------------------------------------------ running

    def start(self, slots: threading.Semaphore | None = None) -> NetRun:
        self._thread = threading.Thread(target=self.run, args=(slots,), daemon=True,
                                        name="dropout-lab-numpy-net")  # fmt: skip
        self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self, slots: threading.Semaphore | None = None) -> NetSnapshot:
        """Train (blocking) and return the final snapshot. Never raises for the code's doing."""
        if slots is not None:
            slots.acquire()
        try:
            with self._lock:
                self._state = "running"
            error, seconds, running = self._train()
        except Exception as exc:  # our side failed (e.g. no sandbox): say so, do not crash
            error, seconds, running = texts()["errors"]["failed"].format(why=exc), 0.0, 0.0
        finally:
            if slots is not None:
                slots.release()
        with self._lock:
            self._state = "failed" if error else "done"
            self._error, self._seconds, self._running = error, seconds, running
        return self.snapshot()

    def _files(self) -> dict[str, bytes]:
        import json

        d = self._data
        request = {
            "job": "train",
            "functions": ["dropout_forward", "dropout_backward"],
            "config": {**asdict(self.config), "hidden": list(self.config.hidden)},
            "data": {"x_train": "x_train.npy", "y_train": "y_train.npy", "x_val": "x_val.npy"},
        }
        return {
            "submission.py": self.code.encode("utf-8", "replace"),
            "numpy_net.py": NET.read_bytes(),
            "run_clock.py": CLOCK.read_bytes(),
            "x_train.npy": npy(d.x_train),
            "y_train.npy": npy(d.y_train),
            "x_val.npy": npy(d.x_val),
            "request.json": json.dumps(request).encode(),
        }

    def _train(self) -> tuple[str, float, float]:
        """The learner's message ("" when trained), the sandbox's seconds and running seconds."""
        try:
            mode = self.mode or sandbox_mode.choose_mode()
        except sandbox_mode.SandboxUnavailable as exc:
            return texts()["errors"]["unavailable"].format(why=exc), 0.0, 0.0
        reader, outcome = RecordReader(), Outcome(run=None)

        def feed(chunk: bytes) -> None:
            for meta, array in reader.feed(chunk):
                self._take(meta, array, outcome)

        run = sandbox.run(self._files(), ["submission.py", "request.json"],
                          limits=self.limits, mode=mode, on_result=feed)  # fmt: skip
        reader.finish()
        outcome.run = run
        if reader.error and not outcome.protocol_error:
            outcome.protocol_error = reader.error
        return self._why_stopped(outcome), run.seconds, run.running_seconds

    def _take(self, meta: dict, array: np.ndarray | None, outcome: Outcome) -> None:
        """One record from the sandbox: an epoch's predictions, a stop, or the runner's own."""
        p = self._progress
        if p.malformed or p.train_error is not None or outcome.done:
            return
        event = meta.get("event")
        if event == "epoch":
            problem = self._add_epoch(meta, array)
            if problem:
                with self._lock:
                    p.malformed = problem
        elif event == "train_error":
            p.train_error = meta
        else:
            outcome.add(meta, array)

    def _add_epoch(self, meta: dict, array: np.ndarray | None) -> str:
        variant, epoch = meta.get("variant"), meta.get("epoch")
        if variant not in VARIANTS or not isinstance(epoch, int):
            return "an epoch record without a variant"
        hist = self._progress.histories[variant]
        if epoch != len(hist["loss"]) + 1 or epoch > self.config.epochs:
            return f"epoch {epoch!r} out of order"
        n = len(self._y)
        if array is None or array.shape != (n,) or array.dtype.kind != "f":
            return "predictions of the wrong shape"
        preds = array.astype(np.float64)
        if not np.isfinite(preds).all() or preds.min() < 0 or preds.max() > 1:
            return "predictions that are not probabilities"
        k, y = self._n_train, self._y
        values = (bce(preds[:k], y[:k]), float(np.mean((preds[:k] > 0.5) == y[:k])),
                  bce(preds[k:], y[k:]), float(np.mean((preds[k:] > 0.5) == y[k:])))  # fmt: skip
        with self._lock:
            for metric, value in zip(METRICS, values, strict=True):
                hist[metric].append(value)
        return ""

    def _why_stopped(self, o: Outcome) -> str:
        """ "" when both variants trained every epoch; else one sentence for the learner."""
        words, p = texts()["errors"], self._progress
        epochs = self.config.epochs
        if p.malformed or o.protocol_error:  # what came back cannot be trusted: say so first
            return words["malformed"].format(why=p.malformed or o.protocol_error)
        if p.train_error is not None:
            return stop_message(p.train_error, epochs)
        done = min(len(h["loss"]) for h in p.histories.values())
        run = o.run
        out_of_time = run is not None and (
            run.status == "timeout" or run.signal_name in ("SIGXCPU", "SIGKILL")
        )
        if out_of_time and o.loaded:  # the wall limit, or the CPU limit (SIGXCPU, then KILL)
            limit: float = self.limits.cpu_seconds
            if run.status == "timeout":
                ceiling = run.stopped_by == "ceiling"
                limit = self.limits.ceiling if ceiling else self.limits.wall_seconds
            return words["timeout"].format(seconds=limit, epoch=done + 1, epochs=epochs)
        if run is not None and o.loaded and not o.done and run.status in ("ok", "exit"):
            return words["exited"].format(code=run.returncode, epoch=done + 1, epochs=epochs)
        problem = run_error(o, self.limits)
        if problem:
            return words["failed"].format(why=problem)
        if done < epochs:
            return words["malformed"].format(why=f"{done} of {epochs} epochs came back")
        return ""


def stop_message(info: dict, epochs: int) -> str:
    """The sentence for a stop the network reported; every value is checked before use."""
    words = texts()["errors"]
    labels = texts()["labels"]
    problem = info.get("problem")
    if problem not in ("raised", "not_pair", "type", "shape", "nan", "diverged", "slow"):
        return words["malformed"].format(why="an unknown stop")
    epoch = info.get("epoch") if isinstance(info.get("epoch"), int) else 0
    variant = labels[info["variant"]] if info.get("variant") in VARIANTS else labels["dropout"]
    function = info.get("function")
    if function not in ("dropout_forward", "dropout_backward"):
        function = "function"
    line = f" (line {info['line']})" if isinstance(info.get("line"), int) else ""

    def short(value: object) -> str:
        return str(value)[:160]

    def shape(value: object) -> str:
        ok = isinstance(value, list) and all(isinstance(v, int) for v in value)
        return str(tuple(value)) if ok else "?"

    seconds = info.get("seconds") if isinstance(info.get("seconds"), int | float) else 0
    got = shape(info.get("got")) if problem == "shape" else short(info.get("got", "?"))
    message = f": {short(info['message'])}" if info.get("message") else ""
    detail = words[problem].format(
        function=function, error=short(info.get("error", "an error")), line=line,
        message=message, got=got, want=shape(info.get("want")), seconds=seconds,
    )  # fmt: skip
    return words["where"].format(epoch=epoch, epochs=epochs, variant=variant) + detail


def gap_summary(histories: dict[str, dict[str, list[float]]]) -> list[str]:
    """Sentences on the finished run: did the learner's dropout narrow the train/validation
    gap (validation minus training loss at the last epoch), and the final validation losses."""
    words = texts()["gap"]
    plain, drop = histories["plain"], histories["dropout"]
    if not plain["loss"] or len(plain["loss"]) != len(drop["loss"]):
        return []
    gap_plain = plain["val_loss"][-1] - plain["loss"][-1]
    gap_drop = drop["val_loss"][-1] - drop["loss"][-1]
    numbers = {"epochs": len(plain["loss"]), "plain": gap_plain, "dropout": gap_drop,
               "plain_val": plain["val_loss"][-1], "dropout_val": drop["val_loss"][-1]}  # fmt: skip
    if gap_drop < gap_plain:
        change = (gap_plain - gap_drop) / gap_plain if gap_plain > 0 else 0.0
        first = words["narrowed"].format(change=change, **numbers)
    else:
        first = words["not_narrowed"].format(**numbers)
    key = "val_lower" if numbers["dropout_val"] < numbers["plain_val"] else "val_not_lower"
    return [first, words[key].format(**numbers)]


class NetRuns:
    """Runs shared by every learner of a server (identical code and configuration train once),
    the most recent `keep` kept; at most `workers` sandboxes train at once."""

    def __init__(self, workers: int = 2, keep: int = 64) -> None:
        self._lock = threading.Lock()
        self._runs: OrderedDict[tuple[str, NetConfig], NetRun] = OrderedDict()
        self._slots = threading.Semaphore(max(1, workers))
        self._keep = keep

    def get(self, code: str, config: NetConfig) -> NetRun | None:
        with self._lock:
            return self._runs.get((code, config))

    def start(self, code: str, config: NetConfig, mode: str | None = None) -> NetRun:
        """The run for (code, config): the one under way or done, else a new one, started.
        A failed run is started again (its failure may have been the server's)."""
        key = (code, config)
        with self._lock:
            run = self._runs.get(key)
            if run is not None and run.snapshot().state != "failed":
                self._runs.move_to_end(key)
                return run
            run = NetRun(code, config, mode).start(self._slots)
            self._runs[key] = run
            while len(self._runs) > self._keep:
                self._runs.popitem(last=False)
            return run


def timed_run(code: str, config: NetConfig | None = None, mode: str | None = None) -> dict:
    """Figures for a bench or a report: one blocking run's outcome and timing."""
    start = time.perf_counter()
    snap = NetRun(code, config or lab_config(), mode).run()
    return {"seconds": time.perf_counter() - start, "sandbox_seconds": snap.seconds,
            "state": snap.state, "error": snap.error, "epochs": snap.epochs_done}  # fmt: skip
