"""AppTest helpers for the labs' code editor, a custom component AppTest cannot type into: write
the lab's code key (as the editor's callback does with what the browser sends), and read what
the editor is told to show and mark."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

EDITORS = {  # the lab's code key -> its editor component's key
    "build.code": "build.code_editor",
    "build.numpy_code": "build.numpy_code_editor",
    "build.backprop_code": "build.backprop_code_editor",
}


def editor_data(at: AppTest, code_key: str) -> dict:
    """The data the page last gave the editor of `code_key` (its text, refusals, hint...)."""
    state_key = EDITORS[code_key]
    found = [e for e in at.get("bidi_component") if getattr(e, "key", None) == state_key]
    assert len(found) == 1, f"no editor {state_key!r} on the page"
    return json.loads(found[0].proto.json)


def shown(at: AppTest, code_key: str) -> str:
    """The text the editor of `code_key` shows."""
    return editor_data(at, code_key)["doc"]


def marked_lines(at: AppTest, code_key: str, severity: str = "error") -> list[int]:
    """The lines the editor marks in the gutter with `severity`."""
    return sorted(d["line"] for d in editor_data(at, code_key)["diagnostics"]
                  if d["severity"] == severity)  # fmt: skip


def type_code(at: AppTest, code_key: str, code: str) -> AppTest:
    """The learner's text arriving from the editor, then the rerun it causes."""
    at.session_state[code_key] = code
    return at.run()


# --- in a real browser (Playwright) --------------------------------------------------------

MARKER = ".dl-refusals .dl-marker-error"  # a refused line's marker in the editor's gutter


def paste_code(page, label: str, code: str) -> None:
    """Replace the text of the editor labelled `label` as a learner pasting it would (select
    all, then a paste event: CodeMirror takes it in as typed, without re-indenting it), and wait
    until the server has checked it."""
    from playwright.sync_api import expect

    box = page.get_by_label(label, exact=True)
    expect(box).to_have_count(1)  # the previous lab's editor (same label) gone
    box.click()
    page.keyboard.press("Control+a")
    box.evaluate(
        """(el, text) => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                          cancelable: true}));
        }""",
        code,
    )
    root = page.locator(".dl-editor").filter(has=box)
    expect(root).to_have_attribute("data-state", "checked", timeout=180_000)


def editor_text(page, label: str) -> str:
    """The text the editor labelled `label` shows (its rendered lines)."""
    return page.get_by_label(label, exact=True).evaluate(
        "el => [...el.querySelectorAll('.cm-line')].map(l => l.textContent).join('\\n')"
    )


# In the page: the time of the last key press and of every change in the number of refused-line
# markers (browser clock), so a test can say the real delay and a benchmark can measure it.
WATCH = """() => {
    const host = [...document.querySelectorAll('*')]
        .find(e => e.shadowRoot && e.shadowRoot.querySelector('.dl-editor'));
    const root = host.shadowRoot;
    const count = () => root.querySelectorAll('.dl-refusals .dl-marker-error').length;
    const t = window.__dlEditorTimes = {key: 0, marks: []};
    document.addEventListener('keydown', () => { t.key = performance.now(); }, true);
    let last = count();
    new MutationObserver(() => {
        const now = count();
        if (now !== last) { last = now; t.marks.push([now, performance.now() - t.key]); }
    }).observe(root, {subtree: true, childList: true, attributes: true});
}"""


ROWS = 8  # End presses that reach the end of any line, however many rows it wraps into


def go_to_line_end(page, line: int) -> None:
    """Put the editor's cursor at the end of line `line` (the editor has the focus).

    Long lines wrap, and ArrowDown and End move by the rows on screen: End goes to the next wrap
    point (and stays at the line's end), ArrowRight from there goes to the next line's start."""
    page.keyboard.press("Control+Home")
    for _ in range(line - 1):
        _to_end(page)
        page.keyboard.press("ArrowRight")
    _to_end(page)


def _to_end(page) -> None:
    for _ in range(ROWS):
        page.keyboard.press("End")


def marker_delay_ms(page, count: int) -> float:
    """Browser milliseconds from the last key press to the markers reaching `count` (WATCH)."""
    marks = page.evaluate("window.__dlEditorTimes.marks")
    return next(ms for n, ms in reversed(marks) if n == count)
