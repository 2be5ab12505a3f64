"""Learners in the app: the one database store per server process, joining (the sidebar form or
a `?learner=NAME&class=CODE` deep link), recording progress, restoring a returning learner's
work, the lesson configuration and the instructor token.

A learner who has not joined gets the whole lesson; every function here is then a no-op.
"""

from __future__ import annotations

import hmac
import logging
import os

import streamlit as st

from dropout_lab.lesson import lesson_config
from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.steps import STEP_IDS
from dropout_lab.ui import state

log = logging.getLogger(__name__)

TEXT = step_text("learners")
LEARNER = "learners.learner"  # the joined Learner, or absent
PROGRESS = "learners.progress"  # {step id: {criterion}}: a copy of what the store holds
SAVED_RUNS = "learners.saved_runs"  # run keys already saved as submissions this session
LINK_TRIED = "learners.link_tried"  # the (name, code) of the deep link last tried
MESSAGE = "learners.message"  # (kind, text) to show once in the sidebar
NAME, CODE = "learners.name", "learners.code"  # the join form's inputs
TOKEN_ENV = "DROPOUT_LAB_INSTRUCTOR_TOKEN"


# --------------------------------------------------------------------------- shared resources


@st.cache_resource(show_spinner=False)
def store():
    """One Store per server process (it is thread-safe): DROPOUT_LAB_DATABASE_URL, else SQLite
    in DROPOUT_LAB_DATA_DIR."""
    from dropout_lab.store import Store

    return Store()


@st.cache_resource(show_spinner=False)
def _config(path: str) -> lesson_config.LessonConfig:
    return lesson_config.load(path or None)


def config() -> lesson_config.LessonConfig:
    """The lesson configuration (DROPOUT_LAB_LESSON); raises LessonConfigError if it is wrong."""
    return _config(os.environ.get(lesson_config.ENV, "").strip())


def instructor_token() -> str | None:
    """The configured instructor token, or None (then there is no dashboard)."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token:
        return token
    try:
        if st.secrets.load_if_toml_exists():
            value = st.secrets.get("instructor_token")
            return str(value).strip() or None if value else None
    except Exception:  # a broken secrets file means no dashboard, not a crash
        log.warning("cannot read the instructor token from Streamlit secrets", exc_info=True)
    return None


def token_ok(given: str | None) -> bool:
    """Constant-time comparison with the configured token; False when none is configured."""
    expected = instructor_token()
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


# --------------------------------------------------------------------------- criteria


def criteria() -> dict[str, dict[str, str]]:
    """{step id: {criterion id: label}} in lesson order."""
    words = TEXT["criteria"]
    pass_mark = config().quiz_pass if _config_ok() else 0.8
    return {
        step: {c: label.format(pass_mark=pass_mark) for c, label in words.get(step, {}).items()}
        for step in STEP_IDS
    }


def _config_ok() -> bool:
    try:
        config()
    except lesson_config.LessonConfigError:
        return False
    return True


def step_done(step_id: str, progress: dict[str, set[str]] | None = None) -> bool:
    needed = set(criteria()[step_id])
    have = (progress if progress is not None else my_progress()).get(step_id, set())
    return bool(needed) and needed <= set(have)


def criteria_help(step_id: str) -> str:
    """The step's criteria, each marked done or to do (markdown, for a tooltip)."""
    have = my_progress().get(step_id, set())
    marks = TEXT["marks"]
    lines = [
        (marks["criterion_done"] if c in have else marks["criterion_todo"]).format(label=label)
        for c, label in criteria()[step_id].items()
    ]
    return "  \n".join(lines)


def step_mark(step_id: str, visited: set[str]) -> str:
    """The sidebar's mark: from stored progress when joined (done or partly), else visited."""
    if current() is None:
        return " ✓" if step_id in visited else ""
    marks = TEXT["marks"]
    if step_done(step_id):
        return " " + marks["done"]
    return " " + marks["partial"] if my_progress().get(step_id) else ""


def steps_done(visited: set[str]) -> tuple[int, str]:
    """(count, sentence) for the sidebar's progress bar."""
    total = len(STEP_IDS)
    if current() is None:
        done = sum(s in visited for s in STEP_IDS)
        return done, TEXT["marks"]["visited"].format(done=done, total=total)
    done = sum(step_done(s) for s in STEP_IDS)
    return done, TEXT["marks"]["progress"].format(done=done, total=total)


# --------------------------------------------------------------------------- the learner


def current():
    """The joined Learner, or None."""
    return st.session_state.get(LEARNER)


