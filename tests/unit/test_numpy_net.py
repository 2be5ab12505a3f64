"""The NumPy network the learner's dropout trains: held against Keras (gradients, Adam) and
centred differences; trained in the sandbox in a few seconds, followed live; the numbers shown
are computed from the predictions only; a learner's function that is wrong or slow in
training stops it with a sentence, never a traceback."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from dropout_lab.grading import net_run, numpy_net, runner
from dropout_lab.lesson import traffic
from dropout_lab.lesson.labs import load_lab
from tests.sandbox_required import require_sandbox  # noqa: F401  (autouse)
from tests.support import wait

SOLUTION = load_lab("numpy_backprop").solution
CONFIG = net_run.lab_config()


def reference_functions():
    namespace: dict = {}
    exec(SOLUTION, namespace)
    return namespace["dropout_forward"], namespace["dropout_backward"]


def batch(seed: int = 0, n: int = 32):
    data = traffic.load_lesson_data(0)
    rows = np.random.default_rng(seed).choice(data.n_train, n, replace=False)
    return data.x_train[rows], data.y_train[rows]


def test_the_lab_configuration_is_the_lessons():
    assert (CONFIG.epochs, CONFIG.batch_size, CONFIG.hidden) == (50, 32, (128, 128))
    net = numpy_net.Net((10, *CONFIG.hidden, 1), 0, 1e-3)
    assert [p.shape for p in net.params] == [(10, 128), (128,), (128, 128), (128,), (128, 1), (1,)]


def test_gradients_match_keras():
    import keras
    import tensorflow as tf

    x, y = batch()
    net = numpy_net.Net((10, 128, 128, 1), 3, 1e-3)
    p, tape = net.forward(x, None, True)
    ours = net.backward(p, y, tape, None)
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(128, "relu"),
                              keras.layers.Dense(128, "relu"),
                              keras.layers.Dense(1, "sigmoid")])  # fmt: skip
    model.set_weights(net.params)
    with tf.GradientTape() as g:
        loss = keras.losses.BinaryCrossentropy()(y, model(x))
    theirs = g.gradient(loss, model.trainable_variables)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b.numpy(), rtol=2e-4, atol=2e-6)
    np.testing.assert_allclose(p, model(x).numpy(), rtol=1e-5, atol=1e-6)


def test_adam_matches_keras():
    import keras

    net = numpy_net.Net((10, 128, 128, 1), 4, 1e-3)
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(128, "relu"),
                              keras.layers.Dense(128, "relu"),
                              keras.layers.Dense(1, "sigmoid")])  # fmt: skip
    model.set_weights(net.params)
    opt = keras.optimizers.Adam(1e-3)
    r = np.random.default_rng(0)
    for _ in range(3):
        grads = [r.normal(0, 0.1, p.shape).astype(np.float32) for p in net.params]
        net.adam(grads)
        opt.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    for a, b in zip(net.params, model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_backprop_through_dropout_matches_centred_differences():
    """With a fixed mask per layer, in float64: our wiring of the learner's backward pass
    (after each ReLU, before the next layer) is the loss's true gradient."""
    r = np.random.default_rng(5)
    x, y = batch(1, 8)
    x = x.astype(np.float64)
    masks = [(r.random((8, 16)) >= 0.3) / 0.7 for _ in range(2)]
    state = {"i": 0}

    def forward(h, rate, training, rng):
        mask = masks[state["i"] % 2]
        state["i"] += 1
        return h * mask, mask

    def backward(dout, cache):
        return dout * cache

    net = numpy_net.Net((10, 16, 16, 1), 6, 1e-3)
    net.params = [p.astype(np.float64) + r.normal(0, 0.01, p.shape) for p in net.params]
    learner = numpy_net.LearnerCode(forward, backward, 0.3, r)

    def loss() -> float:
        p, _ = net.forward(x, learner, True)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    p, tape = net.forward(x, learner, True)
    grads = net.backward(p, y, tape, learner)
    h = 1e-6
    for k, param in enumerate(net.params):
        for i in r.choice(param.size, min(5, param.size), replace=False):
            old = param.flat[i]
            param.flat[i] = old + h
            up = loss()
            param.flat[i] = old - h
            down = loss()
            param.flat[i] = old
            numeric = (up - down) / (2 * h)
            assert abs(numeric - grads[k].flat[i]) <= 1e-6 + 1e-5 * abs(numeric), (k, i)


