"""The Compare step's solution check: what differs between the learner's model and the reference.

Pure (specs in, message ids and fields out; the words live in lessons/compare.toml). The
precomputed runs are in `training/precompute.py`, the sweep statistics in `findings/sweep.py`,
the figures in `charts/`.
"""

from __future__ import annotations

from dropout_lab.lesson.layers import DROPOUT_KINDS, OTHER_KINDS
from dropout_lab.lesson.spec import ModelSpec


def dropout_placement(spec: ModelSpec) -> list[str]:
    """Where each dropout layer sits, e.g. ['after Dense 1', 'after Dense 2', 'after the input']."""
    out, dense = [], 0
    for layer in spec.layers:
        if layer.kind == "Dense":
            dense += 1
        elif layer.kind in DROPOUT_KINDS:
            out.append(f"after Dense {dense}" if dense else "after the input")
    return out


def differences(yours: ModelSpec, reference: ModelSpec) -> list[tuple[str, dict[str, str]]]:
    """What differs between the learner's model and the reference, as (message id, fields);
    the words of each id live in lessons/compare.toml. [("same", {})] when nothing does."""
    if yours.identity() == reference.identity():
        return [("same", {})]

    def rates(spec: ModelSpec) -> str:
        return ", ".join(f"{r:g}" for r in spec.dropout_rates()) or "none"

    def places(spec: ModelSpec) -> str:
        return ", ".join(dropout_placement(spec)) or "nowhere"

    out: list[tuple[str, dict[str, str]]] = []
    if not yours.dropout_rates():
        out.append(("no_dropout", {"reference": rates(reference)}))
    elif rates(yours) != rates(reference):
        out.append(("rates", {"yours": rates(yours), "reference": rates(reference)}))
    if yours.dropout_rates() and places(yours) != places(reference):
        out.append(("placement", {"yours": places(yours), "reference": places(reference)}))
    dense = [(lay.units, lay.activation) for lay in yours.layers if lay.kind == "Dense"]
    ref_dense = [(lay.units, lay.activation) for lay in reference.layers if lay.kind == "Dense"]
    if dense != ref_dense:
        out.append(("layers", {"yours": yours.describe(), "reference": reference.describe()}))
    if any(lay.l2 for lay in yours.layers):
        out.append(("l2", {}))
    others = [lay.describe() for lay in yours.layers if lay.kind in OTHER_KINDS]
    if others:
        out.append(("other_layers", {"layers": ", ".join(others)}))
    if (yours.optimizer, yours.learning_rate) != (reference.optimizer, reference.learning_rate):
        lr = f" (learning rate {yours.learning_rate:g})" if yours.learning_rate else ""
        out.append(("optimizer", {"yours": yours.optimizer + lr, "reference": reference.optimizer}))
    return out or [("same_layers", {})]
