"""End-to-end tests of `yuqing alerts` (src/yuqing/cli/alerts.py) with REAL receivers.

The store is filled by `yuqing ingest` of tests/fixtures/items/e2e_items.jsonl
with a rule sending to a webhook on a local HTTP server.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from yuqing_cli import FIXTURES, Invoke, one_json, write_config

sys.path.insert(0, str(Path(__file__).parents[1] / "alerts"))

from alert_servers import HttpServer, running_http_server  # noqa: E402

HOOK = """
[[alerts.channels]]
name = "hook"
kind = "webhook"
url = "{url}/ok"
allow_internal = true

[[alerts.channels]]
name = "robot"
kind = "wecom"
url = "{url}/wecom-refuses?key=s3cret-robot-key"
allow_internal = true
"""


@pytest.fixture
def server() -> Iterator[HttpServer]:
    with running_http_server() as running:
        yield running


def config(tmp_path: Path, server: HttpServer) -> str:
    path = write_config(tmp_path, HOOK.format(url=server.url))
    text = path.read_text(encoding="utf-8").replace('channels = ["console"]', 'channels = ["hook"]')
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_alerts_json_lists_deliveries(cli: Invoke, tmp_path: Path, store_url: str,
                                      server: HttpServer) -> None:
    cfg = config(tmp_path, server)
    ingested = cli("ingest", str(FIXTURES / "items" / "e2e_items.jsonl"), "-c", cfg,
                   "--db", store_url, "--json")
    assert ingested.exit_code == 0, ingested.stderr
    n = one_json(ingested)["alerts"]
    doc = one_json(cli("alerts", "-c", cfg, "--db", store_url, "--json"))
    assert len(doc["alerts"]) == n >= 1 == len(server.requests) // n
    first = doc["alerts"][0]
    assert [(d["channel"], d["status"], d["attempts"]) for d in first["deliveries"]] == [
        ("hook", "sent", 1)]
    assert first["deliveries"][0]["tries"][0]["outcome"] == "sent"
    assert first["created_at"].endswith("+08:00")


def test_alerts_test_channel(cli: Invoke, tmp_path: Path, server: HttpServer) -> None:
    cfg = config(tmp_path, server)
    ok = cli("alerts", "test", "hook", "-c", cfg, "--db", f"sqlite:///{tmp_path / 'a.db'}",
             "--json")  # --db is taken like on every other command
    assert ok.exit_code == 0 and one_json(ok)["ok"] is True
    assert json.loads(server.requests[0]["body"])["title"] == "【舆情预警】测试消息"
    refused = cli("alerts", "test", "robot", "-c", cfg, "--json")
    doc = one_json(refused)
    assert refused.exit_code == 1
    assert (doc["ok"], doc["error"]) == (False, "WeCom errcode 93000: invalid webhook url")
    assert "s3cret" not in refused.stdout and doc["target"].endswith("key=***")
    unknown = cli("alerts", "test", "nope", "-c", cfg)
    assert unknown.exit_code == 2 and "'nope' is not configured" in unknown.stderr


STORM = """
[[schemes]]
name = "通报"
subject_words = ["通报"]

[[alerts.rules]]
name = "每条通报"
negative = false
sensitive = false
channels = ["console"]
max_per_window = 1

[[alerts.rules]]
name = "只记录"
negative = false
sensitive = false
channels = []

