"""House rules checked on the source and in fresh interpreters: imports between app's packages
follow the one layering table (docs/architecture.md), the package graph has no cycle, the engine
never imports Streamlit, and the first pages never import TensorFlow."""

from __future__ import annotations

import functools
import pkgutil
from pathlib import Path

import pytest

from tests.helpers import ROOT, fresh_python
from tests.support import layering

ARCHITECTURE = ROOT / "docs" / "architecture.md"
APP = ROOT / "app"
TABLE = layering.read_table(ARCHITECTURE.read_text(encoding="utf-8"))
# Every package of the table but the pages' own: Streamlit is theirs alone.
LOGIC_PACKAGES = tuple(sorted(u for u, allowed in TABLE.items()
                              if (APP / u).is_dir() and u not in ("ui", "steps")))  # fmt: skip


# --------------------------------------------------------------------------- the layering table


def test_the_table_has_a_row_for_every_package_and_module_of_app() -> None:
    assert layering.units(APP) == set(TABLE)
    assert TABLE["lesson"] == frozenset() and TABLE["steps"] is None  # read, not guessed
    assert TABLE["charts"] == {"lesson", "findings"}


@functools.cache
def app_imports() -> tuple[layering.Import, ...]:
    return tuple(layering.imports(APP))


def test_every_import_between_packages_is_one_the_table_allows() -> None:
    found = app_imports()
    assert any(i.src == "charts" and i.dst == "findings" for i in found)  # the reader sees them
    assert [str(i) for i in layering.forbidden(found, TABLE)] == []


def test_the_package_graph_has_no_cycle() -> None:
    found = app_imports()
    assert [layering.explain(c, found) for c in layering.cycles(found)] == []


def _plant(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_a_planted_upward_import_is_forbidden_by_the_real_table(tmp_path: Path) -> None:
    """A copy of two real rows' packages with one import the table forbids (lesson → training,
    written three ways, one of them inside a function) and one it allows (charts → lesson)."""
    root = _plant(tmp_path, {
        "lesson/__init__.py": "",
        "lesson/good.py": "import numpy as np\nfrom . import other\n",
        "lesson/other.py": "",
        "lesson/bad.py": "from dropout_lab.training import trainer\n",
        "lesson/worse.py": "import dropout_lab.training.mc\n",
        "lesson/lazy.py": "def f():\n    from ..training.precompute import warm\n",
        "charts/__init__.py": "",
        "charts/fine.py": "from dropout_lab import lesson\nfrom ..lesson.other import x\n",
        "training/__init__.py": "",
    })  # fmt: skip
    bad = layering.forbidden(layering.imports(root), TABLE)
    assert sorted(str(i) for i in bad) == [
        "lesson/bad.py:1 imports dropout_lab.training",
        "lesson/lazy.py:2 imports dropout_lab.training.precompute",
        "lesson/worse.py:1 imports dropout_lab.training.mc",
    ]


def test_a_package_the_table_does_not_name_is_refused(tmp_path: Path) -> None:
    root = _plant(tmp_path, {"newroom/__init__.py": "from dropout_lab.lesson import masks\n",
                             "lesson/__init__.py": ""})  # fmt: skip
    assert "newroom" not in TABLE and "newroom" in layering.units(root)
    assert [str(i) for i in layering.forbidden(layering.imports(root), TABLE)] == [
        "newroom/__init__.py:1 imports dropout_lab.lesson"
    ]


def test_a_planted_cycle_is_found_and_named(tmp_path: Path) -> None:
    root = _plant(tmp_path, {
        "a/__init__.py": "", "a/x.py": "from dropout_lab.b import y\n",
        "b/__init__.py": "", "b/y.py": "def f():\n    import dropout_lab.c.z\n",
        "c/__init__.py": "", "c/z.py": "from dropout_lab.a.x import thing\n",
        "d/__init__.py": "from dropout_lab import a\n",  # into the cycle, not part of it
    })  # fmt: skip
    found = layering.imports(root)
    assert layering.cycles(found) == [["a", "b", "c", "a"]]
    assert layering.explain(["a", "b", "c", "a"], found) == (
        "a → b → c → a: a → b (a/x.py:1 imports dropout_lab.b); "
        "b → c (b/y.py:2 imports dropout_lab.c.z); c → a (c/z.py:1 imports dropout_lab.a.x)"
    )
    assert layering.cycles([i for i in found if i.src != "c"]) == []


def test_the_table_reader_takes_everything_nothing_and_names(tmp_path: Path) -> None:
    text = (
        "intro\n\n| folder | concern | may import |\n| --- | --- | --- |\n"
        "| `app/top.py`, `app/pages/` | entry | everything |\n"
        "| `app/base/` | bottom, `base/x.py` named in the concern | nothing |\n"
        "| `app/mid/` | middle | `base/`, `solo.py` |\n"
        "| `data/` | content | — |\n\nafter\n"
    )
    assert layering.read_table(text) == {
        "top": None,
        "pages": None,
        "base": frozenset(),
        "mid": frozenset({"base", "solo"}),
    }
    with pytest.raises(ValueError, match="twice"):
        layering.read_table(text.replace("`app/mid/`", "`app/base/`"))


# --------------------------------------------------------------------------- third parties


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
    assert {"dropout_lab.lesson.masks", "dropout_lab.charts.panels",
            "dropout_lab.findings.claims", "dropout_lab.export.files"} <= set(modules)  # fmt: skip
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
