"""Dropout Lab: an interactive browser lesson on dropout regularisation."""

import os

# TensorFlow's C++ start-up chatter (oneDNN, CPU features) means nothing to a learner or in a
# command's JSON output; errors still show. Set before any module imports TensorFlow.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
