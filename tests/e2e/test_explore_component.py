"""The Explore live view in a real browser: the JavaScript generator draws NumPy's masks bit for
bit, the slider redraws without the server, and the server hears the settled rate."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from dropout_lab.lesson import explore, rng, variants
from dropout_lab.ui import explore_component as live
from tests.support import wait
from tests.support.harness import running_server, wait_until_idle

from .conftest import assert_no_error

pytestmark = pytest.mark.e2e

SLIDER = "Dropout rate p (probability of dropping a unit)"


def open_explore(page: Page, url: str) -> None:
    page.goto(url)
    wait_until_idle(page)
    expect(page.get_by_test_id("explore-scale")).to_be_visible()


def cases(n: int = 1000) -> list[tuple[int, int, float, int, int]]:
    """(seed, stream, rate, rows, cols): the slider's rates and arbitrary ones, edge seeds."""
    g = np.random.default_rng(18)
    grid = [round(0.05 * i, 2) for i in range(19)]
    out = []
    for i in range(n):
        seed = int(g.integers(0, 2**31)) if i > 3 else [0, 1, 2**31 - 1, 2**32 - 1][i]
        stream = int(g.integers(0, 8)) if i % 5 else int(g.integers(0, 2**32))
        rate = grid[i % 19] if i % 2 else float(g.random())
        out.append((seed, stream, rate, int(g.integers(1, 65)), int(g.integers(1, 65))))
    return out


def test_the_javascript_masks_are_numpys_bit_for_bit(server, page: Page) -> None:
    open_explore(page, f"{server.url}/explore")
    todo = cases()
    got = page.evaluate(
        "cs => cs.map(([s, t, r, h, w]) => dropoutLabExplore.keepString(s, t, r, h * w))", todo
    )
    mismatches = []
    for (seed, stream, rate, h, w), js in zip(todo, got, strict=True):
        ours = rng.keep_bits(seed, stream, rate, h * w).reshape(h, w)
        if js != "".join("1" if k else "0" for k in ours.ravel()):
            mismatches.append((seed, stream, rate, h, w))
    assert not mismatches, f"{len(mismatches)} of {len(todo)} differ, e.g. {mismatches[:3]}"
    raw = page.evaluate("cs => cs.map(([s, t]) => dropoutLabExplore.bitsString(s, t, 64))", todo)
    for (seed, stream, *_), js in zip(todo, raw, strict=True):
        assert js == ",".join(str(b) for b in rng.bits(rng.stream_key(seed, stream), 0, 64))


VIEW_CASES = [(0, 0.3, True), (7, 0.65, True), (123, 0.9, True), (5, 0.5, False)]


@pytest.mark.parametrize(("seed", "rate", "training"), VIEW_CASES)
def test_every_view_draws_the_engines_masks(server, page: Page, seed, rate, training) -> None:
    open_explore(page, f"{server.url}/explore")
    s = explore.Settings(rate=rate, seed=seed, training=training)
    data = live.payload(s, explore.layer_view(s))
    js = page.evaluate(
        """d => ({layer: dropoutLabExplore.layerKeep(d, d.rate),
                  batch: dropoutLabExplore.batch(d, d.rate),
                  network: dropoutLabExplore.network(d, d.rate),
                  variants: dropoutLabExplore.variants(d, d.rate)})""",
        json.loads(json.dumps(data)),
    )
    bits = lambda a: "".join("1" if k else "0" for k in np.ravel(a))  # noqa: E731
    assert js["layer"] == bits(explore.layer_view(s).keep)
    assert js["batch"] == {k: bits(v) for k, v in explore.batch_masks(s).items()}
    rng_net = rng.CounterRNG(seed, explore.STREAMS["network"])
    expected = [None] + [bits(rng_net.random(n) >= rate) if training else None
                         for n in explore.LESSON_LAYERS[1:-1]] + [None]  # fmt: skip
    assert js["network"] == expected
    # The variants: the browser read its draws off the table the server sent (data["variants"]).
    ours = variants.reference(rate, seed)
    assert set(js["variants"]) == set(ours) == {v["name"] for v in data["variants"]}
    for name, arrays in ours.items():
        assert set(js["variants"][name]) == set(arrays), name
        for key, value in arrays.items():
            theirs = np.array(js["variants"][name][key])
            if value.dtype == bool:  # a mask: bit for bit
                assert bits(theirs.astype(bool)) == bits(value), (name, key)
            else:  # values through Math.log and Math.cos: the last bit may differ
                np.testing.assert_allclose(theirs, value.ravel(), rtol=1e-12, atol=1e-12)


