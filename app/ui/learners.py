"""Learners in the app: the one database store per server process, joining (the page's form, or
a `?learner=NAME&class=CODE` link for a name not taken yet), resuming (a `?resume=CODE` link or
the resume code form; the forms are laid out by `ui/join.py`), leaving, and recording a joined
learner's progress and work. Restoring a returning learner's work is `ui/resume.py`; the resume
link pieces `ui/links.py`; the sidebar's marks `ui/marks.py`; the lesson file and the instructor
token `ui/settings.py`.

A name and a class code never open an existing learner's work: only their resume code does.
A learner who has not joined gets the whole lesson; every recording function is then a no-op.
"""

from __future__ import annotations

import logging
import time

import streamlit as st

from dropout_lab.lesson import md
from dropout_lab.lesson.content import step_text
from dropout_lab.ui import links, process, resume, session, settings, state

log = logging.getLogger(__name__)

TEXT = step_text("learners")
RECHECK_SECONDS = 30.0  # how soon an open page notices that its resume code was replaced
LINK_PARAMS = ("resume", "learner", "class")
WELCOME_SECONDS = 20.0  # "Welcome back" stays this long on every run, then until the next one


def store():
    """One Store per server process (it is thread-safe): DROPOUT_LAB_DATABASE_URL, else SQLite
    in DROPOUT_LAB_DATA_DIR; its connections are closed at exit (`ui/process.py`)."""
    from dropout_lab.store import Store

    return process.once("store", Store, Store.close)


def live_store():
    """The live class's repository (`store.live.LiveQueries`) on the learners' database; it
    shares the store's engine, which the store closes at exit."""
    from dropout_lab.store.live import LiveQueries

    return process.once("live store", lambda: LiveQueries(store().url))


# --------------------------------------------------------------------------- the learner


def current():
    """The joined Learner, or None."""
    return st.session_state.get(session.LEARNERS_LEARNER)


def my_progress() -> dict[str, set[str]]:
    """The criteria met: the joined learner's (as stored), else this session's own."""
    return st.session_state.get(session.LEARNERS_PROGRESS, {})


def _say(kind: str, text: str, *, keep: float = 0.0) -> None:
    """A message for the top of the page (`ui/join.messages`): shown once, or on every run for
    `keep` seconds (a rerun the learner did not ask for, like the page reporting its width,
    would otherwise take it away before it is read)."""
    st.session_state[session.LEARNERS_MESSAGE] = (kind, text, time.time() + keep)


def _enter(got, *, show_link: bool, carry: bool = False) -> None:
    """Make `got.learner` this session's learner, with their resume code; restore their work.
    With `carry` (a new learner who joins now), the criteria met before joining are theirs."""
    me = current()
    before = {k: set(v) for k, v in my_progress().items()} if carry and me is None else {}
    if me is not None and me.id != got.learner.id:
        session.clear_learners()  # someone else's work never stays in the session
    st.session_state[session.LEARNERS_LEARNER] = got.learner
    st.session_state[session.LEARNERS_RESUME] = got.code
    st.session_state[session.LEARNERS_CHECKED_AT] = time.time()
    st.session_state.pop(session.LEARNERS_TAKEN, None)
    if show_link:
        st.session_state[session.LEARNERS_SHOW_LINK] = True
    if resume.restore(store(), got.learner.id):
        welcome = TEXT["join"]["welcome_back"].format(name=md.text(got.learner.name))
        _say("success", welcome, keep=WELCOME_SECONDS)
    for step, done in before.items():
        for criterion in sorted(done):
            record(step, criterion)


def join(name: str, code: str) -> str | None:
    """Join as a new learner `name` of class `code`, with a new resume code. A taken name is
    refused (unless the lesson file lets learners without a code claim theirs). Returns an
    error."""
    from dropout_lab.store.access import NameTaken

    st.session_state.pop(session.LEARNERS_TAKEN, None)
    client = links.client()
    try:  # new learners per client and minute are bounded (store/limits.py: "join")
        wait = store().wait_for("join", "*", client)
        if wait:
            return TEXT["join"]["joins_wait"].format(wait=links.wait_words(wait))
        got = store().enrol(name, code, claim_unlinked=settings.first_visit_link())
        if got.created:
            store().spend("join", "*", client)
    except NameTaken as e:
        st.session_state[session.LEARNERS_TAKEN] = (e.name, e.class_code)
        return TEXT["join"]["taken"].format(name=md.text(e.name), code=md.in_code(e.class_code))
    except ValueError as e:
        return md.text(e)
    except Exception as e:  # the lesson goes on without a database
        log.exception("joining failed")
        return TEXT["join"]["store_down"].format(error=md.text(e))
    _enter(got, show_link=True, carry=got.created)
    return None


