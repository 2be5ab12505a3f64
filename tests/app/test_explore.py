"""The Explore page under AppTest, driven by widget keys and by the live view's rate.

The live view (a v2 component) draws in the browser; AppTest mounts it and sees the data it is
given, including `reference`: the layer's numbers as the server computed them with NumPy (the
browser shows the same, tests/e2e/test_explore_component.py checks). The rate is the session's
`explore.rate`, which the component's settled value sets; tests set it directly.
"""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.support.harness import MAIN

RATE = "explore.rate"


def explore_page(**query: str) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("steps/explore.py").run()
    assert not at.exception, at.exception
    return at


def live(at: AppTest) -> dict:
    """The data the live view was mounted with."""
    (view,) = [e for e in at.get("bidi_component") if e.key == "explore.live"]
    return json.loads(view.proto.json)


def scale_shown(at: AppTest) -> str:
    return live(at)["reference"]["scale"]


def move_rate(at: AppTest, rate: float) -> AppTest:
    """What the live view's settled value does: set the session's rate, rerun."""
    at.session_state[RATE] = rate
    return at.run()


def test_default_rate_and_scale() -> None:
    at = explore_page()
    assert at.session_state[RATE] == 0.3 and live(at)["rate"] == 0.3
    assert scale_shown(at) == "× 1.429"
    assert live(at)["reference"]["rate"] == "0.30"


def test_moving_the_rate_changes_the_scale_and_the_deep_link() -> None:
    at = explore_page()
    move_rate(at, 0.5)
    assert scale_shown(at) == "× 2"
    assert at.query_params["rate"] == "0.5"  # the deep link follows the settled rate
    move_rate(at, 0.75)
    assert scale_shown(at) == "× 4"
    move_rate(at, 0.9)
    assert scale_shown(at) == "× 10"
    move_rate(at, 0.0)
    assert scale_shown(at) == "× 1"
    assert live(at)["reference"]["dropped"] == "0%"
    assert not at.exception


def test_deep_link_sets_the_rate() -> None:
    at = explore_page(rate="0.5")
    assert at.session_state[RATE] == 0.5 and live(at)["rate"] == 0.5
    assert scale_shown(at) == "× 2"


def test_bad_deep_link_warns_and_uses_the_default() -> None:
    at = explore_page(rate="7")
    assert at.session_state[RATE] == 0.3
    assert any("outside" in w.value for w in at.warning)


def test_a_new_link_wins_over_the_sessions_rate() -> None:
    at = explore_page()
    move_rate(at, 0.5)
    at.query_params["rate"] = "0.7"  # e.g. a reading's "Open Explore at 0.7"
    at.run()
    assert at.session_state[RATE] == 0.7 and scale_shown(at) == "× 3.333"
    at.run()  # the same address again: the session keeps its rate
    assert at.session_state[RATE] == 0.7


def test_inference_mode_is_the_identity() -> None:
    at = explore_page()
    at.toggle(key="explore.inference").set_value(True).run()
    assert scale_shown(at) == "× 1"
    assert live(at)["reference"]["dropped"] == "0%"
    assert not live(at)["training"]
    assert "equals the input" in live(at)["text"]["layer"]["inference_inverted"]


def test_original_form_scales_at_inference() -> None:
    at = explore_page(rate="0.5")
    at.radio(key="explore.form").set_value("original").run()
    at.toggle(key="explore.inference").set_value(True).run()
    assert scale_shown(at) == "× 0.5"
    assert live(at)["form"] == "original"


def test_new_mask_changes_the_seed_and_the_mask() -> None:
    at = explore_page()
    before = live(at)["reference"]["keep"]
    # by its label: the join form's buttons come first on every step until the learner joins
    next(b for b in at.button if b.label.endswith("New mask")).click().run()
    assert at.number_input(key="explore.seed").value == 1
    assert live(at)["seed"] == 1
    assert live(at)["reference"]["keep"] != before


def test_every_picture_is_labelled() -> None:
    text = live(explore_page())["text"]
    labels = ("activations", "mask", "output_training", "output_inference", "average_title",
              "error_title", "unit_axis", "value_axis", "k_axis", "error_axis", "active_unit",
              "dropped_unit", "slider")  # fmt: skip
    assert all(text["live"][k].strip() for k in labels)
    assert set(text["batch"]["modes"]) == {"per_example", "shared", "spatial"}
    for mode in text["batch"]["modes"].values():
        assert mode["title"].strip() and mode["explain"].startswith("<p>")
    for name, caption in text["variants"]["captions"].items():
        assert text["variants"]["titles"][name].strip() and caption.startswith("<p>")


def test_use_my_dropout_runs_the_learners_function_in_the_sandbox() -> None:
    from dropout_lab.lesson.labs import load_lab

    at = explore_page(rate="0.5")
    assert not [t for t in at.toggle if t.key == "explore.use_mine"]  # nothing passed yet
    at.session_state["build.numpy_passed_code"] = load_lab("numpy_dropout").solution
    at.run()
    at.toggle(key="explore.use_mine").set_value(True).run()
    assert not at.exception, at.exception
    assert "your own <code>dropout_forward</code>" in live(at)["note"]
    assert live(at)["mine"]["rate"] == 0.5
    assert scale_shown(at) == "× 2"  # the reference solution scales kept units by 1/(1-0.5)
    assert at.radio(key="explore.form").disabled


def test_a_broken_function_falls_back_to_the_built_in_dropout() -> None:
    at = explore_page(rate="0.5")
    at.session_state["build.numpy_passed_code"] = (
        "def dropout_forward(x, rate, training, rng):\n    return x[:3]\n"
    )
    at.run()
    at.toggle(key="explore.use_mine").set_value(True).run()
    assert not at.exception, at.exception
    note = live(at)["note"]
    assert "could not be used" in note and "shape" in note
    assert live(at)["mine"] is None
    assert scale_shown(at) == "× 2"


def test_the_page_never_shows_a_plotly_chart() -> None:
    """Every picture is the live view's: nothing left that needs a round trip to redraw."""
    at = explore_page()
    assert len(at.get("plotly_chart")) == 0
