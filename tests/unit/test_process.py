"""The app server's process-wide objects (ui/process.py): made once across threads, a failed
make keeps nothing, closed newest first at shutdown; Streamlit's cache clearing (the whole
cache, or a visitor's `clear_cache` message once boot has patched it) reaches none of them."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
import streamlit as st

from dropout_lab.lesson.spec import TrainConfig, lesson_spec
from dropout_lab.ui import process
from tests.support.wait import until


@pytest.fixture(autouse=True)
def fresh_process():
    process.shutdown()
    yield
    process.shutdown()


def test_each_object_is_made_once_across_threads() -> None:
    made, entered, go = [], threading.Event(), threading.Event()

    def make() -> object:
        made.append(object())
        entered.set()
        go.wait(timeout=30)  # the others arrive while the first one is still being made
        return made[-1]

    threads, got = 8, []
    start = threading.Barrier(threads + 1)

    def ask() -> None:
        start.wait()
        got.append(process.once("thing", make))

    pool = [threading.Thread(target=ask) for _ in range(threads)]
    for t in pool:
        t.start()
    start.wait()
    until(entered.is_set, timeout=30, what="the first make")
    go.set()
    for t in pool:
        t.join(30)
    assert len(made) == 1
    assert len(got) == threads and all(g is made[0] for g in got)


def test_a_maker_may_ask_for_another_object_and_a_failed_make_keeps_nothing() -> None:
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("the data directory cannot be written")
        return "store"

    with pytest.raises(OSError):
        process.once("store", flaky)
    assert not process.made("store")
    feeder = process.once("feeder", lambda: ("feeder of", process.once("store", flaky)))
    assert feeder == ("feeder of", "store") and len(calls) == 2
    assert process.once("store", flaky) == "store" and len(calls) == 2


def test_shutdown_closes_newest_first_and_forgets() -> None:
    closed = []
    first = process.once("service", lambda: "service", closed.append)
    process.once("precomputer", lambda: "precomputer", closed.append)
    process.once("config", lambda: "config")  # nothing to close
    process.shutdown()
    assert closed == ["precomputer", "service"]
    assert not process.made("service")
    again = process.once("service", lambda: ["a new service"], closed.append)
    assert again is not first


def test_the_app_services_survive_streamlit_clearing_its_caches(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DROPOUT_LAB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DROPOUT_LAB_WORKERS", "1")
    monkeypatch.delenv("DROPOUT_LAB_LESSON", raising=False)
    monkeypatch.delenv("DROPOUT_LAB_DATABASE_URL", raising=False)
    from dropout_lab.ui import learners, numpy_net, settings, training

    services: list = []
    threads = [threading.Thread(target=lambda: services.append(training._shared()))
               for _ in range(4)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    before = (services[0], learners.store(), settings.config(), numpy_net.runs())
    assert len(services) == 4 and all(s is services[0] for s in services)
    st.cache_resource.clear()
    st.cache_data.clear()
    after = (training._shared(), learners.store(), settings.config(), numpy_net.runs())
    assert all(a is b for a, b in zip(after, before, strict=True))
    process.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        services[0].submit(lesson_spec(0.3), TrainConfig(epochs=1))  # shut down with the rest
    assert training._shared() is not services[0]


def test_boot_makes_a_clear_cache_message_clear_only_the_senders_state(monkeypatch) -> None:
    from streamlit.runtime.app_session import AppSession

    from dropout_lab import boot

    # restored after the test: the patch is for the server process, not this one
    monkeypatch.setattr(AppSession, "_handle_clear_cache_request",
                        AppSession._handle_clear_cache_request)  # fmt: skip
    calls = []

    @st.cache_resource
    def shared() -> object:
        calls.append(1)
        return object()

    first = shared()
    boot.keep_shared_caches()

    sender = SimpleNamespace(id="a-visitor", _session_state={"learners.learner": "Ada"})
    AppSession._handle_clear_cache_request(sender)
    assert sender._session_state == {}  # the sender's own state is cleared
    assert shared() is first and len(calls) == 1  # nobody else's
