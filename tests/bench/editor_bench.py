"""`dropout-lab bench --only editor`: how soon the Keras lab's editor marks a refused line after
the last keystroke, and clears the mark once the line is fixed (browser clock, in Chromium at the
lowest CPU priority, as tests/e2e/test_editor.py types it: a new line `import os`, then deleted)."""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

from dropout_lab.lesson.labs import load_lab
from tests.support import editor, wait
from tests.support.harness import launch_chromium, running_server, wait_until_idle

KERAS = "Keras code"
TYPED = "import os"  # refused by the code lab: only keras may be imported
REPEATS = 7


def _median_p90(values: list[float]) -> tuple[float, float]:
    p90 = statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]
    return round(statistics.median(values), 1), round(p90, 1)


def _type_and_fix(page, line: int, repeats: int) -> tuple[list[float], list[float]]:
    """Milliseconds from the last keystroke to the marker shown, then to it gone, per repeat."""
    from playwright.sync_api import expect

    marker = page.locator(editor.MARKER)
    checked = page.locator(".dl-editor").filter(has=page.get_by_label(KERAS, exact=True))
    shown, gone = [], []
    for _ in range(repeats):
        editor.go_to_line_end(page, line - 1)
        page.keyboard.press("Enter")
        page.keyboard.type(TYPED)
        expect(marker).to_have_count(1, timeout=30_000)
        shown.append(editor.marker_delay_ms(page, 1))
        for _ in range(len(TYPED) + 1):  # the text, and the new line
            page.keyboard.press("Backspace")
        expect(marker).to_have_count(0, timeout=30_000)
        gone.append(editor.marker_delay_ms(page, 0))
        # The server has checked the fixed text (no late reply brings a marker back) before
        # the next repeat types again.
        expect(checked).to_have_attribute("data-state", "checked", timeout=30_000)
        wait.pace(page, 300)
        expect(marker).to_have_count(0)
    return shown, gone


def run_editor_bench(repeats: int = REPEATS) -> dict:
    """Figures: the marker's latency after the last keystroke, shown and cleared (median, p90)."""
    from playwright.sync_api import expect, sync_playwright

    line = load_lab("overfit").starter.splitlines().index("import keras") + 2
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DROPOUT_LAB_DATA_DIR": tmp, "DROPOUT_LAB_PRECOMPUTE": "0",
               "DROPOUT_LAB_PREDICTIONS": "off"}  # fmt: skip
        with running_server(Path(tmp) / "server.log", env=env) as server, sync_playwright() as p:
            browser = launch_chromium(p, niceness=19)
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(f"{server.url}/build")
            wait_until_idle(page)
            box = page.get_by_label(KERAS, exact=True)
            expect(box).to_be_visible()
            page.evaluate(editor.WATCH)
            box.click()
            shown, gone = _type_and_fix(page, line, repeats)
            browser.close()
    figures: dict = {"repeats": repeats}
    figures["marker_shown_ms_median"], figures["marker_shown_ms_p90"] = _median_p90(shown)
    figures["marker_cleared_ms_median"], figures["marker_cleared_ms_p90"] = _median_p90(gone)
    figures["load_average_1min"] = round(os.getloadavg()[0], 2)
    return figures
