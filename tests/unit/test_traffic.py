"""The lesson's synthetic SOC traffic: deterministic, well-formed, light to import."""

from __future__ import annotations

import numpy as np
import pytest

from dropout_lab.lesson.traffic import FEATURES, N_TRAIN, N_VAL, TrafficData, load_lesson_data
from tests.helpers import fresh_python

ARRAYS = ("x_train", "y_train", "x_val", "y_val", "raw_train")


def test_same_seed_same_data_and_memoised() -> None:
    a = load_lesson_data(0)
    assert load_lesson_data(0) is a
    load_lesson_data.cache_clear()
    b = load_lesson_data(0)
    assert b is not a
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_different_seeds_differ() -> None:
    a, b = load_lesson_data(0), load_lesson_data(1)
    assert not np.array_equal(a.raw_train, b.raw_train)
    assert not np.array_equal(a.y_val, b.y_val)


def test_shapes_and_dtypes() -> None:
    d = load_lesson_data(0)
    assert isinstance(d, TrafficData)
    assert d.x_train.shape == (N_TRAIN, 10) and d.raw_train.shape == (N_TRAIN, 10)
    assert d.x_val.shape == (N_VAL, 10)
    assert d.y_train.shape == (N_TRAIN, 1) and d.y_val.shape == (N_VAL, 1)
    assert (d.n_train, d.n_val) == (N_TRAIN, N_VAL)
    for name in ARRAYS:
        arr = getattr(d, name)
        assert arr.dtype == np.float32, name
        assert np.isfinite(arr).all(), name
    assert set(np.unique(d.y_train)) == {0.0, 1.0}


def test_ten_named_features() -> None:
    d = load_lesson_data(0)
    assert len(FEATURES) == 10 and len(set(FEATURES)) == 10
    assert d.feature_names == FEATURES
    assert all(name.isidentifier() for name in FEATURES)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_class_balance(seed: int) -> None:
    d = load_lesson_data(seed)
    for y in (d.y_train, d.y_val):
        assert 0.35 <= float(y.mean()) <= 0.65


def test_raw_features_are_plausible() -> None:
    raw = load_lesson_data(0).raw_train
    col = {name: raw[:, i] for i, name in enumerate(FEATURES)}
    assert (col["duration_s"] > 0).all() and (col["bytes_in"] > 0).all()
    for name in ("packets", "distinct_ports", "failed_logins", "hour_of_day"):
        assert np.array_equal(col[name], np.round(col[name])), name  # counts are integers
    assert (col["distinct_ports"] >= 1).all()
    assert ((col["payload_entropy"] >= 0) & (col["payload_entropy"] <= 8)).all()
    assert ((col["syn_ratio"] >= 0) & (col["syn_ratio"] <= 1)).all()
    assert ((col["hour_of_day"] >= 0) & (col["hour_of_day"] <= 23)).all()


def test_training_features_are_standardised() -> None:
    d = load_lesson_data(0)
    np.testing.assert_allclose(d.x_train.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(d.x_train.std(axis=0), 1.0, atol=1e-4)
    # validation uses the training statistics: close to, not exactly, standard
    assert np.abs(d.x_val.mean(axis=0)).max() < 0.15


def test_arrays_are_read_only() -> None:
    d = load_lesson_data(0)
    for name in ARRAYS:
        arr = getattr(d, name)
        assert not arr.flags.writeable, name
        with pytest.raises(ValueError):
            arr[0] = 0


def test_rejects_bad_seed() -> None:
    with pytest.raises(ValueError):
        load_lesson_data(-1)


def test_module_does_not_import_tensorflow() -> None:
    code = (
        "import json, sys\n"
        "from dropout_lab.lesson.traffic import load_lesson_data\n"
        "load_lesson_data(0)\n"
        "print(json.dumps(sorted(m for m in ('tensorflow', 'keras', 'streamlit') "
        "if m in sys.modules)))"
    )
    assert fresh_python(code, timeout=120) == []
