"""The labs' code editor in a real browser: a mistake typed into the Keras lab is marked in the
gutter on its line, with its message, while typing (no Ctrl+Enter; how soon after the last
keystroke is `dropout-lab bench --only editor`'s figure); the fix clears it; Tab indents and
Esc then Tab moves on; the NumPy labs use the same editor; it follows the dark theme and fits a
390 px phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from dropout_lab.lesson.labs import load_lab
from tests.support import editor
from tests.support.harness import Server, running_server, wait_until_idle

from .conftest import assert_no_error

pytestmark = pytest.mark.e2e

LAB = load_lab("overfit")
KERAS, NUMPY = "Keras code", "NumPy code"


def open_build(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/build")
    wait_until_idle(page)
    expect(page.get_by_label(KERAS, exact=True)).to_be_visible()


def line_box(page: Page, line: int) -> dict:
    """Where line `line`'s number sits in the gutter (page pixels)."""
    number = page.locator(".cm-lineNumbers .cm-gutterElement").filter(
        has_text=re.compile(rf"^{line}$")
    )
    return number.bounding_box()


def on_line(page: Page, locator, line: int) -> bool:
    """Whether the element's middle is level with line `line` (within half a line)."""
    box, number = locator.bounding_box(), line_box(page, line)
    middle = box["y"] + box["height"] / 2
    return abs(middle - (number["y"] + number["height"] / 2)) < number["height"] / 2


def test_a_mistake_is_marked_on_its_line_while_typing_and_the_fix_clears_it(
    server, page: Page
) -> None:
    open_build(page, server)
    line = LAB.starter.splitlines().index("import keras") + 2  # a new line under the import
    page.evaluate(editor.WATCH)
    page.get_by_label(KERAS, exact=True).click()
    editor.go_to_line_end(page, line - 1)
    page.keyboard.press("Enter")
    page.keyboard.type("import os")
    marker = page.locator(editor.MARKER)
    # No Ctrl+Enter, no blur: the marker comes while typing. How soon: `dropout-lab bench
    # --only editor` (a timed assertion here would fail on a busy machine, not on a slow editor).
    expect(marker).to_have_count(1, timeout=180_000)
    print(f"\nmarker shown {editor.marker_delay_ms(page, 1):.0f} ms after the last keystroke")
    assert on_line(page, marker, line), "the marker is not on the refused line"
    expect(marker).to_have_attribute("aria-label", re.compile(rf"^Line {line}: import os is not"))
    message = page.locator(".dl-line-message-error")
    expect(message).to_contain_text("import os")
    number = line_box(page, line)
    assert message.bounding_box()["y"] >= number["y"] + number["height"] - 1  # under the line
    expect(page.get_by_text(f"Line {line}:", exact=False).first).to_be_visible()  # the verdict
    expect(page.get_by_role("button", name="▶ Train mine")).to_be_disabled()

    for _ in range(len("import os")):
        page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")  # and the new line
    expect(marker).to_have_count(0, timeout=180_000)
    print(f"marker gone {editor.marker_delay_ms(page, 0):.0f} ms after the last keystroke")
    expect(message).to_have_count(0)
    expect(page.get_by_role("button", name="▶ Train mine")).to_be_enabled()
    assert editor.editor_text(page, KERAS) == LAB.starter
    assert_no_error(page)


def test_tab_indents_and_esc_then_tab_moves_on(server, page: Page) -> None:
    open_build(page, server)
    hint = page.get_by_text("press Esc, then Tab", exact=False)
    expect(hint).to_be_visible()
    box = page.get_by_label(KERAS, exact=True)
    expect(box).to_have_attribute("aria-describedby", hint.get_attribute("id") or "")
    box.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("x = 1")
    page.keyboard.press("Tab")  # indents: the focus stays in the editor
    expect(box).to_be_focused()
    assert editor.editor_text(page, KERAS).endswith("    x = 1")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # CodeMirror's way out
    expect(box).not_to_be_focused()
    assert page.evaluate("document.activeElement.tagName") != "BODY"  # on to the next control
    page.keyboard.press("Shift+Tab")
    expect(box).to_be_focused()  # and back in


def test_the_numpy_labs_use_the_same_editor(server, page: Page) -> None:
    open_build(page, server)
    page.get_by_text("NumPy: write dropout yourself").click()
    wait_until_idle(page)
    expect(page.get_by_label(KERAS, exact=True)).to_have_count(0)  # the Keras lab's is gone
    box = page.get_by_label(NUMPY, exact=True)
    expect(box).to_be_visible()
    root = page.locator(".dl-editor").filter(has=box)
    expect(root.locator(".cm-lineNumbers")).to_be_visible()
    expect(root.locator(".tok-keyword").first).to_be_visible()  # Python highlighting
    box.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("def broken(:")
    marker = root.locator(editor.MARKER)
    expect(marker).to_have_count(1, timeout=5_000)  # a syntax error, checked without running
    last = len(editor.editor_text(page, NUMPY).split("\n"))
    expect(marker).to_have_attribute("aria-label", re.compile(rf"^Line {last}: Syntax error"))
    for _ in range(len("def broken(:")):
        page.keyboard.press("Backspace")
    expect(marker).to_have_count(0, timeout=5_000)
    page.get_by_text("NumPy: backpropagate through it").click()
    wait_until_idle(page)
    # Scrolled down to, as a learner would: the editor scrolls inside, long lines wrap, and
    # CodeMirror draws only the lines near the ones in view (dropout_backward is line 22).
    page.get_by_label(NUMPY, exact=True).hover()
    page.mouse.wheel(0, 2_000)
    backprop = page.get_by_label(NUMPY, exact=True).filter(has_text="def dropout_backward")
    expect(backprop).to_be_visible()  # the backprop lab's starter, in the same editor
    expect(page.get_by_label(NUMPY, exact=True)).to_have_count(1)  # the other lab's is gone
    assert_no_error(page)


@pytest.fixture(scope="module")
def dark_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("dark") / "streamlit.log"
    env = {"DROPOUT_LAB_DATA_DIR": str(tmp_path_factory.mktemp("dark-data")),
           "DROPOUT_LAB_PRECOMPUTE": "0", "STREAMLIT_THEME_BASE": "dark"}  # fmt: skip
    with running_server(Path(log), env=env) as srv:
        yield srv


def test_it_follows_the_dark_theme_and_fits_a_phone(dark_server, browser: Browser, artifacts):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        open_build(page, dark_server)
        root = page.locator(".dl-editor")
        expect(root).to_have_attribute("data-theme", "dark")
        background = page.locator(".cm-editor").evaluate("e => getComputedStyle(e).backgroundColor")
        assert background != "rgb(255, 255, 255)", background
        page.get_by_label(KERAS, exact=True).click()
        page.keyboard.press("Control+Home")
        page.keyboard.type("import os\n")
        expect(page.locator(editor.MARKER)).to_have_count(1, timeout=5_000)
        for part in (page.locator(".cm-editor"), page.locator(editor.MARKER),
                     page.locator(".dl-line-message-error")):  # fmt: skip
            box = part.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, box
        page.locator(".dl-editor").screenshot(path=str(artifacts / "editor-dark-390.png"))
    finally:
        context.close()
