"""A whole LTI 1.3 launch in the browser (issue 26): an independent platform (`lti1p3platform`,
tests/support/lti_platform.py) opens the tool from a course link; the browser follows the OIDC
login, the platform's auto-posted id_token and the tool's redirect, and lands on the step the
link names, as the course's learner (their earlier work back on the next launch) or on the
course's dashboard as its instructor, without a token. Nothing of the launch stays in the
address. A learner launched on Read answers its checks in the page and the step's score arrives
at the platform's AGS endpoint (the lesson file's pass mark set to the first section's checks,
so four answers finish Read). The refused launches are tests/hosting/test_lti_refusals.py."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from dropout_lab.lesson import lessons
from dropout_lab.store import Store
from tests.support import lti_platform, wait
from tests.support.harness import Server, full_screenshot, running_server, wait_until_idle
from tests.support.lti_platform import INSTRUCTOR, Platform

from .conftest import ARTIFACTS, assert_no_error

EARLIER = "Grace's answer, written in an earlier launch"
SECTIONS = lessons.load_sections()
REQUIRED = lessons.required_items(lessons.load_quiz(sections=[s.slug for s in SECTIONS]), SECTIONS)
FIRST = [q for q in REQUIRED if q.section == SECTIONS[0].slug]  # Read's first section's checks


@pytest.fixture(scope="module")
def lms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, Server, Store]]:
    data = tmp_path_factory.mktemp("lti-data")
    store = Store(f"sqlite:///{data / 'dropout-lab.sqlite3'}")
    with lti_platform.running_platform() as platform:
        config = data / "lti.json"
        config.write_text(json.dumps(platform.tool_config()))
        lesson = data / "lesson.toml"  # Read done at the first section's checks, all right
        lesson.write_text(f"[read]\nquiz_pass = {len(FIRST) / len(REQUIRED)!r}\n")
        env = {"DROPOUT_LAB_DATA_DIR": str(data), "DROPOUT_LAB_PRECOMPUTE": "0",
               "DROPOUT_LAB_LTI_CONFIG": str(config),
               "DROPOUT_LAB_LESSON": str(lesson)}  # fmt: skip
        log = tmp_path_factory.mktemp("lti-server") / "streamlit.log"
        with running_server(log, env=env) as server:
            platform.tool_url = server.url
            yield platform, server, store
    store.close()


def open_from_lms(browser: Browser, link: str, server: Server) -> tuple[object, Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(link)
    wait.until(lambda: page.url.startswith(server.url) and "/lti/" not in page.url,
               timeout=30, what="the launch to reach the lesson")  # fmt: skip
    wait_until_idle(page)
    return context, page


def test_a_learner_launched_from_the_lms_lands_on_the_step_with_their_work(
    lms, browser: Browser
) -> None:
    platform, server, store = lms
    link = platform.course_link("u-grace", step="read", name="Grace Hopper")
    context, page = open_from_lms(browser, link, server)
    try:
        assert_no_error(page)
        assert page.url.split("?")[0] == f"{server.url}/read"
        expect(page.get_by_text("Grace Hopper", exact=False).first).to_be_visible()
        wait.until(lambda: "lti=" not in page.url, timeout=15, what="the code out of the address")
        full_screenshot(page, str(Path(ARTIFACTS) / "lti-learner-read.png"))
    finally:
        context.close()
    course = store.class_learners(_class(store, platform))
    (learner,) = [p for p in course if p.name == "Grace Hopper"]
    store.save_reflection(learner.id, "dropout-l2-additive", EARLIER)  # from the first launch

    link = platform.course_link("u-grace", step="reflect", name="Grace Hopper")
    context, page = open_from_lms(browser, link, server)  # a second launch, a fresh browser
    try:
        assert page.url.split("?")[0] == f"{server.url}/reflect"
        boxes = page.locator("textarea")
        wait.until(lambda: any(EARLIER in box.input_value() for box in boxes.all()),
                   timeout=30, what="the earlier answer back in its box")  # fmt: skip
        assert_no_error(page)
    finally:
        context.close()
    again = [p for p in store.class_learners(_class(store, platform)) if p.name.startswith("Grace")]
    assert [p.id for p in again] == [learner.id]  # the same learner, not a second one


def test_an_instructor_launched_from_the_lms_gets_the_course_dashboard(
    lms, browser: Browser
) -> None:
    platform, server, store = lms
    link = platform.course_link("u-prof", role=INSTRUCTOR, name="Prof Turing")
    context, page = open_from_lms(browser, link, server)
    try:
        assert page.url.split("?")[0] == f"{server.url}/dashboard"
        expect(page.get_by_label("Class code")).to_have_value(_class(store, platform))
        expect(page.get_by_label("Class code")).to_be_disabled()
        expect(page.get_by_label("Instructor token")).to_have_count(0)
        assert_no_error(page)
        full_screenshot(page, str(Path(ARTIFACTS) / "lti-instructor-dashboard.png"))
    finally:
        context.close()
    assert not [p for p in store.class_learners(_class(store, platform)) if p.name == "Prof Turing"]


def test_a_learner_answers_reads_checks_and_the_score_arrives_at_the_lms(
    lms, browser: Browser
) -> None:
    platform, server, store = lms
    link = platform.course_link("u-kat", step="read", name="Katherine Johnson")  # scores Read
    context, page = open_from_lms(browser, link, server)
    try:
        assert page.url.split("?")[0] == f"{server.url}/read"
        radios = page.locator('[data-testid="stRadio"]')  # the section list, then each check
        for left, item in zip(range(len(FIRST) - 1, -1, -1), FIRST, strict=True):
            assert not _scores(platform, "u-kat")  # Read not done yet: nothing to send
            right = re.split(r"[$`'*_]", item.choices[item.answer])[0].strip()
            radios.nth(1).locator("label", has_text=right).click()  # the first unanswered
            expect(radios).to_have_count(1 + left)  # answered: its feedback in its place
        assert_no_error(page)
        wait.until(lambda: _scores(platform, "u-kat"), timeout=30, what="the score at the LMS")
        wait.until(lambda: store.lti_outbox_counts()["due"] == 0, timeout=30, what="sent")
    finally:
        context.close()
    (got,) = _scores(platform, "u-kat")  # once
    assert (got["scoreGiven"], got["scoreMaximum"]) == (100.0, 100.0)
    assert (got["activityProgress"], got["gradingProgress"]) == ("Completed", "FullyGraded")


def _scores(platform: Platform, user: str) -> list[dict]:
    return [s for s in platform.scores if s.get("userId") == user]


def _class(store: Store, platform: Platform) -> str:
    """The course's class code (made by the first launch; asking again makes nothing)."""
    return store.lti_class(platform.url, *platform.context)
