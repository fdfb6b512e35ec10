"""The audit of protected reads and setting changes (web/access.py audit, web/ui_api.py audit
routes) and the append-only web audit log, on both backends."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from web_auth import api_headers

from yuqing.cases import intake
from yuqing.cases.inputs import PetitionInput
from yuqing.cases.service import CaseService
from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.web.app import create_app

CONFIG: dict[str, Any] = {"timezone": "Asia/Shanghai",
                          "cases": {"units": [{"name": "东区", "channels": ["console"]}]}}
ITEM = {"id": "a1", "text": "市人民医院门口发生车祸", "source": "weibo",
        "published_at": "2024-03-05T08:15:00+08:00"}


@pytest.fixture
def served(store_url: str) -> Iterator[tuple[TestClient, Context]]:
    ctx = Context(config=parse_config(CONFIG), database_url=store_url)
    with TestClient(create_app(ctx)) as client:
        yield client, ctx
    ctx.close()


def test_protected_reads_and_settings_are_logged(served: tuple[TestClient, Context]) -> None:
    client, ctx = served
    admin = api_headers(ctx.store, "root", "admin")
    han = api_headers(ctx.store, "han", "handler", "东区")
    client.post("/api/items", json=ITEM, headers=admin)
    service = CaseService(ctx.store, ctx.config)
    case = service.open_case("医院门口车祸", actor="han", role="handler", unit="东区")
    petition = intake.add_petition(service, PetitionInput(
        channel="letter", subject="投诉", unit="东区", contact={"name": "张三", "phone": "138"}),
        actor="han", role="handler").petition.id
    reads = [
        client.get(f"/api/cases/{case}", headers=han),
        client.get(f"/cases/{case}", headers=han),
        client.post(f"/api/petitions/{petition}/contact", headers=han,
                    json={"actor": "han", "role": "handler", "reason": "回访"}),
        client.get("/api/cases/export.csv", headers=han),
        client.get("/api/export/alerts.csv", headers=han),
        client.get("/feed/export?format=csv", headers=han),
        client.get("/api/reports/daily?date=2024-03-05&format=html", headers=han),
        client.get(f"/api/cases/{case}/review.html", headers=han),
        client.get("/api/items/weibo:a1", headers=han),
        client.get("/items/weibo:a1", headers=han),
    ]
    assert [r.status_code for r in reads] == [200] * len(reads)
    client.post("/api/web/units", json={"name": "西区"}, headers=admin)
    log = client.get("/api/web/audit", params={"limit": 100}, headers=admin).json()
    mine = [(e["action"], e["target"]) for e in log if e["actor"] == "han"]
    assert set(mine) >= {
        ("view", f"case:{case}"), ("contact", f"petition:{petition}"),
        ("export", "cases.csv"), ("export", "alerts.csv"), ("export", "feed.csv"),
        ("download", "report:daily"), ("download", f"case:{case}"), ("view", "item:weibo:a1")}
    assert mine.count(("view", f"case:{case}")) == 2
    assert all(e["address"] == "testclient" and e["at"] for e in log)
    assert ("setting", "unit:西区") in [(e["action"], e["target"]) for e in log
                                        if e["actor"] == "root"]
    # only an admin browses and exports the log; the export itself is logged
    assert client.get("/api/web/audit", headers=han).status_code == 403
    exported = client.get("/api/web/audit/export.csv", headers=admin)
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["id", "at", "actor", "address", "action", "target", "data"]
    assert len(rows) - 1 == len(log)
    assert client.get("/api/web/audit", params={"action": "export", "limit": 1},
                      headers=admin).json()[0]["target"] == "audit.csv"


def test_the_audit_log_is_append_only(served: tuple[TestClient, Context]) -> None:
    client, ctx = served
    admin = api_headers(ctx.store, "root", "admin")
    client.post("/api/web/units", json={"name": "西区"}, headers=admin)
    for sql in ("UPDATE web_audit SET actor = 'nobody'", "DELETE FROM web_audit"):
        with pytest.raises(DBAPIError, match="append-only"), ctx.store.write() as conn:
            conn.execute(text(sql))
    assert client.get("/api/web/audit", headers=admin).json()[0]["actor"] == "root"
