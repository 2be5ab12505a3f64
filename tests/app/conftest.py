"""Page tests share one throw-away data directory (the runs store) for the whole session."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory):
    previous = os.environ.get("DROPOUT_LAB_DATA_DIR")
    os.environ["DROPOUT_LAB_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    yield
    if previous is None:
        os.environ.pop("DROPOUT_LAB_DATA_DIR", None)
    else:
        os.environ["DROPOUT_LAB_DATA_DIR"] = previous
