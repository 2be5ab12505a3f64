"""A reference solution: Dropout(0.3) after each hidden Dense layer, none after the output."""

import keras

model = keras.Sequential(
    [
        keras.layers.Dense(256, activation="relu", input_shape=(10,)),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(1, activation="sigmoid"),
    ]
)

model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
