"""Tests of yuqing.sources.files: reading files of items, streaming, bad rows."""

from __future__ import annotations

import codecs
import gzip
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from yuqing.config import SourceConfig, parse_config
from yuqing.domain import BadInput, RawItem
from yuqing.sources.base import FetchState
from yuqing.sources.csv_decode import detect_csv_encoding
from yuqing.sources.files import (
    FileSource,
    count_rows,
    default_source_name,
    path_problem,
    read_items,
)

ITEMS = Path(__file__).parents[1] / "fixtures" / "items"
FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"
AT = datetime(2024, 3, 5, tzinfo=UTC)


def _split(results: list[RawItem | BadInput]) -> tuple[list[RawItem], list[str]]:
    return ([r for r in results if isinstance(r, RawItem)],
            [str(r) for r in results if isinstance(r, BadInput)])


def test_bad_rows_csv_each_problem_named_and_run_goes_on() -> None:
    path = ITEMS / "bad_rows.csv"
    items, bad = _split(list(read_items(path, fetched_at=AT)))
    assert bad == [
        f"{path}:3: 3 columns, the header has 7",
        f"{path}:7: neither 'id' nor 'url' is given",
    ]
    by_id = {i.id or i.url: i for i in items}
    assert list(by_id) == ["1001", "7.31234567890123E+18", "5.01E+15", "1005",
                           "http://x.example.cn/p/1", "1008", "1009", "1010"]
    assert by_id["1001"].reposts == 3 and by_id["1001"].origin == f"{path}:2"
    assert by_id["7.31234567890123E+18"].flags == ["lossy_id"]
    assert by_id["5.01E+15"].flags == ["lossy_id"]
    bad_count = by_id["1005"]
    assert (bad_count.reposts, bad_count.comments, bad_count.likes) == (None, 12000, 1234)
    assert bad_count.flags == ["bad_count"]
    assert by_id["1008"].flags == ["empty_text"]
    assert by_id["1009"].text == "多行\n文本" and by_id["1009"].origin == f"{path}:10"
    assert by_id["1010"].origin == f"{path}:12"  # line numbers stay right after a multi-line row
    assert {i.source for i in items} == {"bad_rows"}



def test_csv_unclosed_quote_loses_only_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "stray_quote.csv"
    path.write_text(
        "id,text,published_at\n"
        "1,学校食堂饭菜发霉变质，家长投诉,2025-06-10 08:00\n"
        '2,"broken quote row, 医院,2025-06-10 09:00\n'
        "3,派出所民警救助走失老人,2025-06-10 10:00\n"
        '4,"多行\n文本",2025-06-10 11:00\n'
        "5,太多,列,在\n"
        "6,最后一行,2025-06-10 12:00\n", encoding="utf-8")
    items, bad = _split(list(read_items(path, fetched_at=AT)))
    assert [i.id for i in items] == ["1", "3", "4", "6"]
    assert [i.origin for i in items] == [f"{path}:{n}" for n in (2, 4, 5, 8)]
    assert items[2].text == "多行\n文本"  # a good multi-line field stays one row
    assert len(bad) == 2
    assert bad[0].startswith(f"{path}:3: unclosed quote: it runs to line")
    assert bad[1] == f"{path}:7: 4 columns, the header has 3"


@pytest.mark.parametrize("later", [2, 10_000])
def test_csv_quote_open_at_end_of_file_is_refused_and_later_rows_kept(
        tmp_path: Path, later: int) -> None:
    path = tmp_path / "open_quote.csv"
    rows = "".join(f"{n},第{n}行，派出所民警救助走失老人\n" for n in range(2, 2 + later))
    path.write_text('id,text\n1,"他说""你好"" 然后走了\n' + rows, encoding="utf-8")
    items, bad = _split(list(read_items(path, fetched_at=AT)))
    assert [i.id for i in items] == [str(n) for n in range(2, 2 + later)]
    assert items[0].origin == f"{path}:3" and items[0].text == "第2行，派出所民警救助走失老人"
    why = ("is still open at the end of the file (line 4)" if later == 2 else
           "runs over more than 100 lines or 100,000 characters (to line 102)")
    assert bad == [f"{path}:2: unclosed quote: the quoted field {why}; the lines after this "
                   "one are read again on their own"]