def resume_with(code: str) -> str | None:
    """Open the work of the learner whose resume code (or link) `code` is. Returns an error."""
    try:
        got = store().resume(code, links.client())
    except Exception as e:  # never log the code itself
        log.error("resuming failed: %s", type(e).__name__)
        return TEXT["join"]["store_down"].format(error=type(e).__name__)
    if got.wait:
        return TEXT["join"]["wait"].format(wait=links.wait_words(got.wait))
    if not got.ok:
        return TEXT["join"]["wrong_code"]
    _enter(got.value, show_link=False)
    return None


def _forget_link() -> None:
    for param in LINK_PARAMS:
        if param in st.query_params:
            del st.query_params[param]


def leave() -> None:
    """Forget the learner and their work (every LEARNER and RESUMED key), and the link."""
    session.clear_learners()
    _forget_link()


def _still_valid() -> None:
    """Every RECHECK_SECONDS: is the session's resume code still the learner's? An instructor
    who replaces it ends the open pages of whoever had the old one."""
    me, code = current(), st.session_state.get(session.LEARNERS_RESUME)
    if me is None:
        return
    now = time.time()
    if now - st.session_state.get(session.LEARNERS_CHECKED_AT, 0.0) < RECHECK_SECONDS:
        return
    try:
        ok = bool(code) and store().code_ok(me.id, code)
    except Exception:  # a database hiccup does not end anyone's session
        return
    if ok:
        st.session_state[session.LEARNERS_CHECKED_AT] = now
        return
    leave()
    _say("warning", TEXT["join"]["replaced"])


def init_from_link() -> None:
    """Resume the learner of a `?resume=CODE` link, or join a `?learner=NAME&class=CODE` link's
    name if it is not taken; each link once per session."""
    _still_valid()
    code = state.query_param("resume")
    if code:
        if current() is not None and st.session_state.get(session.LEARNERS_RESUME) == code:
            return
        if st.session_state.get(session.LEARNERS_LINK_TRIED) == ("resume", code):
            return
        st.session_state[session.LEARNERS_LINK_TRIED] = ("resume", code)
        error = resume_with(code)
        if error:
            _say("warning", TEXT["join"]["bad_resume_link"].format(error=error))
        return
    name, klass = state.query_param("learner"), state.query_param("class")
    if not name or not klass or not name.strip() or current() is not None:
        return
    if st.session_state.get(session.LEARNERS_LINK_TRIED) == ("name", name, klass):
        return
    st.session_state[session.LEARNERS_LINK_TRIED] = ("name", name, klass)
    error = join(name, klass)
    if error and session.LEARNERS_TAKEN not in st.session_state:
        _say("warning", TEXT["join"]["bad_link"].format(error=error))


def keep_link() -> None:
    """Keep the learner's own resume link in the address (?resume=CODE, no name or class), so
    a reload or a bookmark resumes."""
    code = st.session_state.get(session.LEARNERS_RESUME)
    if current() is None or not code:
        return
    for param in ("learner", "class"):
        if param in st.query_params:
            del st.query_params[param]
    if st.query_params.get("resume") != code:
        st.query_params["resume"] = code


def link_notice() -> None:
    """The learner's resume link, at the top of the page, until they say they have kept it."""
    code = st.session_state.get(session.LEARNERS_RESUME)
    if current() is not None and code and st.session_state.get(session.LEARNERS_SHOW_LINK):
        links.link_box(code, on_kept=_kept)


def _kept() -> None:
    st.session_state[session.LEARNERS_SHOW_LINK] = False


def join_clicked() -> None:
    """The join form's button (`ui/join.py`)."""
    error = join(
        st.session_state.get(session.LEARNERS_NAME, ""),
        st.session_state.get(session.LEARNERS_CODE, ""),
    )
    if error:
        if session.LEARNERS_TAKEN not in st.session_state:
            _say("error", error)
    else:
        st.session_state[session.LEARNERS_LINK_TRIED] = None


def resume_clicked() -> None:
    """The resume form's button (`ui/join.py`)."""
    code = st.session_state.get(session.LEARNERS_RESUME_CODE, "")
    st.session_state[session.LEARNERS_RESUME_CODE] = ""  # the secret does not stay in the box
    error = resume_with(code) if code.strip() else TEXT["join"]["resume_empty"]
    if error:
        _say("error", error)
    else:
        st.session_state[session.LEARNERS_LINK_TRIED] = None


def sidebar(*, room: bool = False) -> None:
    """Who is joined and a Leave button (inside `with st.sidebar`); else one line saying that
    nothing is kept (the join form is on the page: `ui/join.py`), or, on the instructor's pages
    (`room`: they have no join form), where learners join."""
    text = TEXT["join"]
    me = current()
    if me is None:
        st.caption(text["anonymous_room" if room else "anonymous"])
        return
    st.markdown(text["joined"].format(name=md.text(me.name), code=md.in_code(me.class_code)))
    # on a line of its own: beside the name, a quarter of the sidebar cut it to "L..."
    st.button(text["leave"], key=session.LEARNERS_LEAVE, on_click=leave)
    st.caption(text["in_address"])


# --------------------------------------------------------------------------- recording


