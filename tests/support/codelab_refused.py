"""What the code lab's reader refuses: (code, line, keyword that the message must contain)."""

from __future__ import annotations

from tests.support.codelab import (
    COMPILE,
    SLOT_LINE,
    VALID,
    with_layer,
)

TOP = SLOT_LINE  # the free slot's line in TEMPLATE
LAST = VALID.count("\n") + 1  # a line appended after VALID

REFUSED = {
    # hostile code
    "os.system": ("import os; os.system('touch /tmp/x')\n" + VALID, 1, "import os"),
    "open": ("open('/tmp/pwned_by_lab', 'w')\n" + VALID, 1, "open"),
    "__import__": ("__import__('os')\n" + VALID, 1, "__import__"),
    "subclasses": ("().__class__.__bases__[0].__subclasses__()\n" + VALID, 1, "underscore"),
    "lambda": ("f = lambda x: x\n" + VALID, 1, "Lambda"),
    "lambda layer": (with_layer("lambda x: x,"), TOP, "Lambda"),
    "comprehension": (
        "import keras\nmodel = keras.Sequential([keras.layers.Dense(8) for _ in range(3)])\n"
        + COMPILE,
        2,
        "Comprehension",
    ),
    "eval": ("eval('1 + 1')\n" + VALID, 1, "eval"),
    "exec": ("exec('import os')\n" + VALID, 1, "exec"),
    "getattr": (with_layer("getattr(keras.layers, 'Dropout')(0.3),"), TOP, "getattr"),
    "import subprocess": ("import subprocess\n" + VALID, 1, "subprocess"),
    "from os import system": ("from os import system\nsystem('ls')\n" + VALID, 1, "from os"),
    "import keras.src": ("import keras.src\n" + VALID, 1, "keras.src"),
    "dunder attribute": (with_layer("keras.__dict__,"), TOP, "underscore"),
    "dunder name": ("__builtins__ = None\n" + VALID, 1, "double underscore"),
    "f-string": (with_layer('keras.layers.Dense(8, activation=f"relu"),'), TOP, "f-string"),
    "starred": (with_layer("keras.layers.Dense(*[8]),"), TOP, "*"),
    "double starred": (with_layer("keras.layers.Dense(8, **{}),"), TOP, "**"),
    "subscript": (with_layer("keras.layers.Dense([8][0]),"), TOP, "Indexing"),
    "for loop": (
        VALID + "for i in range(3):\n    model.add(keras.layers.Dense(8))\n",
        LAST,
        "for loops",
    ),
    "while loop": (VALID + "while True:\n    pass\n", LAST, "while"),
    "def": ("def f():\n    return 1\n" + VALID, 1, "function"),
    "class": ("class A:\n    pass\n" + VALID, 1, "class"),
    "with": (VALID + "with open('x') as f:\n    pass\n", LAST, "with"),
    "try": (VALID + "try:\n    pass\nexcept Exception:\n    pass\n", LAST, "try"),
    "walrus": (with_layer("keras.layers.Dense((n := 8)),"), TOP, ":="),
    "unknown variable": (with_layer("keras.layers.Dense(n),"), TOP, "Unknown name `n`"),
    "other assignment": ("x = 3\n" + VALID, 1, "Only the model"),
    "model.save": (VALID + "model.save('m.keras')\n", LAST, "model.save"),
    "np.random.rand": (VALID + "import numpy as np\nnp.random.rand(3)\n", LAST + 1, "numpy"),
    "seed not an int": (VALID + "keras.utils.set_random_seed('x')\n", LAST, "seed"),
    "keras.utils": (
        VALID + "keras.utils.get_file('x', 'http://example.com')\n",
        LAST,
        "keras.utils",
    ),
    "fit with eval": (VALID + "model.fit(x, y, epochs=eval('5'))\n", LAST, "eval"),
    "bytes": (with_layer("keras.layers.Dense(8, name=b'x'),"), TOP, "Byte"),
    "from keras import *": ("from keras import *\n" + VALID, 1, "import *"),
    # units
    "units 0": (with_layer("keras.layers.Dense(0),"), TOP, "positive"),
    "units -5": (with_layer("keras.layers.Dense(-5),"), TOP, "positive"),
    "units True": (with_layer("keras.layers.Dense(True),"), TOP, "not True"),
    "units 2.5": (with_layer("keras.layers.Dense(2.5),"), TOP, "whole number"),
    "units '256'": (with_layer("keras.layers.Dense('256'),"), TOP, "quotes"),
    "units 10**9": (with_layer("keras.layers.Dense(10**9),"), TOP, "Arithmetic"),
    "units 1e9 literal": (with_layer("keras.layers.Dense(1000000000),"), TOP, "2,048"),
    "units 2049": (with_layer("keras.layers.Dense(units=2049),"), TOP, "2,048"),
    "units missing": (with_layer("keras.layers.Dense(activation='relu'),"), TOP, "units"),
    # rates
    "Dropout(1.0)": (with_layer("keras.layers.Dropout(1.0),"), TOP, "below 1"),
    "Dropout(-0.1)": (with_layer("keras.layers.Dropout(-0.1),"), TOP, "at least 0"),
    "Dropout('0.3')": (with_layer("keras.layers.Dropout('0.3'),"), TOP, "quotes"),
    "Dropout(nan)": (with_layer("keras.layers.Dropout(float('nan')),"), TOP, "float"),
    "Dropout(inf)": (with_layer("keras.layers.Dropout(1e999),"), TOP, "finite"),
    "Dropout(None)": (with_layer("keras.layers.Dropout(None),"), TOP, "number"),
    "Dropout()": (with_layer("keras.layers.Dropout(),"), TOP, "rate"),
    "AlphaDropout(2)": (with_layer("keras.layers.AlphaDropout(2),"), TOP, "below 1"),
    "Dropout seed string": (with_layer("keras.layers.Dropout(0.3, seed='x'),"), TOP, "seed"),
    "Dropout noise_shape": (
        with_layer("keras.layers.Dropout(0.3, noise_shape=(1, 10)),"),
        TOP,
        "noise_shape",
    ),
    "GaussianNoise(-1)": (with_layer("keras.layers.GaussianNoise(-1),"), TOP, "stddev"),
    # other layer arguments
    "use_bias": (with_layer("keras.layers.Dense(8, use_bias=False),"), TOP, "use_bias"),
    "BatchNormalization(momentum)": (
        with_layer("keras.layers.BatchNormalization(momentum=0.9),"),
        TOP,
        "momentum",
    ),
    "activation case": (with_layer("keras.layers.Dense(8, activation='ReLU'),"), TOP, "lower case"),
    "activation unknown": (with_layer("keras.layers.Dense(8, activation='mish'),"), TOP, "mish"),
    "activation object": (
        with_layer("keras.layers.Dense(8, activation=keras.activations.relu),"),
        TOP,
        "string",
    ),
    "L1 regulariser": (
        with_layer("keras.layers.Dense(8, kernel_regularizer=keras.regularizers.L1(0.01)),"),
        TOP,
        "L1",
    ),
    "l2 too big": (
        with_layer("keras.layers.Dense(8, kernel_regularizer=keras.regularizers.l2(5)),"),
        TOP,
        "L2",
    ),
    "unknown layer": (with_layer("keras.layers.Conv2D(8, 3),"), TOP, "Conv2D"),
    "layer without parentheses": (with_layer("keras.layers.Dropout,"), TOP, "parentheses"),
    "nested Sequential": (with_layer("keras.Sequential(),"), TOP, "not a layer"),
    # structure
    "dropout after output": (
        VALID.replace('"sigmoid"),\n', '"sigmoid"),\n        keras.layers.Dropout(0.3),\n'),
        8,
        "after the output",
    ),
    "wrong input width": (
        with_layer("").replace("input_shape=(10,)", "input_shape=(12,)"),
        5,
        "10 features",
    ),
    "input_shape not a tuple": (
        with_layer("").replace("input_shape=(10,)", "input_shape=(10)"),
        5,
        "comma",
    ),
    "Input width": (
        "import keras\nmodel = keras.Sequential([keras.Input(shape=(12,)), "
        "keras.layers.Dense(1, activation='sigmoid')])\n" + COMPILE,
        2,
        "10 features",
    ),
    "Input not first": (with_layer("keras.Input(shape=(10,)),"), TOP, "first"),
    "input_shape on a later layer": (
        with_layer("keras.layers.Dense(8, input_shape=(10,)),"),
        TOP,
        "first layer",
    ),
    "2-unit softmax output": (
        VALID.replace('Dense(1, activation="sigmoid")', 'Dense(2, activation="softmax")'),
        7,
        "softmax",
    ),
    "relu output": (
        VALID.replace('Dense(1, activation="sigmoid")', 'Dense(1, activation="relu")'),
        7,
        "sigmoid",
    ),
    "linear output": (VALID.replace('Dense(1, activation="sigmoid")', "Dense(1)"), 7, "sigmoid"),
    "1-unit softmax": (
        VALID.replace('Dense(1, activation="sigmoid")', 'Dense(1, activation="softmax")'),
        7,
        "1.0",
    ),
    "13 layers": (with_layer("keras.layers.Dense(8),\n" * 11), 18, "at most 12"),
    "no layers": ("import keras\nmodel = keras.Sequential([])\n" + COMPILE, 2, "no layers"),
    "no model": ("import keras\n", None, "No model"),
    "missing compile": (with_layer("", ""), 3, "compile"),
    "compile twice": (VALID + COMPILE + "\n", LAST, "already"),
    "second model": (VALID + "model2 = keras.Sequential()\n", LAST, "second model"),
    # keras, tf and layers may be used without an import (see "Names used without an import")
    "models not imported": (
        VALID.replace("import keras\n", "\n").replace("keras.Sequential", "models.Sequential"),
        3,
        "from keras import models",
    ),
    "tensorflow not imported": (
        VALID.replace("import keras\n", "\n").replace("keras.", "tensorflow.keras."),
        3,
        "import tensorflow as tf",
    ),
    "np not imported": (VALID + "np.random.seed(1)\n", LAST, "import numpy as np"),
    "Dense not imported": (with_layer("Dense(8),"), TOP, "from keras.layers import Dense"),
    "Sequential not imported": (
        VALID.replace("keras.Sequential", "Sequential"),
        3,
        "write keras.Sequential",
    ),
    # compile settings
    "unknown optimizer": (
        with_layer("", "model.compile(optimizer='adamax', loss='binary_crossentropy')"),
        10,
        "adamax",
    ),
    "lr=": (
        with_layer(
            "",
            "model.compile(optimizer=keras.optimizers.Adam(lr=0.01), loss='binary_crossentropy')",
        ),
        10,
        "learning_rate",
    ),
    "learning_rate 0": (
        with_layer(
            "",
            "model.compile(optimizer=keras.optimizers.Adam(learning_rate=0), "
            "loss='binary_crossentropy')",
        ),
        10,
        "learning rate",
    ),
    "wrong loss": (
        with_layer("", "model.compile(optimizer='adam', loss='mse')"),
        10,
        "binary_crossentropy",
    ),
    "from_logits": (
        with_layer(
            "",
            "model.compile(optimizer='adam', "
            "loss=keras.losses.BinaryCrossentropy(from_logits=True))",
        ),
        10,
        "from_logits",
    ),
    "unknown metric": (
        with_layer(
            "", "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['f1'])"
        ),
        10,
        "metric",
    ),
    "metrics not a list": (
        with_layer(
            "", "model.compile(optimizer='adam', loss='binary_crossentropy', metrics='accuracy')"
        ),
        10,
        "list",
    ),
    "compile extra kwarg": (
        with_layer(
            "", "model.compile(optimizer='adam', loss='binary_crossentropy', run_eagerly=True)"
        ),
        10,
        "run_eagerly",
    ),
    # unreadable input
    "syntax error": (
        "import keras\nmodel = keras.Sequential([\n" + COMPILE + "\n",
        2,
        "Syntax error",
    ),
    "unclosed string": ("import keras\nx = 'abc\n", 2, "string"),
    "indentation": ("import keras\n    model = 1\n", 2, "indent"),
    "20,001 characters": ("#" * 20_001, None, "20,000"),
    "5 MB": ("x = 1\n" * 900_000, None, "20,000"),
    "deep parentheses": ("(" * 100_000, None, "20,000"),
    "deep brackets": ("[" * 5000 + "]" * 5000, 1, "nest"),
    "deep but tokenisable": ("x = " + "[" * 150 + "]" * 150, 1, "nested too deeply"),
    "deep operators": ("x = " + "-" * 15_000 + "1", None, "nested too deeply"),
    "huge integer": ("x = " + "9" * 5000, 1, "digits"),
    "null byte": ("import keras\nmodel\x00 = 1\n", 2, "null"),
    "lone surrogate": ("import keras\n# \udcff\n", 2, "not valid text"),
    "empty": ("   \n\n", None, "empty"),
}
