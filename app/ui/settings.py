"""The lesson file (DROPOUT_LAB_LESSON) and the instructor token, as the app reads them: once per
server process, and the same for every session."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os

import streamlit as st

from dropout_lab.lesson import lesson_config
from dropout_lab.lesson.train_settings import TrainSettings
from dropout_lab.lesson.train_settings import train_settings as lesson_training
from dropout_lab.ui import process

log = logging.getLogger(__name__)

TOKEN_ENV = "DROPOUT_LAB_INSTRUCTOR_TOKEN"


def _config(path: str) -> lesson_config.LessonConfig:
    """Read once per process and path (`ui/process.py`): a visitor cannot make it re-read."""
    return process.once(("lesson config", path), lambda: lesson_config.load(path or None))


def config() -> lesson_config.LessonConfig:
    """The lesson configuration (DROPOUT_LAB_LESSON); raises LessonConfigError if it is wrong."""
    return _config(os.environ.get(lesson_config.ENV, "").strip())


def config_ok() -> bool:
    """The lesson file is valid (main.py has already said so when it is not)."""
    try:
        config()
    except lesson_config.LessonConfigError:
        return False
    return True


def train_settings() -> TrainSettings:
    """The lab's training as this server's lesson file sets it: the default run, the epoch cap,
    the locked seed, the compute budget (`lesson/train_settings.py`, the one place that says)."""
    return lesson_training(config())


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


def token_digest(token: str) -> str:
    """What a dashboard session keeps of the token it was given (never the token itself)."""
    return hashlib.sha256(f"dropout-lab instructor {token}".encode()).hexdigest()


def digest_ok(digest: str | None) -> bool:
    """Is `digest` the configured token's (constant time)? False when none is configured."""
    expected = instructor_token()
    if not expected or not isinstance(digest, str):
        return False
    return hmac.compare_digest(digest.encode(), token_digest(expected).encode())


def first_visit_link() -> bool:
    """May a learner without a resume code claim their name by typing it ([class]
    first_visit_link)?"""
    return config_ok() and config().first_visit_link


def idle_seconds() -> float:
    """How long the dashboard stays open without a click ([dashboard] idle_minutes)."""
    cfg = config() if config_ok() else lesson_config.LessonConfig()
    return 60.0 * cfg.idle_minutes
