"""Tests of yuqing.sources.csv_decode: rows of a CSV text, decoded line by line, refusals kept.

Item-level behaviour (the same rules seen through ``read_items``) is in test_files.py.
"""

from __future__ import annotations

import codecs
import gzip
from pathlib import Path

import pytest

from yuqing.domain import BadInput
from yuqing.sources.csv_decode import csv_records, detect_csv_encoding, open_binary


def _rows(path: Path, **kwargs: bool) -> tuple[list[tuple[str, dict[str, str]]], list[str]]:
    found = list(csv_records(path, **kwargs))
    return ([r for r in found if not isinstance(r, BadInput)],
            [str(r) for r in found if isinstance(r, BadInput)])


def test_rows_are_origin_and_column_dict_for_every_line_ending(tmp_path: Path) -> None:
    f = tmp_path / "endings.csv"
    f.write_bytes(codecs.BOM_UTF8 + "id,text\r\n1,北京\r2,上海\n3,广州".encode())
    rows, bad = _rows(f)
    assert bad == []
    assert rows == [(f"{f}:2", {"id": "1", "text": "北京"}),
                    (f"{f}:3", {"id": "2", "text": "上海"}),
                    (f"{f}:4", {"id": "3", "text": "广州"})]


def test_gzipped_gb18030_and_utf16_files_give_the_same_rows(tmp_path: Path) -> None:
    text = "id,text\n1,社区通知停水\n2,地铁故障\n"
    gb = tmp_path / "gb.csv.gz"
    gb.write_bytes(gzip.compress(text.encode("gb18030")))
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes(text.encode("utf-16"))
    assert (detect_csv_encoding(gb), detect_csv_encoding(utf16)) == ("gb18030", "utf-16")
    with open_binary(gb) as fb:
        assert fb.read() == text.encode("gb18030")
    for path in (gb, utf16):
        rows, bad = _rows(path)
        assert bad == [] and [r["text"] for _, r in rows] == ["社区通知停水", "地铁故障"]


def test_a_line_valid_in_neither_encoding_is_refused_alone(tmp_path: Path) -> None:
    f = tmp_path / "mixed.csv"
    f.write_bytes("id,text\n1,北京下雨\n".encode() + b"2,\xff\xfe\xfd\n" + "3,上海\n".encode())
    rows, bad = _rows(f)
    assert [r["id"] for _, r in rows] == ["1", "3"]
    assert len(bad) == 1 and bad[0].startswith(f"{f}:3: not valid UTF-8 or GB18030 (")
    assert bad[0].endswith("); this line is refused")


def test_header_problems(tmp_path: Path) -> None:
    repeated = tmp_path / "repeated.csv"
    repeated.write_text("id,text,id\n1,a,b\n", encoding="utf-8")
    assert _rows(repeated) == ([], [f"{repeated}:1: missing or repeated column names in "
                                    "header ['id', 'text', 'id']"])
    bad_header = tmp_path / "bad_header.csv"
    bad_header.write_bytes(b"id,\xff\xfe\xfd\n1,a\n")
    with pytest.raises(BadInput, match=r"bad_header\.csv:1: the header line is refused: not "
                                       r"valid UTF-8 or GB18030"):
        list(csv_records(bad_header))


def test_check_sees_the_header_and_refuses_before_any_row(tmp_path: Path) -> None:
    f = tmp_path / "labels.csv"
    f.write_text("\ufefftext , label\n好,positive\n", encoding="utf-8")
    seen: list[list[str]] = []

    def check(header: list[str]) -> None:
        seen.append(header)
        raise BadInput(f"{f}:1: no class column")

    with pytest.raises(BadInput, match="no class column"):
        next(csv_records(f, check))
    assert seen == [["text", "label"]]  # names stripped, a second BOM dropped


def test_comment_rows_are_skipped_only_when_asked(tmp_path: Path) -> None:
    f = tmp_path / "fixture.csv"
    f.write_text("text,label\n# where these came from\n#话题# 很好,positive\n好,positive\n",
                 encoding="utf-8")
    rows, bad = _rows(f, comments=True)
    assert bad == [] and rows == [(f"{f}:4", {"text": "好", "label": "positive"})]
    rows, bad = _rows(f)  # a data set: a post may start with a hashtag
    assert [r["text"] for _, r in rows] == ["#话题# 很好", "好"]
    assert bad == [f"{f}:2: 1 columns, the header has 2"]
