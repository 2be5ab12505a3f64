"""The Explore page's live view: a Streamlit custom component (v2) that draws every picture of
the step in the browser (SVG), with the rate slider inside it.

Moving the slider redraws in the same frame: the masks come from the counter-based generator
of `dropout_lab.lesson.rng`, which rng.js repeats bit for bit, so no move waits for the server.
The server hears the settled rate (on release, or after a pause in key presses) through the
component's `rate` state, for the deep link and the learner's progress. Its JavaScript, CSS and
HTML are files of this package (no build step, nothing from a CDN).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache
from importlib import resources

import numpy as np
import streamlit as st

from dropout_lab.lesson import explore, masks, variants
from dropout_lab.ui import session

NAME = "dropout_lab_explore"
KEY = session.EXPLORE_LIVE  # the component's own state: {"rate": the last settled rate}
# Concatenated, in this order, into the one ES module the component runs.
JS_FILES = ("rng.js", "draw.js", "views.js", "sections.js", "charts.js", "explore.js")
SHOWN_UNITS = 12  # network view: units drawn per big layer


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@cache
def _renderer():
    """Register the component once per process (its definition is immutable, shared safely)."""
    js = "\n".join(_asset(name) for name in JS_FILES)
    return st.components.v2.component(
        NAME, html=_asset("explore.html"), css=_asset("explore.css"), js=js
    )


def show(data: dict, on_rate: Callable[[], None]) -> None:
    """Mount the live view; `on_rate` runs (before the rerun) when a settled rate arrives."""
    _renderer()(key=KEY, data=data, default={"rate": data["rate"]}, on_rate_change=on_rate)


def settled_rate() -> object:
    """The rate the browser last sent (unchecked: parse it before use)."""
    state = st.session_state.get(KEY)  # a forged message may hold anything
    return state.get("rate") if isinstance(state, dict) else None


_INLINE = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"<em>\1</em>"),
]


def inline_html(markdown: str) -> str:
    """The lesson's small markdown (paragraphs, **bold**, *italic*, `code`) as HTML, escaped
    first, so a learner's error message or a teacher's text can never inject markup."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", markdown.strip()) if p.strip()]
    out = []
    for p in paragraphs:
        text = html.escape(" ".join(p.split()), quote=False)
        for pattern, replacement in _INLINE:
            text = pattern.sub(replacement, text)
        out.append(f"<p>{text}</p>")
    return "".join(out)


def _texts(text: dict) -> dict:
    """The words the component shows: paragraphs as HTML, labels as plain text."""
    layer, batch, network = text["layer"], text["batch"], text["network"]
    modes = ("training_inverted", "training_original", "inference_inverted", "inference_original")
    n_units = sum(explore.LESSON_LAYERS[1:-1])
    log10 = masks.subnetwork_count_log10(n_units)
    forms = explore.forms_table(explore.RATE_DEFAULT)  # its labels; the browser fills the numbers
    return {
        "live": {**text["live"], "pending": inline_html(text["live"]["pending"])},
        "layer": {
            "heading": layer["heading"],
            "explain": inline_html(layer["explain"]),
            **{mode: inline_html(layer[mode]) for mode in modes},
        },
        "batch": {
            "heading": batch["heading"],
            "explain": inline_html(batch["explain"]),
            "rows": batch["rows"],
            "modes": {
                name: {"title": mode["title"], "explain": inline_html(mode["explain"])}
                for name, mode in batch["modes"].items()
            },
        },
        "expectation": {
            "heading": text["expectation"]["heading"],
            "explain": inline_html(text["expectation"]["explain"]),
        },
        "forms": {
            "heading": text["forms"]["heading"],
            "explain": inline_html(text["forms"]["explain"]),
            "table": inline_html(text["forms"]["table"]),
            "columns": list(forms[0]),
            "names": [row["form"] for row in forms],
        },
        "network": {
            "heading": network["heading"],
            "explain": inline_html(network["explain"].format(n_units=n_units, log10=log10)),
            "inference": inline_html(network["inference"]),
        },
        "variants": {
            "heading": text["variants"]["heading"],
            "explain": inline_html(text["variants"]["explain"]),
            "titles": text["variants"]["titles"],
            "captions": {k: inline_html(v) for k, v in text["variants"]["captions"].items()},
        },
    }


@cache
def _static_part() -> dict:
    """What does not change with the controls: the words, the activations, the shapes."""
    text = explore.content()
    ks = {str(k): masks.convergence_ks(k).tolist() for k in explore.MASK_COUNTS}
    return {
        "rateMin": explore.RATE_MIN,
        "rateMax": explore.RATE_MAX,
        "rateStep": explore.RATE_STEP,
        "streams": explore.STREAMS,
        "variants": variants.for_browser(),
        "activations": explore.example_layer().tolist(),
        "batch": {
            "examples": explore.BATCH_EXAMPLES,
            "units": explore.BATCH_UNITS,
            "channels": explore.BATCH_CHANNELS,
        },
        "network": {
            "sizes": list(explore.LESSON_LAYERS),
            "names": list(explore.LESSON_LAYER_NAMES),
            "picks": explore.network_picks(SHOWN_UNITS),
        },
        "masks": {"choices": list(explore.MASK_COUNTS), "default": 1000, "ks": ks},
        "text": _texts(text),
    }


def reference(view: explore.LayerView, rate: float) -> dict[str, str]:
    """The layer's numbers as the component shows them, computed here (AppTest reads these)."""
    return {
        "rate": f"{rate:.2f}",
        "scale": f"× {view.scale:.4g}",
        "dropped": f"{view.dropped_fraction:.0%}",
        "keep": "".join("1" if k else "0" for k in np.ravel(view.keep)),
    }


def payload(
    s: explore.Settings, view: explore.LayerView, mine: bool = False, note: str = ""
) -> dict:
    """The component's data for one setting of the server-side controls.

    `view` is the layer the server computed (the learner's own function's, when `mine`);
    `note` says whether the learner's function was used (markdown).
    """
    data = {
        **_static_part(),
        "rate": s.rate,
        "seed": s.seed,
        "training": s.training,
        "form": s.form,
        "reference": reference(view, s.rate),
        "note": inline_html(note) if note else "",
        "mine": None,
    }
    if mine:
        data["mine"] = {
            "rate": s.rate,
            "output": np.asarray(view.output, float).round(6).tolist(),
            "keep": [int(k) for k in np.ravel(view.keep)],
            "scale": float(view.scale),
            "dropped": float(view.dropped_fraction),
        }
    return data
