"""Adam as the app applies it: TensorFlow's fused `ResourceApplyAdam` kernel, one op per weight
instead of ~15 small ones, which made the lesson's epochs ~30% faster on 2 CPU cores.

Two ways in, the same kernel with the same inputs, so the same numbers bit for bit:

* `apply` — the trainer's loop, on a plain `keras.optimizers.Adam` (`can_fuse`), reading its
  private slots (`_momentums`, `_velocities`, `_get_variable_index`);
* `FusedAdam` — a `keras.optimizers.Optimizer` on Keras' public API (`build`,
  `add_variable_from_reference`, `update_step`), for `model.fit`. The exported script carries
  a copy of the class (`export.pieces.FUSED_ADAM_CODE`, held equal to it by
  tests/unit/test_export.py), which is what lets it reproduce the app's run: Keras' own Adam
  computes the same formula op by op, and its different rounding (1e-6 after the first epoch)
  grew to 0.38 in the no-dropout run's validation loss by epoch 50.
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

    def build(self, variables: list) -> None:
        if self.built:
            return
        super().build(variables)
        self.moments = {}  # each weight's first and second moments, by its TensorFlow variable
        for variable in variables:
            m = self.add_variable_from_reference(variable, "momentum")
            v = self.add_variable_from_reference(variable, "velocity")
            self.moments[variable.value.ref()] = (m, v)

    def update_step(
        self, gradient: tf.Tensor, variable: tf.Variable, learning_rate: tf.Tensor
    ) -> None:
        if isinstance(variable, keras.Variable):
            variable = variable.value
        m, v = self.moments[variable.ref()]
        step = tf.cast(self.iterations + 1, tf.float32)
        beta_1 = tf.constant(self.beta_1, tf.float32)
        beta_2 = tf.constant(self.beta_2, tf.float32)
        tf.raw_ops.ResourceApplyAdam(
            var=variable.handle,
            m=m.value.handle,
            v=v.value.handle,
            beta1_power=tf.pow(beta_1, step),
            beta2_power=tf.pow(beta_2, step),
            lr=tf.cast(learning_rate, tf.float32),
            beta1=beta_1,
            beta2=beta_2,
            epsilon=tf.constant(self.epsilon, tf.float32),
            grad=gradient,
            use_locking=False,
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
        return config


def can_fuse(opt: keras.optimizers.Optimizer) -> bool:
    """Plain Adam (a constant learning rate, no extras): one fused op per variable."""
    return (
        type(opt) is keras.optimizers.Adam
        and not opt.amsgrad
        and not opt.weight_decay
        and opt.clipnorm is None
        and opt.clipvalue is None
        and opt.global_clipnorm is None
        and not opt.use_ema
        and opt.gradient_accumulation_steps is None
        and isinstance(opt._learning_rate, keras.Variable)
    )


def apply(opt: keras.optimizers.Adam, grads: list, variables: list) -> None:
    """Keras' Adam update as TF's fused ResourceApplyAdam kernel, the same formula:

    m += (g - m)(1 - β1); v += (g² - v)(1 - β2); θ -= α m / (√v + ε),
    α = lr √(1 - β2ᵗ) / (1 - β1ᵗ). Only float rounding differs from Keras' op-by-op update.
    """
    step = tf.cast(opt.iterations + 1, tf.float32)
    beta_1_power = tf.pow(tf.constant(opt.beta_1, tf.float32), step)
    beta_2_power = tf.pow(tf.constant(opt.beta_2, tf.float32), step)
    lr = tf.cast(opt.learning_rate, tf.float32)
    for grad, var in zip(grads, variables, strict=True):
        index = opt._get_variable_index(var)
        tf.raw_ops.ResourceApplyAdam(
            var=var.value.handle,
            m=opt._momentums[index].value.handle,
            v=opt._velocities[index].value.handle,
            beta1_power=beta_1_power,
            beta2_power=beta_2_power,
            lr=lr,
            beta1=tf.constant(opt.beta_1, tf.float32),
            beta2=tf.constant(opt.beta_2, tf.float32),
            epsilon=tf.constant(opt.epsilon, tf.float32),
            grad=grad,
            use_locking=False,
        )
    opt.iterations.assign_add(1)
