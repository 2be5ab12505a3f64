"""The pieces an exported script or notebook is made of: the data generator's copy, the model,
the mini-batches and training, the plot, the settings and the sentence saying what was trained.

`export/files.py` explains why these pieces reproduce the app's run; this module only writes them.
"""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import json
import textwrap

from dropout_lab.charts import curves
from dropout_lab.charts.standalone import standalone_source
from dropout_lab.lesson import traffic
from dropout_lab.lesson.layers import DROPOUT_KINDS, optimizer
from dropout_lab.lesson.spec import ModelSpec, TrainConfig


def generator_source() -> str:
    """`app/lesson/traffic.py` without its docstring and `__future__` import."""
    source = inspect.getsource(traffic)
    tree = ast.parse(source)
    lines = source.splitlines()
    drop: set[int] = set()
    first = tree.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        drop.update(range(first.lineno - 1, first.end_lineno))
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            drop.update(range(node.lineno - 1, node.end_lineno))
    kept = [line for i, line in enumerate(lines) if i not in drop]
    return "\n".join(kept).strip() + "\n"


def _float(value: float) -> str:
    return repr(float(value))


def _layer_code(layer, index: int) -> str:
    seed = f"layer_seed({index})"
    if layer.kind == "Dense":
        args = [str(layer.units)]
        if layer.activation:
            args.append(f'activation="{layer.activation}"')
        args.append(f"kernel_initializer=keras.initializers.GlorotUniform(seed={seed})")
        if layer.l2:
            args.append(f"kernel_regularizer=keras.regularizers.L2({_float(layer.l2)})")
        return f"keras.layers.Dense({', '.join(args)})"
    if layer.kind in DROPOUT_KINDS:
        return f"keras.layers.{layer.kind}({_float(layer.rate)}, seed={seed})"
    if layer.kind == "GaussianNoise":
        return f"keras.layers.GaussianNoise({_float(layer.stddev)}, seed={seed})"
    if layer.kind == "BatchNormalization":
        return "keras.layers.BatchNormalization()"
    raise ValueError(f"unknown layer kind {layer.kind!r}")


# The app's Adam, copied: training/fused_adam.py's FusedAdam, character for character
# (tests/unit/test_export.py holds them equal; export/ may not import training/). Keras' own
# Adam rounds differently, and the lesson's runs amplify rounding (files.py says how much).
FUSED_ADAM_CODE = '''\
class FusedAdam(keras.optimizers.Optimizer):
    """Adam applied with TensorFlow's fused kernel (ResourceApplyAdam), one op per weight.

    The formula is keras.optimizers.Adam's: m += (g - m)(1 - b1); v += (g² - v)(1 - b2);
    w -= a·m / (√v + eps), with a = lr·√(1 - b2^t) / (1 - b1^t). Only the rounding differs,
    and a long run amplifies rounding: with keras.optimizers.Adam() instead, the curves agree
    for a few epochs, then drift apart from Dropout Lab's. TensorFlow backend only.
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.step = {}  # this step's constants, shared by every weight's update

    def build(self, variables: list) -> None:
        if self.built:
            return
        super().build(variables)
        self.moments = {}  # each weight's first and second moments, by its TensorFlow variable
        for variable in variables:
            m = self.add_variable_from_reference(variable, "momentum")
            v = self.add_variable_from_reference(variable, "velocity")
            self.moments[variable.value.ref()] = (m, v)

    def apply(self, grads: list, trainable_variables: list | None = None) -> None:
        """Keras' own `apply`, with b1^t and b2^t computed once per step, not once per weight."""
        t = tf.cast(self.iterations + 1, tf.float32)
        beta_1 = tf.constant(self.beta_1, tf.float32)
        beta_2 = tf.constant(self.beta_2, tf.float32)
        self.step = {
            "beta1_power": tf.pow(beta_1, t),
            "beta2_power": tf.pow(beta_2, t),
            "beta1": beta_1,
            "beta2": beta_2,
            "epsilon": tf.constant(self.epsilon, tf.float32),
        }
        try:
            super().apply(grads, trainable_variables)
        finally:
            self.step = {}

    def update_step(
        self, gradient: tf.Tensor, variable: tf.Variable, learning_rate: tf.Tensor
    ) -> None:
        if isinstance(variable, keras.Variable):
            variable = variable.value
        m, v = self.moments[variable.ref()]
        tf.raw_ops.ResourceApplyAdam(
            var=variable.handle,
            m=m.value.handle,
            v=v.value.handle,
            lr=tf.cast(learning_rate, tf.float32),
            grad=gradient,
            use_locking=False,
            **self.step,
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
        return config
'''


def optimizer_code(spec: ModelSpec) -> str:
    """The FusedAdam class, with its import, when the spec's optimizer is applied fused; else
    nothing (the script uses the Keras class itself)."""
    if not optimizer(spec.optimizer).fused:
        return ""
    return "import tensorflow as tf\n\n\n" + FUSED_ADAM_CODE


def _optimizer_code(spec: ModelSpec) -> str:
    kind = optimizer(spec.optimizer)
    lr = "" if spec.learning_rate is None else f"learning_rate={_float(spec.learning_rate)}"
    return f"FusedAdam({lr})" if kind.fused else f"keras.optimizers.{kind.keras_class}({lr})"


