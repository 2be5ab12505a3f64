"""Who a client is, for the limits that protect a class (wrong codes and tokens, joins, queue
places): the address of the connection's socket peer, or, only when that peer is a proxy the
server's settings name, the address that proxy says it forwards.

DROPOUT_LAB_TRUSTED_PROXIES lists the proxies (addresses or networks, comma-separated, e.g.
`127.0.0.1, ::1` for nginx on the same machine; docs/hosting.md). Without it no
X-Forwarded-For is believed: a visitor on this machine, or behind a proxy that passes the header
through, could otherwise send a new address with every try and get a fresh limit each time.
From a trusted peer the header is read from the right (the entry its proxy appended) leftwards,
past further trusted proxies, to the first address that is not one; an entry that is not an
address ends the walk at the proxy itself.

Streamlit's server (uvicorn) would replace the peer itself with X-Forwarded-For from loopback;
`dropout_lab.boot` switches that off (FORWARDED_ALLOW_IPS), so this module is the one place that
decides. No Streamlit here: `ui/links.client` reads the peer and the header and asks this.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Iterable

log = logging.getLogger(__name__)

TRUSTED_ENV = "DROPOUT_LAB_TRUSTED_PROXIES"
LOCAL = "local"  # every loopback connection is one client (a new session costs nothing)
KEY_MAX = 120

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted(text: str | None) -> tuple[Network, ...]:
    """The networks of a DROPOUT_LAB_TRUSTED_PROXIES value; raises ValueError naming a bad
    entry."""
    nets = []
    for item in (text or "").replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            nets.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(
                f"{TRUSTED_ENV}: {item!r} is not an IP address or network "
                "(for example 127.0.0.1, ::1 or 10.0.0.0/8)"
            ) from None
    return tuple(nets)


def trusted_proxies() -> tuple[Network, ...]:
    """The proxies this server believes (none when the setting is unset or wrong: a wrong
    setting is logged, and believes nobody rather than everybody)."""
    try:
        return parse_trusted(os.environ.get(TRUSTED_ENV))
    except ValueError as e:
        log.warning("%s; no forwarded address is believed", e)
        return ()


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text:
        return None
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(addr, nets: Iterable[Network]) -> bool:
    return any(addr.version == n.version and addr in n for n in nets)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Iterable[Network]):
    """The client's address: the peer's, or from X-Forwarded-For when the peer is trusted."""
    nets = tuple(trusted)
    addr = _address(peer)
    if addr is None or not forwarded_for or not _trusted(addr, nets):
        return addr
    for entry in reversed(forwarded_for.split(",")):
        hop = _address(entry)
        if hop is None:
            return addr  # not an address: believe no further than the last proxy
        addr = hop
        if not _trusted(hop, nets):
            return hop
    return addr


def client_key(peer: str | None, forwarded_for: str | None, trusted: Iterable[Network]) -> str:
    """The key limits count under: "ip:<address>", or "local" for this machine (or unknown)."""
    addr = client_address(peer, forwarded_for, trusted)
    if addr is None or addr.is_loopback:
        return LOCAL
    return f"ip:{addr.compressed}"[:KEY_MAX]
