"""`dropout-lab bench`: measured figures, printed. Needs the test extra (Playwright) and Chromium.

explore:  seconds from starting the server to the first page served and shown; for keyboard
          moves of the Explore rate slider, browser timestamps from the key press to the frame
          after the last change (the page settled, and inside the live view; goal: median
          ≤ 50 ms), to the scale shown and to the deep link the server writes once it heard the
          settled rate; frames per second while the mouse drags the slider (goal ≥ 30); the
          server-side time of the Explore fragment rerun each settled rate costs; the browser
          runs at the lowest CPU priority, standing in for a learner's own machine; whether
          TensorFlow is loaded in the server process after the overview, Explore and Read
          (read from /proc/<pid>/maps).
editor:   in Chromium, milliseconds from the last keystroke to the Keras lab's editor marking a
          refused line, and to the mark cleared once it is fixed (median, p90; editor_bench).
training: the training engine against plain `model.fit` (see tests/bench/training_bench.py).
fit:      the trainer's loop against `model.fit` set up to reproduce it (progress and Stop
          callbacks, EarlyStopping, steps_per_execution, FusedAdam): ms per epoch and the largest
          difference between their histories (fit_bench).
compare:  server-side render time of the Compare page with its results stored (compare_bench).
reflect:  Monte Carlo dropout, T passes on one packet and on the validation set
          (dropout_lab.training.mc; reflect_bench).
grading:  the NumPy labs' sandboxed grader: the forward and backprop references (medians), one
          submission that loops forever, and the NumPy network's training time (grading_bench).
fairness: how long learners wait for one run each, alone and while one learner floods the server
          with runs (fairness_bench).
live:     200 simulated learners (threads on the store) answer a live question within ten
          seconds: vote to its count on the projector (median, p95; goal <= 2 s), CPU (live_bench).
"""

from __future__ import annotations

import itertools
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from dropout_lab.commands import BENCH_SECTIONS as SECTIONS
from dropout_lab.ui.predictions import ENV as PREDICTIONS
from dropout_lab.ui.timing import ENV, parse_timings
from tests.support import wait
from tests.support.harness import launch_chromium, running_server, wait_until_idle

SLIDER_MOVES = 30
QUIET_MS = 1500  # a move has settled once nothing on the page changed for this long
DRAG_MOVES = 60

# In the page: performance.now() at the key press (a capture listener, before the page's own
# handlers) and at the animation frame after each DOM change, in the document and in every open
# shadow root (where a v2 component draws); the time the address bar last changed (the server
# heard the settled rate and wrote the deep link). Streamlit's run-state bookkeeping during a
# rerun (`data-test-script-state`, and `data-stale` with its class on element containers) paints
# nothing unless an element stays stale for 0.5 s (its fade is `opacity 1s ease-in 0.5s`): such
# changes count for `any`, and for `visible` only when an element's fade began to show.
PROBE = """() => {
  const p = (window.__dlProbe = {t0: null});
  p.arm = () => Object.assign(p, {t0: null, any: null, visible: null, inComponent: null,
                                  url: null, staleSince: new Map(), staleMax: 0,
                                  faded: new Set()});
  p.arm();
  const bookkeeping = (r) => r.type === 'attributes' && (
    r.attributeName === 'data-test-script-state' || r.attributeName === 'data-stale'
    || (r.attributeName === 'class' && r.target.hasAttribute('data-stale')));
  const stale = (r) => {
    if (r.attributeName !== 'data-stale') return;
    const el = r.target;
    const now = performance.now();
    if (el.getAttribute('data-stale') === 'true') {
      p.staleSince.set(el, now);
      setTimeout(() => {  // the fade starts at 0.5 s: has this one begun to show?
        const still = el.getAttribute('data-stale') === 'true';
        if (still && parseFloat(getComputedStyle(el).opacity) < 0.995) p.faded.add(el);
      }, 650);
    } else if (p.staleSince.has(el)) {
      p.staleMax = Math.max(p.staleMax, now - p.staleSince.get(el));
      p.staleSince.delete(el);
      if (p.faded.has(el)) {  // its fade painted, and now it comes back: visible changes
        requestAnimationFrame(() => { p.visible = Math.max(p.visible ?? 0, performance.now()); });
      }
    }
  };
  const changed = (inComponent) => (records) => {
    if (p.t0 === null) return;
    records.forEach(stale);
    const visible = inComponent || records.some((r) => !bookkeeping(r));
    requestAnimationFrame(() => {
      const t = performance.now();
      p.any = Math.max(p.any ?? 0, t);
      if (visible) p.visible = Math.max(p.visible ?? 0, t);
      if (inComponent) p.inComponent = Math.max(p.inComponent ?? 0, t);
    });
  };
  const opts = {subtree: true, childList: true, attributes: true, characterData: true};
  const seen = new WeakSet();
  p.scan = () => {
    for (const el of document.querySelectorAll('*')) {
      if (el.shadowRoot && !seen.has(el.shadowRoot)) {
        seen.add(el.shadowRoot);
        new MutationObserver(changed(true)).observe(el.shadowRoot, opts);
      }
    }
  };
  new MutationObserver(changed(false)).observe(document.body, opts);
  for (const name of ['pushState', 'replaceState']) {
    const original = history[name].bind(history);
    history[name] = (...args) => {
      if (p.t0 !== null) p.url = performance.now();
      return original(...args);
    };
  }
  window.addEventListener('keydown', () => { p.t0 = performance.now(); }, true);
  p.scan();
}"""
QUIET = (
    "() => { const p = window.__dlProbe; "
    f"return p.any !== null && performance.now() - p.any > {QUIET_MS}; }}"
)

