"""End-to-end tests of `yuqing items` (src/yuqing/cli/items.py): filters on both backends.

The store is filled by `yuqing ingest` of tests/fixtures/items/e2e_items.{jsonl,csv}:
weibo:j1 (negative, 公共安全, contains 警察), weibo:j6 (positive; 警方察看 holds
both characters of 警察 but not the word), forum:c1 (negative, 学校), forum:c6,
and two items with unreadable dates (stored at ingest time).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from yuqing_cli import FIXTURES, Invoke, json_lines, write_config

from yuqing.domain import BadInput
from yuqing.time_range import parse_since

ITEMS = FIXTURES / "items"


@pytest.fixture
def filled(cli: Invoke, tmp_path: Path, store_url: str) -> tuple[str, ...]:
    """Ingest the e2e fixtures; return the common ``--config … --db …`` arguments."""
    common = ("-c", str(write_config(tmp_path)), "--db", store_url)
    result = cli("ingest", str(ITEMS / "e2e_items.jsonl"), str(ITEMS / "e2e_items.csv"), *common)
    assert result.exit_code == 0, result.stderr
    return common


def keys(rows: list[dict[str, object]]) -> set[str]:
    """``source:id`` of each listed item."""
    return {f"{r['source']}:{r['id']}" for r in rows}


def test_query_two_character_word(cli: Invoke, filled: tuple[str, ...]) -> None:
    rows = json_lines(cli("items", "--query", "警察", "--json", *filled))
    assert keys(rows) == {"weibo:j1"}
    assert rows[0]["schemes"] == ["公共安全"]
    assert rows[0]["sentiment"] == "negative"


def test_sentiment_scheme_and_since_filters(cli: Invoke, filled: tuple[str, ...]) -> None:
    negative = json_lines(cli("items", "--sentiment", "negative", "--json", *filled))
    assert {r["sentiment"] for r in negative} == {"negative"}
    assert {"weibo:j1", "forum:c1"} <= keys(negative)
    assert keys(json_lines(cli("items", "--scheme", "学校", "--json", *filled))) == {"forum:c1"}
    # only the two items with unreadable dates carry a recent published_at
    assert keys(json_lines(cli("items", "--since", "7d", "--json", *filled))) == {
        "weibo:j3",
        "forum:c4",
    }
    after = json_lines(
        cli("items", "--since", "2024-03-05T08:30", "--limit", "100", "--json", *filled)
    )
    assert keys(after) == {"weibo:j3", "forum:c4", "weibo:j6", "forum:c6"}


def test_bad_filters_exit_2_naming_the_value(cli: Invoke, filled: tuple[str, ...]) -> None:
    since = cli("items", "--since", "last week", "--json", *filled)
    assert since.exit_code == 2
    assert since.stdout == ""
    assert "'last week'" in since.stderr
    sentiment = cli("items", "--sentiment", "angry", *filled)
    assert sentiment.exit_code == 2
    assert "'angry'" in sentiment.stderr


def test_parse_since_relative_and_iso() -> None:
    now = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
    assert parse_since("24h", "Asia/Shanghai", now) == datetime(2024, 3, 4, 12, 0, tzinfo=UTC)
    assert parse_since("2024-03-05", "Asia/Shanghai", now) == datetime(
        2024, 3, 4, 16, 0, tzinfo=UTC
    )
    with pytest.raises(BadInput, match="'7x'"):
        parse_since("7x", "Asia/Shanghai", now)


def test_the_human_table_is_on_stdout_for_grep(filled: tuple[str, ...], tmp_path: Path) -> None:
    """`yuqing items | grep 医院` finds the item: the table goes to stdout, one row a line
    however long (no folding into a pipe); progress and logs would go to stderr."""
    yuqing = str(Path(sys.executable).with_name("yuqing"))
    env = {k: v for k, v in os.environ.items() if k not in ("YUQING_DATABASE_URL", "COLUMNS")}
    run = subprocess.run([yuqing, "items", "--limit", "100", *filled], capture_output=True,
                         text=True, env=env, cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    rows = [line for line in run.stdout.splitlines() if "医院" in line]
    assert len(rows) == 1 and "市人民医院门口发生严重车祸，两人受伤，警察到场处置" in rows[0]
    assert "weibo" in rows[0] and "negative" in rows[0] and "公共安全" in rows[0]
    command = shlex.join([yuqing, "items", "--limit", "100", *filled]) + " | grep 医院"
    piped = subprocess.run(command, shell=True, capture_output=True, text=True, env=env,
                           cwd=tmp_path, timeout=120)
    assert piped.returncode == 0 and piped.stdout.strip() == rows[0].strip()


def test_a_long_text_is_whole_in_a_pipe_and_marked_when_cut(cli: Invoke, tmp_path: Path,
                                                            store_url: str) -> None:
    """Into a pipe (CliRunner's output is no terminal) `yuqing items` prints the whole text,
    so that a word past the 60th character is found; a terminal's cut ends with "…"."""
    from yuqing.cli.items import TEXT_WIDTH, shown_text

    text = "某县人民医院门诊楼前发生纠纷，" * 8 + "末尾关键词烟花厂"
    feed = tmp_path / "long.jsonl"
    feed.write_text(json.dumps({"id": "long1", "source": "forum", "text": text,
                                "published_at": "2024-03-05T08:00:00+08:00"},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    common = ("-c", str(write_config(tmp_path)), "--db", store_url)
    assert cli("ingest", str(feed), *common).exit_code == 0
    result = cli("items", *common)
    assert result.exit_code == 0, result.stderr
    assert text in result.stdout
    cut = shown_text(text, TEXT_WIDTH)
    assert len(cut) == TEXT_WIDTH and cut.endswith("…") and text.startswith(cut[:-1])
    assert shown_text("短文本", TEXT_WIDTH) == "短文本"
