"""Tests of yuqing.alerts.ssrf: internal addresses are refused unless allowed."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from yuqing.alerts.ssrf import UnresolvableHost, UnsafeURL, check_url, is_internal


def fake_dns(table: dict[str, list[str]]) -> Any:
    """A resolver with getaddrinfo's signature answering from ``table`` (no network)."""
    def resolve(host: str, port: int, *args: Any) -> list[tuple[Any, ...]]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in table[host]]
    return resolve


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/hook", "http://localhost:8080/", "http://10.1.2.3/", "http://172.16.0.1/",
    "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/",
    "http://[fe80::1]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "http://100.64.0.1/",
    "http://2130706433/", "http://0x7f.1/", "http://224.0.0.1/",
])
def test_internal_literals_and_names_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURL, match="internal address"):
        check_url(url)


@pytest.mark.parametrize("url", ["http://8.8.8.8/x", "https://[2001:4860:4860::8888]/"])
def test_public_literals_pass(url: str) -> None:
    assert check_url(url) is None


def test_every_resolved_address_is_checked() -> None:
    dns = fake_dns({"hooks.example.com": ["93.184.216.34", "10.0.0.5"],
                    "ok.example.com": ["93.184.216.34"]})
    with pytest.raises(UnsafeURL, match="10.0.0.5"):
        check_url("https://hooks.example.com/x", resolve=dns)
    assert check_url("https://ok.example.com/x", resolve=dns) is None


def test_allow_internal_skips_the_check() -> None:
    assert check_url("http://127.0.0.1:9/x", allow_internal=True) is None


@pytest.mark.parametrize(("url", "problem"), [
    ("ftp://example.com/", "scheme"), ("file:///etc/passwd", "scheme"),
    ("http:///path", "no host"), ("http://x:99999/", "not valid"),
])
def test_bad_urls(url: str, problem: str) -> None:
    with pytest.raises(UnsafeURL, match=problem):
        check_url(url, allow_internal=True)


def test_unresolvable_host() -> None:
    with pytest.raises(UnresolvableHost, match="nowhere.example"):
        check_url("https://nowhere.example/", resolve=fake_dns({}))


def test_is_internal_sixtofour() -> None:
    assert is_internal(ipaddress.ip_address("2002:7f00:1::"))  # 6to4 of 127.0.0.1
    assert not is_internal(ipaddress.ip_address("1.1.1.1"))
