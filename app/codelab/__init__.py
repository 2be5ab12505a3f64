"""The code lab's reader: the learner's Keras code becomes a `ModelSpec`, never a program.

`reader` is the public API (`parse_code`, `verdict`, `check_goals`); `rules` declares what is
accepted (layers and optimizers come from `lesson/layers.py`); `walk`, `names`, `values`,
`arguments`, `model`, `compiling` and `assemble` apply the rules to the syntax tree; `messages`
says why, in the words of `lessons/codelab.toml`; `goals` runs the lab's checklist.
"""
