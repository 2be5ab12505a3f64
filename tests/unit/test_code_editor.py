"""The labs' code editor without a browser: its packaging (the one bundle, declared where
Streamlit finds it, in the checkout and in a wheel), and the refusals it is given."""

from __future__ import annotations

import json
import re
import tomllib
from importlib import resources
from pathlib import Path

from dropout_lab.codelab import reader as codelab
from dropout_lab.ui import code_editor

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = resources.files("dropout_lab.ui.code_editor")


def _toml(path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_the_component_is_declared_alike_for_the_checkout_and_for_a_wheel() -> None:
    root, packaged = _toml(ROOT / "pyproject.toml"), _toml(PACKAGE / "pyproject.toml")
    assert packaged["project"]["name"] == root["project"]["name"]
    declared = root["tool"]["streamlit"]["component"]["components"]
    assert packaged["tool"]["streamlit"]["component"]["components"] == declared
    entry = next(c for c in declared if c["name"] == "code_editor")
    assert f"{root['project']['name']}.{entry['name']}" == code_editor.NAME
    folder = ROOT / "app" / entry["asset_dir"]  # relative to the dropout_lab package (app/)
    assert (folder / code_editor.JS).is_file() and (folder / code_editor.CSS).is_file()


def test_the_bundle_is_one_module_that_fetches_nothing() -> None:
    bundle = (PACKAGE / code_editor.JS).read_text(encoding="utf-8")
    assert re.search(r"export\s*\{\s*\w+ as default\s*\}", bundle)
    for loads in ("import(", "importScripts", "fetch(", "XMLHttpRequest", 'from"', "from '"):
        assert loads not in bundle, loads


def test_the_bundle_says_which_locked_packages_it_holds() -> None:
    bundle = (PACKAGE / code_editor.JS).read_text(encoding="utf-8")
    named = re.search(r"^// Bundled: (.+)\.$", bundle, re.M)
    assert named, "the build script writes the bundled packages in the banner"
    locked = json.loads((ROOT / "tools/code_editor/package-lock.json").read_text())["packages"]
    for item in named.group(1).split(", "):
        name, version = item.rsplit("@", 1)
        assert locked[f"node_modules/{name}"]["version"] == version, item
    wanted = json.loads((ROOT / "tools/code_editor/package.json").read_text())["dependencies"]
    assert set(wanted) <= {item.rsplit("@", 1)[0] for item in named.group(1).split(", ")}


def test_refusals_and_notes_become_the_lines_the_editor_marks() -> None:
    result = codelab.parse_code("import os\nimport keras\nmodel = keras.Sequential([])\n")
    marks = code_editor.from_result(result)
    assert [(d.line, d.severity) for d in marks if d.severity == "error"][:1] == [(1, "error")]
    assert all(d.line for d in marks)
    assert code_editor.from_result(codelab.parse_code(_starter())) == []


def test_the_numpy_labs_get_syntax_errors_only_in_the_code_labs_words() -> None:
    assert code_editor.syntax_diagnostics("def dropout_forward(x, rate):\n    return x\n") == []
    assert code_editor.syntax_diagnostics("import numpy as np\nnp.random.rand(3)\n") == []
    (mark,) = code_editor.syntax_diagnostics("import numpy as np\ndef f(x:\n    return x\n")
    assert mark.line == 2 and mark.severity == "error"
    assert mark.message.startswith("Syntax error")


def _starter() -> str:
    from dropout_lab.lesson.labs import load_lab

    return load_lab("overfit").starter
