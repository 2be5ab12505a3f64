"""The code lab never runs the learner's code: hostile code creates nothing, only ast.parse
touches it, no heavy module is imported."""

from __future__ import annotations

import builtins
import subprocess
import sys

import pytest

from dropout_lab.codelab.reader import parse_code, verdict
from tests.support.codelab import (
    LAB,
    VALID,
)
from tests.support.codelab_refused import REFUSED

# ------------------------------------------------------------------------------------------------
# Never run
# ------------------------------------------------------------------------------------------------

HOSTILE_TEMPLATES = [
    "open({path!r}, 'w').write('x')",
    "import os; os.system('touch {path}')",
    "__import__('os').system('touch {path}')",
    "import subprocess; subprocess.run(['touch', {path!r}])",
    "import pathlib; pathlib.Path({path!r}).touch()",
    "exec(\"open({path!r}, 'w')\")",
    "eval(\"open({path!r}, 'w')\")",
    "model = keras.Sequential([keras.layers.Dense(open({path!r}, 'w'))])",
    "().__class__.__base__.__subclasses__()[0]({path!r})",
    "model.fit(open({path!r}, 'w'))",
    "class A:\n    x = open({path!r}, 'w')",
    "def f():\n    open({path!r}, 'w')\nf()",
    "[open({path!r}, 'w') for _ in range(1)]",
    "import keras\nkeras.utils.get_file({path!r}, 'file:///etc/hostname')",
]


@pytest.mark.parametrize("template", HOSTILE_TEMPLATES)
def test_hostile_code_creates_no_file(tmp_path, template):
    target = tmp_path / "pwned_by_lab"
    code = template.format(path=str(target))
    for source in (code, VALID + code, code + "\n" + VALID):
        result = parse_code(source)
        assert not result.ok
        verdict(source)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_only_ast_parse_touches_the_code(monkeypatch):
    import ast

    def forbidden(*args, **kwargs):
        raise AssertionError("the parser must never evaluate or execute the code")

    real_compile = builtins.compile
    calls = []

    def only_ast(source, filename, mode, flags=0, *args, **kwargs):
        calls.append(flags)
        assert flags & ast.PyCF_ONLY_AST, "compile may only be used to build a syntax tree"
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", only_ast)
    for source in [LAB.starter, LAB.solution, *(code for code, _, _ in REFUSED.values())]:
        parse_code(source)
    assert calls  # ast.parse went through compile(..., PyCF_ONLY_AST)


def test_codelab_imports_no_heavy_modules():
    code = (
        "import sys, dropout_lab.codelab.reader as c; "
        "c.verdict(open('labs/overfit/solution.py').read()); "
        "heavy = [m for m in ('tensorflow', 'keras', 'streamlit') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
