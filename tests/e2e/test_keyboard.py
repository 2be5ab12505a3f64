"""The whole lesson with the keyboard alone (Tab, Shift+Tab, Enter, Space, arrow keys): move the
rate, turn on inference, answer a check, train both models, open the sweep's data, write and
reveal an answer. Every element that takes focus on the way shows a visible focus ring."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support import wait

from .a11y_support import on_server, server, settle

pytestmark = [pytest.mark.e2e, on_server("light")]

# The focused element, through open shadow roots (components), described for matching, and
# whether a focus indicator is drawn on it or on one of its near ancestors (a hidden radio's
# label, an editor's frame): an outline at least 2 px wide, or a box shadow.
FOCUSED = """() => {
    let e = document.activeElement;
    while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
    if (!e || e === document.body) return null;
    const ring = (el) => {
        const s = getComputedStyle(el);
        return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
            || (s.boxShadow && s.boxShadow !== 'none');
    };
    let shown = false;
    for (let el = e, i = 0; el && el.nodeType === 1 && i < 5; i++) {
        if (ring(el)) { shown = true; break; }
        el = el.parentElement || el.getRootNode().host;
    }
    const group = e.closest('[role="radiogroup"]');
    return {
        editor: Boolean(e.closest('.cm-editor')),
        tag: e.tagName, type: e.type || '', role: e.getAttribute('role') || '',
        label: (e.getAttribute('aria-label') || e.innerText || e.placeholder
                || e.closest('label')?.innerText || '').trim().slice(0, 80),
        group: group ? (group.getAttribute('aria-label') || '') : '',
        checked: e.checked === undefined ? (e.getAttribute('aria-checked') || '') : e.checked,
        ring: shown,
    };
}"""


class Keys:
    """Key presses only; remembers every focus stop that showed no focus ring."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.unringed: list[str] = []

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUSED)

    def tab_to(self, wanted, *, back: bool = False, limit: int = 250) -> dict:
        """Tab (Shift+Tab with `back`) until the focused element satisfies `wanted`."""
        info, seen = None, []
        for _ in range(limit):
            if info is not None and info["editor"]:
                self.press("Escape")  # the code editor's Tab indents; Esc, then Tab moves on
            self.press("Shift+Tab" if back else "Tab")
            info = self.focused()
            if info is None:
                continue
            if not info["ring"]:
                wait.next_frames(self.page)  # a ring drawn on the next frame counts too
                info = self.focused() or info
            seen.append(f"{info['tag']} {info['type']} {info['label'][:30]!r}")
            if not info["ring"]:
                self.unringed.append(f"{info['tag']} {info['role']} {info['label']!r}")
            if wanted(info):
                return info
        raise AssertionError(f"not found in {limit} key presses; the last stops: {seen[-30:]}")

    def go_to_step(self, number: int, title: str) -> None:
        """The sidebar's link to the step, reached backwards (the sidebar comes first), and Enter.

        A second Enter if the first was lost: on busy cores (CI, under a full suite) a page
        stayed on Explore with the link focused after Enter, as a click can be lost under load;
        a learner presses again. Two presses of the same link lead to the same page."""

        def link(f: dict | None) -> bool:
            return bool(f) and f["tag"] == "A" and f"{number}. {title}" in f["label"]

        heading = self.page.locator("h1").first
        self.tab_to(link, back=True)
        for _ in range(2):
            self.press("Enter")
            settle(self.page)
            if title in heading.inner_text() or not link(self.focused()):
                break
        expect(heading).to_contain_text(title, timeout=180_000)
        settle(self.page)


def test_the_whole_journey_by_keyboard(browser: Browser) -> None:
    srv = server("light")
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    keys = Keys(page)
    try:
        page.goto(f"{srv.url}/explore")
        settle(page)
        # Explore: the rate, two steps up with the arrow key; then inference mode with Space
        keys.tab_to(lambda f: f["tag"] == "INPUT" and f["type"] == "range")
        keys.press("ArrowRight")
        keys.press("ArrowRight")
        expect(page).to_have_url(re.compile(r"rate=0\.4\b"), timeout=180_000)
        toggle = keys.tab_to(
            lambda f: f["type"] == "checkbox" and "Inference mode" in f["label"], back=True
        )
        assert toggle["checked"] in (False, "false")
        keys.press("Space")
        assert keys.focused()["checked"] in (True, "true")
        settle(page)

        # Read: answer the first check (Tab out of the section list, Space on a choice)
        keys.go_to_step(2, "Read")
        keys.tab_to(lambda f: f["type"] == "radio" and f["group"] != "Sections")
        keys.press("Space")
        expect(page.get_by_text("Right.", exact=False).or_(page.get_by_text(
            "Not quite.", exact=False)).first).to_be_visible(timeout=180_000)  # fmt: skip
        settle(page)

        # Build: skip the prediction if one is asked, then train both (the starter is valid)
        keys.go_to_step(3, "Build")
        train = keys.tab_to(
            lambda f: f["tag"] == "BUTTON" and f["label"] in ("Skip", "▶▶ Train both")
        )
        if train["label"] == "Skip":  # a prediction is asked before the first training
            keys.press("Enter")
            settle(page)
            keys.tab_to(lambda f: f["tag"] == "BUTTON" and "Train both" in f["label"])
        keys.press("Enter")
        expect(page.get_by_text("Starter (no dropout): Done", exact=False)).to_be_visible(
            timeout=180_000
        )
        settle(page)

        # Compare: open the rate sweep's data table
        keys.go_to_step(4, "Compare")
        expect(page.get_by_role("heading", name="The rate sweep")).to_be_visible()

        def sweep_data(f: dict) -> bool:
            return "data as a table" in f["label"] and page.evaluate(AFTER_SWEEP)

        found = keys.tab_to(
            lambda f: (f["tag"] == "BUTTON" and f["label"] == "Skip") or sweep_data(f)
        )
        if found["label"] == "Skip":  # the sweep waits for a prediction of the best rate
            keys.press("Enter")
            settle(page)
            keys.tab_to(sweep_data)
        keys.press("Enter")
        expect(page.locator('[data-testid="stExpanderDetails"] [data-testid="stDataFrame"]')
               .first).to_be_visible(timeout=180_000)  # fmt: skip
        settle(page)

        # Reflect: write an answer, Tab away (it is saved), Enter on "Reveal model answer"
        keys.go_to_step(5, "Reflect")
        keys.tab_to(lambda f: f["tag"] == "TEXTAREA")
        page.keyboard.type("No: predict runs with training=False, so every unit is used.")
        keys.tab_to(lambda f: f["tag"] == "BUTTON" and "Reveal model answer" in f["label"])
        keys.press("Enter")
        expect(page.get_by_text("Model answer.", exact=False).first).to_be_visible(timeout=180_000)
    finally:
        context.close()
    assert keys.unringed == [], "focused without a visible focus ring:\n" + "\n".join(
        sorted(set(keys.unringed))
    )


# True when the focused expander comes after the heading "The rate sweep" (its first one is the
# sweep chart's data).
AFTER_SWEEP = """() => {
    const heading = [...document.querySelectorAll('h2')]
        .find(h => h.innerText.trim() === 'The rate sweep');
    const active = document.activeElement;
    if (!heading || !active) return false;
    const after = heading.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING;
    const expanders = [...document.querySelectorAll('[data-testid="stExpander"] summary')]
        .filter(s => heading.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING);
    return Boolean(after) && expanders[0] === active;
}"""