# rAF timestamps while the mouse drags the rate slider, and the frames in which the
# component's DOM changed.
DRAG_PROBE = """() => {
  const d = (window.__dlDrag = {frames: [], changed: [], running: true, dirty: false});
  const host = [...document.querySelectorAll('*')]
    .find((el) => el.shadowRoot && el.shadowRoot.querySelector('.dl-explore'));
  new MutationObserver(() => { d.dirty = true; }).observe(host.shadowRoot,
    {subtree: true, childList: true, attributes: true, characterData: true});
  const tick = (t) => {
    d.frames.push(t);
    if (d.dirty) { d.changed.push(t); d.dirty = false; }
    if (d.running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def _tensorflow_loaded(pid: int) -> bool:
    maps = Path(f"/proc/{pid}/maps")
    if not maps.exists():  # not Linux: fall back to "unknown" as False is a claim we can't make
        raise RuntimeError("reading a process's loaded libraries needs Linux /proc")
    return "tensorflow" in maps.read_text()


def _ms(values: list[float]) -> tuple[float, float]:
    """(median, p90) of a list of milliseconds, rounded."""
    return round(statistics.median(values), 1), round(statistics.quantiles(values, n=10)[-1], 1)


def _rate_slider(page):
    """The Explore rate slider: the live view's labelled range input."""
    return page.get_by_role("slider", name=re.compile("Dropout rate"))


