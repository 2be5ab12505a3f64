"""Predict, then reveal, under AppTest (issue 13, part 1): Explore's scale factor, Build's shape
and accuracy change (the Train buttons wait for it; the reveal puts it beside the lesson's
pair), Compare's rate (the sweep waits for it): each committed, skipped explicitly or refused
when empty, stored for a joined learner and back on resume; off with DROPOUT_LAB_PREDICTIONS."""

from __future__ import annotations

import json
import uuid

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.lesson import catalogue
from dropout_lab.lesson import predictions as pr
from dropout_lab.lesson.catalogue import RATES, SEEDS, sweep_name
from dropout_lab.lesson.labs import load_lab
from dropout_lab.lesson.train_settings import train_settings
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.service import TrainingService
from dropout_lab.ui import session, training
from tests.support import editor, wait
from tests.support.harness import MAIN

LAB = load_lab("overfit")
EPOCHS = 50


@pytest.fixture(autouse=True)
def predicting(monkeypatch: pytest.MonkeyPatch) -> None:
    """tests/app/conftest.py turns predictions off for the other page tests; on here."""
    monkeypatch.setenv("DROPOUT_LAB_PREDICTIONS", "on")


@pytest.fixture(autouse=True)
def own_client(monkeypatch: pytest.MonkeyPatch) -> None:
    from dropout_lab.ui import links

    client = "test:" + uuid.uuid4().hex
    monkeypatch.setattr(links, "client", lambda: client)


@pytest.fixture
def service(tmp_path, monkeypatch):
    svc = TrainingService(RunStore(tmp_path / "runs"), max_workers=1)
    monkeypatch.setattr(training, "service", lambda: svc)
    yield svc
    svc.shutdown()


def history(rate: float, seed: int = 0, climb: float = 0.03) -> dict[str, list[float]]:
    """A history whose validation loss falls to epoch 4, then climbs (less with dropout)."""
    t = np.arange(1, EPOCHS + 1, dtype=float)
    rng = np.random.default_rng(seed)
    loss = 0.6 * np.exp(-t * (1 - rate) / 8) + 0.05 * rate
    val = 0.5 + (1 - rate) ** 2 * climb * np.maximum(t - 4, 0) + rng.normal(0, 0.002, EPOCHS)
    val[:4] = 0.7 - 0.05 * t[:4]
    acc = 0.80 + 0.03 * rate + rng.normal(0, 0.001, EPOCHS)
    return {"loss": list(loss), "accuracy": list(1 - loss / 2), "val_loss": list(val),
            "val_accuracy": list(acc)}  # fmt: skip


def put(store: RunStore, spec, config, hist) -> str:
    from dropout_lab.lesson.spec import RunResult, run_key

    key = run_key(spec, config)
    store.put(RunResult(key=key, spec=spec, config=config, history=hist,
                        epochs_done=len(hist["loss"]), stopped=False, best_epoch=1,
                        train_seconds=1.0, weights=[]))  # fmt: skip
    return key


def store_everything(store: RunStore) -> dict[str, dict]:
    """The lesson's precomputed runs, with made-up histories; returns name -> history."""
    out = {}
    for r in catalogue.requests():
        rate = (r.spec.dropout_rates() or [0.0])[0]
        out[r.name] = history(rate, r.config.seed)
        put(store, r.spec, r.config, out[r.name])
    return out


