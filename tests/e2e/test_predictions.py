"""Predict, then reveal, in a real browser (issue 13, part 1): on Build the Train buttons wait
for the learner's prediction; they predict, write the solution, train both models (the
lesson's own pair), and see their prediction on a chart beside the runs with the sentence on
how far off it was. Explore's guess beside its answer too. Screenshots in the artifacts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dropout_lab.lesson.labs import load_lab
from dropout_lab.ui.precompute import ENV
from tests.support import editor
from tests.support.harness import Server, full_screenshot, running_server, wait_until_idle
from tests.support.lesson_runs import data_dir_with_lesson_runs

from .conftest import assert_no_error

pytestmark = pytest.mark.e2e


TOKEN = "e2e-token"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's data: a copy of the lesson's runs, trained once per test session."""
    return data_dir_with_lesson_runs(tmp_path_factory.mktemp("predict-data"))


@pytest.fixture(scope="module")
def predicting_server(data_dir: Path, tmp_path_factory) -> Iterator[Server]:
    """A server that asks for predictions (the other browser tests' servers do not)."""
    log = tmp_path_factory.mktemp("predict-server") / "streamlit.log"
    env = {"DROPOUT_LAB_DATA_DIR": str(data_dir), ENV: "0", "DROPOUT_LAB_PREDICTIONS": "on",
           "DROPOUT_LAB_INSTRUCTOR_TOKEN": TOKEN}  # fmt: skip
    with running_server(log, env=env) as srv:
        yield srv


def test_explore_shows_the_guess_beside_the_answer(
    predicting_server: Server, page: Page, artifacts: Path
) -> None:
    page.goto(f"{predicting_server.url}/explore")
    wait_until_idle(page)
    page.get_by_label("Scale factor of a kept unit at p = 0.5").fill("1.5")
    page.get_by_role("button", name="Check").click()
    wait_until_idle(page)
    expect(page.get_by_text("Your guess is 0.50 too low", exact=False)).to_be_visible()
    expect(page.get_by_text("2.00×", exact=True)).to_be_visible()
    assert_no_error(page)
    full_screenshot(page, str(artifacts / "predict-explore.png"))


def test_build_prediction_then_training_then_the_reveal(
    predicting_server: Server, page: Page, artifacts: Path
) -> None:
    page.goto(f"{predicting_server.url}/build")
    wait_until_idle(page)
    expect(page.get_by_role("heading", name="Predict before you train")).to_be_visible()
    train = page.get_by_role("button", name="▶▶ Train both")
    expect(train).to_be_disabled()
    page.get_by_text("turn up and climb", exact=True).click()
    page.get_by_label("Change of the final validation accuracy (percentage points)").fill("4")
    full_screenshot(page, str(artifacts / "predict-build-form.png"))
    page.get_by_role("button", name="Check").click()
    wait_until_idle(page)
    expect(page.get_by_role("heading", name="Predict before you train")).to_have_count(0)
    expect(page.get_by_text("Your prediction is kept.", exact=False)).to_be_visible()

    editor.paste_code(page, "Keras code", load_lab("overfit").solution)
    expect(train).to_be_enabled()
    train.click()  # the solution and the starter at the lab's defaults: the lesson's own pair
    expect(page.get_by_text("Your model: Done")).to_be_visible(timeout=180_000)
    expect(page.get_by_text("Starter (no dropout): Done")).to_be_visible(timeout=180_000)
    wait_until_idle(page)
    heading = page.get_by_role("heading", name="Your prediction against the runs")
    expect(heading).to_be_visible(timeout=180_000)
    said = page.get_by_text(re.compile(r"You predicted that Dropout\(0\.3\) would change"))
    expect(said).to_be_visible()
    assert re.search(r"it changed it by [+-]\d+\.\d points", said.inner_text())
    expect(page.get_by_text("You expected the validation loss without dropout to",
                            exact=False)).to_be_visible()  # fmt: skip
    chart = page.locator(".js-plotly-plot").filter(has_text="your prediction")
    expect(chart.first).to_be_visible()
    expect(page.get_by_text("your prediction: turn up and climb").first).to_be_visible()
    assert_no_error(page)
    heading.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "predict-build-reveal.png"))
    full_screenshot(page, str(artifacts / "predict-build.png"))


