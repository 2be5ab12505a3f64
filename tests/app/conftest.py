"""Page tests share one throw-away data directory (the runs store) for the whole session, and
the server's background precompute stays off so it does not compete with the tests' runs.
The predictions before each reveal are off too (every step shows its outcome at once, as the
tests of each step expect): tests/app/test_predictions.py turns them on. The pages run as the
server runs them: no Keras session cleared and no full garbage collection after each script run
(`boot.keep_keras_state`, `runner.postScriptGC`)."""

from __future__ import annotations

import os

import pytest
from streamlit import config

from dropout_lab import boot


@pytest.fixture(scope="session", autouse=True)
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory):
    settings = {
        "DROPOUT_LAB_DATA_DIR": str(tmp_path_factory.mktemp("data")),
        "DROPOUT_LAB_PRECOMPUTE": "0",
        "DROPOUT_LAB_PREDICTIONS": "off",
    }
    previous = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    yield
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session", autouse=True)
def served_like_the_server():
    boot.keep_keras_state()
    config.set_option("runner.postScriptGC", False)