def model_code(spec: ModelSpec) -> str:
    """`layer_seed`, `build_model` and the model it builds."""
    layers = "\n".join(
        f"            {_layer_code(layer, i)}," for i, layer in enumerate(spec.layers)
    )
    metrics = list(spec.metrics)
    if "accuracy" not in metrics:
        metrics.insert(0, "accuracy")
    return f'''\
def layer_seed(index):
    """The seed of layer `index`, derived from SEED as Dropout Lab derives it."""
    state = np.random.SeedSequence([SEED, index, 0xD50]).generate_state(1)[0]
    return int(state) & 0x7FFFFFFF


def build_model():
    """{spec.describe()}"""
    model = keras.Sequential(
        [
            keras.Input(shape=({spec.input_dim},)),
{layers}
        ]
    )
    model.compile(
        optimizer={_optimizer_code(spec)},
        loss="{spec.loss}",
        metrics={json.dumps(metrics)},
    )
    return model


model = build_model()
model.summary()
'''


DATA_CODE = """\
data = load_lesson_data(DATA_SEED)
x_train, y_train = np.asarray(data.x_train), np.asarray(data.y_train)
x_val, y_val = np.asarray(data.x_val), np.asarray(data.y_val)
print(f"{len(x_train)} training rows, {len(x_val)} validation rows, "
      f"{y_train.mean():.0%} malicious")
"""


def training_code(config: TrainConfig) -> str:
    """The batches in Dropout Lab's order, one `model.fit`, the history and its summary line."""
    callbacks = "[]"
    if config.early_stopping_patience is not None:
        callbacks = textwrap.dedent("""\
            [
                keras.callbacks.EarlyStopping(
                    monitor="val_loss", patience=PATIENCE, restore_best_weights=True
                )
            ]""").replace("\n", "\n    ")
    return f'''\
class EpochBatches(keras.utils.PyDataset):
    """Every epoch's mini-batches, listed up front: the training rows in a new random order
    each epoch, drawn from the same seeded generator as Dropout Lab's, cut into batches."""

    def __init__(self, x, y, batch_size, epochs, seed):
        super().__init__()
        rng = np.random.default_rng([seed, 0x5F1])
        self.x, self.y = x, y
        self.batches = []
        for _ in range(epochs):
            order = rng.permutation(len(x))
            self.batches += [order[i : i + batch_size] for i in range(0, len(x), batch_size)]

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, i):
        rows = self.batches[i]
        return self.x[rows], self.y[rows]


fit = model.fit(
    EpochBatches(x_train, y_train, BATCH_SIZE, EPOCHS, SEED),
    epochs=EPOCHS,
    steps_per_epoch=math.ceil(len(x_train) / BATCH_SIZE),
    shuffle=False,  # the batches are already in Dropout Lab's order
    validation_data=(x_val, y_val),
    validation_batch_size=len(x_val),  # the whole validation set at once, after each epoch
    callbacks={callbacks},
    verbose=2,
)
history = {{name: [float(v) for v in values] for name, values in fit.history.items()}}
best = int(np.argmin(history["val_loss"]))
print(f"lowest validation loss {{history['val_loss'][best]:.4f}} at epoch {{best + 1}}; "
      f"final validation accuracy {{history['val_accuracy'][-1]:.3f}}")
'''


def plot_code() -> str:
    """The app's own curves figure, copied with what it uses, then this run's figure."""
    return (
        "# A copy of Dropout Lab's curves figure (dropout_lab/charts/curves.py and what it uses),\n"
        "# so the plot looks like the app's.\n\n"
        + standalone_source(curves, "Curve", "curves_figure")
        + '\n\nfig = curves_figure([Curve("this run", history)], title=TITLE)\n'
    )


def trained_with() -> dict[str, str]:
    """The TensorFlow and Keras this installation trains with, e.g. {"tensorflow": "2.21.0",
    "keras": "3.15.1"}, from the installed packages' metadata (nothing imported); empty when
    either is not installed here."""
    found: dict[str, str] = {}
    for name, distributions in (
        ("tensorflow", ("tensorflow", "tensorflow-cpu")),
        ("keras", ("keras",)),
    ):
        for distribution in distributions:
            try:
                found[name] = importlib.metadata.version(distribution)
                break
            except importlib.metadata.PackageNotFoundError:
                continue
    return found if len(found) == 2 else {}


def settings(spec: ModelSpec, config: TrainConfig) -> dict[str, str]:
    """The settings of the run as Python literals, by constant name."""
    return {
        "EPOCHS": str(config.epochs),
        "BATCH_SIZE": str(config.batch_size),
        "SEED": str(config.seed),
        "DATA_SEED": str(config.data_seed),
        "PATIENCE": repr(config.early_stopping_patience),
        "TITLE": json.dumps(f"Dropout Lab: {spec.describe()}", ensure_ascii=False),
    }


def about(spec: ModelSpec, config: TrainConfig) -> str:
    """What was trained, on what, and how: the first lines of either export."""
    stopping = (
        f", early stopping (patience {config.early_stopping_patience}, best weights restored)"
        if config.early_stopping_patience is not None
        else ""
    )
    return (
        f"Model: {spec.describe()}.\n"
        f"Trained on the lesson's synthetic SOC traffic ({traffic.N_TRAIN:,} training and "
        f"{traffic.N_VAL:,} validation connections, data seed {config.data_seed}): "
        f"{config.epochs} epochs, batch size {config.batch_size}, {spec.optimizer}, "
        f"seed {config.seed}{stopping}."
    )
