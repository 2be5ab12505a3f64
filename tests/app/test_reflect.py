"""The Reflect page under AppTest: MC dropout with and without a learner's run, the passes
slider, the packet picker, and written answers that survive leaving the page."""

from __future__ import annotations

import base64
import json
from dataclasses import replace

import numpy as np
from streamlit.testing.v1 import AppTest

from dropout_lab.lesson import lessons
from dropout_lab.lesson.labs import load_lab
from dropout_lab.lesson.spec import lesson_spec
from dropout_lab.training.runstore import RunStore
from dropout_lab.ui import session
from tests.support import wait
from tests.support.harness import MAIN

QUESTIONS = lessons.load_reflect_questions()


def reflect_page(runs: list[dict] | None = None) -> AppTest:
    """The Reflect page once its models are ready (training the reference runs if needed)."""
    at = AppTest.from_file(str(MAIN), default_timeout=120)
    if runs is not None:
        at.session_state["build.runs"] = runs
    at.run()
    at.switch_page("steps/reflect.py").run()
    wait.rerun_until(at, lambda: mc_drawn(at), timeout=240, what="the Reflect models")
    return at


def mc_drawn(at: AppTest) -> bool:
    """The Monte Carlo figures are drawn (the review's figures further down are not them)."""
    return any(session.REFLECT_WHOLE_CHART in (c.proto.id or "") for c in at.get("plotly_chart"))