def test_the_reference_trains_both_variants_live_in_the_sandbox():
    # How long it takes: `dropout-lab bench --only grading` (numpy_net_train_s).
    run = net_run.NetRun(SOLUTION, CONFIG).start()
    partial = []

    def finished() -> bool:
        snap = run.snapshot()
        if snap.state == "running" and 0 < snap.epochs_done < CONFIG.epochs:
            partial.append(snap.epochs_done)
        return snap.finished

    wait.until(finished, poll=0.02, what="the NumPy training")  # the sandbox stops it at 12 s
    snap = run.snapshot()
    print(f"\nNumPy training, 2 variants x {CONFIG.epochs} epochs: {snap.seconds:.2f} s")
    assert snap.state == "done", snap.error
    assert partial, "no partial progress was seen while it trained"
    for history in snap.histories.values():
        assert {k: len(v) for k, v in history.items()} == dict.fromkeys(net_run.METRICS, 50)
    plain, mine = snap.histories["plain"], snap.histories["dropout"]
    assert plain["accuracy"][-1] > 0.9  # it overfits without dropout
    sentences = net_run.gap_summary(snap.histories)
    gap_plain = plain["val_loss"][-1] - plain["loss"][-1]
    gap_mine = mine["val_loss"][-1] - mine["loss"][-1]
    key = "narrowed" if gap_mine < gap_plain else "not_narrowed"
    assert sentences[0].startswith(net_run.texts()["gap"][key][:30])
    assert f"{gap_plain:.3f}" in sentences[0] and f"{gap_mine:.3f}" in sentences[0]


def test_the_numbers_are_computed_here_from_the_predictions():
    run = net_run.NetRun(SOLUTION, CONFIG)
    data = traffic.load_lesson_data(0)
    n = data.n_train + data.n_val
    assert run._add_epoch({"variant": "plain", "epoch": 1}, np.full(n, 0.5, np.float32)) == ""
    hist = run.snapshot().histories["plain"]
    assert hist["loss"][0] == pytest.approx(np.log(2)) == hist["val_loss"][0]
    truth = np.concatenate([data.y_train[:, 0], data.y_val[:, 0]])
    assert run._add_epoch({"variant": "plain", "epoch": 2}, truth) == ""
    assert run.snapshot().histories["plain"]["val_accuracy"][1] == 1.0
    for meta, preds in (
        ({"variant": "plain", "epoch": 2}, truth),  # repeated epoch
        ({"variant": "other", "epoch": 1}, truth),
        ({"variant": "dropout", "epoch": 1}, truth[:10]),
        ({"variant": "dropout", "epoch": 1}, np.full(n, np.nan)),
        ({"variant": "dropout", "epoch": 1}, np.full(n, 1.5)),
        ({"variant": "dropout", "epoch": 1}, None),
    ):
        assert run._add_epoch(meta, preds) != ""
    assert "y_val.npy" not in run._files()  # the validation labels never enter the sandbox


def test_the_job_limits_are_raised_explicitly_for_training_only():
    base, train = runner.LIMITS, net_run.TRAIN_LIMITS
    assert (base.wall_seconds, base.cpu_seconds) == (5.0, 2)
    assert train.cpu_seconds > CONFIG.budget_seconds  # the network's own stop comes first
    assert train.wall_seconds > CONFIG.wall_budget_seconds > 4 * CONFIG.budget_seconds
    assert replace(train, wall_seconds=base.wall_seconds, cpu_seconds=base.cpu_seconds) == base


