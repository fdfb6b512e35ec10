"""Acknowledgement links (alerts/ack.py): one key for every process of a store, expiry,
tampering refused with a reason. On a REAL store (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from yuqing.alerts.ack import ACK_TTL_S, AckSigner, BadAckToken, store_signer
from yuqing.store import open_store
from yuqing.store.shared_secrets import shared_secret

BASE = "https://yq.example.cn"


def token_of(link: str) -> str:
    return link.rpartition("token=")[2]


def test_a_link_made_by_one_process_verifies_in_another(store_url: str) -> None:
    # another process (as `yuqing run` next to the web app) signs a link with the store's key
    code = ("import sys; from yuqing.store import open_store; from yuqing.alerts.ack import "
            "store_signer\nwith open_store(sys.argv[1]) as s: print(store_signer(None, s, "
            f"{BASE!r}).link(42))")
    out = subprocess.run([sys.executable, "-c", code, store_url], capture_output=True, text=True,
                         timeout=120, check=True).stdout.strip()
    assert out.startswith(f"{BASE}/api/alerts/42/ack?token=")
    with open_store(store_url) as first, open_store(store_url) as second:  # a restart, two Stores
        for store in (first, second):
            signer = store_signer(None, store, BASE)
            signer.check(42, token_of(out))
            assert not signer.verify(43, token_of(out))  # a link acknowledges one alert only
        assert shared_secret(first, "ack") == shared_secret(second, "ack")
        assert len(shared_secret(first, "ack")) == 64


def test_the_config_secret_wins_over_the_stored_one(store_url: str) -> None:
    with open_store(store_url) as store:
        from_config = store_signer("从配置来的密钥", store, BASE)
        stored = store_signer(None, store, BASE)
        token = from_config.token(7)
        assert AckSigner("从配置来的密钥", BASE).verify(7, token)
        with pytest.raises(BadAckToken, match="signed with another key"):
            stored.check(7, token)


def test_tampered_expired_and_malformed_tokens_are_refused_with_a_reason() -> None:
    now = [1_700_000_000.0]
    signer = AckSigner("k", BASE, clock=lambda: now[0])
    token = signer.token(5)
    expires, _, signature = token.partition(".")
    assert int(expires) == 1_700_000_000 + ACK_TTL_S
    signer.check(5, token)
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    # altered, extended
    for bad in (f"{expires}.{flipped}", f"{int(expires) + 86_400}.{signature}"):
        with pytest.raises(BadAckToken, match="alert 5: the acknowledgement token is not valid"):
            signer.check(5, bad)
    for bad in (signature, "", f"x.{signature}", f"{expires}.{signature[:10]}"):
        with pytest.raises(BadAckToken, match="malformed"):
            signer.check(5, bad)
    now[0] += ACK_TTL_S + 1
    with pytest.raises(BadAckToken, match="link expired at 2023-11-21 22:13 UTC"):
        signer.check(5, token)
    assert not signer.verify(5, token)
    with pytest.raises(ValueError, match="must not be empty"):
        AckSigner("", BASE)
