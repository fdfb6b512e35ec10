"""`yuqing report` end to end: files written, evidence stored, zero report, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from docx import Document
from report_items import seed_sqlite
from yuqing_cli import Invoke

from yuqing.store import open_store


def test_report_daily_docx(cli: Invoke, tmp_path: Path) -> None:
    url = seed_sqlite(tmp_path)
    out = tmp_path / "daily.docx"
    res = cli("report", "daily", "--date", "2024-03-05", "--format", "docx", "--out", str(out),
              "--db", url, "--json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["path"] == str(out) and not doc["zero"] and doc["posts"][0]["key"] == "weibo:1"
    assert "共监测到相关信息6条" in "\n".join(p.text for p in Document(str(out)).paragraphs)
    with open_store(url) as store:
        assert len(store.reports.evidence(doc["report_id"])) == len(doc["posts"])


def test_report_zero_day_html(cli: Invoke, tmp_path: Path) -> None:
    url = seed_sqlite(tmp_path)
    res = cli("report", "daily", "--date", "2024-04-01", "--format", "html", "--db", url)
    assert res.exit_code == 0, res.stderr
    html = (tmp_path / "daily-2024-04-01.html").read_text(encoding="utf-8")
    assert "特此零报告" in html and "2024年4月1日" in html


def test_report_bad_input(cli: Invoke, tmp_path: Path) -> None:
    url = seed_sqlite(tmp_path)
    res = cli("report", "daily", "--format", "odt", "--db", url)
    assert res.exit_code == 2 and "--format 'odt'" in res.stderr
    res = cli("report", "yearly", "--db", url)
    assert res.exit_code == 2 and "report kind 'yearly'" in res.stderr
    res = cli("report", "daily", "--date", "5 March", "--db", url)
    assert res.exit_code == 2 and "--date '5 March'" in res.stderr
    res = cli("report", "special", "--db", url)
    assert res.exit_code == 2 and "give --event ID, or a date range" in res.stderr


def test_report_format_follows_or_must_agree_with_the_out_extension(
        cli: Invoke, tmp_path: Path) -> None:
    url = seed_sqlite(tmp_path)
    clash = cli("report", "daily", "--date", "2024-03-05", "--format", "html", "--out",
                str(tmp_path / "x.pdf"), "--db", url)
    assert clash.exit_code == 2 and not (tmp_path / "x.pdf").exists()
    assert "theextension.pdfcontradicts--formathtml" in "".join(clash.stderr.split())
    derived = cli("report", "daily", "--date", "2024-03-05", "--out", str(tmp_path / "y.html"),
                  "--db", url, "--json")
    assert derived.exit_code == 0, derived.stderr
    assert json.loads(derived.stdout)["format"] == "html"
    assert (
        (tmp_path / "y.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype")
    )


def test_report_out_in_a_missing_folder_names_the_folder(cli: Invoke, tmp_path: Path) -> None:
    url = seed_sqlite(tmp_path)
    res = cli("report", "daily", "--out", str(tmp_path / "nonexistent" / "x.html"), "--db", url)
    assert res.exit_code == 2
    assert f"thefolder{tmp_path / 'nonexistent'}doesnotexist" in "".join(res.stderr.split())
