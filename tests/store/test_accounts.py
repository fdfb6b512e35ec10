"""Tests of AccountsRepository (store/accounts.py) on both backends: users and units, sessions,
tokens, the audit log, and several calls committing or rolling back together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from yuqing.domain import BadInput
from yuqing.store import Store

T0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


def test_users_units_sessions_and_tokens(store: Store) -> None:
    accounts = store.accounts
    assert accounts.add_unit("市局", None, T0) is True
    assert accounts.add_unit("市局", None, T0) is False
    user_id = accounts.add_user("wang", "hash", "handler", "市局", T0)
    with pytest.raises(BadInput, match="already exists"):
        accounts.add_user("wang", "hash", "handler", None, T0)
    assert [u["name"] for u in accounts.units()] == ["市局"]
    assert accounts.users() == [{"id": user_id, "name": "wang", "role": "handler",
                                 "unit": "市局", "active": True, "created_at": T0,
                                 "email": None, "phone": None, "wecom": None}]
    assert accounts.user_for_login("wang")["password_hash"] == "hash"  # type: ignore[index]
    accounts.create_session("sid", user_id, "csrf", T0, T0 + timedelta(hours=1))
    assert accounts.session_user("sid", T0)["csrf"] == "csrf"  # type: ignore[index]
    assert accounts.session_user("sid", T0 + timedelta(hours=2)) is None
    accounts.add_token("tok", user_id, "api", T0)
    assert accounts.token_user("tok")["name"] == "wang"  # type: ignore[index]
    accounts.update_user("wang", {"active": False})
    assert accounts.session_user("sid", T0) is None and accounts.token_user("tok") is None
    assert accounts.user_for_login("wang") is None


def test_end_session(store: Store) -> None:
    user_id = store.accounts.add_user("li", "hash", "analyst", None, T0)
    store.accounts.create_session("sid", user_id, "csrf", T0, T0 + timedelta(hours=1))
    store.accounts.end_session("sid")
    assert store.accounts.session_user("sid", T0) is None


def test_audit_reads(store: Store) -> None:
    for minutes, action, actor in ((0, "login", "wang"), (5, "login_failed", "wang"),
                                   (9, "login_failed", "li"), (12, "setting", "wang")):
        store.accounts.audit(actor, action, None, {"n": minutes},
                             T0 + timedelta(minutes=minutes))
    assert [e["data"]["n"] for e in store.accounts.read_audit(2)] == [12, 9]
    assert [e["actor"] for e in store.accounts.read_audit(action="login_failed")] == ["li", "wang"]
    since = T0 + timedelta(minutes=5)
    assert [e["actor"] for e in store.accounts.audit_since("login_failed", since)] == ["wang", "li"]
    assert [e["at"] for e in store.accounts.audit_since("login_failed", since, actor="li")] == [
        T0 + timedelta(minutes=9)]
    assert store.accounts.audit_since("login", since) == []


def test_calls_in_one_transaction_roll_back_together(store: Store) -> None:
    with pytest.raises(BadInput, match="role"), store.transaction() as tx:
        tx.accounts.add_unit("区局", None, T0)
        tx.accounts.add_user("zhao", "hash", "boss", "区局", T0)
    assert store.accounts.units() == [] and store.accounts.users() == []
