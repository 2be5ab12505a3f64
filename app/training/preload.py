"""What a worker's fork server loads once, before it forks every worker (`spawn.start_process`):
TensorFlow, quiet and on one thread per op, and the trainer, imported but never run."""

from dropout_lab.training.worker import quiet_single_op_tensorflow

quiet_single_op_tensorflow()

from dropout_lab.training import trainer  # noqa: E402,F401  (after the settings it reads)
