"""The lesson's model: three wide hidden layers and no dropout. It overfits.

Add a Dropout layer after each hidden Dense layer, then train it below.
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
