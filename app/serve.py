"""How the app's Streamlit server is started: one command line, shared by `dropout-lab serve`,
the tests and the benchmarks, and the addresses a learner opens."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import sys
import urllib.request
from pathlib import Path

MAIN = Path(__file__).resolve().parent / "main.py"
LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")
HOSTS_FILE = Path("/etc/hosts")
SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address
PRIVATE_UMASK = 0o077  # what the server and the command create is readable by their owner only
# Browsers are told an error's type at most: never its message, its traceback or a server path.
ERROR_DETAILS = "type"


def streamlit_command(host: str, port: int, *, headless: bool = True) -> list[str]:
    """The `streamlit run` command line for the app, with telemetry and file watching off.

    It never prompts: Streamlit's first-run e-mail prompt waits on stdin (and exits with 255
    when stdin is closed, as under systemd), so it is switched off whatever `headless` says;
    headless only decides whether a browser tab is opened. It starts through `dropout_lab.boot`,
    which imports the shared libraries before the first session's thread."""
    return [
        sys.executable, "-m", "dropout_lab.boot", "run", str(MAIN),
        "--server.address", host,
        "--server.port", str(port),
        "--server.headless", str(headless).lower(),
        "--server.showEmailPrompt", "false",
        # `serve` prints the addresses itself; Streamlit's banner would first look up this
        # machine's external IP on the internet (a classroom may be offline).
        "--logger.hideWelcomeMessage", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--client.toolbarMode", "minimal",
        # No full garbage collection after every script run: with TensorFlow loaded it costs
        # about 200 ms of CPU (measured, 367,000 objects) on every slider move and every poll
        # of a waiting panel; Python's own collector runs as usual (boot.keep_keras_state).
        "--runner.postScriptGC", "false",
        "--client.showErrorDetails", ERROR_DETAILS,
    ]  # fmt: skip


def private_process() -> None:
    """Files and folders this process creates from now on are its owner's only (learners' work,
    the database, the runs); `dropout-lab` and the server call it first thing."""
    os.umask(PRIVATE_UMASK)


def stay_offline() -> None:
    """Keep Streamlit from asking the internet for this machine's address.

    Streamlit admits a WebSocket whose Origin is neither the page's own host nor localhost if it
    names this machine's "external IP", which it asks checkip.amazonaws.com for (two blocking
    HTTP requests, repeated after every failure) while it checks that Origin: any cross-origin
    visitor makes the server reach the internet. Learners open the server by the address they
    were given (the same origin, checked before that), so the lookup is replaced by "unknown";
    server.corsAllowedOrigins still admits the origins an instructor names."""
    from streamlit import net_util

    net_util.get_external_ip = _no_external_ip


def _no_external_ip() -> None:
    return None


def check_port(text: str) -> int:
    """A TCP port (1..65535) from the command line; ValueError says what is allowed."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ValueError(f"must be a port number 1..65535, got {text[:40]!r}")
    return port


def check_host(text: str) -> str:
    """An address to listen on: an IP address, or a name this machine knows without asking the
    network (localhost, its own host name, a name in /etc/hosts). ValueError otherwise."""
    name = text.strip().strip("[]")
    allowed = "an IP address of this machine (0.0.0.0: all) or a name in /etc/hosts"
    if not name or len(name) > 253:
        raise ValueError(f"must be {allowed}, got {text[:60]!r}")
    try:
        ipaddress.ip_address(name)
        return text.strip()
    except ValueError:
        pass
    if name.lower() not in local_names():
        raise ValueError(f"must be {allowed}, got {text[:60]!r}")
    try:
        socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ValueError(f"{text[:60]!r} does not resolve on this machine ({allowed})") from None
    return text.strip()


def local_names() -> set[str]:
    """Host names resolved on this machine alone: loopback names, its own name, /etc/hosts."""
    names = {*LOOPBACK_NAMES, socket.gethostname().lower()}
    with contextlib.suppress(OSError, UnicodeError):
        for line in HOSTS_FILE.read_text(encoding="utf-8").splitlines():
            fields = line.split("#", 1)[0].split()
            names.update(f.lower() for f in fields[1:])
    return names


def can_open_browser() -> bool:
    """True when someone sits at this terminal with a desktop: then serve opens a tab."""
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def is_loopback(host: str) -> bool:
    """True when `host` is reachable from this machine only (localhost, 127.x, ::1)."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def is_wildcard(host: str) -> bool:
    return host.strip("[]") in ("0.0.0.0", "::", "")


def interface_addresses() -> list[str]:
    """The IPv4 address of each of this machine's network interfaces (Linux: one ioctl per
    interface, nothing sent); [] where the system cannot be asked this way."""
    found: list[str] = []
    try:
        import fcntl
        import struct

        names = [name for _, name in socket.if_nameindex()]
    except (ImportError, OSError):
        return found
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for name in names:
            with contextlib.suppress(OSError):
                asked = struct.pack("256s", name[:15].encode())
                found.append(socket.inet_ntoa(fcntl.ioctl(s.fileno(), SIOCGIFADDR, asked)[20:24]))
    return found


def network_addresses() -> list[str]:
    """This machine's non-loopback IP addresses (no packet is sent to find them)."""
    found: list[str] = interface_addresses()
    # connect() on a UDP socket only picks the outgoing interface: nothing is sent.
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("10.255.255.255", 1))
        found.append(s.getsockname()[0])
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(info[4][0])
    out = []
    for ip in found:
        if not ipaddress.ip_address(ip).is_loopback and ip not in out:
            out.append(ip)
    return out


def urls(host: str, port: int) -> list[tuple[str, str]]:
    """(address, who can open it) for a server listening on host:port."""
    if is_wildcard(host):
        here = [(f"http://localhost:{port}", "this machine")]
        return here + [(f"http://{ip}:{port}", "other machines") for ip in network_addresses()]
    shown = f"[{host}]" if ":" in host else host
    who = "this machine only" if is_loopback(host) else "other machines"
    return [(f"http://{shown}:{port}", who)]


def listen_problem(host: str, port: int) -> str:
    """Why a server could not listen on host:port ("" when it could)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host.strip("[]"), port))
        except OSError as e:
            return e.strerror or str(e)
    return ""


def answers(url: str, timeout: float = 3.0) -> bool:
    """True when a Streamlit server at `url` answers its health check (asked directly, never
    through an HTTP proxy the environment names: the question is whether this address answers)."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with (
        contextlib.suppress(OSError, ValueError),
        direct.open(f"{url}/_stcore/health", timeout=timeout) as r,
    ):
        return r.read().decode().strip() == "ok"
    return False