def test_the_page_agrees_with_the_server_on_a_deep_link(server, page: Page) -> None:
    open_explore(page, f"{server.url}/explore?rate=0.65&seed=7")
    root = page.get_by_test_id("explore-live")
    expect(root).to_have_attribute("data-reference", "agrees")
    expect(page.get_by_test_id("explore-scale")).to_have_text("× 2.857")
    assert_no_error(page)


def test_a_key_press_changes_the_scale_shown_and_the_link_gets_the_settled_rate(
    server, page: Page, artifacts: Path
) -> None:
    open_explore(page, f"{server.url}/explore?rate=0.5")
    scale = page.get_by_test_id("explore-scale")
    expect(scale).to_have_text("× 2")
    slider = page.get_by_role("slider", name=SLIDER)
    slider.focus()
    page.keyboard.press("ArrowRight")  # 0.5 → 0.55: 1/0.45
    expect(scale).to_have_text("× 2.222")
    expect(page.get_by_test_id("explore-rate")).to_have_text("0.55")
    expect(page).to_have_url(re.compile(r"rate=0\.55"))  # the server heard the settled rate
    for _ in range(3):
        page.keyboard.press("ArrowLeft")  # quick presses: one settled rate, 0.4
    expect(scale).to_have_text("× 1.667")
    expect(page).to_have_url(re.compile(r"rate=0\.4(&|$)"))
    page.keyboard.press("End")
    expect(scale).to_have_text("× 10")
    expect(page).to_have_url(re.compile(r"rate=0\.9(&|$)"))
    page.goto(page.url)  # the deep link, opened again
    wait_until_idle(page)
    expect(page.get_by_test_id("explore-scale")).to_have_text("× 10")
    assert_no_error(page)
    page.screenshot(path=str(artifacts / "explore-live-0.9.png"), full_page=True)


def test_dragging_redraws_without_the_server_and_settles_on_release(server, page: Page) -> None:
    open_explore(page, f"{server.url}/explore?rate=0.3")
    page.evaluate(
        """() => {
        const root = [...document.querySelectorAll('*')]
            .map((e) => e.shadowRoot?.querySelector('.dl-explore')).find(Boolean);
        window.__rates = new Set();
        window.__urls = 0;
        for (const name of ['pushState', 'replaceState']) {
            const original = history[name].bind(history);
            history[name] = (...a) => { window.__urls++; return original(...a); };
        }
        new MutationObserver(() => window.__rates.add(root.dataset.rate))
            .observe(root, {attributes: true, attributeFilter: ['data-rate']});
    }"""
    )
    box = page.get_by_role("slider", name=SLIDER).bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.3 / 0.9, y)
    page.mouse.down()
    for k in range(1, 31):
        page.mouse.move(box["x"] + box["width"] * (0.3 + 0.6 * k / 30) / 0.9, y)
        wait.pace(page, 20)  # a hand's drag: the pace is what is under test
    seen = page.evaluate("() => [...window.__rates]")
    assert len(seen) >= 5, seen  # redrawn at many rates while the pointer is still down
    assert page.evaluate("() => window.__urls") == 0  # and the server was not asked once
    page.mouse.up()
    expect(page).to_have_url(re.compile(r"rate=0\.9(&|$)"))
    expect(page.get_by_test_id("explore-scale")).to_have_text("× 10")