def my_progress() -> dict[str, set[str]]:
    return st.session_state.get(PROGRESS, {}) if current() else {}


def _say(kind: str, text: str) -> None:
    st.session_state[MESSAGE] = (kind, text)


def join(name: str, code: str) -> str | None:
    """Join (or re-join) as `name` in class `code`; restore their work. Returns an error."""
    try:
        learner = store().join(name, code)
    except ValueError as e:
        return str(e)
    except Exception as e:  # the lesson goes on without a database
        log.exception("joining failed")
        return TEXT["join"]["store_down"].format(error=e)
    st.session_state[LEARNER] = learner
    restore(learner)
    return None


def restore(learner) -> None:
    """Put the learner's stored progress and work back into this session."""
    s = store()
    st.session_state[PROGRESS] = {k: set(v) for k, v in s.progress(learner.id).items()}
    quiz = s.quiz_answers(learner.id)
    if quiz:
        answers = st.session_state.setdefault("read.quiz_answers", {})
        for item_id, (choice, _correct) in quiz.items():
            answers.setdefault(item_id, int(choice))
    reflections = s.reflections(learner.id)
    if reflections:
        answers = st.session_state.setdefault("reflect.answers", {})
        for qid, text in reflections.items():
            answers[qid] = text
            st.session_state.pop(f"reflect.answer.{qid}", None)  # the card refills its widget
    subs = [sub for sub in s.submissions(learner.id) if sub.get("lab") == "overfit"]
    if subs:
        _restore_submission(subs[-1])
    if any(s.progress(learner.id).values()) or quiz or reflections or subs:
        _say("success", TEXT["join"]["welcome_back"].format(name=learner.name))


def _restore_submission(sub: dict) -> None:
    from dropout_lab.lesson.spec import TrainConfig

    if sub.get("code"):
        st.session_state["build.code"] = sub["code"]
    summary = sub.get("summary") or {}
    if sub.get("spec") and isinstance(summary.get("config"), dict):
        try:
            config = TrainConfig(**summary["config"])
        except TypeError:
            return
        st.session_state["build.latest"] = {"spec": sub["spec"], "config": config}
    if summary.get("run_key") and _run_known(summary["run_key"]):
        st.session_state.setdefault("build.runs", [])
        runs = [r for r in st.session_state["build.runs"] if r["label"] != "Your model"]
        st.session_state["build.runs"] = [*runs, {"label": "Your model", "key": summary["run_key"]}]
        st.session_state.setdefault(SAVED_RUNS, set()).add(summary["run_key"])


def _run_known(key: str) -> bool:
    """The run is in this server's runs cache (another machine's may not have it)."""
    from dropout_lab.ui.training import service

    try:  # the service's store also looks in the shared database
        return service().store.meta(key) is not None
    except (OSError, ValueError):
        return False


# Session keys that hold one learner's work: a learner who leaves takes them along, so the next
# person on a shared classroom computer starts clean and is never credited with them.
PER_LEARNER_PREFIXES = ("read.quiz", "reflect.", "build.", "learners.", "explore.use_mine")


def leave() -> None:
    for key in (LEARNER, PROGRESS, SAVED_RUNS):
        st.session_state.pop(key, None)
    for key in [k for k in st.session_state if str(k).startswith(PER_LEARNER_PREFIXES)]:
        del st.session_state[key]
    for param in ("learner", "class"):
        if param in st.query_params:
            del st.query_params[param]


def init_from_link() -> None:
    """Join the learner a deep link names (?learner=NAME&class=CODE), once per link."""
    name, code = state.query_param("learner"), state.query_param("class")
    if not name or not code:
        return
    me = current()
    if me is not None and (me.name, me.class_code) == (name.strip(), code.strip()):
        return
    if st.session_state.get(LINK_TRIED) == (name, code):
        return
    st.session_state[LINK_TRIED] = (name, code)
    error = join(name, code)
    if error:
        _say("warning", TEXT["join"]["bad_link"].format(error=error))


def keep_link() -> None:
    """Keep ?learner= and &class= in the address, so a reload or a bookmark resumes."""
    me = current()
    if me is None:
        return
    if st.query_params.get("learner") != me.name:
        st.query_params["learner"] = me.name
    if st.query_params.get("class") != me.class_code:
        st.query_params["class"] = me.class_code


def _join_clicked() -> None:
    error = join(st.session_state.get(NAME, ""), st.session_state.get(CODE, ""))
    if error:
        _say("error", error)
    else:
        st.session_state[LINK_TRIED] = None


