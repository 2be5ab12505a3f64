"""House rules checked in fresh interpreters: the engine never imports Streamlit, and the
first pages never import TensorFlow."""

from __future__ import annotations

import pkgutil
from pathlib import Path

from tests.helpers import fresh_python

LOGIC_PACKAGES = ("lesson", "codelab", "training", "grading", "store", "charts", "lti")


def _logic_modules() -> list[str]:
    import dropout_lab

    root = Path(dropout_lab.__file__).parent
    found = []
    for package in LOGIC_PACKAGES:
        for m in pkgutil.walk_packages([str(root / package)], f"dropout_lab.{package}."):
            if ".migrations" not in m.name and not m.name.endswith("sandbox_runner"):
                found.append(m.name)
    return found


def test_engine_never_imports_streamlit() -> None:
    modules = _logic_modules()
    assert "dropout_lab.lesson.masks" in modules and "dropout_lab.charts.panels" in modules
    result = fresh_python(
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
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


def test_reading_a_stored_run_does_not_import_tensorflow(tmp_path: Path) -> None:
    """The app process shows stored runs (Build, Compare) without paying for TensorFlow."""
    result = fresh_python(
        "import json, sys\n"
        "import numpy as np\n"
        "from dropout_lab.training.runstore import RunStore\n"
        "from dropout_lab.lesson.spec import RunResult, TrainConfig, lesson_spec, run_key\n"
        "spec, config = lesson_spec(0.3), TrainConfig(epochs=1)\n"
        "history = {k: [0.5] for k in ('loss', 'accuracy', 'val_loss', 'val_accuracy')}\n"
        "run = RunResult(run_key(spec, config), spec, config, history, 1, False, 1, 0.1,\n"
        "                [np.zeros((10, 4), 'float32')], 1000, 2000)\n"
        f"store = RunStore({str(tmp_path)!r})\n"
        "store.put(run)\n"
        "back = store.get(run.key)\n"
        "assert back.history == history and back.spec == spec\n"
        "print(json.dumps('tensorflow' in sys.modules))"
    )
    assert result is False


def test_the_shipped_package_never_imports_test_tools() -> None:
    """Benchmarks and the browser harness live in tests/: a wheel needs no Playwright or pytest."""
    import ast

    import dropout_lab

    offenders = []
    for path in Path(dropout_lab.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in ("playwright", "pytest", "hypothesis"):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
