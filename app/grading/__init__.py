"""Grading learners' NumPy code: the sandbox and the runner inside it, the forward and backward
property checks, and the small NumPy network their dropout trains (in the sandbox too)."""
