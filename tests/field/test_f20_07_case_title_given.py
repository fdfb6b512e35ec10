"""F20.7 (docs/FIELD_CASES.md): ``yuqing case open TITLE --item KEY``.

The help says the item's title is used only when no title is given; the
title given was ignored. Expected: a title, ``--class`` and ``--channel``
given win over what the item (or alert, or event) would give; without them
the item's title and its suggested class are used.
"""

from __future__ import annotations

import json
from pathlib import Path

from report_items import make
from typer.testing import CliRunner

from yuqing.cli import app
from yuqing.store import open_store

KEY = "weibo:7001"


def case_open(tmp_path: Path, *args: str) -> dict[str, object]:
    url = f"sqlite:///{tmp_path / 'y.db'}"
    with open_store(url) as store:
        if store.get_item(KEY) is None:
            store.save_items([make(KEY, "燃气表读数异常，物业回应正在排查", 9.0,
                                   title="燃气表读数异常", handling_class=3)])
    done = CliRunner().invoke(app, ["case", "open", *args, "--item", KEY, "--unit", "区网信办",
                                    "--as", "李四", "--db", url, "--json"])
    assert done.exit_code == 0, done.stderr
    doc = json.loads(done.stdout)
    assert isinstance(doc, dict)
    return doc


def test_the_title_and_class_given_win(tmp_path: Path) -> None:
    doc = case_open(tmp_path, "物业燃气表投诉专案", "--class", "2")
    assert doc["title"] == "物业燃气表投诉专案" and doc["suggested_class"] == 2


def test_without_them_the_item_gives_them(tmp_path: Path) -> None:
    doc = case_open(tmp_path)
    assert doc["title"] == "燃气表读数异常" and doc["suggested_class"] == 3
