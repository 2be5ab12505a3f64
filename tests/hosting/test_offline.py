"""Offline for real (issue 22): nothing the server or the `dropout-lab` command does reaches the
internet, in any code path, including after a cross-origin WebSocket attempt (Streamlit's origin
check used to ask checkip.amazonaws.com for this machine's address, twice, blocking).

Every process under test loads a `sitecustomize` (on PYTHONPATH, for the test only) that refuses
and logs any attempt to leave this machine: a TCP connection to an address that is not loopback,
a UDP datagram sent to one, a name looked up that only the network could answer (this
machine's own addresses and the names in /etc/hosts stay here). A process it
spawns with the same environment (training workers) is guarded too."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dropout_lab.lesson.labs import load_lab
from tests.support.harness import running_server, wait_until_idle

ROOT = Path(__file__).resolve().parents[2]

GUARD = textwrap.dedent('''
    """Test guard: refuse and log every attempt to reach another machine."""
    import ipaddress
    import os
    import socket

    _LOG = os.environ["DROPOUT_LAB_NET_LOG"]
    _real_connect, _real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    _real_sendto, _real_getaddrinfo = socket.socket.sendto, socket.getaddrinfo


    def _names():
        names = {"localhost", "localhost.localdomain", "ip6-localhost", socket.gethostname()}
        try:
            with open("/etc/hosts", encoding="utf-8") as f:
                for line in f:
                    names.update(line.split("#", 1)[0].split()[1:])
        except OSError:
            pass
        return {n.lower() for n in names}


    def _own_addresses():
        """This machine's own interface addresses: a connection to one stays here."""
        own = set()
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect(("10.255.255.255", 1))  # picks the interface, sends nothing
                own.add(s.getsockname()[0])
        except OSError:
            pass
        try:
            own.update(i[4][0] for i in socket.getaddrinfo(socket.gethostname(), None))
        except OSError:
            pass
        return own


    _LOCAL_NAMES = _names()
    _OWN = _own_addresses()


    def _log(what):
        with open(_LOG, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()} {what}\\n")


    def _local_ip(host):
        try:
            ip = ipaddress.ip_address(str(host).split("%")[0])
        except ValueError:
            return None
        return ip.is_loopback or ip.is_unspecified or str(ip) in _OWN


    def _check(sock, address, what):
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return
        host = address[0]
        if _local_ip(host) is False or (
            _local_ip(host) is None and str(host).lower() not in _LOCAL_NAMES
        ):
            _log(f"{what} {address!r}")
            raise ConnectionRefusedError(111, f"offline test: {what} {address!r} refused")


    def connect(self, address):
        if self.type == socket.SOCK_STREAM:  # a UDP connect() sends nothing
            _check(self, address, "connect")
        return _real_connect(self, address)


    def connect_ex(self, address):
        if self.type == socket.SOCK_STREAM:
            _check(self, address, "connect_ex")
        return _real_connect_ex(self, address)


    def sendto(self, data, *args):
        _check(self, args[-1], "sendto")
        return _real_sendto(self, data, *args)


    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and _local_ip(name) is None and name.lower() not in _LOCAL_NAMES:
            _log(f"getaddrinfo {name!r}")
            raise socket.gaierror(socket.EAI_NONAME, f"offline test: {name!r} not looked up")
        return _real_getaddrinfo(host, *args, **kwargs)


    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    socket.socket.sendto, socket.getaddrinfo = sendto, getaddrinfo
    with open(os.environ["DROPOUT_LAB_NET_GUARDED"], "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\\n")
