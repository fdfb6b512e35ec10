"""`yuqing run --once` on a website source: twice, a notice published in between."""

from __future__ import annotations

from pathlib import Path

from site_pages import NEW_TITLE, TZGG, ZWDT, publish_new_notice, running_county
from yuqing_cli import Invoke, one_json


def test_run_once_twice_stores_a_new_notice_once(cli: Invoke, tmp_path: Path) -> None:
    with running_county("127.0.0.3") as county:
        (tmp_path / "yuqing.toml").write_text(f"""\
[[sources]]
name = "青山县政府"
kind = "site"
url = ["{county.url(TZGG)}", "{county.url(ZWDT)}"]
delay = 0
""", encoding="utf-8")
        first = cli("run", "--once", "--json")
        assert first.exit_code == 0, first.stderr
        doc = one_json(first)
        # three notices stored; three listed ones have no page (404), named in the health
        assert (doc["stored"], doc["rejected"]) == (3, 3)
        assert doc["sources"]["青山县政府"]["status"] == "degraded"
        publish_new_notice(county)
        second = one_json(cli("run", "--once", "--json"))
        third = one_json(cli("run", "--once", "--json"))
        stored = cli("items", "--json", "--query", "义务植树")
    assert (second["stored"], second["updated"], second["rejected"]) == (1, 0, 0)
    assert (third["stored"], third["updated"], third["read"]) == (0, 0, 0)
    assert [line for line in stored.stdout.splitlines() if NEW_TITLE in line] != []
    assert county.paths().count("/qsx/tzgg/202403/t20240306_1010.html") == 1
