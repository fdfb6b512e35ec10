"""Settings edited on the web apply without a restart, validated as `yuqing check` validates
the file, each change audited; a changed config file is read in, an invalid one refused
(web/settings_api.py, runtime/live_settings.py; issue 17)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from site_pages import TZGG, running_county
from web_auth import api_headers

from yuqing.config import config_from_data
from yuqing.domain import BadInput
from yuqing.runtime.context import Context, make_context
from yuqing.runtime.live_settings import export_toml, import_toml, with_sections
from yuqing.web.app import create_app
from yuqing.web.messages import localize

TOML = """\
[[schemes]]
name = "交通"
subject_words = ["车祸"]

[[alerts.channels]]
name = "console"
kind = "console"
"""


def write_config(path: Path, text: str) -> None:
    """Write ``text`` and move the file's mtime on, so a change is seen even within one
    tick of the file system's clock."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


@pytest.fixture
def app_ctx(tmp_path: Path, store_url: str) -> Context:
    path = tmp_path / "yuqing.toml"
    write_config(path, TOML)
    ctx = make_context(config_path=path, db=store_url)
    ctx.live.refresh_s = 0.0
    return ctx


def push(client: TestClient, key: str, text: str) -> dict[str, Any]:
    """Push one item and return it as stored."""
    answer = client.post("/api/items", json={"id": key, "source": "论坛", "text": text})
    assert answer.status_code == 200, answer.text
    return client.get(f"/api/items/论坛:{key}").json()


def test_web_edits_apply_to_the_next_item_without_a_restart(app_ctx: Context) -> None:
    ctx = app_ctx
    with TestClient(create_app(ctx)) as client:
        client.headers.update(api_headers(ctx.store))
        first = push(client, "1", "县医院门口排长队，挂号难")
        assert first["schemes"] == []
        version = client.get("/api/web/settings").json()["version"]
        saved = client.post("/api/web/settings/schemes", json={
            "entry": {"name": "医疗", "subject_words": ["医院"]}, "version": version})
        assert saved.status_code == 200, saved.text
        lexicon = client.post("/api/web/settings/lexicons", json={
            "entry": {"category": "民生", "terms": ["挂号难"]},
            "version": saved.json()["version"]})
        assert lexicon.status_code == 200, lexicon.text
        second = push(client, "2", "县医院门口又排长队，挂号难")
        audit = client.get("/api/web/audit", params={"action": "setting"}).json()
        current = client.get("/api/web/settings").json()
    ctx.close()
    assert second["schemes"] == ["医疗"]
    assert {"term": "挂号难", "category": "民生"}.items() <= second["sensitive_terms"][0].items()
    assert [e["target"] for e in audit][:2] == ["lexicon:民生", "scheme:医疗"]
    assert current["version"] == version + 2
    assert [s["name"] for s in current["sections"]["schemes"]] == ["交通", "医疗"]


def test_a_bad_edit_is_refused_with_the_message_of_yuqing_check(app_ctx: Context) -> None:
    ctx = app_ctx
    bad_scheme = {"name": "坏", "expression": "医院 AND (挂号"}
    with TestClient(create_app(ctx)) as client:
        client.headers.update(api_headers(ctx.store))
        version = client.get("/api/web/settings").json()["version"]
        refused = client.post("/api/web/settings/schemes",
                              json={"entry": bad_scheme, "version": version})
        unknown_kind = client.post("/api/web/settings/channels", json={
            "entry": {"name": "值班", "kind": "carrier-pigeon"}, "version": version})
        stale = client.post("/api/web/settings/schemes", json={
            "entry": {"name": "医疗", "subject_words": ["医院"]}, "version": version - 1})
        after = client.get("/api/web/settings").json()
    assert ctx.source is not None
    data = with_sections(ctx.source.data, {"schemes": [*ctx.source.data["schemes"], bad_scheme]})
    with pytest.raises(BadInput) as check:
        ctx.check(config_from_data(data, base_dir=Path("."), name="settings"))
    ctx.close()
    assert refused.status_code == 400
    # yuqing check's message, in the page's language (zh by default: web/messages.py)
    assert refused.json()["detail"] == localize(str(check.value), "zh")
    assert "schemes[1]" in refused.json()["detail"]
    assert unknown_kind.status_code == 400 and "carrier-pigeon" in unknown_kind.json()["detail"]
    assert stale.status_code == 409
    assert after["version"] == version
    assert [s["name"] for s in after["sections"]["schemes"]] == ["交通"]


