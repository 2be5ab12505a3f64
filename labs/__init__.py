"""The labs (starter, solution, goals), shipped inside the package as `dropout_lab.labs`."""