def test_compare_asks_for_the_rate_then_draws_the_sweep_and_the_pick(
    predicting_server: Server, page: Page, artifacts: Path
) -> None:
    page.goto(f"{predicting_server.url}/compare")
    wait_until_idle(page)
    expect(page.get_by_role("heading", name="The rate sweep")).to_be_visible()
    expect(page.get_by_text("The end of training against the rate", exact=False)).to_have_count(0)
    page.get_by_role("radio", name="0.8", exact=True).check(force=True)
    page.get_by_role("button", name="Check").click()
    wait_until_idle(page)
    picked = page.get_by_text(re.compile(r"^You picked 0\.8[;,]"))
    expect(picked).to_be_visible(timeout=180_000)  # the whole sweep is drawn first
    expect(page.get_by_text("The end of training against the rate", exact=False)).to_be_visible()
    reveal = page.get_by_role("heading", name="Your prediction")
    expect(reveal).to_be_visible()
    assert_no_error(page)
    reveal.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "predict-compare.png"))


def test_the_dashboard_shows_what_the_class_thinks(
    predicting_server: Server, data_dir: Path, page: Page, artifacts: Path
) -> None:
    from dropout_lab.lesson import lessons
    from dropout_lab.store import Store

    quiz, questions = lessons.load_quiz(), lessons.load_reflect_questions()
    store = Store(f"sqlite:///{data_dir / 'dropout-lab.sqlite3'}")  # the server's database
    picks = [("Ada", 2.0, "climb", 2.0, 0.3), ("Bob", 1.5, "level", 5.0, 0.5),
             ("Cy", 0.5, "climb", -1.0, 0.3), ("Dee", 2.0, "fall", 0.5, 0.8)]  # fmt: skip
    for k, (name, scale, shape, acc, rate) in enumerate(picks):
        me = store.join(name, "E2E-1")
        store.save_prediction(me.id, "explore-scale", scale)
        store.save_prediction(me.id, "build-shape", shape)
        store.save_prediction(me.id, "build-accuracy", acc)
        store.save_prediction(me.id, "compare-rate", rate)
        for item in quiz[:6]:
            choice = item.answer if (k + len(item.id)) % 3 else (item.answer + 1) % len(
                item.choices)  # fmt: skip
            store.save_quiz_answer(me.id, item.id, choice, choice == item.answer)
        store.save_reflection(me.id, questions[0].id, f"{name}: predict() uses every unit.")
    store.close()
    page.goto(f"{predicting_server.url}/dashboard")
    wait_until_idle(page)
    page.get_by_label("Instructor token", exact=True).fill(TOKEN)
    page.get_by_role("button", name="Open the dashboard").click()
    wait_until_idle(page)
    main = page.locator('[data-testid="stMainBlockContainer"]')
    box = main.get_by_label("Class code", exact=True)  # not the sidebar's join form
    box.fill("E2E-1")
    box.press("Enter")
    wait_until_idle(page)
    page.get_by_text("Show what the class thinks", exact=False).click()
    wait_until_idle(page)
    expect(page.get_by_role("heading", name="Quiz: first tries")).to_be_visible()
    expect(page.get_by_role("heading", name="Predictions against the outcome")).to_be_visible()
    expect(page.get_by_text("Gradebook: a row per learner (CSV)")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Items: a row per item (CSV)").click()
    assert download.value.suggested_filename == "dropout_lab_E2E_1_items.csv"
    page.get_by_text(questions[0].question.split("`")[0], exact=False).first.click()
    expect(page.get_by_text("Ada: predict() uses every unit.").first).to_be_visible()
    assert_no_error(page)
    full_screenshot(page, str(artifacts / "predict-dashboard.png"))