def test_a_changed_file_is_read_in_and_an_invalid_one_refused(app_ctx: Context) -> None:
    ctx = app_ctx
    assert ctx.source is not None and ctx.source.path is not None
    path = ctx.source.path
    with TestClient(create_app(ctx)) as client:
        client.headers.update(api_headers(ctx.store))
        write_config(path, TOML + '\n[[schemes]]\nname = "医疗"\nsubject_words = ["医院"]\n')
        picked = push(client, "1", "县医院门口排长队")
        write_config(path, TOML + '\n[[schemes]]\nname = "坏"\nexpression = "医院 AND ("\n')
        kept = push(client, "2", "县医院门口又排长队")
        shown = client.get("/api/web/settings").json()
        page = client.get("/settings").text
    ctx.close()
    assert picked["schemes"] == ["医疗"]
    assert kept["schemes"] == ["医疗"]  # the refused file changed nothing
    assert shown["file_error"] and "schemes[1]" in shown["file_error"]
    assert "schemes[1]" in page


def test_a_second_process_takes_the_version_in_force(app_ctx: Context,
                                                     store_url: str) -> None:
    ctx = app_ctx
    assert ctx.source is not None and ctx.source.path is not None
    other = make_context(config_path=ctx.source.path, db=store_url)
    other.live.refresh_s = 0.0
    version = ctx.live.version
    doc = {**ctx.live.doc, "schemes": [*ctx.live.doc["schemes"],
                                       {"name": "医疗", "subject_words": ["医院"]}]}
    ctx.live.save(doc, actor="tester", note="add a scheme")
    assert other.refresh_settings() is True
    assert other.live.version == version + 1
    assert [s.name for s in other.config.schemes] == ["交通", "医疗"]
    outcome = other.pipeline.process([])
    assert outcome.read == 0
    assert other.pipeline.built.get("schemes") is not None
    other.close()
    ctx.close()


def test_export_and_import_round_trip(app_ctx: Context, tmp_path: Path) -> None:
    ctx = app_ctx
    doc = {**ctx.live.doc, "schemes": [{"name": "医疗", "subject_words": ["医院", "卫健委"]}]}
    ctx.live.save(doc, actor="tester", note="replace the schemes")
    exported = export_toml(ctx.live)
    assert "[[schemes]]" in exported and '"卫健委"' in exported
    ctx.live.save({**doc, "schemes": []}, actor="tester", note="none")
    version = import_toml(ctx.live, exported, name="backup.toml", actor="tester")
    assert [s.name for s in ctx.config.schemes] == ["医疗"]
    with pytest.raises(BadInput, match="backup.toml"):
        import_toml(ctx.live, exported.replace('"医院"', '"医院", 3'), name="backup.toml",
                    actor="tester")
    assert ctx.live.version == version
    ctx.close()


def test_fetch_now_shows_what_a_source_would_collect_and_stores_nothing(
        app_ctx: Context) -> None:
    ctx = app_ctx
    entry = {"name": "青山县政府", "kind": "site", "delay": 0}
    with running_county("127.0.0.2") as county, TestClient(create_app(ctx)) as client:
        client.headers.update(api_headers(ctx.store))
        tried = client.post("/api/web/settings/sources/try",
                            json={"entry": {**entry, "url": county.url(TZGG)}})
        bad = client.post("/api/web/settings/sources/try",
                          json={"entry": {**entry, "kind": "carrier-pigeon"}})
    stored = ctx.store.stats()
    states = ctx.store.list_source_states()
    ctx.close()
    assert tried.status_code == 200, tried.text
    doc = tried.json()
    assert doc["status"] != "failed" and doc["count"] >= 2
    assert any("青山县" in (it["title"] or "") for it in doc["items"])
    assert bad.status_code == 400 and "carrier-pigeon" in bad.json()["detail"]
    assert stored["items"] == 0 and states == []  # nothing stored: no item, no health


def test_a_comment_in_the_file_keeps_the_web_edits(app_ctx: Context, store_url: str) -> None:
    """A file edit counts only when its settings sections change: a comment added to the
    file, or the same file read by another command, must not replace what the web saved."""
    ctx = app_ctx
    assert ctx.source is not None and ctx.source.path is not None
    path = ctx.source.path
    doc = {**ctx.live.doc, "schemes": [*ctx.live.doc["schemes"],
                                       {"name": "医疗", "subject_words": ["医院"]}]}
    saved = ctx.live.save(doc, actor="tester", note="add a scheme")
    write_config(path, "# 值班室的配置\n" + TOML)
    assert ctx.refresh_settings() is False
    other = make_context(config_path=path, db=store_url)
    other.live.refresh_s = 0.0
    assert other.live.version == saved
    assert [s.name for s in other.config.schemes] == ["交通", "医疗"]
    other.close()
    ctx.close()
