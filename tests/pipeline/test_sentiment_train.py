"""Tests of yuqing.pipeline.sentiment_train's hand-written domain posts (reading, checks).

Training itself is tested end to end in tests/cli/test_train_cmd.py.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from yuqing.domain import BadInput
from yuqing.pipeline.sentiment_train import default_domain_path, read_domain_csv
from yuqing.pipeline.textnorm import normalize_text

EVAL_SET = Path(__file__).resolve().parents[1] / "fixtures" / "sentiment" / "public_affairs.csv"


def test_shipped_domain_posts_are_balanced_varied_and_apart_from_the_eval_set() -> None:
    path = default_domain_path()
    assert path.is_file(), "the training posts must ship inside the package"
    texts, labels = read_domain_csv(path)
    counts = Counter(labels)
    assert len(texts) >= 450 and min(counts.values()) >= 140, counts
    lengths = sorted(len(t) for t in texts)
    assert lengths[0] >= 10 and lengths[-1] <= 150 and lengths[-5] >= 100
    assert len(set(texts)) == len(texts)
    with EVAL_SET.open(encoding="utf-8-sig", newline="") as fh:
        held_out = {normalize_text(row["text"])[0].strip() for row in csv.DictReader(fh)}
    assert not held_out & {t.strip() for t in texts}


def test_a_bad_row_is_rejected_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("text,label\n学校食堂饭菜很好,positive\n停水通知,neutrl\n医院排队太久,negative\n",
                    encoding="utf-8")
    with pytest.raises(BadInput, match=r"mine\.csv:3: bad row \(label 'neutrl'\)"):
        read_domain_csv(path)
    path.write_text("text,label\n,negative\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"mine\.csv:2: bad row"):
        read_domain_csv(path)
    path.write_text("text,label\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"mine\.csv: no rows"):
        read_domain_csv(path)


def test_domain_posts_are_normalised_like_the_pipeline(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("text,label\n醫院服務很好，謝謝,positive\n", encoding="utf-8")
    assert read_domain_csv(path) == (["医院服务很好，谢谢"], ["positive"])
