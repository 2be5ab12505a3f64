"""Adam as the app applies it: TensorFlow's fused `ResourceApplyAdam` kernel, one op per weight
instead of Keras' ~15 small ones. Measured in the trainer's loop on the lesson run (2 cores,
load < 3): 20.1 ms per epoch against 23.1 with `keras.optimizers.Adam`.

`FusedAdam` is a `keras.optimizers.Optimizer` on Keras' public API only (`build`,
`add_variable_from_reference`, `apply`, `update_step`): the trainer's loop calls its `apply`,
`model.fit` would too, and no private Keras field is read (the earlier version read Adam's
`_momentums`, `_velocities` and `_get_variable_index`; this one gives the same numbers bit for bit
and costs the same time). The exported script carries a copy of the class
(`export.pieces.FUSED_ADAM_CODE`, held equal to it by tests/unit/test_export.py), which is what
lets it reproduce the app's run: Keras' own Adam computes the same formula op by op, and its
different rounding (1e-6 after the first epoch) grew to 0.38 in the no-dropout run's validation
loss by epoch 50.
"""

from __future__ import annotations

import keras
import tensorflow as tf


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
