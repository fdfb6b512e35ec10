"""End-to-end test of `yuqing run --once` (src/yuqing/cli/run.py): a real local feed, the
whole pipeline, alerts delivered to a real local webhook, then exit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from alert_servers import running_http_server
from pageserver import running_page_server
from yuqing_cli import Invoke, one_json, write_toml

from yuqing.store import open_store

CONFIG = """\
[[sources]]
name = "county"
kind = "rss"
url = "{feed}"
delay = 0

[[sources]]
name = "gone"
kind = "rss"
url = "{gone}"
delay = 0

[[schemes]]
name = "公共安全"
subject_words = ["警察", "车祸", "医院"]

[[alerts.rules]]
name = "负面或敏感"
negative = true
sensitive = true
channels = ["duty"]

[[alerts.channels]]
name = "duty"
kind = "webhook"
url = "{hook}/ok"
allow_internal = true
"""


def feed(published: datetime) -> str:
    """An RSS feed of one negative and one neutral item, published at ``published``."""
    when = published.strftime("%a, %d %b %Y %H:%M:%S +0000")
    items = [("1", "市人民医院门口发生严重车祸，两人受伤，警察到场处置，家属很愤怒"),
             ("2", "公园里的花开得很好看，周末去散步")]
    entries = "".join(f"<item><title>{text[:8]}</title><link>http://county.example.cn/{n}"
                      f"</link><description>{text}</description><pubDate>{when}</pubDate>"
                      "</item>" for n, text in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>县政府网</title>{entries}</channel></rss>")


def test_run_once_polls_processes_delivers_and_exits(cli: Invoke, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'once.db'}"
    with running_page_server() as site, running_http_server() as hook:
        site.add("/rss.xml", feed(datetime.now(UTC) - timedelta(minutes=10)),
                 headers={"Content-Type": "application/rss+xml; charset=utf-8"})
        config = write_toml(tmp_path, CONFIG.format(
            feed=site.url("/rss.xml"), gone=site.url("/gone.xml"), hook=hook.url))
        first = cli("run", "--once", "--json", "--config", str(config), "--db", db)
        assert first.exit_code == 0, first.stderr
        doc = one_json(first)
        posts = [r for r in hook.requests if r["path"] == "/ok"]
        second = cli("run", "--once", "--json", "--config", str(config), "--db", db)
    assert (doc["read"], doc["stored"], doc["alerts"]) == (2, 2, 1)
    assert doc["pushed"]["stored"] == 0
    county, gone = doc["sources"]["county"], doc["sources"]["gone"]
    assert county["status"] == "ok" and county["polls_24h"] == 1
    assert 590 <= county["freshness_lag_s"] < 3600
    assert gone["status"] == "failed" and gone["last_error"]["message"].endswith(": HTTP 404")
    assert len(posts) == 1 and "车祸" in posts[0]["body"].decode("utf-8")
    with open_store(db) as store:
        (alert,) = store.alerts.history(10)
        assert [d["status"] for d in alert["deliveries"]] == ["sent"]
    again = one_json(second)
    assert (again["stored"], again["alerts"]) == (0, 0)  # the same items: updates at most


def test_run_once_without_sources_says_so(cli: Invoke, tmp_path: Path) -> None:
    config = write_toml(tmp_path, '[[schemes]]\nname = "s"\nsubject_words = ["x"]\n')
    result = cli("run", "--once", "--config", str(config), "--db",
                 f"sqlite:///{tmp_path / 'y.db'}")
    assert result.exit_code == 2
    assert "no enabled source: nothing to do; add a [[sources]] table" in result.stderr
    config.write_text('[[sources]]\nname = "县论坛"\nkind = "rss"\nurl = "http://127.0.0.1:9/"\n'
                      'enabled = false\n', encoding="utf-8")
    disabled = cli("run", "--once", "--config", str(config), "--db",
                   f"sqlite:///{tmp_path / 'y.db'}")
    assert disabled.exit_code == 2
    assert "set enabled = true in one of its [[sources]] (县论坛)" in disabled.stderr


def test_run_once_names_a_failing_source_and_its_error(cli: Invoke, tmp_path: Path) -> None:
    config = tmp_path / "yuqing.toml"
    config.write_text('[[sources]]\nname = "县论坛"\nkind = "rss"\n'
                      'url = "http://127.0.0.1:9/feed.xml"\n', encoding="utf-8")
    result = cli("run", "--once", "--config", str(config), "--db",
                 f"sqlite:///{tmp_path / 'y.db'}")
    assert result.exit_code == 0, result.stderr
    (line,) = [ln for ln in result.stderr.splitlines() if "source failing" in ln]
    assert "县论坛: " in line and len(line.split("县论坛: ", 1)[1]) > 10


def test_a_bad_row_of_a_dropped_file_is_filed_under_its_source(
        cli: Invoke, tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "a.csv").write_text(
        "id,text,published_at\n1,青山县医院门口排长队,2024-03-05 08:00\n"
        '2,"引号没有关上,2024-03-05 08:10\n', encoding="utf-8")
    config = write_toml(tmp_path,
                        '[[sources]]\nname = "导出"\nkind = "file"\npath = "exports/*.csv"\n')
    db = f"sqlite:///{tmp_path / 'y.db'}"
    result = cli("run", "--once", "--json", "--config", str(config), "--db", db)
    assert result.exit_code == 0, result.stderr
    assert one_json(result)["rejected"] == 1
    with open_store(db) as store:
        (rejection,) = store.list_rejections(source="导出")
    assert "a.csv:3" in rejection["detail"] or "a.csv:3" in rejection["origin"]
