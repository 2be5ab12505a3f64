"""The Explore page under AppTest, driven by widget keys."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.support.harness import MAIN


def explore_page(**query: str) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("steps/explore.py").run()
    assert not at.exception, at.exception
    return at


def scale_shown(at: AppTest) -> str:
    return at.metric[0].value


def test_default_rate_and_scale() -> None:
    at = explore_page()
    assert at.slider(key="explore.rate").value == 0.3
    assert scale_shown(at) == "× 1.429"


def test_moving_the_rate_changes_the_scale() -> None:
    at = explore_page()
    at.slider(key="explore.rate").set_value(0.5).run()
    assert scale_shown(at) == "× 2"
    at.slider(key="explore.rate").set_value(0.75).run()
    assert scale_shown(at) == "× 4"
    at.slider(key="explore.rate").set_value(0.9).run()
    assert scale_shown(at) == "× 10"
    at.slider(key="explore.rate").set_value(0.0).run()
    assert scale_shown(at) == "× 1"
    assert at.metric[1].value == "0%"
    assert not at.exception


def test_deep_link_sets_the_slider() -> None:
    at = explore_page(rate="0.5")
    assert at.slider(key="explore.rate").value == 0.5
    assert scale_shown(at) == "× 2"


def test_bad_deep_link_warns_and_uses_the_default() -> None:
    at = explore_page(rate="7")
    assert at.slider(key="explore.rate").value == 0.3
    assert any("outside" in w.value for w in at.warning)


def test_inference_mode_is_the_identity() -> None:
    at = explore_page()
    at.toggle(key="explore.inference").set_value(True).run()
    assert scale_shown(at) == "× 1"
    assert at.metric[1].value == "0%"
    assert any("equals the input" in m.value for m in at.markdown)


def test_original_form_scales_at_inference() -> None:
    at = explore_page(rate="0.5")
    at.radio(key="explore.form").set_value("original").run()
    at.toggle(key="explore.inference").set_value(True).run()
    assert scale_shown(at) == "× 0.5"


def test_new_mask_changes_the_seed_and_the_chart() -> None:
    at = explore_page()
    before = at.get("plotly_chart")[0].proto.spec
    at.button[0].click().run()
    assert at.number_input(key="explore.seed").value == 1
    after = at.get("plotly_chart")[0].proto.spec
    assert json.loads(before)["data"][1]["z"] != json.loads(after)["data"][1]["z"]


def test_every_chart_is_labelled() -> None:
    at = explore_page()
    charts = at.get("plotly_chart")
    assert len(charts) == 5
    for chart in charts:
        layout = json.loads(chart.proto.spec)["layout"]
        assert (
            layout.get("title")
            or layout.get("annotations")
            or layout.get("xaxis", {}).get("title")
            or layout["xaxis"].get("ticktext")
        )


def test_use_my_dropout_runs_the_learners_function_in_the_sandbox() -> None:
    from dropout_lab.lesson.labs import load_lab

    at = explore_page(rate="0.5")
    assert not [t for t in at.toggle if t.key == "explore.use_mine"]  # nothing passed yet
    at.session_state["build.numpy_passed_code"] = load_lab("numpy_dropout").solution
    at.run()
    at.toggle(key="explore.use_mine").set_value(True).run()
    assert not at.exception, at.exception
    assert any("your own `dropout_forward`" in i.value for i in at.info)
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
    assert any("could not be used" in i.value and "shape" in i.value for i in at.info)
    assert scale_shown(at) == "× 2"