[[alerts.channels]]
name = "console"
kind = "console"
style = "line"
"""
NOTICES = [
    "城东新建公园今日开放",
    "地铁三号线周末延长运营",
    "图书馆举办少儿阅读节",
    "农贸市场完成改造",
]


def test_alerts_held_by_the_storm_cap_say_so(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "storm.toml"
    path.write_text(STORM, encoding="utf-8")
    items = tmp_path / "notices.jsonl"
    items.write_text("".join(json.dumps({"id": f"n{i}", "source": "weibo", "text": f"通报：{t}",
                                         "published_at": f"2025-06-01T0{i}:00:00+08:00"},
                                        ensure_ascii=False) + "\n"
                             for i, t in enumerate(NOTICES)), encoding="utf-8")
    ingested = cli("ingest", str(items), "-c", str(path), "--json")
    assert ingested.exit_code == 0, ingested.stderr
    alerts = one_json(cli("alerts", "-c", str(path), "--json"))["alerts"]
    capped = [a for a in alerts if a["rule"] == "每条通报"]
    # one alert went out, then the storm summary; the other three were held, and say so
    assert (
        sorted((a["held"], len(a["deliveries"])) for a in capped if a["held"]) == [("storm", 0)] * 3
    )
    assert [len(a["deliveries"]) for a in capped if a["held"] is None] == [1, 1]
    # a rule without channels records alerts without deliveries: not held
    uncapped = [a for a in alerts if a["rule"] == "只记录"]
    assert len(uncapped) == 4 and all(a["held"] is None and a["deliveries"] == [] for a in uncapped)
    human = cli("alerts", "-c", str(path)).stdout
    assert human.count("held (storm cap)") == 3 and human.count("no channels") == 4


def test_alerts_resend_sends_a_failed_delivery_again(cli: Invoke, tmp_path: Path,
                                                     store_url: str, server: HttpServer) -> None:
    path = write_config(tmp_path, HOOK.format(url=server.url).replace("/ok", "/refuses-first"))
    path.write_text(path.read_text(encoding="utf-8").replace(
        'channels = ["console"]', 'channels = ["hook", "console"]'), encoding="utf-8")
    cfg = str(path)
    ingested = cli("ingest", str(FIXTURES / "items" / "e2e_items.jsonl"), "-c", cfg,
                   "--db", store_url, "--json")
    assert ingested.exit_code == 0, ingested.stderr
    alerts = one_json(cli("alerts", "-c", cfg, "--db", store_url, "--json"))["alerts"]
    failed = [a["id"] for a in alerts
              if [(d["channel"], d["status"]) for d in a["deliveries"]] == [
                  ("console", "sent"), ("hook", "failed")]]
    assert len(failed) == 1, alerts  # the receiver refused the first request (HTTP 400)
    before = len(server.requests)

    result = cli("alerts", "resend", str(failed[0]), "987654", "-c", cfg, "--db", store_url,
                 "--json")
    assert result.exit_code == 2, result.stderr  # one id was refused; the failed one went
    doc = one_json(result)
    assert [a["id"] for a in doc["alerts"]] == [failed[0], 987654]
    resent, missing = doc["alerts"]
    assert (resent["resent"], resent["ok"], resent["refused"]) == (["hook"], True, None)
    assert [(d["channel"], d["status"], d["attempts"]) for d in resent["deliveries"]] == [
        ("console", "sent", 1), ("hook", "sent", 1)]
    assert (missing["resent"], missing["ok"], missing["refused"]) == ([], False,
                                                                       "no alert 987654")
    assert len(server.requests) == before + 1  # the failed delivery went out once more
    assert server.requests[-1]["status"] == 200
    history = one_json(cli("alerts", "-c", cfg, "--db", store_url, "--json"))["alerts"]
    again = next(a for a in history if a["id"] == failed[0])["deliveries"][1]
    assert [t["outcome"] for t in again["tries"]] == ["failed", "sent"]  # the failure is kept

    nothing_left = cli("alerts", "resend", str(failed[0]), "-c", cfg, "--db", store_url)
    assert nothing_left.exit_code == 2
    assert (f"#{failed[0]}: 未重发 not resent: no delivery of it failed for good (deliveries: "
            "console sent, hook sent)") in nothing_left.stdout
    assert len(server.requests) == before + 1


def test_alerts_says_when_there_are_none(cli: Invoke, tmp_path: Path) -> None:
    cfg = str(write_config(tmp_path, ""))
    db = f"sqlite:///{tmp_path / 'quiet.db'}"
    quiet = tmp_path / "quiet.jsonl"
    quiet.write_text('{"id": "1", "text": "今天天气很好", "source": "t"}\n', encoding="utf-8")
    assert cli("ingest", str(quiet), "-c", cfg, "--db", db).exit_code == 0
    shown = cli("alerts", "-c", cfg, "--db", db)
    assert shown.exit_code == 0 and "没有预警" in shown.stdout
    assert one_json(cli("alerts", "-c", cfg, "--db", db, "--json")) == {"alerts": []}
