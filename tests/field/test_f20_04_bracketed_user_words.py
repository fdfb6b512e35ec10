"""F20.4 (docs/FIELD_CASES.md): user dictionary words with brackets.

User words ``[允悲]`` (a Weibo emoticon) and ``【置顶】`` (a pinned-post tag) once
made the segmenter's start-up self-test raise RuntimeError, so every command,
``yuqing check`` included, exited 1. Expected: such words are kept as one
token; a user word the segmenter still cannot keep is a config problem: exit 2
naming the word and where it was given.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from yuqing.cli import app
from yuqing.pipeline.segment import Segmenter

WORDS = ["[允悲]", "【置顶】", "#热搜#", "加热时间"]


def check(tmp_path: Path, toml: str) -> tuple[int, str, str]:
    config = tmp_path / "yuqing.toml"
    config.write_text(toml, encoding="utf-8")
    done = CliRunner().invoke(app, ["check", "-c", str(config), "--db",
                                    f"sqlite:///{tmp_path / 'y.db'}", "--json"])
    return done.exit_code, done.stdout, done.stderr


def test_bracketed_words_are_one_token() -> None:
    seg = Segmenter(user_words=WORDS)
    tokens = seg.cut("【置顶】热水器加热时间太长[允悲]上了#热搜#")
    assert all(w in tokens for w in WORDS), tokens
    assert "[允悲]" in seg.cut("据说[允悲]了吗") and "允悲" not in seg.cut("据说[允悲]了吗")


def test_check_accepts_them(tmp_path: Path) -> None:
    (tmp_path / "words.dict").write_text("[允悲] 10\n【置顶】\n", encoding="utf-8")
    code, out, err = check(tmp_path, '[segment]\nuser_words = ["[允悲]", "【置顶】"]\n'
                                     'user_dicts = ["words.dict"]\n')
    assert code == 0, err
    assert "segment" in json.loads(out)["stages"]


def test_a_word_that_cannot_be_kept_is_exit_2_naming_it(tmp_path: Path) -> None:
    (tmp_path / "words.dict").write_text("加热时间 0\n", encoding="utf-8")  # jieba never prefers it
    code, out, err = check(tmp_path, '[segment]\nuser_dicts = ["words.dict"]\n')
    assert code == 2 and out == ""
    assert "加热时间" in err and "words.dict" in err and "Traceback" not in err