def chart(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def values(array) -> np.ndarray:
    """A trace's data array, whether plotly sent it as a list or as typed base64 data."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)


def metric(at: AppTest, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_without_a_run_it_uses_the_lessons_dropout_model() -> None:
    at = reflect_page()
    assert "lesson's `Dropout(0.3)` model" in markdown_text(at)  # not "reference": that is 0.5
    spec = chart(at)
    assert len(values(spec["data"][0]["x"])) == 100  # the default T
    assert len(values(spec["data"][1]["x"])) == 100  # the no-dropout contrast
    assert np.unique(values(spec["data"][1]["x"])).size == 1  # no dropout: no spread
    assert metric(at, "MC mean of").startswith("0.") and metric(at, "MC mean of 100")
    whole = chart(at, 1)
    names = {t.get("name") for t in whole["data"]}
    assert {"keep the lowest MC spread", "keep the highest dropout-off confidence"} <= names
    assert any("largest spread is **0.000**" in i.value for i in at.info)


def test_moving_the_passes_slider_updates_the_figures() -> None:
    at = reflect_page()
    before = chart(at)
    at.slider(key="reflect.passes").set_value(250).run()
    assert not at.exception
    after = chart(at)
    assert len(values(after["data"][0]["x"])) == 250
    assert values(after["data"][0]["x"]).tolist() != values(before["data"][0]["x"]).tolist()
    assert "250 passes" in after["layout"]["annotations"][0]["text"]
    assert any(m.label == "MC mean of 250 passes" for m in at.metric)


def test_packet_picker_by_index_and_most_uncertain() -> None:
    at = reflect_page()
    at.radio(key="reflect.pick").set_value("index").run()
    at.number_input(key="reflect.index").set_value(17).run()
    assert "Connection #17 of the validation set" in markdown_text(at)
    at.radio(key="reflect.pick").set_value("uncertain").run()
    assert not at.exception
    heading = next(m.value for m in at.markdown if "Connection #" in m.value)
    assert "Connection #17 " not in heading
    assert float(metric(at, "MC spread")) > 0.1  # the most uncertain one has a wide spread


def test_with_the_learners_run_it_uses_their_model() -> None:
    config = replace(load_lab("overfit").config, epochs=3, seed=11)
    from dropout_lab.training.trainer import train  # TensorFlow, only for this test

    store = RunStore()
    mine, starter = train(lesson_spec(0.5), config), train(lesson_spec(0.0), config)
    store.put(mine)
    store.put(starter)
    at = reflect_page([{"label": "Your model", "key": mine.key},
                       {"label": "Starter (no dropout)", "key": starter.key}])  # fmt: skip
    text = markdown_text(at)
    assert "Using **your model**" in text and "Dropout(0.5)" in text and "3 epochs" in text
    assert "starter without dropout" in text
    assert "lesson's `Dropout(0.3)` model" not in text
    assert chart(at)["data"][0]["name"].startswith("Your model")


def test_a_learners_model_without_dropout_is_explained() -> None:
    config = replace(load_lab("overfit").config, epochs=2, seed=12)
    from dropout_lab.training.trainer import train

    run = train(lesson_spec(0.0), config)
    RunStore().put(run)
    at = reflect_page([{"label": "Your model", "key": run.key}])
    assert any("no dropout layer" in w.value for w in at.warning)
    assert np.unique(values(chart(at)["data"][0]["x"])).size == 1


def test_answers_reveal_and_survive_leaving_the_page() -> None:
    at = reflect_page()
    first, second = QUESTIONS[0], QUESTIONS[1]
    # Reveal before writing: a nudge, no model answer.
    at.button(key=f"reflect.reveal.{second.id}").click().run()
    assert any("Write your own answer first" in w.value for w in at.warning)
    assert not any("Model answer" in s.value for s in at.success)
    # Write, then reveal.
    at.text_area(key=f"reflect.answer.{first.id}").set_value("No: predict runs with it off.").run()
    at.button(key=f"reflect.reveal.{first.id}").click().run()
    shown = [s.value for s in at.success if "Model answer" in s.value]
    assert len(shown) == 1 and first.model_answer[:40] in shown[0]
    assert at.session_state["reflect.answers"] == {first.id: "No: predict runs with it off."}
    # Leave for another step and come back: the answer is still in its box.
    at.switch_page("steps/explore.py").run()
    at.switch_page("steps/reflect.py").run()
    assert not at.exception
    assert at.text_area(key=f"reflect.answer.{first.id}").value == "No: predict runs with it off."
    assert any(f"1 of {len(QUESTIONS)} questions answered" in c.value for c in at.caption)


def test_wrap_up_links_back_to_the_steps() -> None:
    at = reflect_page()
    assert any(h.value == "Wrap-up" for h in at.header)
    assert any("What to try next" in m.value for m in at.markdown)
    pages = {link.proto.page for link in at.get("page_link")}
    assert any("explore" in p for p in pages) and any("build" in p for p in pages)


def test_the_sentences_are_computed_from_the_passes() -> None:
    at = reflect_page()
    text = markdown_text(at)
    # the whole set: the rejection sentence carries the metrics' own numbers
    overall, kept = metric(at, "Accuracy, MC mean"), metric(at, "Accuracy, 80% most certain")
    if float(kept) > float(overall):
        assert f"raises the accuracy on the rest from {overall} to {kept}" in text
    else:
        assert "does not raise the accuracy on the rest" in text
    assert "ranks connections" in text  # the spread against dropout-off confidence, measured
    assert "How these sentences are chosen" in [e.label for e in at.expander]
    # the packet: its range is the passes' own
    passes = values(chart(at)["data"][0]["x"])
    assert f"ranged from {passes.min():.3f} to {passes.max():.3f}" in text


def test_the_weight_scaling_rule_measured_on_the_model() -> None:
    at = reflect_page()
    assert any(h.value == "The weight-scaling rule, measured" for h in at.header)
    text = markdown_text(at)
    mad, noise = metric(at, "Mean difference, 200 passes"), metric(at, "Sampling noise alone")
    assert f"the mean of 200 passes differs from the dropout-off prediction by {mad}" in text
    assert f"Sampling noise alone would give about {noise}" in text or f"({noise})" in text
    assert "T = 10:" in text and "T = 50:" in text
    assert "**A linear layer, exactly.**" in text and "floating-point rounding" in text
    assert "**Add a hidden ReLU layer**" in text and "no longer agree" in text


def test_the_review_asks_checks_from_across_the_lesson_with_their_feedback() -> None:
    """Reflect's interleaved review (issue 25): 6-8 of Read's checks, one per section; the item
    on the 8% flipped labels drawn from the stored no-dropout run once it is there."""
    from dropout_lab.ui import session

    quiz = {q.id: q for q in lessons.load_quiz()}
    at = reflect_page()
    keys = [r.key for r in at.radio if r.key and r.key.startswith(session.REFLECT_REVIEW.prefix)]
    items = [quiz[k.removeprefix(session.REFLECT_REVIEW.prefix)] for k in keys]
    assert 6 <= len(items) <= 8
    assert len({i.section for i in items}) == len(items)  # drawn across sections
    memorised = quiz["memorised-noise"]
    if memorised in items:  # the run is stored: its curve is the run's, above the 92% line
        spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                    if c.proto.id and "memorised-noise" in c.proto.id)  # fmt: skip
        assert values(spec["data"][0]["y"])[-1] > 0.92
    item = items[-1]
    wrong = (item.answer + 1) % len(item.choices)
    at.radio(key=session.REFLECT_REVIEW.of(item.id)).set_value(wrong).run()
    shown = [e.value for e in at.error if item.explanation in e.value]
    assert shown and item.misconception(wrong) in shown[0]


def test_the_lessons_question_is_answered_from_compares_runs(tmp_path_factory, monkeypatch) -> None:
    """'Are dropout and L2 additive here?' (issue 25, part 8): the model answer ends with the
    lesson's own runs, really trained: their final validation losses, computed here with NumPy
    from the stored histories, and the sentence of one outcome."""
    from dropout_lab.findings.sweep import sweep_name
    from dropout_lab.lesson import catalogue
    from dropout_lab.training import precompute
    from dropout_lab.training.service import TrainingService
    from dropout_lab.ui import training
    from tests.support.lesson_runs import data_dir_with_lesson_runs

    store = RunStore(data_dir_with_lesson_runs(tmp_path_factory.mktemp("real")) / "runs")
    svc = TrainingService(store, max_workers=1)
    monkeypatch.setattr(training, "service", lambda: svc)
    first = QUESTIONS[0]
    try:
        at = reflect_page()
        at.text_area(key=f"reflect.answer.{first.id}").set_value("They overlap.").run()
        at.button(key=f"reflect.reveal.{first.id}").click().run()
        assert not at.exception, at.exception
    finally:
        svc.shutdown()
    shown = next(s.value for s in at.success if "Model answer" in s.value)
    assert first.id == "dropout-l2-additive" and "**On the lesson's own runs.**" in shown
    loaded = precompute.load(store, catalogue.requests())

    def final(name: str) -> float:
        return float(loaded[name]["val_loss"][-1])

    def seeded(name: str, rate: float) -> float:
        others = [final(sweep_name(rate, s)) for s in catalogue.SEEDS[1:]]
        return float(np.mean([final(name), *others]))

    for value in (seeded(catalogue.NO_DROPOUT, 0.0), seeded(catalogue.DROPOUT, 0.3),
                  final(catalogue.L2_ONLY), final(catalogue.DROPOUT_L2)):  # fmt: skip
        assert f"**{value:.3f}**" in shown
    said = ("are **additive**", "they **overlap**", "cannot tell", "**partly additive**",
            "**reinforce**", "**hurts**")  # fmt: skip
    assert sum(s in shown for s in said) == 1, shown
