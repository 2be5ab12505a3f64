"""The live class's figure (issue 27): the class's answers to one question, vote 1 and vote 2 side
by side in one figure with two subplots (shares of the answers, a bar per choice), the right
choice marked once the answer is revealed. Counts only: never who voted what. Pure: no
Streamlit; words in lessons/live.toml.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dropout_lab.charts import panels as pn
from dropout_lab.charts.describe import Description
from dropout_lab.lesson import fmt
from dropout_lab.lesson.live import TEXT, Question

LABEL_CHARS = 28  # a choice's label breaks into lines of about this many characters
BIG = 22  # the projector's type, in pixels: readable from the back of the room


def _label(text: str) -> str:
    return pn.wrap(" ".join(text.replace("`", "").split()), LABEL_CHARS)


def shares(counts: Mapping[str, int], q: Question) -> list[float]:
    """Each choice's share of the round's answers, in the question's order."""
    total = sum(counts.values())
    return [counts.get(c.value, 0) / total if total else 0.0 for c in q.choices]


def rounds_figure(
    q: Question,
    rounds: Sequence[tuple[int, Mapping[str, int]]],
    reveal: bool,
    *,
    theme: str = "light",
    height: int = 460,
) -> go.Figure:
    """A subplot per shown round ((number, choice -> votes)), side by side, bars sharing the
    choices' axis; with `reveal`, the right choice's bar in blue and hatched, the others grey."""
    words, ink = TEXT["projector"], pn.foreground(pn.INK, theme)
    # Streamlit's chart theme greys and shrinks tick labels: the room reads them in full ink.
    text = pn.theme_of(theme).text
    titles = [
        words["round_title"].format(round=n, count=fmt.count(sum(c.values()))) for n, c in rounds
    ]
    fig = make_subplots(rows=1, cols=max(1, len(rounds)), shared_yaxes=True,
                        subplot_titles=titles, horizontal_spacing=0.06)  # fmt: skip
    labels = [_label(c.label) for c in q.choices]
    right = [reveal and c.value == q.answer for c in q.choices]
    colour = [pn.foreground(pn.BLUE if r or not reveal else pn.GREY, theme) for r in right]
    for k, (_, counts) in enumerate(rounds, start=1):
        values = shares(counts, q)
        fig.add_trace(go.Bar(
            x=values, y=labels, orientation="h", showlegend=False,
            marker={"color": colour, "line": {"color": ink, "width": 1},
                    "pattern": {"shape": ["/" if r else "" for r in right]}},
            text=[fmt.share(v) for v in values], textposition="outside", cliponaxis=False,
            textfont={"size": BIG, "color": text}, hovertemplate="%{y}: %{x:.0%}<extra></extra>",
        ), row=1, col=k)  # fmt: skip
        fig.update_xaxes(range=[0, 1.18], tickformat=".0%", title_text=words["axis"],
                         gridcolor=pn.theme_of(theme).grid, row=1, col=k)  # fmt: skip
    fig.update_yaxes(autorange="reversed", tickfont={"size": BIG, "color": text})
    fig.update_xaxes(tickfont={"size": BIG - 6, "color": text},
                     title_font={"size": BIG - 4, "color": text})  # fmt: skip
    fig.update_layout(**pn.base_layout(height, theme, margin={"l": 10, "r": 30, "t": 60, "b": 60},
                                       bargap=0.3))  # fmt: skip
    fig.update_annotations(font={"size": BIG, "color": text})
    return fig


def describe_rounds(
    q: Question, rounds: Sequence[tuple[int, Mapping[str, int]]], reveal: bool
) -> Description:
    """The figure in words: each round's share per choice (and which is right, once revealed)."""
    words = TEXT["projector"]
    table = []
    for c in q.choices:
        row = {TEXT["report"]["columns"]["question"]: c.label}
        for n, counts in rounds:
            row[words["round_title"].format(round=n, count=sum(counts.values()))] = fmt.share(
                shares(counts, q)[q.choices.index(c)]
            )
        if reveal:
            row[TEXT["report"]["columns"]["right"]] = "✓" if c.value == q.answer else ""
        table.append(row)
    return Description(words["figure_title"], "", table)