def test_csv_quote_closed_by_a_far_stray_quote_is_refused_past_the_limit(
        tmp_path: Path) -> None:
    path = tmp_path / "far_quote.csv"
    good = [f"{n},第{n}行" for n in range(3, 203)]
    # the stray quote at line 2 is "closed" by another stray quote 200 lines later, giving
    # a row of the right width: only the 100-line limit tells it from a real field
    path.write_text("id,text\n" + '1,"开头\n' + "\n".join(good) + '\n203,结尾"\n'
                    + '204,"多行\n文本"\n', encoding="utf-8")
    items, bad = _split(list(read_items(path, fetched_at=AT)))
    assert [i.id for i in items] == [str(n) for n in range(3, 205)]
    assert items[-2].text == '结尾"' and items[-1].text == "多行\n文本"
    assert bad == [f"{path}:2: unclosed quote: the quoted field runs over more than 100 lines "
                   "or 100,000 characters (to line 102); the lines after this one are read "
                   "again on their own"]
    long_field = tmp_path / "long_field.csv"  # a real quoted field under the limits stays
    body = "\n".join(["段落" * 400] * 99)
    long_field.write_text(f'id,text\n1,"{body}"\n2,后面\n', encoding="utf-8")
    items, bad = _split(list(read_items(long_field, fetched_at=AT)))
    assert bad == [] and [i.id for i in items] == ["1", "2"] and items[0].text == body

@pytest.mark.parametrize("name", ["mixed.jsonl", "mixed.jsonl.gz"])
def test_jsonl_bad_lines_named(name: str) -> None:
    path = ITEMS / name
    items, bad = _split(list(read_items(path, fetched_at=AT, media_type="weibo")))
    assert [i.id for i in items] == ["12345678901234567890123", None, "5012345678901234.0"]
    assert items[1].url == "http://y.example.cn/1" and items[1].source == "people.cn"
    assert items[1].extra == {"topic": "交通"}
    assert items[2].flags == ["lossy_id"]
    assert items[0].likes == 7 and items[0].media_type == "weibo" and items[0].source == "mixed"
    assert bad[0].startswith(f"{path}:2: not valid JSON")
    assert bad[1] == f"{path}:4: expected an object, got list"
    assert bad[2].startswith(f"{path}:7: no 'text' field")


def test_json_array() -> None:
    path = ITEMS / "array.json"
    items, bad = _split(list(read_items(path)))
    assert [i.id for i in items] == ["a1", "3"]
    assert bad == [f"{path}[1]: no 'text' field (columns: ['id'])",
                   f"{path}[2]: expected an object, got str"]


def test_feed_file_with_f2_problems() -> None:
    items, bad = _split(list(read_items(FEEDS / "f2_bad_entry.xml", media_type="news")))
    assert bad == [] and [i.text for i in items] == ["正文一", "正文二", "“引号”"]
    assert items[0].source == "f2_bad_entry" and items[0].origin.endswith("f2_bad_entry.xml#1")


def test_not_a_feed_file_yields_bad_input(tmp_path: Path) -> None:
    f = tmp_path / "page.xml"
    f.write_text("<html><body>hello</body></html>", encoding="utf-8")
    (result,) = list(read_items(f))
    assert isinstance(result, BadInput) and "not a feed" in str(result)


def test_mapping_on_foreign_columns() -> None:
    mapping = {"published_at": "time", "id": "mid", "text": "content", "parent_id": "root",
               "author_id": "uid", "reposts": "fw", "comments": "cm", "likes": "zan"}
    items, bad = _split(list(read_items(ITEMS / "foreign.csv", mapping=mapping)))
    assert bad == []
    assert [(i.id, i.parent_id, i.reposts, i.extra) for i in items] == [
        ("m1", None, 1, {"kind": "post"}), ("m2", "m1", None, {"kind": "comment"})]


def test_unknown_type_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match=r"unknown file type '\.txt'"):
        read_items(tmp_path / "a.txt")
    with pytest.raises(BadInput, match="file not found"):
        read_items(tmp_path / "a.csv")


def test_header_problems(tmp_path: Path) -> None:
    f = tmp_path / "dup.csv"
    f.write_text("id,text,id\n1,a,2\n", encoding="utf-8")
    (result,) = list(read_items(f))
    assert isinstance(result, BadInput) and str(result).startswith(f"{f}:1: missing or repeated")


def test_reading_is_lazy(tmp_path: Path) -> None:
    f = tmp_path / "big.csv.gz"
    with gzip.open(f, "wt", encoding="utf-8") as out:
        out.write("id,text\n")
        for n in range(20000):
            out.write(f"{n},第{n}条\n")
    it = read_items(f)
    first = next(it)
    assert isinstance(first, RawItem) and first.id == "0"
    assert count_rows(f) == 20000
    assert sum(1 for _ in it) == 19999


