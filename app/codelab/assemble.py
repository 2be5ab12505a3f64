"""The model as a whole: where the input goes, how many layers, compiled or not, the output.

`assemble` turns what the walk read into a `ModelSpec` whenever every layer could be read (a
best-effort reading for the checklist, even when a model-level rule refuses the code).
"""

from __future__ import annotations

from dropout_lab.codelab import rules
from dropout_lab.codelab.messages import Report, say
from dropout_lab.codelab.walk import Walker
from dropout_lab.lesson.layers import DROPOUT_KINDS
from dropout_lab.lesson.spec import LayerSpec, ModelSpec


def assemble(walker: Walker) -> ModelSpec | None:
    """Check the model as a whole; return it if every layer could be read."""
    report, model = walker.report, walker.model
    if walker.names.model_var is None:
        if not report.errors:
            report.error(None, say("model.none"))
        return None
    items = model.items
    layer_items = [i for i in items if not i.is_input]
    for position, item in enumerate(items):
        if item.is_input and position > 0:
            report.error(item.line, say("model.input_first"))
        elif (
            not item.is_input
            and item.width is not None
            and position > 0
            and not (position == 1 and items[0].is_input)
        ):
            report.error(item.line, say("model.input_shape_first"))
    if not model.width_given:
        report.note(model.model_line, say("notes.no_input_shape", dim=model.input_dim))
    if not layer_items:
        report.error(model.model_line, say("model.no_layers"))
        return None
    if len(layer_items) > rules.MAX_LAYERS:
        report.error(
            layer_items[rules.MAX_LAYERS].line,
            say("model.too_many", count=len(layer_items), max=rules.MAX_LAYERS),
        )
    if walker.compiled.line is None:
        report.error(model.model_line, say("model.not_compiled"))
    if not all(i.layer is not None for i in layer_items):
        return None
    layers = tuple(i.layer for i in layer_items if i.layer is not None)
    check_output(layers, report)
    return ModelSpec(
        input_dim=model.input_dim,
        layers=layers,
        optimizer=walker.compiled.optimizer,
        learning_rate=walker.compiled.learning_rate,
        loss=rules.LOSS,
        metrics=walker.compiled.metrics,
    )


def check_output(layers: tuple[LayerSpec, ...], report: Report) -> None:
    """The last Dense is the output: one sigmoid unit, with nothing after it."""
    dense = [i for i, layer in enumerate(layers) if layer.kind == "Dense"]
    if not dense:
        report.error(layers[-1].line, say("output.no_dense"))
        return
    last = layers[dense[-1]]
    for layer in layers[dense[-1] + 1 :]:
        key = "output.dropout_after" if layer.kind in DROPOUT_KINDS else "output.layer_after"
        report.error(layer.line, say(key, kind=layer.kind))
    task = say("output.task")
    if last.units != 1 and last.activation == "softmax":
        report.error(last.line, say("output.softmax_units", task=task, units=last.units))
    elif last.units != 1:
        report.error(last.line, say("output.units", task=task, units=last.units))
    elif last.activation == "softmax":
        report.error(last.line, say("output.softmax_one"))
    elif last.activation is None:
        report.error(last.line, say("output.no_activation"))
    elif last.activation != "sigmoid":
        report.error(last.line, say("output.activation", task=task, activation=last.activation))
