"""House rules checked in fresh interpreters: the engine never imports Streamlit, and the
first pages never import TensorFlow."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import app.engine

ROOT = Path(__file__).resolve().parents[2]


def fresh_python(code: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=240
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_engine_never_imports_streamlit() -> None:
    modules = [m.name for m in pkgutil.iter_modules(app.engine.__path__)]
    assert "masks" in modules
    result = fresh_python(
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module('app.engine.' + m)\n"
        "print(json.dumps(sorted(k for k in sys.modules if k.split('.')[0] == 'streamlit')))"
    )
    assert result == []


def test_overview_explore_and_read_never_import_tensorflow() -> None:
    result = fresh_python(
        "import json, sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app/main.py', default_timeout=60).run()\n"
        "seen = {'overview': 'tensorflow' in sys.modules}\n"
        "for step in ('explore', 'read'):\n"
        "    at.switch_page(f'steps/{step}.py').run()\n"
        "    assert not at.exception, at.exception\n"
        "    seen[step] = 'tensorflow' in sys.modules or 'keras' in sys.modules\n"
        "print(json.dumps(seen))"
    )
    assert result == {"overview": False, "explore": False, "read": False}
