"""The NumPy lab's tests need a working bubblewrap: they fail (never skip) without one."""

from __future__ import annotations

import pytest

from dropout_lab.grading import sandbox_mode


@pytest.fixture(autouse=True, scope="module")
def require_sandbox() -> None:
    kind, why = sandbox_mode.probe()
    if kind is None:
        pytest.fail(f"{why}. `bash scripts/test.sh` installs bubblewrap.", pytrace=False)