def sidebar() -> None:
    """The join form, or who is joined and a Leave button (inside `with st.sidebar`)."""
    text = TEXT["join"]
    me = current()
    message = st.session_state.pop(MESSAGE, None)
    if message:
        getattr(st, message[0])(message[1])
    if me is not None:
        c1, c2 = st.columns([3, 1], vertical_alignment="center")
        c1.markdown(text["joined"].format(name=me.name, code=me.class_code))
        c2.button(text["leave"], key="learners.leave", on_click=leave)
        return
    with st.expander(text["heading"], icon="👤"):
        st.caption(text["explain"])
        st.text_input(text["name"], key=NAME, help=text["name_help"], max_chars=40)
        if CODE not in st.session_state:  # a link's ?class=, else the lesson file's code
            code = state.query_param("class") or (config().class_code if _config_ok() else None)
            st.session_state[CODE] = code or ""
        st.text_input(text["code"], key=CODE, help=text["code_help"], max_chars=32)
        st.button(text["button"], key="learners.join", on_click=_join_clicked, type="primary")
        st.caption(text["anonymous"])


# --------------------------------------------------------------------------- recording


def _guard(what: str, fn, *args) -> bool:
    try:
        fn(*args)
    except Exception as e:  # a database hiccup must not break the lesson
        log.exception("%s failed", what)
        _say("warning", TEXT["join"]["store_down"].format(error=e))
        return False
    return True


def record(step: str, criterion: str) -> bool:
    """Mark a criterion done for the joined learner; True if it is new (nothing if anonymous)."""
    me = current()
    if me is None:
        return False
    progress = st.session_state.setdefault(PROGRESS, {})
    if criterion in progress.get(step, set()):
        return False
    if not _guard("record", store().record, me.id, step, criterion):
        return False
    progress.setdefault(step, set()).add(criterion)
    return True


def save_quiz_answer(item_id: str, choice: int, correct: bool) -> None:
    me = current()
    if me is not None:
        _guard("save_quiz_answer", store().save_quiz_answer, me.id, item_id, choice, correct)


def save_reflection(question_id: str, text: str) -> None:
    me = current()
    if me is not None:
        _guard("save_reflection", store().save_reflection, me.id, question_id, text)


def save_run(lab: str, code: str, spec: dict, config, status) -> bool:
    """Save a finished Build run as a submission, once per run; True if newly saved."""
    me = current()
    if me is None or status.key in st.session_state.get(SAVED_RUNS, set()):
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
    st.session_state.setdefault(SAVED_RUNS, set()).add(status.key)
    return True


def _rates(spec: dict) -> list[float]:
    from dropout_lab.lesson.spec import ModelSpec

    return [float(r) for r in ModelSpec.from_dict(spec).dropout_rates() if r]


# --------------------------------------------------------------------------- step hooks


def explore_progress(rate: float, training: bool) -> bool:
    """Explore's criteria: the rate moved from where it started, inference mode looked at.
    True if something new was recorded (the caller reruns so the sidebar shows it)."""
    start = st.session_state.setdefault("learners.explore_start", rate)
    new = rate != start and record("explore", "rate")
    return (not training and record("explore", "inference")) or new


def quiz_progress(score: dict) -> None:
    """Read's criterion: the quiz at the lesson's pass mark (80%) or better."""
    if score["total"] and score["correct"] >= config().quiz_pass * score["total"] - 1e-9:
        record("read", "quiz")


def reflect_progress(answered: dict[str, str], question_ids: list[str]) -> None:
    """Reflect's criterion: every question answered."""
    if question_ids and all(answered.get(q, "").strip() for q in question_ids):
        record("reflect", "answered")


def build_progress(label: str, status, lab: str) -> bool:
    """A finished run of the learner's own model: saved as a submission; with dropout in it,
    Build's criterion. True if something new was recorded."""
    latest = st.session_state.get("build.latest")
    if current() is None or label != "Your model" or status.state != "done" or not latest:
        return False
    code = latest.get("code") or st.session_state.get("build.code", "")
    if not save_run(lab, code, latest["spec"], latest["config"], status):
        return False
    return bool(_rates(latest["spec"])) and record("build", "trained")


def build_config(base):
    """The lab's training config with the lesson file's defaults and locks applied:
    (config, epoch cap, locked training seed or None)."""
    from dataclasses import replace

    cfg = config()
    if cfg.data_seed is not None:
        base = replace(base, data_seed=cfg.data_seed)
    if cfg.seed is not None:
        base = replace(base, seed=cfg.seed)
    base = replace(base, epochs=min(cfg.epochs or base.epochs, cfg.max_epochs))
    return base, cfg.max_epochs, cfg.seed
