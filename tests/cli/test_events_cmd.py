"""End-to-end tests of `yuqing events`, `yuqing event ID` and `yuqing eval events`
(src/yuqing/cli/events.py), with the store filled by `yuqing ingest`.

Inputs: tests/fixtures/events/handwritten.jsonl (hand-written, see its README)
and the three docs/FIELD_CASES.md F12 items written here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from yuqing_cli import FIXTURES, Invoke, json_lines, one_json

HANDWRITTEN = FIXTURES / "events" / "handwritten.jsonl"
F12 = [
    {"id": "5012345678901234", "text": "原帖：某路段塌陷，多车受损", "media_type": "weibo",
     "published_at": "Tue Mar 05 08:15:00 +0800 2024", "author": "交通台"},
    {"id": "5012345678909999", "text": "转发 //@路人甲:注意安全",
     "url": "https://weibo.cn/comment/O5banBlCi", "published_at": "2024-03-05 08:20"},
    {"id": "5012345678911111", "text": "转发", "parent_id": "5000000000012345",
     "published_at": "2024-03-05 08:30"},
]


@pytest.fixture
def filled(cli: Invoke, tmp_path: Path, store_url: str) -> tuple[str, ...]:
    """Ingest the fixtures with a config without alert rules; return ``-c … --db …``."""
    config = tmp_path / "plain.toml"
    config.write_text('timezone = "Asia/Shanghai"\n', encoding="utf-8")
    f12 = tmp_path / "weibo.jsonl"
    f12.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in F12), encoding="utf-8")
    common = ("-c", str(config), "--db", store_url)
    result = cli("ingest", str(HANDWRITTEN), str(f12), *common, "--json")
    assert result.exit_code == 0, result.stderr
    assert one_json(result)["events"] >= 13  # 5 matters + 8 noise posts + F12 threads
    return common


def test_events_lists_hottest_first(cli: Invoke, filled: tuple[str, ...]) -> None:
    rows = json_lines(cli("events", "--json", "--limit", "50", *filled))
    heats = [r["heat"] for r in rows]
    assert heats == sorted(heats, reverse=True)
    fire = max((r for r in rows if "杭州" in r["title"]), key=lambda r: r["size"])
    assert fire["size"] >= 4 and fire["level"] == "IV" and "杭州" in fire["keywords"]
    assert fire["title"] == "杭州地铁5号线今天下午发生火灾，车厢冒出浓烟，乘客紧急疏散"
    assert rows[0]["keywords"] and rows[0]["sources"]
    big = json_lines(cli("events", "--json", "--min-size", "3", *filled))
    assert big and all(r["size"] >= 3 for r in big)


def test_event_detail_origin_timeline_edges(cli: Invoke, filled: tuple[str, ...]) -> None:
    rows = json_lines(cli("events", "--json", "--limit", "50", *filled))
    thread = next(r for r in rows if "塌陷" in r["title"])
    doc = one_json(cli("event", thread["id"], "--json", *filled))
    assert doc["origin"]["key"] == "weibo:5012345678901234" and doc["origin"]["collected"]
    assert doc["origin"]["author"] == "交通台" and doc["origin"]["confidence"] == 0.9
    assert {"from": "weibo:5012345678901234", "to": "weibo:5012345678909999"} in doc["edges"]
    assert sum(p["count"] for p in doc["timeline"]) == doc["size"]
    assert doc["first_by_media"] == {"weibo": "2024-03-05T00:15:00+00:00",
                                     "other": "2024-03-05T00:20:00+00:00"}
    assert set(doc) >= {"id", "title", "size", "origin", "timeline", "edges", "level", "heat",
                        "spike", "depth", "breadth", "amplifiers", "placeholders"}


def test_f12_repost_of_uncollected_post_has_a_placeholder_origin(
        cli: Invoke, filled: tuple[str, ...]) -> None:
    rows = json_lines(cli("events", "--json", "--limit", "50", *filled))
    alone = next(r for r in rows if r["representative"] == "weibo:5012345678911111")
    doc = one_json(cli("event", alone["id"], "--json", *filled))
    assert doc["origin"]["collected"] is False
    assert doc["origin"]["short_id"] == "O000003d7"
    assert doc["origin"]["key"] != "weibo:5012345678911111"


def test_unknown_event_exits_2(cli: Invoke, filled: tuple[str, ...]) -> None:
    result = cli("event", "Enope", "--json", *filled)
    assert result.exit_code == 2 and "Enope" in result.stderr and result.stdout == ""


def test_eval_events_json_shape(cli: Invoke) -> None:
    doc = one_json(cli("eval", "events", "--data", str(HANDWRITTEN), "--json"))
    assert doc["n"] == 32 and 0.85 <= doc["bcubed_f1"] <= 1.0
    assert set(doc["baseline"]) == {"name", "bcubed_f1", "ari"}
    assert doc["baseline"]["bcubed_f1"] < doc["bcubed_f1"]


def test_eval_events_missing_file_exits_2(cli: Invoke, tmp_path: Path) -> None:
    result = cli("eval", "events", "--data", str(tmp_path / "none.jsonl"), "--json")
    assert result.exit_code == 2 and "none.jsonl" in result.stderr


def test_event_summarize_writes_a_cited_summary(cli: Invoke, filled: tuple[str, ...],
                                                tmp_path: Path) -> None:
    from chat_server import running_chat_server

    rows = json_lines(cli("events", "--json", "--limit", "50", *filled))
    fire = max((r for r in rows if "杭州" in r["title"]), key=lambda r: r["size"])
    refused = cli("event", fire["id"], "--summarize", *filled)
    assert refused.exit_code == 2 and "--summarize needs an [llm] section" in refused.stderr
    with running_chat_server("杭州地铁5号线发生火灾。[1] 无关的一句话。[2]") as server:
        config = tmp_path / "llm.toml"
        config.write_text(f'timezone = "Asia/Shanghai"\n[llm]\nbase_url = "{server.url()}"\n'
                          'model = "local-model"\n', encoding="utf-8")
        doc = one_json(cli("event", fire["id"], "--summarize", "--json", "-c", str(config),
                           "--db", filled[3]))
    summary = doc["summary"]
    assert summary["model"] == "local-model" and summary["dropped"] == 1
    assert [s["text"] for s in summary["sentences"]] == ["杭州地铁5号线发生火灾。"]
    assert summary["text"].endswith("（另有1句因所引条目不支持而删除。）")
    assert "prompt" not in summary and len(server.requests) == 1
