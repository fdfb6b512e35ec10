"""End-to-end tests of `yuqing ingest` (src/yuqing/cli/ingest.py) on both store backends.

Inputs: the hand-written tests/fixtures/items/e2e_items.{jsonl,csv} (one good
negative item per scheme, one positive/neutral item, and one problem per
other row) and tests/fixtures/feeds/normal.xml.
"""

from __future__ import annotations

from pathlib import Path

from yuqing_cli import FIXTURES, Invoke, flat, one_json, write_config

from yuqing.store import open_store

JSONL = FIXTURES / "items" / "e2e_items.jsonl"
CSV = FIXTURES / "items" / "e2e_items.csv"


def test_ingest_counts_bad_rows_by_reason_and_records_them(
        cli: Invoke, tmp_path: Path, store_url: str) -> None:
    config = write_config(tmp_path)
    result = cli("ingest", str(JSONL), str(CSV), "-c", str(config), "--db", store_url, "--json")
    assert result.exit_code == 0, result.stderr
    doc = one_json(result)
    # each file: 6 rows; broken JSON / wrong column count and empty text are refused; a
    # lossy id is kept under a text key, flagged (docs/FIELD_CASES.md F20.2)
    assert doc["read"] == 12
    assert doc["rejected"] == 4
    assert doc["rejected_by_reason"] == {"bad_input": 2, "empty_text": 2}
    assert doc["changed_by_reason"]["lossy_id"] == 2
    assert doc["stored"] == 8
    assert doc["matched"] == 2 and doc["negative"] >= 1 and doc["alerts"] >= 1
    with open_store(store_url) as store:
        assert store.rejection_counts() == {"bad_input": 2, "empty_text": 2}
        assert store.count_alerts() == doc["alerts"]
        assert store.count_items(sentiment="negative") == doc["negative"]
        # a bad date keeps the item, flagged
        assert store.get_item("forum:c4").flags == ["date_unparsed"]
        assert store.get_item("weibo:j3").flags == ["date_unparsed"]
        assert store.get_item("weibo:j1").schemes == ["公共安全"]
    # `yuqing rejections` lists them with the file:line they came from
    listed = one_json(cli("rejections", "-c", str(config), "--db", store_url, "--json"))
    assert listed["counts"] == {"bad_input": 2, "empty_text": 2}
    origins = {r["origin"].rsplit("/", 1)[-1] for r in listed["rejections"]}
    assert any(o.startswith("e2e_items.jsonl:") for o in origins)
    assert any(o.startswith("e2e_items.csv:") for o in origins)
    empty = one_json(cli("rejections", "--reason", "empty_text", "-c", str(config),
                         "--db", store_url, "--json"))["rejections"]
    assert len(empty) == 2 and all(r["detail"] or r["origin"] for r in empty)
    table = cli("rejections", "-c", str(config), "--db", store_url)
    assert table.exit_code == 0 and table.stderr == ""
    assert "拒收 rejected (4 shown; all: bad_input 2 · empty_text 2)" in table.stdout
    refused = cli("rejections", "--since", "last week", "-c", str(config), "--db", store_url)
    assert refused.exit_code != 0 and "--since'lastweek'" in flat(refused.stderr)


def test_human_output_on_stdout_the_reasons_on_stderr(cli: Invoke, tmp_path: Path) -> None:
    result = cli("ingest", str(CSV), "-c", str(write_config(tmp_path)))
    assert result.exit_code == 0
    out = flat(result.stdout)
    assert "拒收原因empty_text│1" in out and "lossy_id" not in out
    assert "入库stored│4" in out
    # each refused row is named file:line with its problem, as a warning on stderr
    warned = flat(result.stderr)
    assert "e2e_items.csv:3:3columns" in warned
    assert "e2e_items.csv:6:textisempty" in warned
    assert "入库" not in warned


def test_reingest_stores_nothing_new_and_never_realerts(
        cli: Invoke, tmp_path: Path, store_url: str) -> None:
    args = (
        "ingest",
        str(JSONL),
        str(CSV),
        "-c",
        str(write_config(tmp_path)),
        "--db",
        store_url,
        "--json",
    )
    first = one_json(cli(*args))
    again = cli(*args)
    assert again.exit_code == 0
    doc = one_json(again)
    assert first["stored"] == 8
    assert (doc["stored"], doc["updated"], doc["alerts"]) == (0, 0, 0)  # unchanged (F20.9)
    assert doc["rejected"] == 4
    with open_store(store_url) as store:
        assert store.count_alerts() == first["alerts"] >= 1
        assert store.count_items() == 8


def test_ingest_rss_file(cli: Invoke, tmp_path: Path) -> None:
    feed = FIXTURES / "feeds" / "normal.xml"
    result = cli("ingest", str(feed), "--json")
    assert result.exit_code == 0, result.stderr
    doc = one_json(result)
    assert doc["read"] > 0
    assert doc["stored"] == doc["read"] - doc["rejected"] > 0
    with open_store(f"sqlite:///{tmp_path / 'yuqing.db'}") as store:
        assert store.count_items() == doc["stored"]


