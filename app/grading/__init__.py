"""Grading learners' NumPy code: the sandbox, the runner inside it, the property checks."""