def test_count_rows_and_names() -> None:
    assert count_rows(ITEMS / "mixed.jsonl") == 7
    assert count_rows(ITEMS / "f4_utf8.csv") == 1
    assert count_rows(ITEMS / "array.json") is None
    assert default_source_name(Path("x/replay_stream.csv.gz")) == "replay_stream"
    assert default_source_name(Path("weibo.2024.jsonl")) == "weibo.2024"
    assert detect_csv_encoding(ITEMS / "f4_gb18030.csv.gz") == "gb18030"


def test_file_source_reads_once_until_changed(tmp_path: Path) -> None:
    f = tmp_path / "watch.jsonl"
    f.write_text('{"id": "1", "text": "一"}\n', encoding="utf-8")
    src = FileSource(SourceConfig(name="w", kind="file", path=str(f), media_type="forum"),
                     clock=lambda: AT)
    first = src.fetch(FetchState())
    assert first.status == "ok" and [i.id for i in first.items] == ["1"]
    assert first.items[0].source == "w" and first.items[0].media_type == "forum"
    state = first.next_state(FetchState())
    assert src.fetch(state).status == "not_modified"
    f.write_text('{"id": "1", "text": "一"}\n{"id": "2"}\n', encoding="utf-8")
    os.utime(f, ns=(1, 2))
    third = src.fetch(state)
    assert third.status == "degraded" and len(third.rejected) == 1
    assert third.error and third.error.startswith("1 bad records, first:")


def test_file_source_missing_file_fails(tmp_path: Path) -> None:
    src = FileSource(SourceConfig(name="w", kind="file", path=str(tmp_path / "gone.csv")))
    result = src.fetch(FetchState())
    assert result.status == "failed" and "gone.csv" in (result.error or "")


def test_file_source_requires_path() -> None:
    with pytest.raises(BadInput, match="source 'w' \\(kind file\\): option 'path' is required"):
        FileSource(SourceConfig(name="w", kind="file"))


def test_utf8_csv_with_stray_latin1_or_gbk_lines_keeps_good_rows_intact(tmp_path: Path) -> None:
    stray = tmp_path / "stray.csv"
    good = [f"{n},今天北京下雨了，第{n}条" for n in range(5)]
    stray.write_bytes(("id,text\n" + "\n".join(good) + "\n").encode() + b"9,caf\xe9\n")
    assert detect_csv_encoding(stray) == "utf-8"
    items, bad = _split(list(read_items(stray, fetched_at=AT)))
    assert [i.text for i in items] == [g.split(",", 1)[1] for g in good]
    assert bad == [f"{stray}:7: not valid UTF-8 or GB18030 ('utf-8' codec can't decode byte "
                   "0xe9 in position 5: invalid continuation byte); this line is refused"]
    mixed = tmp_path / "mixed.csv"  # a GBK line in a UTF-8 file is read as GB18030
    mixed.write_bytes("id,text\n1,北京下雨了\n".encode() + "2,广州大风\n".encode("gbk")
                      + "3,上海晴天\n".encode())
    items, bad = _split(list(read_items(mixed, fetched_at=AT)))
    assert bad == []
    assert [(i.id, i.text) for i in items] == [("1", "北京下雨了"), ("2", "广州大风"),
                                               ("3", "上海晴天")]


def test_latin1_lines_outnumbering_utf8_ones_never_garble_the_utf8_rows(
        tmp_path: Path) -> None:
    f = tmp_path / "latin.csv"
    f.write_bytes("id,text\n1,市民反映小区停水三天\n".encode() + b"2,Jos\xe9\n3,Caf\xe9\n"
                  + b"4,plain ascii\r5,cr only\r")
    assert detect_csv_encoding(f) == "utf-8"  # Latin-1 lines are no evidence of GB18030
    items, bad = _split(list(read_items(f, fetched_at=AT)))
    assert [(i.id, i.text) for i in items] == [("1", "市民反映小区停水三天"),
                                               ("4", "plain ascii"), ("5", "cr only")]
    assert [b.split(" (", 1)[0] for b in bad] == [f"{f}:3: not valid UTF-8 or GB18030",
                                                  f"{f}:4: not valid UTF-8 or GB18030"]


