"""A forged X-Forwarded-For on a real server (issue 22): the attack as a visitor on the server's
own machine (or behind a proxy that passes the header through) could make it, by a small client
that speaks Streamlit's WebSocket protocol and puts a new forged address on every handshake.

Before, every forged address was a new client with a fresh limit, so the instructor token and a
learner's resume code could be guessed without end. Now the header is believed only from a proxy
named in DROPOUT_LAB_TRUSTED_PROXIES: without it, every try from loopback counts under one
client, and after the limit's number of wrong tries the next one is "too many" whatever address
it claims, while the right token and the right code still open at once. With 127.0.0.1 named as
a proxy, the forwarded address is believed: two forged addresses are two clients."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import connect

from dropout_lab.lesson.content import step_text
from dropout_lab.store import Store
from dropout_lab.store.limits import LIMIT
from dropout_lab.store.schema import DB_FILENAME
from tests.hosting.test_clear_cache import StreamlitClient, texts, widget_id
from tests.support.harness import running_server

TOKEN = "forwarded-test-token-0123456789"
WORDS = step_text("learners")
TOO_MANY_TOKENS = WORDS["dashboard"]["wrong_token_wait"].split(".")[0]  # "Too many wrong tokens…"
WRONG_TOKEN = WORDS["dashboard"]["wrong_token"]
TOO_MANY_CODES = WORDS["join"]["wait"].split(".")[0]
WRONG_CODE = WORDS["join"]["wrong_code"]
OPENED = WORDS["dashboard"]["sign_out"]  # the open dashboard's lock button
RESUMED = WORDS["join"]["leave"]  # the sidebar's Leave button: a learner is signed in


@contextlib.contextmanager
def forged(url: str, address: str) -> Iterator[StreamlitClient]:
    """A new session whose WebSocket handshake claims to be forwarded for `address`."""
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    with connect(stream, subprotocols=["streamlit"], max_size=None, open_timeout=30, proxy=None,
                 additional_headers={"X-Forwarded-For": address}) as ws:  # fmt: skip
        yield StreamlitClient(ws)


def submit(box: str, text: str, button: str) -> list[WidgetState]:
    """What the browser sends when `text` is typed in `box` and `button` clicked."""
    return [WidgetState(id=box, string_value=text), WidgetState(id=button, trigger_value=True)]


def try_token(url: str, address: str, token: str) -> list[str]:
    """The dashboard's words after one submit of `token`, from a session claiming `address`."""
    with forged(url, address) as client:
        page = client.run("dashboard")
        box = widget_id(page, "text_input", key="dashboard.token")
        button = widget_id(page, "button", label=WORDS["dashboard"]["token_button"])
        return texts(client.run("dashboard", submit(box, token, button)))


def try_code(url: str, address: str, code: str) -> list[str]:
    """The overview's words after one Resume with `code`, from a session claiming `address`."""
    with forged(url, address) as client:
        page = client.run("")
        box = widget_id(page, "text_input", key="learners.resume_code")
        button = widget_id(page, "button", key="learners.resume_go")
        return texts(client.run("", submit(box, code, button)))


def said(words: list[str], phrase: str) -> bool:
    return any(phrase in w for w in words)


def limit_rows(data: Path) -> list[tuple]:
    """(scope, target, client, failures, blocked) of every access_limits row."""
    with contextlib.closing(sqlite3.connect(data / DB_FILENAME)) as db:
        return db.execute(
            "SELECT scope, target, client, failures, blocked_until > 0 FROM access_limits "
            "ORDER BY scope, target, client"
        ).fetchall()


def serve(tmp_path: Path, trusted: str):
    """A server with its own data directory (a learner already joined) and the token."""
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    enrolment = Store(f"sqlite:///{data / DB_FILENAME}").enrol("Ada", "FWD1")
    env = {
        "DROPOUT_LAB_DATA_DIR": str(data),
        "DROPOUT_LAB_DATABASE_URL": "",
        "DROPOUT_LAB_INSTRUCTOR_TOKEN": TOKEN,
        "DROPOUT_LAB_TRUSTED_PROXIES": trusted,
        "DROPOUT_LAB_PRECOMPUTE": "0",  # nothing trains
    }
    return running_server(tmp_path / "server.log", env), data, enrolment


def wrong_code_of(code: str) -> str:
    """`code` with its secret changed: the same learner, a wrong secret."""
    learner_id, _, secret = code.partition("-")
    return f"{learner_id}-{'Z' if secret[0] != 'Z' else 'Y'}{secret[1:]}"


def test_a_forged_forwarded_address_earns_no_fresh_limit(tmp_path: Path) -> None:
    server_cm, data, ada = serve(tmp_path, trusted="")
    wrong = wrong_code_of(ada.code)
    with server_cm as server:
        for n in range(1, LIMIT.per_window + 3):  # a new forged address on every try
            words = try_token(server.url, f"203.0.113.{n}", f"wrong-token-{n}")
            blocked = n >= LIMIT.per_window
            assert said(words, TOO_MANY_TOKENS if blocked else WRONG_TOKEN), (n, words)
            assert not said(words, OPENED)
        # the right token still opens, even from a client told to wait
        assert said(try_token(server.url, "203.0.113.200", TOKEN), OPENED)

        for n in range(1, LIMIT.per_window + 3):
            words = try_code(server.url, f"198.51.100.{n}", wrong)
            blocked = n >= LIMIT.per_window
            assert said(words, TOO_MANY_CODES if blocked else WRONG_CODE), (n, words)
            assert not said(words, RESUMED)
        assert said(try_code(server.url, "198.51.100.200", ada.code), RESUMED)

        rows = limit_rows(data)
        # every try counted under one client, "local", whatever the header said
        assert {(scope, target, client) for scope, target, client, *_ in rows} == {
            ("resume", str(ada.learner.id), "local"),
            ("token", "dashboard", "local"),
        }, rows
        assert all(blocked for *_, blocked in rows), rows
        tries = LIMIT.per_window + 2
        print(f"\n{tries} wrong tokens and {tries} wrong codes, each under a new forged address: "
              f"too many from try {LIMIT.per_window} on; access_limits {rows}")  # fmt: skip


def test_a_trusted_proxys_forwarded_address_is_believed(tmp_path: Path) -> None:
    server_cm, data, _ = serve(tmp_path, trusted="127.0.0.1")
    with server_cm as server:
        for n in range(1, LIMIT.per_window + 1):  # one forwarded client uses up its limit
            words = try_token(server.url, "203.0.113.7", f"wrong-token-{n}")
        assert said(words, TOO_MANY_TOKENS), words
        # another forwarded address is another client, with a limit of its own
        assert said(try_token(server.url, "203.0.113.8", "wrong-token-x"), WRONG_TOKEN)
        # a chain: the address the trusted proxy appended (the rightmost) is the client
        assert said(try_token(server.url, "10.9.9.9, 203.0.113.9", "wrong-token-y"), WRONG_TOKEN)
        rows = limit_rows(data)
        assert [(client, failures, blocked) for scope, _, client, failures, blocked in rows] == [
            ("ip:203.0.113.7", 0, 1),
            ("ip:203.0.113.8", 1, 0),
            ("ip:203.0.113.9", 1, 0),
        ], rows
        print(f"\nbehind a trusted proxy on 127.0.0.1: rows {rows}")