def test_the_inference_toggle_and_the_batch_view(server, page: Page) -> None:
    open_explore(page, f"{server.url}/explore?rate=0.5")
    for name in ("per_example", "shared", "spatial"):
        expect(page.get_by_test_id(f"explore-batch-{name}")).to_be_visible()
    page.get_by_text("Inference mode").click()
    expect(page.get_by_test_id("explore-scale")).to_have_text("× 1")
    expect(page.get_by_test_id("explore-dropped")).to_have_text("0%")
    expect(page.get_by_text("equals the input")).to_be_visible()
    assert_no_error(page)


def test_the_dark_theme_is_read_from_streamlit(browser, artifacts: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DROPOUT_LAB_DATA_DIR": tmp, "DROPOUT_LAB_PRECOMPUTE": "0",
               "STREAMLIT_THEME_BASE": "dark"}  # fmt: skip
        with running_server(Path(tmp) / "server.log", env=env) as srv:
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            page = context.new_page()
            open_explore(page, f"{srv.url}/explore")
            expect(page.get_by_test_id("explore-live")).to_have_attribute("data-theme", "dark")
            page.screenshot(path=str(artifacts / "explore-live-dark.png"), full_page=True)
            context.close()


LAYER_FIGURE = '[data-testid="explore-live"] svg.dl-figure[data-layout]'


def label_heights(page: Page) -> list[float]:
    """The rendered height, in CSS pixels, of every number in the one-layer figure."""
    return page.eval_on_selector(
        LAYER_FIGURE,
        "svg => [...svg.querySelectorAll('text')].filter(t => /^[0-9.]+$/.test(t.textContent))"
        ".map(t => t.getBoundingClientRect().height)",
    )


def test_on_a_phone_the_layers_grids_stack_and_their_numbers_stay_readable(server, browser) -> None:
    """Side by side, 390 px shrank the activations' numbers to about 5 px; stacked they keep
    the size they have on a desktop."""
    sizes = {}
    for width in (1366, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        try:
            page = context.new_page()
            open_explore(page, f"{server.url}/explore")
            layout = page.locator(LAYER_FIGURE).get_attribute("data-layout")
            assert layout == ("row" if width == 1366 else "stacked"), (width, layout)
            heights = label_heights(page)
            assert len(heights) >= 2 * 64 - 10, len(heights)  # activations and output cells
            sizes[width] = min(heights)
        finally:
            context.close()
    assert sizes[390] >= 10 and sizes[1366] >= 10, sizes


def rendered_font_sizes(page: Page) -> dict[str, float]:
    """The smallest rendered font size, in CSS pixels, of the words in each of the live view's
    pictures (font-size times the picture's scale on screen), by the picture's section or name."""
    return page.eval_on_selector(
        '[data-testid="explore-live"]',
        """root => Object.fromEntries([...root.querySelectorAll('svg.dl-figure')].map((svg) => {
            const name = svg.closest('figure')?.dataset.testid
                || svg.closest('section').querySelector('h2').textContent;
            const sizes = [...svg.querySelectorAll('text')]
                .filter((t) => t.textContent.trim() && t.getBoundingClientRect().height > 0)
                .map((t) => {  // the scale on screen, rotated or not
                    const m = t.getScreenCTM();
                    return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
                });
            return [name, sizes.length ? Math.min(...sizes) : null];
        }).filter(([, size]) => size !== null))""",
    )


@pytest.mark.parametrize("width", [390, 1366])
def test_every_pictures_words_are_at_least_10_px(server, browser, width: int) -> None:
    """A 940-wide picture in a phone's 358 px drew 13 px words at 5 px and tick labels at 4 px
    (the expectation and the network): on a phone they are laid one part above the other."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        open_explore(page, f"{server.url}/explore")
        sizes = rendered_font_sizes(page)
        assert len(sizes) >= 4, sizes  # the layer, the expectation, the network, alpha's legend
        small = {name: round(size, 1) for name, size in sizes.items() if size < 10}
        assert not small, (width, small)
    finally:
        context.close()