def start(page: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    at.switch_page(f"steps/{page}.py").run()
    assert not at.exception, at.exception
    return at


def text_of(at: AppTest) -> str:
    kinds = ("markdown", "caption", "info", "success", "warning", "error")
    texts = [str(e.value) for kind in kinds for e in at.get(kind)]
    return "\n".join(texts + [p.proto.text for p in at.get("progress")])


def chart(at: AppTest, key: str) -> dict:
    found = [c for c in at.get("plotly_chart") if c.proto.id and key in c.proto.id]
    assert found, f"no chart {key}"
    return json.loads(found[0].proto.spec)


def store():
    from dropout_lab.store import Store

    return Store()


# --------------------------------------------------------------------------- Explore


def test_explore_asks_then_shows_the_guess_beside_the_answer() -> None:
    at = start("explore")
    assert at.number_input(key=session.EXPLORE_PREDICT_SCALE).value is None
    at.button(key=session.EXPLORE_PREDICT_CHECK).click().run()  # nothing typed: refused
    assert "Give an answer first, or press Skip." in text_of(at)
    assert session.LEARNERS_PREDICTIONS not in at.session_state or not at.session_state[
        session.LEARNERS_PREDICTIONS]  # fmt: skip
    at.number_input(key=session.EXPLORE_PREDICT_SCALE).set_value(1.5)
    at.button(key=session.EXPLORE_PREDICT_CHECK).click().run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Your guess": "1.50×", "Keras at p = 0.5": "2.00×"}
    assert "Your guess is 0.50 too low" in text_of(at)
    assert not at.get("number_input") or all(
        n.key != session.EXPLORE_PREDICT_SCALE for n in at.number_input
    )  # the form is gone
    assert at.session_state[session.LEARNERS_PREDICTIONS] == {
        pr.EXPLORE: {"value": 1.5, "skipped": False}}  # fmt: skip


def test_explore_gives_nothing_away_before_the_prediction() -> None:
    """Nothing on the page answers a question before it is answered or skipped: no 1/(1 − p)
    in the intro, no live view (its scale, its two forms), no mask seed control; then the
    second question (no scaling) the same way."""
    at = start("explore")
    words = text_of(at)
    assert "1/(1−p)" not in words and "1/(1-p)" not in words and "×" not in words
    assert "Answer the question above, or skip it, and the live view opens." in words
    assert session.EXPLORE_SEED not in [n.key for n in at.number_input]
    at.button(key=session.EXPLORE_PREDICT_SKIP).click().run()
    words = text_of(at)  # the second question: still no live view, no test-time numbers
    assert at.radio(key=session.EXPLORE_UNSCALED_CHOICE).value is None
    assert "**1/(1−p)**" not in words and "Test time" not in words and not at.table
    assert "Answer the question above, or skip it, and the live view opens." in words
    assert session.EXPLORE_SEED not in [n.key for n in at.number_input]
    at.button(key=session.EXPLORE_UNSCALED_SKIP).click().run()
    assert "**1/(1−p)**" in text_of(at)  # the intro, once both are skipped
    assert session.EXPLORE_SEED in [n.key for n in at.number_input]


def test_explore_right_and_skipped() -> None:
    at = start("explore")
    at.number_input(key=session.EXPLORE_PREDICT_SCALE).set_value(2.0)
    at.button(key=session.EXPLORE_PREDICT_CHECK).click().run()
    assert "Right: at p = 0.5 Keras multiplies each kept unit by 1/(1 − 0.5) = **2**" in text_of(at)
    other = start("explore")
    other.button(key=session.EXPLORE_PREDICT_SKIP).click().run()
    assert {m.label: m.value for m in other.metric}["Your guess"] == "skipped"
    assert "You skipped this prediction." in text_of(other)
    assert other.session_state[session.LEARNERS_PREDICTIONS][pr.EXPLORE]["skipped"] is True


def unscaled_table(at: AppTest) -> dict[str, list[str]]:
    """The reveal's table: row label -> (this mask, average of the masks, expected)."""
    (table,) = at.table
    frame = table.value
    return {str(i): [str(x) for x in row] for i, row in zip(frame.index, frame.values, strict=True)}


def test_explore_without_scaling_predict_then_observe_on_the_pages_layer() -> None:
    """CS231n's "what if you do not divide by 1 − p?": the learner predicts (a wrong guess),
    then sees the next layer's mean input three ways, computed here with NumPy from the live
    view's own activations and mask (seed 3 from the address, as the live view uses)."""
    from dropout_lab.lesson import explore, rng

    at = start("explore", seed="3")
    at.button(key=session.EXPLORE_PREDICT_SKIP).click().run()
    at.button(key=session.EXPLORE_UNSCALED_CHECK).click().run()  # nothing chosen: refused
    assert "Give an answer first, or press Skip." in text_of(at)
    at.radio(key=session.EXPLORE_UNSCALED_CHOICE).set_value("same")
    at.button(key=session.EXPLORE_UNSCALED_CHECK).click().run()
    assert not at.exception, at.exception
    assert at.session_state[session.LEARNERS_PREDICTIONS][pr.EXPLORE_UNSCALED] == {
        "value": "same", "skipped": False}  # fmt: skip
    words = text_of(at)
    assert "Not quite: at test time the next layer's input is on average **larger than in " \
        "training**, not about the same as in training." in words  # fmt: skip
    x, p = explore.example_layer(), 0.5
    keep = rng.keep_bits(3, explore.STREAMS["layer"], p, x.size)  # the live view's mask
    got = unscaled_table(at)
    plain, scaled, test = got.values()
    assert plain[0] == f"{np.mean(np.where(keep, x, 0)):.3g}"
    assert scaled[0] == f"{np.mean(np.where(keep, x / (1 - p), 0)):.3g}"
    assert plain[2] == f"{(1 - p) * x.mean():.3g}" and scaled[2] == test[2] == f"{x.mean():.3g}"
    assert abs(float(plain[1]) - (1 - p) * x.mean()) < 0.02  # 1,000 masks: close to expected
    said = f"at test time it gets **{x.mean():.3g}**, 2 times as much"
    assert said in words and "(mask seed 3)" in words
    assert "**1/(1−p)**" in words  # and now the live view and its intro open
    assert session.EXPLORE_SEED in [n.key for n in at.number_input]


def test_explore_without_scaling_right_and_skipped() -> None:
    at = start("explore")
    at.number_input(key=session.EXPLORE_PREDICT_SCALE).set_value(2.0)
    at.button(key=session.EXPLORE_PREDICT_CHECK).click().run()
    at.radio(key=session.EXPLORE_UNSCALED_CHOICE).set_value("larger")
    at.button(key=session.EXPLORE_UNSCALED_CHECK).click().run()
    assert "Right: at test time the next layer's input is on average **larger than in " \
        "training**." in text_of(at)  # fmt: skip
    other = start("explore")
    other.button(key=session.EXPLORE_PREDICT_SKIP).click().run()
    other.button(key=session.EXPLORE_UNSCALED_SKIP).click().run()
    assert "You skipped this prediction. Measured on this page's own layer" in text_of(other)
    assert len(unscaled_table(other)) == 3


def test_with_predictions_off_nothing_is_asked(monkeypatch) -> None:
    monkeypatch.setenv("DROPOUT_LAB_PREDICTIONS", "off")
    at = start("explore")
    assert all(b.key not in (session.EXPLORE_PREDICT_CHECK, session.EXPLORE_UNSCALED_CHECK)
               for b in at.button)  # fmt: skip


# --------------------------------------------------------------------------- Build


def train_button(at: AppTest):
    return next(b for b in at.button if b.label == "▶ Train mine")


def wait_done(at: AppTest, seconds: float = 180) -> None:
    try:
        wait.rerun_until(at, lambda: any("Done" in s.value for s in at.success), timeout=seconds)
    except TimeoutError as e:
        raise AssertionError(text_of(at)) from e


def test_build_waits_for_the_prediction_then_reveals_it_beside_the_pair(service) -> None:
    runs = store_everything(service.store)
    at = start("build")
    assert train_button(at).disabled  # the prediction first
    assert "Make your prediction above (or skip it) to train." in text_of(at)
    at.radio(key=session.BUILD_PREDICT_SHAPE).set_value("level")
    at.button(key=session.BUILD_PREDICT_CHECK).click().run()  # the number is missing
    assert "Give an answer first, or press Skip." in text_of(at)
    assert train_button(at).disabled
    at.radio(key=session.BUILD_PREDICT_SHAPE).set_value("level")
    at.number_input(key=session.BUILD_PREDICT_ACCURACY).set_value(5.0)
    at.button(key=session.BUILD_PREDICT_CHECK).click().run()
    assert not at.exception, at.exception
    assert not train_button(at).disabled
    assert "It is shown against the lesson's runs once your first run has finished" in text_of(at)

    editor.type_code(at, "build.code", LAB.solution)
    train_button(at).click().run()  # the solution's run is one of the lesson's sweep: stored
    wait_done(at)
    said = text_of(at)
    nd, d = runs[catalogue.NO_DROPOUT], runs[catalogue.DROPOUT]
    real = 100 * (d["val_accuracy"][-1] - nd["val_accuracy"][-1])
    assert "You expected the validation loss without dropout to **level off**; it did **turn up " \
           "and climb** instead" in said  # fmt: skip
    assert f"it changed it by **{real:+.1f} points**" in said
    assert f"your prediction was {abs(5.0 - real):.1f} points too high" in said
    fig = chart(at, session.BUILD_PREDICT_CHART)
    names = [t.get("name", "") for t in fig["data"]]
    assert "your prediction: level off" in names and "the run: turn up and climb" in names
    guess = next(t for t in fig["data"] if t.get("name") == "your prediction")
    assert guess["x"] == [5.0]
    assert np.allclose(next(t for t in fig["data"] if t.get("name") == "the runs")["x"], [real])


def test_build_skip_trains_and_reveals_the_runs_alone(service) -> None:
    runs = store_everything(service.store)
    at = start("build")
    at.button(key=session.BUILD_PREDICT_SKIP).click().run()
    assert not train_button(at).disabled
    made = at.session_state[session.LEARNERS_PREDICTIONS]
    assert made == {pr.BUILD_SHAPE: {"value": None, "skipped": True},
                    pr.BUILD_ACCURACY: {"value": None, "skipped": True}}  # fmt: skip
    editor.type_code(at, "build.code", LAB.solution)
    train_button(at).click().run()
    wait_done(at)
    said = text_of(at)
    assert "Without dropout, the validation loss did **turn up and climb**" in said
    assert "You predicted" not in said
    names = [t.get("name", "") for t in chart(at, session.BUILD_PREDICT_CHART)["data"]]
    assert not any(n.startswith("your prediction") for n in names)
    assert runs  # the pair was there: no run was trained for the reveal


def test_build_reveal_waits_for_the_pair_and_asks_for_it(service, monkeypatch) -> None:
    """Without the lesson's pair stored, the reveal asks for it (a shared run) and says so."""
    from dropout_lab.codelab import reader
    from dropout_lab.lesson.spec import run_key

    asked: list[str] = []
    real_submit = service.submit

    def spy(spec, config, **kw):
        if kw.get("lane") not in (None, "shared"):  # the learner's own run
            return real_submit(spec, config, **kw)
        asked.append(run_key(spec, config))  # the app's own: recorded, not trained here
        return asked[-1]

    monkeypatch.setattr(service, "submit", spy)
    base = train_settings().config  # what Build starts from, and the lesson's pair
    put(service.store, reader.parse_code(LAB.solution).spec, base, history(0.5))  # the learner's
    dropout = next(r for r in catalogue.requests(base) if r.name == catalogue.DROPOUT)
    put(service.store, dropout.spec, dropout.config, history(0.3))  # one of the lesson's pair
    at = start("build")
    at.session_state[session.LEARNERS_PREDICTIONS] = {
        pid: {"value": None, "skipped": True} for pid in (pr.BUILD_SHAPE, pr.BUILD_ACCURACY)
    }
    at.run()
    editor.type_code(at, "build.code", LAB.solution)
    train_button(at).click().run()
    wait_done(at)
    assert "Training the lesson's pair of runs for the reveal: 1 of 2 stored." in text_of(at)
    no_dropout = next(r for r in catalogue.requests(base) if r.name == catalogue.NO_DROPOUT)
    assert asked and set(asked) == {run_key(no_dropout.spec, no_dropout.config)}


# --------------------------------------------------------------------------- Compare


def test_compare_asks_before_the_sweep_then_shows_the_pick(service) -> None:
    runs = store_everything(service.store)
    at = start("compare")
    assert any(h.value == "The rate sweep" for h in at.header)
    assert not [c for c in at.get("plotly_chart") if "compare.sweep" in (c.proto.id or "")]
    radio = at.radio(key=session.COMPARE_PREDICT_RATE)
    assert list(radio.options) == [f"{r:g}" for r in RATES]
    radio.set_value(0.0)
    at.button(key=session.COMPARE_PREDICT_CHECK).click().run()
    assert not at.exception, at.exception
    chart(at, "compare.sweep")  # drawn now
    finals = {r: np.mean([runs[sweep_name(r, s)]["val_loss"][-1] for s in SEEDS]) for r in RATES}
    best = min(finals, key=finals.get)
    said = text_of(at)
    assert best != 0.0
    assert f"You picked **0**; the lowest final validation loss came at **{best:g}**" in said
    assert "over 3 seeds. The two differ by" in said and "more than the spread" in said
    fig = chart(at, session.COMPARE_PREDICT_CHART)
    pick = next(t for t in fig["data"] if t.get("name") == "your pick")
    lowest = next(t for t in fig["data"] if t.get("name") == "lowest")
    assert pick["x"] == ["0"] and lowest["x"] == [f"{best:g}"]


def test_compare_skip_draws_the_sweep_and_names_the_lowest(service) -> None:
    store_everything(service.store)
    at = start("compare")
    at.button(key=session.COMPARE_PREDICT_SKIP).click().run()
    chart(at, "compare.sweep")
    assert "You skipped this prediction. The lowest final validation loss came at" in text_of(at)


# --------------------------------------------------------------------------- stored, resumed


def test_a_joined_learners_predictions_are_stored_and_come_back(service) -> None:
    code = "P" + uuid.uuid4().hex[:8]
    at = start("explore", learner="Ada", **{"class": code})
    mine = at.session_state[session.LEARNERS_RESUME]
    me = at.session_state[session.LEARNERS_LEARNER]
    at.number_input(key=session.EXPLORE_PREDICT_SCALE).set_value(3.0)
    at.button(key=session.EXPLORE_PREDICT_CHECK).click().run()
    at.switch_page("steps/compare.py").run()  # no sweep stored: nothing asked yet
    at.switch_page("steps/build.py").run()
    at.button(key=session.BUILD_PREDICT_SKIP).click().run()
    stored = store().predictions(me.id)
    assert {k: (v["value"], v["skipped"]) for k, v in stored.items()} == {
        pr.EXPLORE: (3.0, False),
        pr.BUILD_SHAPE: (None, True),
        pr.BUILD_ACCURACY: (None, True),
    }

    again = start("explore", resume=mine)  # a new session: the reveal, not the form
    assert {m.label: m.value for m in again.metric}["Your guess"] == "3.00×"
    assert all(b.key != session.EXPLORE_PREDICT_CHECK for b in again.button)
    again.switch_page("steps/build.py").run()
    assert not train_button(again).disabled  # skipped before: not asked again
    again.button(key=session.LEARNERS_LEAVE).click().run()  # leaving takes them along
    assert session.LEARNERS_PREDICTIONS not in again.session_state
    again.switch_page("steps/explore.py").run()
    assert any(b.key == session.EXPLORE_PREDICT_CHECK for b in again.button)


def test_the_compare_sentence_says_whether_the_seeds_can_tell_the_rates_apart() -> None:
    from dropout_lab.ui.predictions import compare_sentence

    def rows(*values):
        return [{"rate": r, "final_val_loss": v, "final_val_loss_sd": sd, "seeds": 3}
                for r, v, sd in values]  # fmt: skip

    near = rows((0.0, 0.60, 0.01), (0.3, 0.40, 0.02), (0.5, 0.41, 0.02))
    far = rows((0.0, 0.60, 0.01), (0.3, 0.40, 0.02), (0.5, 0.50, 0.02))
    said = compare_sentence(near, 0.3)
    assert said.startswith("You picked **0.3**, and it gave the lowest")
    assert "The next lowest, 0.5 (0.410 ± 0.020), is only 0.010 higher" in said
    assert "is 0.100 higher, more than the spread" in compare_sentence(far, 0.3)
    assert "the sweep cannot tell them apart" in compare_sentence(near, 0.5)
    off = compare_sentence(far, 0.0)
    assert "the lowest final validation loss came at **0.3**" in off and "0.200" in off
    assert "more than the spread of either's seeds" in off
    assert compare_sentence(far, None).startswith("You skipped this prediction.")
    assert "Your pick, 0.8, is not among the rates trained so far." in compare_sentence(far, 0.8)
