"""The code lab's reader: the learner's Keras code becomes a `ModelSpec`, never a program."""
