"""The valid Keras the code lab's reader accepts: each case's code and what it must read."""

from __future__ import annotations

VALID_VARIANTS = {
    "tf.keras": """
        import tensorflow as tf

        model = tf.keras.Sequential([
            tf.keras.layers.Dense(256, activation="relu", input_shape=(10,)),
            tf.keras.layers.Dropout(0.3),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "from tensorflow import keras": """
        from tensorflow import keras

        model = keras.Sequential([
            keras.layers.Dense(256, activation="relu", input_shape=(10,)),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "from keras import layers": """
        import keras
        from keras import layers

        model = keras.Sequential([
            layers.Dense(256, activation="relu", input_shape=(10,)),
            layers.Dropout(0.3),
            layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "from tensorflow.keras import layers, models": """
        from tensorflow.keras import layers, models

        model = models.Sequential([
            layers.Dense(256, activation="relu", input_shape=(10,)),
            layers.Dropout(0.3),
            layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "from keras.layers import Dense, Dropout": """
        from keras.layers import Dense, Dropout
        from keras.models import Sequential

        model = Sequential([
            Dense(256, activation="relu", input_shape=(10,)),
            Dropout(0.3),
            Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "aliases": """
        import keras
        from keras import layers as L

        model = keras.Sequential([
            L.Dense(256, activation="relu", input_shape=(10,)),
            L.Dropout(0.3),
            L.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "add form": """
        import keras

        model = keras.Sequential()
        model.add(keras.layers.Dense(256, activation="relu", input_shape=(10,)))
        model.add(keras.layers.Dropout(0.3))
        model.add(keras.layers.Dense(1, activation="sigmoid"))
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "Input first": """
        import keras

        model = keras.Sequential([
            keras.Input(shape=(10,)),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "add Input": """
        import keras

        model = keras.Sequential()
        model.add(keras.Input(shape=(10,)))
        model.add(keras.layers.Dense(256, activation="relu"))
        model.add(keras.layers.Dropout(0.3))
        model.add(keras.layers.Dense(1, activation="sigmoid"))
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "layers.Input positional": """
        from keras import layers, models

        model = models.Sequential([layers.Input((10,)), layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "GaussianNoise": """
        import keras

        model = keras.Sequential([
            keras.Input(shape=(10,)),
            keras.layers.GaussianNoise(0.1),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "BatchNormalization": """
        import keras

        model = keras.Sequential([
            keras.Input(shape=(10,)),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.BatchNormalization(),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "AlphaDropout with selu": """
        import keras

        model = keras.Sequential([
            keras.Input(shape=(10,)),
            keras.layers.Dense(256, activation="selu"),
            keras.layers.AlphaDropout(0.1),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "l2 regulariser": """
        import keras

        model = keras.Sequential([
            keras.layers.Dense(256, activation="relu", input_shape=(10,),
                               kernel_regularizer=keras.regularizers.l2(0.001)),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "regularizers.L2(l2=...)": """
        import keras
        from keras import regularizers

        model = keras.Sequential([
            keras.layers.Dense(256, "relu", input_shape=(10,),
                               kernel_regularizer=regularizers.L2(l2=0.001)),
            keras.layers.Dense(1, "sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "optimizer object": """
        import keras

        model = keras.Sequential([
            keras.layers.Dense(256, activation="relu", input_shape=(10,)),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=0.001),
            loss=keras.losses.BinaryCrossentropy(),
            metrics=["accuracy", "auc", "precision", "recall"],
        )
    """,
    "positional compile and optimizer": """
        import keras

        model = keras.Sequential([keras.Input(shape=(10,)), keras.layers.Dense(1, "sigmoid")])
        model.compile(keras.optimizers.SGD(0.01), "binary_crossentropy", metrics=["acc"])
    """,
    "comments docstrings summary": '''
        """My model."""
        # a comment
        import keras  # the only import needed
        import numpy as np

        model = keras.Sequential([
            # first hidden layer
            keras.layers.Dense(256, activation="relu", input_shape=(10,)),  # wide
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        "a string used as a comment"
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        model.summary()
    ''',
    "fit ignored": """
        import keras

        model = keras.Sequential([
            keras.layers.Dense(256, activation="relu", input_shape=(10,)),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        history = model.fit(x_train, y_train, epochs=500, batch_size=32,
                            validation_data=(x_val, y_val))
        model.evaluate(x_val, y_val)
    """,
    "seed and name": """
        import keras

        model = keras.Sequential([
            keras.layers.Dense(256, activation="relu", input_shape=(10,), name="hidden"),
            keras.layers.Dropout(0.3, seed=42, name="drop"),
            keras.layers.GaussianNoise(0.1, seed=None),
            keras.layers.Dense(1, activation="sigmoid", name="out"),
        ], name="my_model")
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "global seeds": """
        import keras
        import numpy as np
        import tensorflow as tf

        keras.utils.set_random_seed(42)
        tf.random.set_seed(42)
        np.random.seed(42)
        model = keras.Sequential([keras.Input(shape=(10,)), keras.layers.Dense(1, "sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "keyword units and legacy input_dim": """
        import keras

        model = keras.Sequential(layers=[
            keras.layers.Dense(units=256, activation="tanh", input_dim=10),
            keras.layers.Dense(units=1, activation="sigmoid"),
        ])
        model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    """,
    "no input shape": """
        import keras

        model = keras.Sequential([
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "input dropout first": """
        import keras

        model = keras.Sequential([
            keras.layers.Dropout(0.2, input_shape=(10,)),
            keras.layers.Dense(64, activation="gelu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="AdamW", loss="BinaryCrossentropy", metrics=("accuracy",))
    """,
    "caps exactly": """
        import keras

        model = keras.Sequential([
            keras.Input(shape=(10,)),
            keras.layers.Dense(2048, activation="relu"),
            keras.layers.Dense(8, activation="elu"),
            keras.layers.Dense(8, activation="swish"),
            keras.layers.Dense(8, activation="linear"),
            keras.layers.Dense(8, activation=None),
            keras.layers.Dense(8, activation="softmax"),
            keras.layers.Dense(8),
            keras.layers.Dropout(0),
            keras.layers.Dropout(0.99),
            keras.layers.BatchNormalization(),
            keras.layers.GaussianNoise(0),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adagrad", loss=keras.losses.binary_crossentropy)
    """,
}
