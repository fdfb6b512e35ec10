"""F8: user dictionaries are honoured in every worker process (docs/FIELD_CASES.md).

User word 加热时间; text 热水器加热时间太长 segmented in separate worker
processes, each building its segmenter from the config alone.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from yuqing.config import parse_config
from yuqing.domain import BadInput
from yuqing.pipeline.segment import Segmenter


def _segment_in_worker(config_dir: str) -> tuple[int, list[str]]:
    cfg = parse_config({"segment": {"user_dicts": ["words.dict"]}}, base_dir=Path(config_dir))
    return os.getpid(), Segmenter.from_config(cfg).cut("热水器加热时间太长")


def test_user_word_is_one_token_in_every_worker(tmp_path: Path) -> None:
    (tmp_path / "words.dict").write_text("加热时间\n", encoding="utf-8")
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        results = list(pool.map(_segment_in_worker, [str(tmp_path)] * 4))
    assert all(pid != os.getpid() for pid, _ in results)
    for _, tokens in results:
        assert "加热时间" in tokens


def test_start_up_self_test_fails_loudly_on_an_ignored_user_word(tmp_path: Path) -> None:
    (tmp_path / "words.dict").write_text("加热时间 0\n", encoding="utf-8")
    cfg = parse_config({"segment": {"user_dicts": ["words.dict"]}}, base_dir=tmp_path)
    with pytest.raises(BadInput, match="self-test.*加热时间"):
        Segmenter.from_config(cfg)
