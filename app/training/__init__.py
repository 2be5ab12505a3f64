"""Training: the train loop, the run store, the worker service, precompute, Monte Carlo passes."""