def _keyboard_moves(page, expect) -> dict[str, list[float]]:
    """Move the rate by keyboard SLIDER_MOVES times; wait for the page to settle after each."""
    scale = page.get_by_test_id("explore-scale")
    scale.wait_for()
    page.evaluate(PROBE)
    _rate_slider(page).focus()
    out: dict[str, list[float]] = {
        "visible": [],
        "any": [],
        "component": [],
        "url": [],
        "scale": [],
        "stale": [],
        "faded": [],
    }
    for i in range(SLIDER_MOVES):
        before = scale.inner_text()
        page.evaluate("() => window.__dlProbe.arm()")
        t0 = time.perf_counter()
        page.keyboard.press("ArrowRight" if (i // 8) % 2 == 0 else "ArrowLeft")
        expect(scale).not_to_have_text(before, timeout=30_000)
        out["scale"].append((time.perf_counter() - t0) * 1000)
        page.wait_for_function(QUIET, polling=100, timeout=60_000)
        probe = page.evaluate(
            "() => { const p = window.__dlProbe; "
            "return {...p, staleSince: 0, faded: p.faded.size}; }"
        )
        out["any"].append(probe["any"] - probe["t0"])
        out["visible"].append(probe["visible"] - probe["t0"])
        out["stale"].append(probe["staleMax"])
        out["faded"].append(probe["faded"])
        if probe["inComponent"] is not None:
            out["component"].append(probe["inComponent"] - probe["t0"])
        if probe["url"] is not None:
            out["url"].append(probe["url"] - probe["t0"])
        page.evaluate("() => window.__dlProbe.scan()")
    return out


def _drag(page) -> dict:
    """Drag the rate slider's thumb across and back with the mouse: animation frames per second
    and the gaps between them (a redraw slower than a frame would show as a longer gap). The
    redraws per second are bounded by the drag itself: the rate only changes when the pointer
    crosses a 0.05 step (19 values across the slider)."""
    slider = _rate_slider(page)
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    xs = [box["x"] + box["width"] * (0.02 + 0.96 * abs((2 * k / DRAG_MOVES) % 2 - 1))
          for k in range(DRAG_MOVES + 1)]  # fmt: skip
    page.mouse.move(xs[0], y)
    page.evaluate(DRAG_PROBE)
    page.mouse.down()
    for x in xs[1:]:
        page.mouse.move(x, y)
        wait.pace(page, 16)
    page.mouse.up()
    drag = page.evaluate("() => { window.__dlDrag.running = false; return window.__dlDrag; }")
    frames, changed = drag["frames"], drag["changed"]
    seconds = (frames[-1] - frames[0]) / 1000
    gaps = [b - a for a, b in itertools.pairwise(frames)]
    return {
        "drag_frames_per_second": round(len(frames) / seconds, 1),
        "drag_redraws_per_second": round(len(changed) / seconds, 1),
        "drag_frame_gap_ms_p90": round(statistics.quantiles(gaps, n=10)[-1], 1),
        "drag_frame_gap_ms_max": round(max(gaps), 1),
    }


def explore_bench() -> dict:
    from playwright.sync_api import expect, sync_playwright

    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        # Predictions off: a first visit to Explore asks two questions before the live view.
        env = {ENV: "1", "DROPOUT_LAB_DATA_DIR": tmp, "DROPOUT_LAB_PRECOMPUTE": "0",
               PREDICTIONS: "off"}  # fmt: skip
        with running_server(log, env=env) as server:
            figures["server_healthy_seconds"] = round(server.startup_seconds, 3)
            with sync_playwright() as p:
                browser = launch_chromium(p, niceness=19)
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                start = time.perf_counter()
                page.goto(server.url)
                page.locator("h1").first.wait_for()
                figures["first_page_seconds"] = round(
                    server.startup_seconds + time.perf_counter() - start, 3
                )
                figures["tensorflow_loaded_after_overview"] = _tensorflow_loaded(server.process.pid)

                page.goto(f"{server.url}/explore?rate=0.3")
                wait_until_idle(page)
                moves = _keyboard_moves(page, expect)
                drag = _drag(page)
                wait.pace(page, 1000)
                figures["tensorflow_loaded_after_explore"] = _tensorflow_loaded(server.process.pid)
                page.goto(f"{server.url}/read")
                wait_until_idle(page)
                figures["tensorflow_loaded_after_read"] = _tensorflow_loaded(server.process.pid)
                browser.close()
            reruns = parse_timings(server.log(), "explore.fragment")[1:]  # [0]: first render
            cpu = parse_timings(server.log(), "explore.fragment.cpu")[1:]
    figures["slider_moves"] = SLIDER_MOVES
    median, p90 = _ms(moves["visible"])  # the figure: every visual updated, page still
    figures["input_to_page_settled_ms_median"], figures["input_to_page_settled_ms_p90"] = (
        median,
        p90,
    )
    median, p90 = _ms(moves["any"])
    figures["input_to_last_dom_change_ms_median"] = median  # bookkeeping of the settle included
    figures["input_to_last_dom_change_ms_p90"] = p90
    figures["longest_stale_ms"] = round(max(moves["stale"]), 1)  # < 500: no fade was painted
    figures["moves_with_a_fade"] = sum(n > 0 for n in moves["faded"])
    if moves["component"]:
        median, p90 = _ms(moves["component"])
        figures["input_to_component_paint_ms_median"] = median
        figures["input_to_component_paint_ms_p90"] = p90
    figures["key_to_scale_shown_ms_median"] = _ms(moves["scale"])[0]
    if moves["url"]:
        figures["key_to_deep_link_ms_median"] = _ms(moves["url"])[0]
    figures.update(drag)
    figures["server_reruns"] = len(reruns)
    if reruns:
        figures["explore_rerun_ms_median"], figures["explore_rerun_ms_p90"] = _ms(reruns)
        figures["explore_rerun_cpu_ms_median"] = _ms(cpu)[0]
    figures["load_average_1min"] = round(os.getloadavg()[0], 2)
    return figures


def run_benchmarks(only: list[str] | None = None) -> dict:
    sections = only or list(SECTIONS)
    results = {}
    if "explore" in sections:
        results["explore"] = explore_bench()
    if "editor" in sections:
        from tests.bench.editor_bench import run_editor_bench

        results["editor"] = run_editor_bench()
    if "training" in sections:
        from tests.bench.training_bench import run_training_bench

        results["training"] = run_training_bench()
    if "fit" in sections:
        from tests.bench.fit_bench import run_fit_bench

        results["fit"] = run_fit_bench()
    if "compare" in sections:
        from tests.bench.compare_bench import run_compare_bench

        results["compare"] = run_compare_bench()
    if "reflect" in sections:
        from tests.bench.reflect_bench import run_reflect_bench

        results["reflect"] = run_reflect_bench()
    if "grading" in sections:
        from tests.bench.grading_bench import run_grading_bench

        results["grading"] = run_grading_bench()
    if "fairness" in sections:
        from tests.bench.fairness_bench import run_fairness_bench

        results["fairness"] = run_fairness_bench()
    if "live" in sections:
        from tests.bench.live_bench import run_live_bench

        results["live"] = run_live_bench()
    return results