def test_gb18030_file_refuses_undecodable_lines_instead_of_storing_u_fffd(
        tmp_path: Path) -> None:
    f = tmp_path / "gbk.csv"
    f.write_bytes("id,text\nk0,市民投诉噪音扰民\nk1,道路积水严重\n".encode("gb18030")
                  + b"k9,bad \xff\xfe row\n" + "k2,已经处理\n".encode("gb18030"))
    assert detect_csv_encoding(f) == "gb18030"
    items, bad = _split(list(read_items(f, fetched_at=AT)))
    assert [(i.id, i.text) for i in items] == [("k0", "市民投诉噪音扰民"), ("k1", "道路积水严重"),
                                               ("k2", "已经处理")]
    assert len(bad) == 1 and bad[0].startswith(f"{f}:4: not valid UTF-8 or GB18030 (")
    assert not any("\ufffd" in i.text for i in items)


def test_utf16_line_with_bytes_that_are_not_utf16_is_refused_alone(tmp_path: Path) -> None:
    f = tmp_path / "u16.csv"
    lone_surrogate = "2,".encode("utf-16-le") + b"\x00\xd8" + "x\n".encode("utf-16-le")
    f.write_bytes(codecs.BOM_UTF16_LE + "id,text\n1,北京\n".encode("utf-16-le") + lone_surrogate
                  + "3,上海\n".encode("utf-16-le"))
    items, bad = _split(list(read_items(f, fetched_at=AT)))
    assert [(i.id, i.text) for i in items] == [("1", "北京"), ("3", "上海")]
    assert bad == [f"{f}:3: not valid UTF-16 (an odd byte or a lone surrogate); this line is "
                   "refused"]


def test_gb18030_throughout_is_still_read_as_gb18030(tmp_path: Path) -> None:
    f = tmp_path / "excel.csv"
    f.write_bytes("id,text\n1,学校食堂饭菜发霉\n2,医院排队太久\n".encode("gb18030"))
    assert detect_csv_encoding(f) == "gb18030"
    items, bad = _split(list(read_items(f, fetched_at=AT)))
    assert bad == [] and [i.text for i in items] == ["学校食堂饭菜发霉", "医院排队太久"]


def test_utf16_csv_is_decoded_and_binary_refused_as_a_whole(tmp_path: Path) -> None:
    u16 = tmp_path / "unicode.csv"
    u16.write_bytes("id,text\n1,北京下雨了\n".encode("utf-16"))
    items, bad = _split(list(read_items(u16, fetched_at=AT)))
    assert bad == [] and [(i.id, i.text) for i in items] == [("1", "北京下雨了")]
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(BadInput, match=r"photo\.csv: NUL bytes .* not UTF-8/GB18030 text"):
        list(read_items(binary))


