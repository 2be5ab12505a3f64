"""What the code lab accepts, as data: caps, names, modules, losses, metrics, refused builtins.

The layers and their arguments come from `dropout_lab.lesson.layers` (one table for the whole
app); the optimizers too. The reader (`walk`, `model`, `arguments`, `compile`) applies these
rules; the sentences it says about them are in `lessons/codelab.toml`.
"""

from __future__ import annotations

from types import MappingProxyType

from dropout_lab.lesson.layers import KINDS, OPTIMIZERS

# ---------------------------------------------------------------------------------------- caps

MAX_CHARS = 20_000
MAX_LAYERS = 12
MAX_UNITS = int(KINDS["Dense"].arg("units").high or 0)
MAX_DEPTH = 40  # syntax-tree nesting; real model code stays under 10
MAX_ERRORS = 20
MAX_L2 = float(KINDS["Dense"].arg("kernel_regularizer").high or 0)
MAX_STDDEV = float(KINDS["GaussianNoise"].arg("stddev").high or 0)
MAX_LEARNING_RATE = 1.0
DEFAULT_L2 = 0.01  # Keras' factor for kernel_regularizer='l2' and for l2() without a factor

# ------------------------------------------------------------------------------ values allowed

ACTIVATIONS = ("relu", "sigmoid", "tanh", "elu", "selu", "gelu", "swish", "linear", "softmax")
LOSS = "binary_crossentropy"
LOSS_NAMES = (LOSS, "BinaryCrossentropy")
METRICS = ("accuracy", "auc", "precision", "recall")
METRIC_ALIASES = MappingProxyType({"acc": "accuracy"})

# Arguments every layer takes besides its own (read, checked, and used for the input width).
LAYER_COMMON_ARGS = ("name", "input_shape", "input_dim")
# Model methods that are accepted and ignored (the lab trains and evaluates the model itself).
IGNORED_METHODS = ("fit", "evaluate", "predict")

# ------------------------------------------------------------------------------------ names

# Modules the code may import or name (after `tensorflow.keras` → `keras`).
MODULES = frozenset(
    {
        "keras",
        "keras.layers",
        "keras.models",
        "keras.regularizers",
        "keras.optimizers",
        "keras.losses",
        "keras.utils",
        "tensorflow",
        "tensorflow.random",
        "numpy",
        "numpy.random",
    }
)
# Objects the code may name: dotted path → what it is.
OBJECTS = MappingProxyType(
    {
        "keras.Sequential": "Sequential",
        "keras.models.Sequential": "Sequential",
        "keras.Input": "Input",
        "keras.layers.Input": "Input",
        "keras.regularizers.l2": "l2",
        "keras.regularizers.L2": "l2",
        "keras.losses.BinaryCrossentropy": "loss:BinaryCrossentropy",
        "keras.losses.binary_crossentropy": "loss:binary_crossentropy",
        # global seeding: accepted and ignored (the lab seeds every run itself)
        "keras.utils.set_random_seed": "seed",
        "tensorflow.random.set_seed": "seed",
        "numpy.random.seed": "seed",
        **{f"keras.layers.{k.keras_class}": f"layer:{k.name}" for k in KINDS.values()},
        **{f"keras.optimizers.{o.keras_class}": f"optimizer:{o.name}" for o in OPTIMIZERS.values()},
    }
)
# Names the code may use without importing them (the seed lesson prints its model without
# `import keras`): name → the module it stands for, and the import line it stands in for.
IMPLICIT_IMPORTS = MappingProxyType(
    {
        "keras": ("keras", "import keras"),
        "tf": ("tensorflow", "import tensorflow as tf"),
        "layers": ("keras.layers", "from keras import layers"),
    }
)
# The import to suggest for a name used but never imported (message `names.not_imported`).
IMPORT_SUGGESTIONS = MappingProxyType(
    {
        "tensorflow": "import tensorflow as tf",
        "models": "from keras import models",
        "regularizers": "from keras import regularizers",
        "optimizers": "from keras import optimizers",
        "losses": "from keras import losses",
        "np": "import numpy as np",
    }
)

# Builtins refused by name; the value says which message explains why (`builtins.<value>`).
BUILTINS = MappingProxyType(
    {
        **dict.fromkeys(
            (
                "eval",
                "exec",
                "compile",
                "__import__",
                "open",
                "getattr",
                "setattr",
                "delattr",
                "hasattr",
                "globals",
                "locals",
                "vars",
                "dir",
                "input",
                "breakpoint",
                "help",
                "type",
                "object",
                "super",
                "exit",
                "quit",
                "memoryview",
                "print",
                "isinstance",
                "id",
                "classmethod",
                "staticmethod",
                "property",
            ),
            "dangerous",
        ),
        **dict.fromkeys(
            ("float", "int", "str", "bool", "round", "abs", "min", "max", "pow", "sum"), "value"
        ),
        **dict.fromkeys(
            ("range", "list", "tuple", "dict", "set", "len", "map", "filter", "zip", "enumerate"),
            "loop",
        ),
    }
)
# Refused even where arguments are otherwise ignored (inside model.fit(...)).
DANGEROUS = frozenset(name for name, why in BUILTINS.items() if why == "dangerous")


def normalize(path: str) -> str:
    """`tensorflow.keras.x` is `keras.x`: one spelling for every lookup."""
    if path == "tensorflow.keras" or path.startswith("tensorflow.keras."):
        return "keras" + path[len("tensorflow.keras") :]
    return path