def _guard(what: str, fn, *args) -> bool:
    """Run a store write; on failure say why on the page and return False. A ValueError is
    the store refusing what it was given (too long, say): one log line, no traceback."""
    try:
        fn(*args)
    except ValueError as e:
        log.warning("%s refused: %s", what, e)
        _say("error", md.text(e))
        return False
    except Exception as e:  # a database hiccup must not break the lesson
        log.exception("%s failed", what)
        _say("warning", TEXT["join"]["store_down"].format(error=md.text(e)))
        return False
    return True


def record(step: str, criterion: str) -> bool:
    """Mark a criterion done, stored for the joined learner (for one who has not joined, in
    this session only: the sidebar's marks mean the same for everyone); True if it is new."""
    me = current()
    progress = session.value(session.LEARNERS_PROGRESS)
    if criterion in progress.get(step, set()):
        return False
    if me is not None and not _guard("record", store().record, me.id, step, criterion):
        return False
    progress.setdefault(step, set()).add(criterion)
    return True


def save_quiz_answer(item_id: str, choice: int, correct: bool) -> None:
    me = current()
    if me is not None:
        _guard("save_quiz_answer", store().save_quiz_answer, me.id, item_id, choice, correct)


def save_reflection(question_id: str, text: str) -> str | None:
    """Store the joined learner's answer: None once stored (or when anonymous: nothing to
    store), else a sentence saying why not, for the page to show beside the answer."""
    me = current()
    if me is None:
        return None
    try:
        store().save_reflection(me.id, question_id, text)
    except ValueError as e:  # refused (too long, say): one line, no traceback
        log.warning("save_reflection refused: %s", e)
        return md.text(e)
    except Exception as e:  # a database hiccup must not break the lesson
        log.exception("save_reflection failed")
        return TEXT["join"]["store_down"].format(error=md.text(e))
    return None


def save_run(lab: str, code: str, spec: dict, config, status) -> bool:
    """Save a finished Build run as a submission, once per run; True if newly saved."""
    me = current()
    if me is None or status.key in st.session_state.get(session.LEARNERS_SAVED_RUNS, set()):
        return False
    from dataclasses import asdict

    history = status.history or {}
    summary = {
        "run_key": status.key,
        "epochs": status.epochs_done,
        "config": asdict(config),
        "rates": _rates(spec),
        "val_accuracy": history.get("val_accuracy", [None])[-1],
        "val_loss": history.get("val_loss", [None])[-1],
        "best_val_loss": min(history["val_loss"]) if history.get("val_loss") else None,
        "accuracy": history.get("accuracy", [None])[-1],
    }
    if not _guard("save_submission", store().save_submission, me.id, lab, code, spec, summary):
        return False
    session.value(session.LEARNERS_SAVED_RUNS).add(status.key)
    return True


def _rates(spec: dict) -> list[float]:
    from dropout_lab.lesson.spec import ModelSpec

    return [float(r) for r in ModelSpec.from_dict(spec).dropout_rates() if r]


# --------------------------------------------------------------------------- step hooks


def explore_progress(rate: float, training: bool) -> bool:
    """Explore's criteria: the rate moved from where it started, inference mode looked at.
    True if something new was recorded (the caller reruns so the sidebar shows it)."""
    start = st.session_state.setdefault(session.LEARNERS_EXPLORE_START, rate)
    new = rate != start and record("explore", "rate")
    return (not training and record("explore", "inference")) or new


def quiz_progress(score: dict) -> None:
    """Read's criterion: the quiz at the lesson's pass mark (80%) or better."""
    if score["total"] and score["correct"] >= settings.config().quiz_pass * score["total"] - 1e-9:
        record("read", "quiz")


def reflect_progress(question_ids: list[str]) -> None:
    """Reflect's criterion: every question answered, as stored (an answer the page holds but
    the database refused or missed does not count)."""
    me = current()
    if not question_ids:
        return
    if me is None:  # not joined: the answers this page holds
        held = st.session_state.get(session.REFLECT_ANSWERS) or {}
        if all(str(held.get(q, "")).strip() for q in question_ids):
            record("reflect", "answered")
        return
    try:
        stored = store().reflections(me.id)
    except Exception:  # a database hiccup: the criterion waits for the next answer
        log.warning("reading the reflections failed", exc_info=True)
        return
    if all(stored.get(q, "").strip() for q in question_ids):
        record("reflect", "answered")


def build_progress(label: str, status, lab: str) -> bool:
    """A finished run of the learner's own model: saved as a submission; with dropout in it,
    Build's criterion. True if something new was recorded."""
    latest = st.session_state.get(session.BUILD_LATEST)
    if label != resume.YOUR_MODEL or status.state != "done" or not latest:
        return False
    if current() is None:  # not joined: nothing to save, the criterion for this session
        return bool(_rates(latest["spec"])) and record("build", "trained")
    code = latest.get("code") or st.session_state.get(session.BUILD_CODE, "")
    if not save_run(lab, code, latest["spec"], latest["config"], status):
        return False
    return bool(_rates(latest["spec"])) and record("build", "trained")