def test_header_lacking_a_mapped_or_needed_column_is_one_error(tmp_path: Path) -> None:
    f = tmp_path / "export.csv"
    f.write_text("id,内容\n1,北京\n2,上海\n", encoding="utf-8")
    with pytest.raises(BadInput) as mapped:
        list(read_items(f, mapping={"text": "内容x"}))
    assert str(mapped.value) == (f"{f}:1: the column mapping names ['内容x'], not in the header "
                                 "(columns: ['id', '内容'])")
    with pytest.raises(BadInput, match=r"no text column 'text' in the header"):
        list(read_items(f))
    no_id = tmp_path / "noid.csv"
    no_id.write_text("text\n北京\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"neither 'id' nor 'url' is a column"):
        list(read_items(no_id))
    items, bad = _split(list(read_items(f, mapping={"text": "内容"}, fetched_at=AT)))
    assert bad == [] and [i.text for i in items] == ["北京", "上海"]


def test_one_nul_byte_refuses_its_line_not_the_file(tmp_path: Path) -> None:
    f = tmp_path / "nul.csv"
    rows = [f"n{n},第{n}行，社区通知停水" for n in range(1000)]
    rows[500] = "n500,第500行\0坏了"
    f.write_text("id,text\n" + "\n".join(rows) + '\nq,"多行\n带\0的\n文本"\nlast,最后\n',
                 encoding="utf-8")
    items, bad = _split(list(read_items(f, fetched_at=AT)))
    assert len(items) == 1000 and "n500" not in {i.id for i in items}
    assert items[-1].id == "last" and not any("\0" in i.text for i in items)
    assert bad == [f"{f}:502: holds a NUL byte (at byte 14); this line is refused",
                   f"{f}:1002: a quoted field runs over line 1003 (holds a NUL byte); the row "
                   "is refused",
                   f"{f}:1003: holds a NUL byte (at byte 3); this line is refused"]


def test_nul_bytes_in_a_real_share_of_lines_refuse_the_whole_file(tmp_path: Path) -> None:
    many = tmp_path / "many.csv"  # 2 of 52 lines: more than 1 %
    rows = [f"{n},第{n}行" for n in range(50)]
    rows[10] = rows[20] = "x,\0\0"
    many.write_text("id,text\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"many\.csv: NUL bytes in the first MiB \(in the lines; "
                                       r"2 of 52 lines hold one\): a binary file"):
        list(read_items(many))
    no_bom = tmp_path / "utf16le.csv"
    no_bom.write_bytes("id,text\n1,北京下雨了\n".encode("utf-16-le"))
    with pytest.raises(BadInput, match=r"\(in the header line; .* or UTF-16 without BOM"):
        list(read_items(no_bom))


def drop_folder_source(base: Path, path: str = "exports/*") -> FileSource:
    """A file source as `yuqing.toml` in ``base`` would build it (relative ``path``)."""
    cfg = parse_config({"sources": [{"name": "drop", "kind": "file", "path": path}]},
                       base_dir=base)
    return FileSource(cfg.sources[0], clock=lambda: AT)


def test_drop_folder_reads_each_file_once_and_a_changed_file_again(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a.csv").write_text("id,text\na1,甲\na2,乙\n", encoding="utf-8")
    (folder / "b.jsonl").write_text('{"id": "b1", "text": "丙"}\n', encoding="utf-8")
    (folder / "notes.txt").write_text("not items", encoding="utf-8")
    src = drop_folder_source(tmp_path)
    assert src.path == tmp_path / "exports" / "*"  # relative to the config file's folder
    first = src.fetch(FetchState())
    assert sorted(i.id for i in first.items) == ["a1", "a2", "b1"]
    assert first.status == "degraded" and "notes.txt" in str(first.rejected[0])
    state = first.next_state(FetchState())
    assert src.fetch(state).status == "not_modified"
    (folder / "c.csv").write_text("id,text\nc1,丁\n", encoding="utf-8")
    second = src.fetch(state)
    assert [i.id for i in second.items] == ["c1"] and second.status == "ok"
    state = second.next_state(state)
    (folder / "a.csv").write_text("id,text\na1,甲\na2,乙\na3,戊\n", encoding="utf-8")
    (folder / "b.jsonl").unlink()
    third = src.fetch(state)
    assert [i.id for i in third.items] == ["a1", "a2", "a3"]  # the changed file, whole
    assert src.fetch(third.next_state(state)).status == "not_modified"


def test_drop_folder_empty_missing_and_a_single_files_old_cursor(tmp_path: Path) -> None:
    missing = drop_folder_source(tmp_path, "exports/*.csv").fetch(FetchState())
    assert missing.status == "failed"
    folder = tmp_path / "exports"
    assert missing.error == f"{folder / '*.csv'}: folder {folder} not found"
    (tmp_path / "exports").mkdir()
    assert drop_folder_source(tmp_path, "exports/*.csv").fetch(FetchState()).status == \
        "not_modified"
    one = tmp_path / "one.jsonl"
    one.write_text('{"id": "1", "text": "一"}\n', encoding="utf-8")
    st = one.stat()
    old = FetchState(cursor=f"{st.st_mtime_ns}:{st.st_size}")  # saved before globs
    assert drop_folder_source(tmp_path, "one.jsonl").fetch(old).status == "not_modified"


def test_path_problem_of_a_file_source(tmp_path: Path) -> None:
    def problem(path: str) -> tuple[str | None, str | None]:
        cfg = parse_config({"sources": [{"name": "d", "kind": "file", "path": path}]},
                           base_dir=tmp_path)
        return path_problem(cfg.sources[0])

    error, _ = problem("exports/*.csv")
    assert error == (f"path 'exports/*.csv' ({tmp_path / 'exports' / '*.csv'}): folder "
                     f"{tmp_path / 'exports'} does not exist")
    (tmp_path / "exports").mkdir()
    assert problem("exports/*.csv")[1] == (
        f"path 'exports/*.csv' ({tmp_path / 'exports' / '*.csv'}): no file there yet")
    (tmp_path / "exports" / "x.csv").write_text("id,text\n", encoding="utf-8")
    assert problem("exports/*.csv") == (None, None)
    assert problem(str(tmp_path / "exports" / "x.csv")) == (None, None)
    assert problem("nowhere/x.csv")[0] is not None
