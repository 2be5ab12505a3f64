"""The lesson's Keras models name their layers by kind and place, so no Keras name counter (shared
by a server's threads, and reset by them) can give a model two layers of one name."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import keras

from dropout_lab.lesson.spec import lesson_spec
from dropout_lab.training.models import build_model, layer_name


def test_layers_are_named_by_kind_and_place() -> None:
    model = build_model(lesson_spec(0.3), 0)
    assert [layer.name for layer in model.layers] == [
        "dense_0", "dropout_1", "dense_2", "dropout_3", "dense_4", "dropout_5", "dense_6"
    ]  # fmt: skip
    assert layer_name("BatchNormalization", 3) == "batch_normalization_3"


def test_models_built_in_threads_while_keras_state_is_reset() -> None:
    """Eight threads build models while another keeps resetting Keras' global state (what made
    Reflect fail with "Name 'dense' is already the name of a layer in this model")."""
    spec = lesson_spec(0.3)
    names = [layer_name(layer.kind, i) for i, layer in enumerate(spec.layers)]

    def build(seed: int) -> list[str]:
        keras.backend.clear_session(free_memory=False)
        return [layer.name for layer in build_model(spec, seed).layers]

    with ThreadPoolExecutor(max_workers=8) as pool:
        built = list(pool.map(build, range(24)))
    assert built == [names] * 24
