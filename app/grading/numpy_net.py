"""The small NumPy network a learner's dropout trains: 10→128→128→1, ReLU, sigmoid, Adam.

Trusted code of ours that runs INSIDE the sandbox (copied into the job folder beside the
runner), next to the learner's `dropout_forward` / `dropout_backward`, which it calls after each
hidden layer. It trains two variants from the same initial weights and the same batch order:
"plain" (no dropout, our code only) and "dropout" (the learner's two functions), one epoch of
each in turn, and streams per epoch the network's PREDICTIONS, never a loss or an accuracy: the
server computes every number it shows from those arrays and its own labels.

A learner's function that raises, returns the wrong shape or NaN, or makes training too slow
stops the run with a `Stop` carrying plain facts (which function, which problem, where); the
server turns them into a sentence. Standard library and NumPy only.
"""

from __future__ import annotations

import itertools
import time
import traceback

import numpy as np

VARIANTS = ("plain", "dropout")
BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-7  # Keras' Adam defaults


class Stop(Exception):
    """The learner's functions stopped the training; `info` says how (plain data)."""

    def __init__(self, info: dict) -> None:
        super().__init__(info.get("problem", "stopped"))
        self.info = info


def glorot(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    """Keras' default kernel initializer (Glorot uniform), float32."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


class LearnerCode:
    """The learner's two functions behind checks: every result is a finite float array of
    the expected shape, or training stops with the facts."""

    def __init__(self, forward, backward, rate: float, rng: np.random.Generator) -> None:
        self.forward, self.backward, self.rate, self.rng = forward, backward, rate, rng
        self.where: dict = {}

    def _call(self, name: str, fn, args: tuple, like: np.ndarray) -> tuple:
        try:
            result = fn(*args)
        except BaseException as exc:  # the learner's code: report it, never crash
            frames = [f.lineno for f in traceback.extract_tb(exc.__traceback__)
                      if f.filename == "submission.py"]  # fmt: skip
            raise Stop({**self.where, "function": name, "problem": "raised",
                        "error": type(exc).__name__, "message": str(exc)[:200],
                        "line": frames[-1] if frames else None}) from None  # fmt: skip
        if name == "dropout_forward":
            if not isinstance(result, tuple) or len(result) != 2:
                raise Stop({**self.where, "function": name, "problem": "not_pair",
                            "got": type(result).__name__})  # fmt: skip
            value, extra = result
        else:
            value, extra = result, None
        try:
            array = np.asarray(value, dtype=like.dtype)  # the network's dtype, whatever came
        except (TypeError, ValueError):
            raise Stop({**self.where, "function": name, "problem": "type",
                        "got": type(value).__name__}) from None  # fmt: skip
        if array.shape != like.shape:
            raise Stop({**self.where, "function": name, "problem": "shape",
                        "got": list(array.shape), "want": list(like.shape)})  # fmt: skip
        if not np.isfinite(array).all():
            raise Stop({**self.where, "function": name, "problem": "nan"})
        return array, extra

    def drop(self, h: np.ndarray, training: bool) -> tuple[np.ndarray, object]:
        return self._call("dropout_forward", self.forward, (h, self.rate, training, self.rng), h)

    def back(self, dout: np.ndarray, cache: object) -> np.ndarray:
        return self._call("dropout_backward", self.backward, (dout, cache), dout)[0]


class Net:
    """Dense layers with ReLU between them and a sigmoid output; Adam on every parameter."""

    def __init__(self, sizes: tuple[int, ...], seed: int, lr: float) -> None:
        rng = np.random.default_rng(seed)
        self.params: list[np.ndarray] = []
        for fan_in, fan_out in itertools.pairwise(sizes):
            self.params += [glorot(rng, fan_in, fan_out), np.zeros(fan_out, np.float32)]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.lr, self.t = lr, 0

    def forward(self, x: np.ndarray, learner: LearnerCode | None, training: bool):
        """Probabilities (n, 1) and what the backward pass needs."""
        h, tape = x, []
        last = len(self.params) // 2 - 1
        for i in range(last + 1):
            w, b = self.params[2 * i], self.params[2 * i + 1]
            z = h @ w + b
            if i == last:
                tape.append((h, None, None))
                with np.errstate(over="ignore"):
                    return 1.0 / (1.0 + np.exp(-z)), tape
            a = np.maximum(z, 0)
            cache = None
            if learner is not None:
                a, cache = learner.drop(a, training)
            tape.append((h, z, cache))
            h = a

    def backward(self, p: np.ndarray, y: np.ndarray, tape: list, learner: LearnerCode | None):
        """Gradients of the mean binary cross-entropy (the sigmoid folded in)."""
        grads: list[np.ndarray] = [None] * len(self.params)  # type: ignore[list-item]
        dz = (p - y) / np.float32(len(y))
        for i in range(len(tape) - 1, -1, -1):
            h, _, _ = tape[i]
            grads[2 * i], grads[2 * i + 1] = h.T @ dz, dz.sum(axis=0)
            if i == 0:
                break
            dh = dz @ self.params[2 * i].T
            _, z_prev, cache_prev = tape[i - 1]
            if learner is not None:
                dh = learner.back(dh, cache_prev)
            dz = dh * (z_prev > 0)
        return grads

    def adam(self, grads: list[np.ndarray]) -> None:
        self.t += 1
        step = self.lr * np.sqrt(1 - BETA2**self.t) / (1 - BETA1**self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= BETA1
            m += (1 - BETA1) * g
            v *= BETA2
            v += (1 - BETA2) * g * g
            p -= (step * m / (np.sqrt(v) + EPSILON)).astype(np.float32)


def _epoch(net: Net, data: dict, order: np.ndarray, batch: int, learner: LearnerCode | None):
    """One pass over the shuffled training rows; the predictions made on the way (dropout on),
    in the rows' original order, then the validation predictions (dropout off)."""
    x, y = data["x_train"], data["y_train"]
    seen = np.empty(len(x), np.float32)
    for start in range(0, len(x), batch):
        rows = order[start : start + batch]
        p, tape = net.forward(x[rows], learner, True)
        seen[rows] = p[:, 0]
        net.adam(net.backward(p, y[rows], tape, learner))
    val, _ = net.forward(data["x_val"], learner, False)
    return np.concatenate([seen, val[:, 0].astype(np.float32)])


def train(
    forward, backward, data: dict, config: dict, send, clock=time.process_time, wall=time.monotonic
) -> None:
    """Train both variants for `config["epochs"]`, one epoch of each in turn; `send` gets
    ({"event": "epoch", "variant", "epoch"}, predictions) after each. Raises Stop.

    "Too slow" is counted in this process's CPU time (`clock`), which a busy machine does not
    stretch; `wall_budget_seconds`, with generous headroom, stops code that sleeps instead, on
    `wall` (in the sandbox, run_clock.running_clock(): wall time without waits for a CPU)."""
    sizes = (data["x_train"].shape[1], *config["hidden"], 1)
    seed, batch, epochs = int(config["seed"]), int(config["batch_size"]), int(config["epochs"])
    budgets = {"cpu": float(config["budget_seconds"]), "wall": float(config["wall_budget_seconds"])}
    deadlines = {"cpu": (clock, clock() + budgets["cpu"]), "wall": (wall, wall() + budgets["wall"])}
    nets = {v: Net(sizes, seed, float(config["lr"])) for v in VARIANTS}  # the same weights
    orders = {v: np.random.default_rng(seed + 1) for v in VARIANTS}  # the same batches
    learner = LearnerCode(forward, backward, float(config["rate"]), np.random.default_rng(seed + 2))
    for epoch in range(1, epochs + 1):
        for variant in VARIANTS:
            learner.where = {"variant": variant, "epoch": epoch}
            order = orders[variant].permutation(len(data["x_train"]))
            preds = _epoch(nets[variant], data, order, batch,
                           learner if variant == "dropout" else None)  # fmt: skip
            if not np.isfinite(preds).all():
                raise Stop({"variant": variant, "epoch": epoch, "problem": "diverged"})
            send({"event": "epoch", "variant": variant, "epoch": epoch}, preds)
            for kind, (now, deadline) in deadlines.items():
                if now() > deadline:
                    raise Stop({"variant": variant, "epoch": epoch, "problem": "slow",
                                "seconds": budgets[kind]})  # fmt: skip
