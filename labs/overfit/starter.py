"""The lesson's model: three wide hidden layers and no dropout. It overfits.

Decide where dropout goes and how much, then train it below and read the curves.
"""

import keras

model = keras.Sequential(
    [
        keras.layers.Dense(256, activation="relu", input_shape=(10,)),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ]
)

model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
