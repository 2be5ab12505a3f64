"""A visitor's `clear_cache` on a real server (issue 22): the attack as a student could make it
from the browser console, by a small client that speaks Streamlit's own WebSocket protocol.

Before, each 2-byte `clear_cache` message emptied `st.cache_resource` for the whole server: the
next page made a second training service with its own worker pool and the first was never shut
down, and the lesson file was read again. Here the client sends 20 of them, a training run asked
for after each; the server keeps its one worker, its lesson config (the file is broken on disk
after the start: a re-read would stop every page with an error) and its memory."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import connect

from tests.support.harness import process_state, running_server, worker_pids
from tests.support.wait import until

ROUNDS = 20
WORKERS = 1  # DROPOUT_LAB_WORKERS: the server's one worker pool never holds more
SCRIPT_TIMEOUT = 120.0
DONE = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
FAILED = ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR


class StreamlitClient:
    """What the browser's frontend sends and receives, and no more: BackMsg protobufs out
    (`rerun_script` with the page and widget states, `clear_cache`), ForwardMsgs in."""

    def __init__(self, ws) -> None:
        self.ws = ws

    @classmethod
    @contextlib.contextmanager
    def connected(cls, url: str):
        stream = url.replace("http://", "ws://") + "/_stcore/stream"
        with connect(stream, subprotocols=["streamlit"], max_size=None, open_timeout=30) as ws:
            yield cls(ws)

    def clear_cache(self) -> None:
        msg = BackMsg(clear_cache=True)
        assert len(msg.SerializeToString()) == 2  # the whole attack: two bytes
        self.ws.send(msg.SerializeToString())

    def run(self, page: str, widgets: list[WidgetState] = ()) -> list:
        """Run `page` with `widgets` (a click is a trigger_value); the elements it drew, until
        the script finished (a rerun it asked for included)."""
        msg = BackMsg()
        msg.rerun_script.page_name = page
        msg.rerun_script.widget_states.widgets.extend(widgets)
        self.ws.send(msg.SerializeToString())
        elements = []
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(self.ws.recv(timeout=SCRIPT_TIMEOUT))
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                elements.append(fm.delta.new_element)
            elif kind == "script_finished":
                assert fm.script_finished != FAILED, "the page failed to compile"
                if fm.script_finished == DONE:
                    return elements


def texts(elements: list) -> list[str]:
    out = []
    for el in elements:
        part = getattr(el, el.WhichOneof("type"))
        out += [getattr(part, f) for f in ("body", "text", "label") if hasattr(part, f)]
    return out


def widget_id(elements: list, kind: str, *, key: str = "", label: str = "") -> str:
    for el in elements:
        if el.WhichOneof("type") == kind:
            part = getattr(el, kind)
            if (key and part.id.endswith("-" + key)) or (label and part.label == label):
                return part.id
    raise AssertionError(f"no {kind} {key or label!r} on the page")


def rss_mib(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def test_clear_cache_neither_multiplies_the_workers_nor_rereads_the_lesson(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text("[build]\nmax_epochs = 20\nepochs = 3\n")  # short runs
    env = {
        "DROPOUT_LAB_DATA_DIR": str(tmp_path / "data"),
        "DROPOUT_LAB_DATABASE_URL": "",
        "DROPOUT_LAB_TRAINING": "",  # the embedded service: its workers are the server's children
        "DROPOUT_LAB_WORKERS": str(WORKERS),
        "DROPOUT_LAB_PRECOMPUTE": "0",  # only the client's runs train
        "DROPOUT_LAB_PREDICTIONS": "off",  # Train without a prediction first
        "DROPOUT_LAB_LESSON": str(lesson),
    }
    seen: set[int] = set()
    try:
        with running_server(tmp_path / "server.log", env) as server:
            pid = server.process.pid
            with StreamlitClient.connected(server.url) as client:
                page = client.run("build")
                seed = widget_id(page, "number_input", key="build.seed")
                train = widget_id(page, "button", label="▶ Train mine")

                def run_with_seed(n: int) -> list[str]:
                    click = [WidgetState(id=seed, int_value=n),
                             WidgetState(id=train, trigger_value=True)]  # fmt: skip
                    said = texts(client.run("build", click))
                    assert not any("max_epochs" in t for t in said), "the lesson file was re-read"
                    assert any(t.startswith("**Your model**") for t in said), said
                    return said

                lesson.write_text("[build]\nmax_epochs = 0\n")  # broken: must not be read again
                run_with_seed(0)
                seen |= until(lambda: worker_pids(pid), timeout=180, what="the first worker")
                counts = []
                for n in range(1, ROUNDS + 1):
                    client.clear_cache()
                    run_with_seed(n)  # a new run each time (a new seed), replacing the last
                    workers = worker_pids(pid)
                    seen |= workers
                    counts.append(len(workers))
                    assert len(workers) <= WORKERS, (
                        f"{len(workers)} training workers after {n} clear_cache messages"
                    )
            workers = worker_pids(pid)
            mib = rss_mib(pid) + sum(rss_mib(w) for w in workers)
            print(f"\nafter {ROUNDS} clear_cache messages and {ROUNDS + 1} runs: "
                  f"{len(workers)} training worker(s) (per round: {counts}), "
                  f"{len(seen)} started in all; server {rss_mib(pid):.0f} MiB, "
                  f"server + workers {mib:.0f} MiB RSS")  # fmt: skip
            log = server.log()
            assert log.count("asked to clear the caches") == ROUNDS, log[-3000:]
            assert len(seen) == WORKERS  # the first worker trained every run
        # the server's exit shuts its worker pool down: no worker outlives it
        until(lambda: not any(process_state(w) for w in seen), timeout=30, what="the workers' exit")
    finally:
        for w in seen:  # only if the test failed: the workers this server started
            with contextlib.suppress(ProcessLookupError):
                os.kill(w, signal.SIGKILL)