''')


@pytest.fixture
def offline(tmp_path: Path) -> dict[str, str]:
    """The environment of a guarded process (its data directory is a fresh one here)."""
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    (tmp_path / "net.log").touch()
    return {
        "PYTHONPATH": str(guard),
        "DROPOUT_LAB_NET_LOG": str(tmp_path / "net.log"),
        "DROPOUT_LAB_NET_GUARDED": str(tmp_path / "guarded.log"),
        "DROPOUT_LAB_DATA_DIR": str(tmp_path / "data"),
        "DROPOUT_LAB_PRECOMPUTE": "0",  # nothing to do with the network; only slow here
        "DROPOUT_LAB_DATABASE_URL": "",
        "DROPOUT_LAB_LESSON": "",
    }


def attempts(env: dict[str, str]) -> list[str]:
    return Path(env["DROPOUT_LAB_NET_LOG"]).read_text(encoding="utf-8").splitlines()


def guarded(env: dict[str, str]) -> int:
    """How many processes have loaded the guard so far."""
    path = Path(env["DROPOUT_LAB_NET_GUARDED"])
    return len(path.read_text(encoding="utf-8").split()) if path.exists() else 0


def run(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, **env}, timeout=timeout,
    )  # fmt: skip


def test_the_guard_refuses_and_logs_what_would_leave_this_machine(offline) -> None:
    probe = """
import socket, urllib.request
for target in (("203.0.113.9", 80), ("2001:db8::1", 80)):
    try:
        socket.create_connection(target, timeout=1)
    except OSError:
        pass
try:
    urllib.request.urlopen("http://checkip.amazonaws.com", timeout=1)
except OSError:
    pass
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).connect(("10.255.255.255", 1))  # sends nothing
print(socket.getaddrinfo("localhost", 80)[0][4][0])
"""
    out = run(offline, "-c", probe)
    assert out.returncode == 0, out.stderr
    logged = "\n".join(attempts(offline))
    assert "203.0.113.9" in logged and "2001:db8::1" in logged
    assert "getaddrinfo 'checkip.amazonaws.com'" in logged
    assert "10.255.255.255" not in logged and len(attempts(offline)) == 3
    assert guarded(offline) == 1


def test_the_server_never_reaches_the_internet(offline, tmp_path: Path, browser) -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    with running_server(tmp_path / "server.log", env=offline) as server:
        assert guarded(offline) >= 1, "the server did not load the guard"
        stream = server.url.replace("http://", "ws://") + "/_stcore/stream"
        for origin in ("http://evil.example", "https://192.0.2.7:8501"):
            with pytest.raises(InvalidStatus) as refused:
                connect(stream, origin=origin, open_timeout=60).close()
            assert refused.value.response.status_code == 403
        page = browser.new_page()
        try:
            page.goto(server.url, timeout=180_000)
            wait_until_idle(page, timeout=120_000)
            page.goto(f"{server.url}/explore", timeout=180_000)
            wait_until_idle(page, timeout=120_000)
        finally:
            page.close()
        # a refused origin once more, after the sessions: Streamlit used to retry every time
        with pytest.raises(InvalidStatus):
            connect(stream, origin="http://evil.example", open_timeout=60).close()
        assert server.process.poll() is None  # still up
        assert attempts(offline) == [], server.log()
        assert "checkip" not in server.log()
        # and under umask 077 (issue 22, "private on disk"): what it makes is the owner's only
        status = Path(f"/proc/{server.process.pid}/status").read_text(encoding="utf-8")
        assert "Umask:\t0077" in status.splitlines(), status


def test_streamlits_origin_check_asked_the_internet_and_no_longer_does(offline) -> None:
    """The cause, without a server: Streamlit's allow-list of WebSocket origins looks this
    machine's external address up (checkip.amazonaws.com, twice per attempt, again after each
    failure); `stay_offline`, which the server's entry point calls, replaces that lookup."""
    probe = """
from streamlit.web.server.server_util import is_url_from_allowed_origins as allowed
from dropout_lab.serve import stay_offline
assert not allowed("http://evil.example")
print("before", flush=True)
stay_offline()
assert not allowed("http://evil.example") and not allowed("http://evil.example")
assert allowed("http://localhost:8501")
"""
    out = run(offline, "-c", probe)
    assert out.returncode == 0, out.stderr
    before = attempts(offline)  # all of them come from the call before stay_offline
    assert before and all("checkip.amazonaws.com" in line for line in before), before
    Path(offline["DROPOUT_LAB_NET_LOG"]).write_text("", encoding="utf-8")
    out = run(offline, "-c", probe.replace('assert not allowed("http://evil.example")\n', "", 1))
    assert out.returncode == 0, out.stderr
    assert attempts(offline) == []


def test_the_server_command_is_the_guarded_one() -> None:
    """The server the test above starts is the one `dropout-lab serve` and systemd start: the
    offline patch lives in its entry point."""
    from dropout_lab.serve import streamlit_command

    cmd = streamlit_command("127.0.0.1", 8501)
    assert cmd[1:4] == ["-m", "dropout_lab.boot", "run"]


def _busy_port() -> socket.socket:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s


COMMANDS = {
    "help": ["--help"],
    "check": ["check", "{solution}"],
    "check-json": ["check", "{solution}", "--json"],
    "grade": ["grade", "{numpy_solution}"],
    "migrate": ["migrate"],
    "roster": ["roster", "--lesson", "{lesson}"],
    "doctor": ["doctor", "--host", "0.0.0.0", "--port", "{port}"],
    "doctor-json": ["doctor", "--json"],
    "serve-refused": ["serve", "--host", "127.0.0.1", "--port", "{port}"],
    "train": ["train", "--rate", "0.3", "--epochs", "1", "--json"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_stays_offline(name: str, offline, tmp_path: Path) -> None:
    solution = tmp_path / "model.py"
    solution.write_text(load_lab().solution, encoding="utf-8")
    numpy_solution = tmp_path / "numpy_lab.py"
    numpy_solution.write_text(load_lab("numpy_dropout").solution, encoding="utf-8")
    lesson = tmp_path / "class.toml"
    lesson.write_text('[class]\ncode = "demo"\nroster = ["Ada", "Grace"]\n', encoding="utf-8")
    with _busy_port() as busy:  # serve stops before Streamlit; doctor finds the port taken
        fill = {"solution": solution, "numpy_solution": numpy_solution, "lesson": lesson,
                "port": busy.getsockname()[1]}  # fmt: skip
        args = [a.format(**fill) for a in COMMANDS[name]]
        out = run(offline, "-m", "dropout_lab.cli", *args)
    assert "Traceback" not in out.stderr, out.stderr
    if name not in ("doctor", "doctor-json", "serve-refused"):  # these report a ✗ or refuse
        assert out.returncode == 0, out.stderr
    assert guarded(offline) >= 1
    assert attempts(offline) == [], (out.stdout, out.stderr)
