"""Who a client is (issue 22): X-Forwarded-For is believed only from the proxies
DROPOUT_LAB_TRUSTED_PROXIES names, so a forged header from loopback gets no fresh limit."""

from __future__ import annotations

import pytest

from dropout_lab.clients import LOCAL, client_key, parse_trusted, trusted_proxies

SAME_HOST = parse_trusted("127.0.0.1, ::1")


@pytest.mark.parametrize("forged", ["198.51.100.1", "198.51.100.2", "10.0.0.1, 1.2.3.4", "x"])
def test_a_forged_header_from_loopback_is_one_client_without_a_trusted_proxy(forged) -> None:
    assert client_key("127.0.0.1", forged, ()) == LOCAL
    assert client_key("::1", forged, ()) == LOCAL
    assert client_key("203.0.113.5", forged, ()) == "ip:203.0.113.5"  # a remote peer: itself


def test_a_trusted_proxy_forwards_the_address_it_appended() -> None:
    # nginx appends the peer it saw to what the client sent: "forged, real"
    assert client_key("127.0.0.1", "198.51.100.9, 203.0.113.5", SAME_HOST) == "ip:203.0.113.5"
    assert client_key("127.0.0.1", "203.0.113.5", SAME_HOST) == "ip:203.0.113.5"
    assert client_key("127.0.0.1", None, SAME_HOST) == LOCAL  # no header: the proxy itself
    chain = parse_trusted("127.0.0.1, 10.0.0.0/8")  # two proxies, both trusted
    assert client_key("127.0.0.1", "1.2.3.4, 203.0.113.5, 10.1.1.1", chain) == "ip:203.0.113.5"
    assert client_key("127.0.0.1", "1.2.3.4, garbage", SAME_HOST) == LOCAL  # stops at the proxy
    assert client_key("127.0.0.1", "[2001:db8::1]:5000", SAME_HOST) == "ip:2001:db8::1"
    assert client_key("203.0.113.5", "1.2.3.4", SAME_HOST) == "ip:203.0.113.5"  # not a proxy


def test_the_setting_is_read_and_a_wrong_one_believes_nobody(monkeypatch, caplog) -> None:
    monkeypatch.setenv("DROPOUT_LAB_TRUSTED_PROXIES", "127.0.0.1; 10.0.0.0/8")
    assert [str(n) for n in trusted_proxies()] == ["127.0.0.1/32", "10.0.0.0/8"]
    monkeypatch.setenv("DROPOUT_LAB_TRUSTED_PROXIES", "127.0.0.1, nginx")
    assert trusted_proxies() == ()
    assert "'nginx' is not an IP address" in caplog.text
    monkeypatch.delenv("DROPOUT_LAB_TRUSTED_PROXIES")
    assert trusted_proxies() == ()