def test_missing_file_exits_2_naming_it(cli: Invoke) -> None:
    result = cli("ingest", "nope.jsonl", "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "nope.jsonl" in result.stderr and "no such file" in result.stderr


def test_bad_mapping_exits_2(cli: Invoke) -> None:
    result = cli("ingest", str(CSV), "--mapping", "a=b=c")
    assert result.exit_code == 2
    assert "notexchangefields" in flat(result.stderr)
    named = cli("ingest", str(CSV), "--mapping", "no_such_mapping")
    assert named.exit_code == 2
    assert "no_such_mapping" in named.stderr


def test_bad_config_exits_2_naming_the_file(cli: Invoke, tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text("timezone = [\n", encoding="utf-8")
    result = cli("ingest", str(CSV), "-c", "broken.toml")
    assert result.exit_code == 2
    assert "broken.toml" in result.stderr and "TOML" in result.stderr
    (tmp_path / "wrong.toml").write_text("[[schemes]]\nname = 3\n", encoding="utf-8")
    wrong = cli("ingest", str(CSV), "-c", "wrong.toml")
    assert wrong.exit_code == 2
    assert "wrong.toml: schemes[0]: name: should be a valid string, got 3" in wrong.stderr


def test_a_file_with_no_item_read_exits_2_naming_it(cli: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "allbad.jsonl"
    bad.write_text('nope\n{"id": "1"}\n', encoding="utf-8")
    result = cli("ingest", str(JSONL), str(bad), "--json")
    assert result.exit_code == 2
    assert one_json(result)["rejected"] == 2 + 2  # the JSON counts are still printed
    assert f"{bad}:noitemread(2records,allrefused;first:{bad}:1:notvalidJSON" in flat(
        result.stderr)
    assert "e2e_items.jsonl" not in result.stderr.split("错误：", 1)[1]


def test_whole_file_problems_exit_2_before_any_row(cli: Invoke, tmp_path: Path) -> None:
    f = tmp_path / "export.csv"
    f.write_text("id,内容\n1,北京\n", encoding="utf-8")
    result = cli("ingest", str(f), "--mapping", "text=内容x", "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "thecolumnmappingnames['内容x'],notintheheader(columns:['id','内容'])" in flat(
        result.stderr)
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)))
    refused = cli("ingest", str(binary), "--json")
    assert refused.exit_code == 2 and "notUTF-8/GB18030text" in flat(refused.stderr)


def test_a_stray_quote_costs_one_row_not_the_rest_of_the_file(
        cli: Invoke, tmp_path: Path, store_url: str) -> None:
    f = tmp_path / "stray.csv"
    f.write_text('id,text\n1,"unterminated quote\n2,第二行内容\n3,第三行\n', encoding="utf-8")
    result = cli("ingest", str(f), "-c", str(write_config(tmp_path)), "--db", store_url,
                 "--json")
    assert result.exit_code == 0, result.stderr
    doc = one_json(result)
    assert (doc["read"], doc["stored"], doc["rejected"]) == (3, 2, 1)
    assert doc["problems"] == [f"{f}:2: unclosed quote: the quoted field is still open at the "
                               "end of the file (line 4); the lines after this one are read "
                               "again on their own"]


def test_a_nul_byte_in_one_row_costs_that_row_only(
        cli: Invoke, tmp_path: Path, store_url: str) -> None:
    f = tmp_path / "nul.csv"
    f.write_text("id,text\n" + "".join(f"n{n},第{n}行\n" for n in range(99))
                 + "bad,坏\0行\n", encoding="utf-8")
    result = cli("ingest", str(f), "-c", str(write_config(tmp_path)), "--db", store_url,
                 "--json")
    assert result.exit_code == 0, result.stderr
    doc = one_json(result)
    assert (doc["stored"], doc["rejected"]) == (99, 1)
    assert doc["problems"] == [f"{f}:101: holds a NUL byte (at byte 7); this line is refused"]


def test_a_date_under_another_name_is_named_on_stderr(cli: Invoke, tmp_path: Path) -> None:
    """An export whose date field is ``published`` (not ``published_at``) keeps its rows
    with the time received, and the person running it hears why, once per row."""
    rows = tmp_path / "export.jsonl"
    rows.write_text("".join(
        f'{{"id": "{i}", "text": "第{i}条", "source": "t", "published": "2026-12-01 10:00"}}\n'
        for i in range(7)), encoding="utf-8")
    config = str(write_config(tmp_path))
    result = cli("ingest", str(rows), "-c", config)
    assert result.exit_code == 0
    warned = flat(result.stderr)
    assert warned.count("export.jsonl:") == 5 and warned.count("改动changed:") == 6
    assert "改动changed:…2more" in warned
    assert "rename it published_at or map it (--mapping published_at=NAME)".replace(" ", "") \
        in warned
    doc = one_json(cli("ingest", str(rows), "-c", config, "--json",
                       "--db", f"sqlite:///{tmp_path / 'other.db'}"))
    assert doc["changed_by_reason"] == {"date_field_unread": 7} and len(doc["notes"]) == 7
