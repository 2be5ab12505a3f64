"""The concept check before Explore (on the overview) and its parallel form after Reflect: a few
ungraded items in a form, handed in or skipped once. A joined learner's answers are stored (the
dashboard's learning gain); a learner who has not joined keeps them for this session only. The
forms and the gain are `dropout_lab.lesson.concepts`."""

from __future__ import annotations

import streamlit as st

from dropout_lab.lesson import concepts, lessons
from dropout_lab.ui import learners, session

TAKEN = session.LEARNERS_CONCEPT_TAKEN  # phase -> score, or None when skipped


def _taken() -> dict[str, int | None]:
    """This learner's forms handed in or skipped: the session's, else what the store holds."""
    taken = session.value(TAKEN)
    me = learners.current()
    forms = concepts.load()
    if me is not None and not set(concepts.PHASES) <= set(taken):
        for phase, answers in learners.store().concept_checks(me.id).items():
            taken.setdefault(phase, concepts.score(forms.form(phase), answers))
    return taken


def _who() -> str:
    me = learners.current()
    return f"learner:{me.id}" if me is not None else "concept-check"


def _hand_in(phase: str, skipped: bool) -> None:
    """Keep the form (all blank when skipped): in the store for a joined learner."""
    items = concepts.load().form(phase)
    answers = {i.id: None if skipped else st.session_state.get(session.LEARNERS_CONCEPT.of(
        f"{phase}.{i.id}")) for i in items}  # fmt: skip
    me = learners.current()
    if me is not None:
        learners._guard("save_concept_check", learners.store().save_concept_check, me.id, phase,
                        answers)  # fmt: skip
    session.value(TAKEN)[phase] = concepts.score(items, answers)


def show(phase: str) -> None:
    """The form `phase` ("pre" or "post"), or one line once it was handed in or skipped."""
    forms = concepts.load()
    words = forms.words
    taken = _taken()
    if phase in taken:
        _done(phase, taken, words, len(forms.form(phase)))
        return
    with st.expander(words[f"{phase}_title"], expanded=True, icon=":material/quiz:"):
        st.markdown(words["intro"])
        if learners.current() is None:
            st.caption(words["anonymous"])
        with st.form(key=session.LESSON_CONCEPT_FORM.of(phase), border=False):
            for item in forms.form(phase):
                st.radio(item.prompt, lessons.choice_order(item, _who()), index=None,
                         format_func=item.choices.__getitem__,
                         key=session.LEARNERS_CONCEPT.of(f"{phase}.{item.id}"))  # fmt: skip
            left, right = st.columns(2)
            hand_in, skip_it = session.LESSON_CONCEPT_SUBMIT, session.LESSON_CONCEPT_SKIP
            submit = left.form_submit_button(words["submit"], type="primary",
                                             key=hand_in.of(phase))  # fmt: skip
            skip = right.form_submit_button(words["skip"], key=skip_it.of(phase))
    if submit or skip:
        _hand_in(phase, skipped=bool(skip))
        st.rerun()


def _done(phase: str, taken: dict, words: dict, total: int) -> None:
    score = taken[phase]
    if score is None:
        st.caption(words["skipped"])
    elif phase == "pre":
        st.caption(words["pre_done"])
    elif taken.get("pre") is None:
        st.success(words["post_done_no_pre"].format(correct=score, total=total))
    else:
        st.success(words["post_done"].format(correct=score, total=total, before=taken["pre"]))
