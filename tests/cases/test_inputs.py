"""The inputs shared by the web API and the CLI (src/yuqing/cases/inputs.py), on both
backends: one bad petition or case move is refused with the same message by
``POST /api/petitions`` / ``POST /api/cases/{id}/moves`` (400) and by ``yuqing petition
add`` / ``yuqing case move`` (exit 2); a missing field is a 422 naming it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_auth import api_headers

from yuqing.cases.inputs import CaseMove, PetitionInput
from yuqing.cli import app
from yuqing.config import parse_config
from yuqing.domain import BadInput, Contact
from yuqing.runtime.context import Context
from yuqing.web.app import create_app

UNIT = "区网信办"
WHO = {"actor": "李值班", "role": "handler"}
PETITION = {"channel": "web", "subject": "城关镇政府拖欠工程款", "unit": UNIT,
            "addressed_level": "county", "contact": {"name": "张三"}}


@pytest.fixture
def client(store_url: str) -> Iterator[TestClient]:
    ctx = Context(config=parse_config({"cases": {"units": [{"name": UNIT, "level": "county"}]}}),
                  database_url=store_url)
    with TestClient(create_app(ctx)) as test_client:
        test_client.headers.update(api_headers(ctx.store, WHO["actor"], "handler"))
        yield test_client
    ctx.close()


@pytest.fixture
def cli(tmp_path: Path, store_url: str,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[CliRunner, list[str]]]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("YUQING_DATABASE_URL", raising=False)
    cfg = tmp_path / "cases.toml"
    cfg.write_text(f'[[cases.units]]\nname = "{UNIT}"\nlevel = "county"\n', encoding="utf-8")
    yield CliRunner(), ["-c", str(cfg), "--db", store_url, "--as", WHO["actor"]]


def words(text: str) -> str:
    """Return ``text`` with line wrapping undone (the CLI wraps long messages)."""
    return " ".join(text.split())


@pytest.mark.parametrize(("bad", "option", "message"), [
    ({"channel": "fax"}, ("--channel", "fax"),
     "petition channel 'fax': expected one of letter, visit, web, phone, wechat"),
    ({"received_at": "soon"}, ("--received", "soon"),
     "time 'soon': expected now, today, yesterday or an ISO date/time such as 2024-03-05 or "
     "2024-03-05T08:00"),
    ({"addressed_level": "ward"}, ("--level", "ward"),
     "addressed level 'ward': expected one of township, county, city, province, national"),
])
def test_a_bad_petition_is_refused_alike_by_web_and_cli(
        client: TestClient, cli: tuple[CliRunner, list[str]], bad: dict[str, str],
        option: tuple[str, str], message: str) -> None:
    web = client.post("/api/petitions", json={**PETITION, **bad, **WHO})
    assert (web.status_code, web.json()["detail"]) == (400, message)
    runner, common = cli
    args = ["petition", "add", PETITION["subject"], "--channel", "web", "--unit", UNIT,
            "--level", "county", "--name", "张三"]
    shell = runner.invoke(app, [*args, *option, *common])
    assert shell.exit_code == 2 and message in words(shell.stderr)
    assert client.get("/api/cases").json() == []  # neither stored anything


def test_unknown_contact_fields_and_missing_fields(client: TestClient) -> None:
    unknown = client.post("/api/petitions", json={**PETITION, "contact": {"wechat": "x"}, **WHO})
    assert (unknown.status_code, unknown.json()["detail"]) == (
        400, "contact: unknown fields ['wechat']")
    missing = client.post("/api/petitions", json={**{k: v for k, v in PETITION.items()
                                                     if k != "subject"}, **WHO})
    assert missing.status_code == 422
    assert [e["loc"] for e in missing.json()["detail"]] == [["body", "subject"]]
    with pytest.raises(BadInput, match=r"contact: unknown fields \['email'\]"):
        PetitionInput(**{**PETITION, "contact": {"email": "a@b"}}).petitioner()  # type: ignore[arg-type]
    assert PetitionInput(**PETITION).petitioner() == Contact(name="张三")  # type: ignore[arg-type]


def test_a_bad_case_move_is_refused_alike_by_web_and_cli(
        client: TestClient, cli: tuple[CliRunner, list[str]]) -> None:
    case_id = client.post("/api/cases", json={"title": "谣言", "unit": UNIT, **WHO}).json()["id"]
    message = ("a case in state 'collected' cannot move to 'closed' "
               "(allowed: verified, rejected, merged)")
    web = client.post(f"/api/cases/{case_id}/moves", json={"state": "closed", **WHO})
    assert (web.status_code, web.json()["detail"]) == (400, message)
    runner, common = cli
    shell = runner.invoke(app, ["case", "move", str(case_id), "closed", *common])
    assert shell.exit_code == 2 and message in words(shell.stderr)
    moved = runner.invoke(app, ["case", "move", str(case_id), "verified", "-m", "属实",
                                "--class", "2", "--json", *common])
    assert moved.exit_code == 0 and '"handling_class": 2' in moved.stdout
    missing = client.post(f"/api/cases/{case_id}/moves", json={"note": "x", **WHO})
    assert missing.status_code == 422
    assert [e["loc"] for e in missing.json()["detail"]] == [["body", "state"]]
    assert CaseMove(state="closed").model_dump() == {
        "state": "closed", "note": None, "handling_class": None, "merge_into": None}
