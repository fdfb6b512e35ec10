"""End-to-end: the `yuqing` commands take their alert rules from the store, where the
config file's rules are seeded and a rule edited on the web wins (alerts/rulebook.py)."""

from __future__ import annotations

import json
from pathlib import Path

from yuqing_cli import Invoke, one_json, write_config

from yuqing.config import load_config
from yuqing.store import open_store
from yuqing.web.rule_editor import RuleEditor

#: a rule that fires on every 公共安全 match, whatever the sentiment model says
RULE = '\n[[alerts.rules]]\nname = "公共安全"\nschemes = ["公共安全"]\nnegative = false\n' \
       'sensitive = false\nkeywords = ["车祸"]\nchannels = ["console"]\n'


def rule_alerts(store_url: str) -> list[list[str]]:
    """Return the item keys of every stored alert of the rule 公共安全."""
    with open_store(store_url) as store:
        return [s.alert.item_keys for s in store.list_alerts(100) if s.alert.rule == "公共安全"]


def items(path: Path, texts: list[str], start: int) -> Path:
    rows = [{"id": f"k{start + i}", "text": t, "source": "weibo", "media_type": "weibo",
             "published_at": "2024-03-05T08:15:00+08:00"} for i, t in enumerate(texts)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def test_ingest_follows_a_rule_edited_on_the_web_over_the_config_file(
        cli: Invoke, tmp_path: Path, store_url: str) -> None:
    config = write_config(tmp_path, RULE)
    first = items(tmp_path / "a.jsonl", ["市医院门口警察在处理纠纷"], 0)
    doc = one_json(cli("ingest", str(first), "-c", str(config), "--db", store_url, "--json"))
    assert doc["matched"] == 1 and rule_alerts(store_url) == []  # no 车祸, the file's keyword
    with open_store(store_url) as store:
        editor = RuleEditor(store, load_config(config))
        assert [d["origin"] for d in editor.docs() if d["name"] == "公共安全"] == ["config"]
        body = editor.doc("公共安全")["rule"]
        editor.replace("公共安全", {**body, "keywords": ["警察"]}, True, "admin1")
    second = items(tmp_path / "b.jsonl", ["警察在火车站抓获一名小偷，群众拍手称快"], 1)
    doc = one_json(cli("ingest", str(second), "-c", str(config), "--db", store_url, "--json"))
    assert doc["matched"] == 1
    assert rule_alerts(store_url) == [["weibo:k1"]]  # the web's keyword, not the file's
    with open_store(store_url) as store:
        [row] = [
            d for d in RuleEditor(store, load_config(config)).docs() if d["name"] == "公共安全"
        ]
    assert (row["origin"], row["rule"]["keywords"], row["updated_by"]) == (
        "web", ["警察"], "admin1")


def test_check_lists_the_rules_as_stored(cli: Invoke, tmp_path: Path, store_url: str) -> None:
    config = write_config(tmp_path, RULE)
    doc = one_json(cli("check", "-c", str(config), "--db", store_url, "--json"))
    assert "公共安全" in doc["rules"] and doc["rules_skipped"] == {}
    with open_store(store_url) as store:
        editor = RuleEditor(store, load_config(config))
        body = editor.doc("公共安全")["rule"]
        editor.create({**body, "name": "网上新规则", "keywords": ["火灾"]}, True, "admin1")
        editor.set_enabled("公共安全", False, "admin1")
    doc = one_json(cli("check", "-c", str(config), "--db", store_url, "--json"))
    assert "网上新规则" in doc["rules"]  # added on the web
    assert "公共安全" not in doc["rules"]  # disabled on the web
