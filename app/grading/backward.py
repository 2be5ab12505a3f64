"""The backward pass's properties (the backprop lab): its calls and the checks on dx.

The gradient check compares the learner's dx with centred differences of THEIR OWN forward
pass, run in the sandbox at x ± h e_i with a generator made from the same seed (so the same
mask), in float64; the differences are summed against dout here, on the trusted side. The
input of that check has exact zeros (ReLU's outputs have many): a backward pass that rebuilds
the mask from `out != 0` gives a kept zero no gradient, and the check sees it.
"""

from __future__ import annotations

import numpy as np

from dropout_lab.grading import forward
from dropout_lab.grading.runner import Call, Outcome
from dropout_lab.grading.verdict import array_of

H = 1e-5  # the centred differences' step (dropout is linear in x: rounding is all they add)
MAX_REL_ERROR = 1e-7
FUNCTIONS = ("dropout_forward", "dropout_backward")


def _dout(r: np.random.Generator, shape, dtype) -> np.ndarray:
    """No zeros, either sign: a zero in dx then means "no gradient reached this unit"."""
    return (r.uniform(0.5, 2.0, shape) * r.choice([-1.0, 1.0], shape)).astype(dtype)


def make_calls(seed: int | None = None) -> list[Call]:
    """The forward calls (as pairs), then the backward ones."""
    r = forward.fresh_rng(seed)
    calls = forward.make_calls(int(r.integers(2**63)), kind="pair")

    def seed_() -> int:
        return int(r.integers(1, 2**31))

    g = seed_()
    x = r.uniform(-2.0, 2.0, (6, 8))
    x.flat[r.choice(x.size, x.size // 2, replace=False)] = 0.0
    sg, dout = seed_(), _dout(r, x.shape, np.float64)
    calls += [
        Call("grad", x, 0.3, True, sg, g, kind="backward", dout=dout),
        Call("grad_fd", x, 0.3, True, sg, g, kind="numgrad", h=H),
    ]
    for cid, shape, dtype, rate, training in (
        ("mask", (40, 50), np.float64, 0.3, True),
        ("mask32", (30, 20), np.float32, 0.6, True),
        ("back_shape", (3, 5, 7), np.float64, 0.25, True),
        ("back_infer", (20, 10), np.float64, 0.5, False),
        ("back_zero", (20, 10), np.float64, 0.0, True),
    ):
        x = forward.positive(r, shape, dtype)
        calls.append(Call(cid, x, rate, training, seed_(), g, kind="backward",
                          dout=_dout(r, shape, dtype)))  # fmt: skip
    return calls


def _dx(o: Outcome, calls: dict[str, Call], cid: str) -> np.ndarray:
    return array_of(o, calls, cid, "dx")


def gradient_check(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    c, dx = calls["grad"], _dx(o, calls, "grad")
    fd = array_of(o, calls, "grad_fd", "fd")
    if dx.shape != c.x.shape:
        return False, f"dx has shape {dx.shape}, not x's {c.x.shape}: cannot compare."
    if fd.shape != (2, c.x.size, *c.x.shape):
        return False, "Your forward pass's outputs at x ± h did not come back whole."
    diff = (fd[0] - fd[1]).reshape(c.x.size, -1)
    numeric = (diff @ c.dout.ravel() / (2 * H)).reshape(c.x.shape)
    ours = dx.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        rel = np.abs(ours - numeric) / np.maximum(1e-8, np.abs(ours) + np.abs(numeric))
    rel = np.where(np.isfinite(rel), rel, np.inf)  # NaN or inf in dx: as wrong as it gets
    worst = float(rel.max())
    if worst <= MAX_REL_ERROR:
        return True, (
            f"Relative error {worst:.1e} between your dx and centred differences of your "
            f"forward pass (the same mask, float64, h = {H:g})."
        )
    i = int(rel.argmax())
    xi, mine, num = float(c.x.flat[i]), float(ours.flat[i]), float(numeric.flat[i])
    return False, (
        f"Relative error {worst:.2g} (at most {MAX_REL_ERROR:g} expected): where x = {xi:.4g}, "
        f"your dx is {mine:.4g} but centred differences of your forward pass give {num:.4g}."
    )


def mask_reused(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    out, dx = array_of(o, calls, "mask", "out"), _dx(o, calls, "mask")
    if out.shape != dx.shape:
        return False, f"out has shape {out.shape} but dx {dx.shape}: cannot compare the masks."
    leaked = int(np.count_nonzero((out == 0) & (dx != 0)))
    blocked = int(np.count_nonzero((out != 0) & (dx == 0)))
    if leaked or blocked:
        return False, (
            f"{leaked:,} units dropped in the forward pass got a gradient, and {blocked:,} kept "
            f"ones got none (of {out.size:,}): the backward pass used another mask."
        )
    return True, "dx flows exactly through the units the forward pass kept."


def backward_scale(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    for cid, rtol in (("mask", 1e-9), ("mask32", 1e-5)):
        c, dx = calls[cid], _dx(o, calls, cid)
        if dx.shape != c.dout.shape:
            return False, f"dx has shape {dx.shape}, not dout's {c.dout.shape}."
        through = dx != 0
        if not through.any():
            return False, f"With rate {c.rate:g} no gradient got through at all."
        ratio = dx[through].astype(np.float64) / c.dout[through].astype(np.float64)
        want = 1.0 / (1.0 - c.rate)
        if not np.allclose(ratio, want, rtol=rtol, atol=0):
            return False, (
                f"With rate {c.rate:g}, dx / dout on the kept units is "
                f"{float(np.median(ratio)):.4g}; expected 1 / (1 - rate) = {want:.4g}."
            )
    return True, "On the kept units dx = dout / (1 - rate), at rates 0.3 and 0.6."


def backward_inference(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    cases = (("back_infer", "At inference (training=False)"), ("back_zero", "With rate 0"))
    for cid, what in cases:
        c, dx = calls[cid], _dx(o, calls, cid)
        n = forward.changed(dx, c.dout)
        if n is None:
            return False, f"{what}: dx has shape {dx.shape} {dx.dtype}, not dout's."
        if n:
            return False, f"{what}: dx should be dout itself, but {n:,} values differ."
    return True, "At inference and with rate 0, dx = dout."


def dx_shape_dtype(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    for cid in ("mask", "mask32", "back_shape"):
        c, dx = calls[cid], _dx(o, calls, cid)
        if dx.shape != c.dout.shape:
            return False, f"For dout of shape {c.dout.shape} you returned dx of shape {dx.shape}."
        if dx.dtype != c.dout.dtype:
            return False, f"For a {c.dout.dtype} dout you returned a {dx.dtype} dx."
    return True, "dx has dout's shape and dtype (float32 and float64)."


CHECKS: dict[str, forward.Check] = {
    "gradient_check": gradient_check,
    "mask_reused": mask_reused,
    "backward_scale": backward_scale,
    "backward_inference": backward_inference,
    "dx_shape_dtype": dx_shape_dtype,
}