BROKEN = {
    # name: (replace this in the solution, with this, words the message must hold)
    "NaN in forward": (
        "    return x * mask, mask",
        "    out = x * mask\n    if x.shape[0] == 32 and rng.random() < 0.05:\n"
        "        out[0, 0] = float('nan')\n    return out, mask",
        "returned NaN",
    ),
    "wrong shape in backward": ("    return dout * mask", "    return (dout * mask)[:, :3]",
                                "returned shape (32, 3) where the network needs (32, 128)"),
    "raises in backward": ("    return dout * mask",
                           "    if dout.shape[0] == 8:\n        raise KeyError('eight')\n"
                           "    return dout * mask", "raised KeyError (line"),
    "not a pair": ("    return x * mask, mask", "    return x * mask", "not a pair (out, cache)"),
    "gradients blow up": ("    return dout * mask", "    return dout * mask * 1e30",
                          "dropout_backward returned NaN or infinite"),
    "exits": ("    return dout * mask", "    import os\n    os._exit(3)", "ended the process"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_function_wrong_in_training_stops_with_a_clear_message(name):
    old, new, words = BROKEN[name]
    assert old in SOLUTION
    snap = net_run.NetRun(SOLUTION.replace(old, new), CONFIG).run()
    assert snap.state == "failed" and words in snap.error, snap.error
    assert "Traceback" not in snap.error and snap.seconds < net_run.TRAIN_LIMITS.wall_seconds


SLOW = {  # a slow function spends CPU time (counted whatever the machine's load); a sleeper
    # spends wall time (stopped by the network's wall budget, before the sandbox's wall limit)
    "cpu": ("    t = time.process_time()\n    while time.process_time() - t < 0.002:\n"
            "        pass\n", {"budget_seconds": 1.0}),
    "sleep": ("    time.sleep(0.01)\n", {"wall_budget_seconds": 1.0}),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(SLOW))
def test_a_slow_function_is_stopped_by_the_network_with_a_clear_message(kind):
    body, budget = SLOW[kind]
    slow = SOLUTION.replace(
        "    return dout * mask", f"    import time\n{body}    return dout * mask"
    )
    snap = net_run.NetRun(slow, replace(CONFIG, **budget)).run()
    assert snap.state == "failed" and "longer than 1 s" in snap.error, snap.error
    assert "too slow" in snap.error
    assert 0 < snap.epochs_done < CONFIG.epochs  # the curves so far are kept


def test_a_function_that_never_returns_is_stopped_at_the_wall_limit():
    body = "    while dout.shape[0] == 8:\n        pass\n    return dout * mask"
    loop = SOLUTION.replace("    return dout * mask", body)
    limits = replace(net_run.TRAIN_LIMITS, wall_seconds=2.0)
    snap = net_run.NetRun(loop, CONFIG, limits=limits).run()
    assert snap.state == "failed" and "infinite loop" in snap.error, snap.error
    assert "after 2 s at epoch 1 of 50" in snap.error


def test_shared_runs_train_once_and_a_failed_one_again():
    runs = net_run.NetRuns(workers=1)
    first = runs.start(SOLUTION, CONFIG)
    assert runs.start(SOLUTION, CONFIG) is first and runs.get(SOLUTION, CONFIG) is first
    first.join(300)  # a ceiling, not a wait: the sandbox ends any run by its own ceiling
    assert first.snapshot().state == "done"
    bad = "def dropout_forward(x, rate, training, rng):\n    return x, None\n"
    failed = runs.start(bad, CONFIG)
    failed.join(300)
    assert "dropout_backward" in failed.snapshot().error
    assert runs.start(bad, CONFIG) is not failed


def test_stop_messages_use_only_checked_values():
    """A stop record comes from the sandbox: forged fields never crash or leak into the words."""
    forged = {"problem": "raised", "variant": ["x"], "function": {"a": 1}, "error": "E" * 999,
              "line": "3", "message": "m" * 999, "epoch": "7"}  # fmt: skip
    text = net_run.stop_message(forged, 50)
    assert text.startswith("Training stopped at epoch 0 of 50 (NumPy, your dropout): your function")
    assert len(text) < 500 and "(line" not in text
    assert "unknown stop" in net_run.stop_message({"problem": ["raised"]}, 50)
    shape = net_run.stop_message({"problem": "shape", "got": "(1, 2)", "want": [32, 128]}, 50)
    assert "shape ? where the network needs (32, 128)" in shape
