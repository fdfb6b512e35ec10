"""One truth across processes (runtime/scaleout.py): many pipelines on one store decide as one.

The stream test runs on every runtime (tests/runtime/conftest.py ``runtime``): two
Pipeline objects on one database (each with its own memory, as two processes have) on
SQLite and on PostgreSQL, and two Celery workers on RabbitMQ and PostgreSQL; the
subprocess test runs two real ``yuqing ingest`` processes at the same moment on
PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pipeline_runs import make_pipeline, total
from runtimes import MakeRuntime
from scaleout_support import decisions, stream
from yuqing_cli import write_config

from yuqing.store import Store, open_store

RULES_TOML = """
[[schemes]]
name = "民生"
subject_words = ["地铁", "食堂", "自来水", "快递", "高速"]

[[alerts.rules]]
name = "负面"
negative = true
sensitive = true
channels = ["log"]

[[alerts.channels]]
name = "log"
kind = "console"
style = "line"
"""


def test_two_processors_taking_turns_decide_as_one(tmp_path: Path,
                                                   runtime: MakeRuntime) -> None:
    """The same stream through one in-process pipeline and through two processors taking
    turns (two pipelines with their own memory, or two Celery workers) gives the same
    items, duplicates, events and alerts."""
    raws = stream()
    batches = [raws[i : i + 4] for i in range(0, len(raws), 4)]
    with open_store(f"sqlite:///{tmp_path / 'reference.db'}") as reference:
        one = make_pipeline(reference, RULES_TOML)
        for batch in batches:
            one.process(batch)
        one.close()
        expected = decisions(reference)
    shared = runtime(RULES_TOML, workers=2)
    outcomes = shared.process(batches)

    assert total(outcomes).read == len(raws)
    assert decisions(shared.store) == expected
    copies = [key for key, dup, _ in expected["items"] if dup]  # type: ignore[attr-defined]
    events = {event for _, _, event in expected["items"]}  # type: ignore[attr-defined]
    assert len(copies) >= 15 and len(events) < len(expected["items"]) - 15  # type: ignore[arg-type]


def test_a_failed_step_leaves_nothing_and_the_next_one_rebuilds(store: Store) -> None:
    pipeline = make_pipeline(store, alerts=False)
    raws = stream()
    pipeline.process(raws[:6])
    dedup = pipeline.shared.shared[0]

    def broken(items: object) -> None:
        raise RuntimeError("stage failed")

    dedup.process = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="stage failed"):
        pipeline.process(raws[6:12])
    assert store.count_items() == 6  # the failed batch stored nothing
    outcome = pipeline.process(raws[6:12])  # a fresh de-duplicator, warmed from the store
    assert pipeline.shared.shared[0] is not dedup
    assert outcome.stored == 6 and store.count_items() == 12


def test_a_ticket_commits_once_and_in_order(store: Store) -> None:
    pipeline = make_pipeline(store, alerts=False)
    raws = stream()
    tickets = [store.shared.issue_ticket() for _ in range(2)]
    assert tickets[1] == tickets[0] + 1
    outcome = pipeline.process_ticket(raws[:3], tickets[0])
    assert outcome is not None and outcome.stored == 3
    assert pipeline.process_ticket(raws[:3], tickets[0]) is None  # delivered twice: no-op
    assert store.shared.turn(tickets[1]) == ("go", tickets[1])


# ----- two real processes ------------------------------------------------------------------

POSTS = ["市第一中学食堂发生食物中毒，家长十分愤怒，学校至今没有回应！",
         "市第一中学食堂发生食物中毒，家长非常愤怒，学校至今没有回应！"]


@pytest.mark.postgres
def test_two_ingest_processes_at_once_make_one_event_and_one_alert(
        tmp_path: Path, postgres_schema_url: str) -> None:
    store_url = postgres_schema_url
    config = write_config(tmp_path)
    files = []
    for i, text in enumerate(POSTS):
        path = tmp_path / f"post{i}.jsonl"
        path.write_text(json.dumps({"id": str(i), "text": text, "source": "weibo",
                                    "published_at": f"2024-03-05T08:1{i}:00+08:00"},
                                   ensure_ascii=False) + "\n", encoding="utf-8")
        files.append(path)
    env = {**os.environ, "PYTHONUTF8": "1"}
    procs = [subprocess.Popen([sys.executable, "-c", "from yuqing.cli import app; app()",
                               "ingest", str(path), "--config", str(config), "--db", store_url,
                               "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=env, text=True)
             for path in files]
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
        outcomes.append(json.loads(out))
    both = total(outcomes)
    assert (both.stored, both.events, both.alerts) == (2, 1, 1)
    with open_store(store_url) as store:
        items = store.iter_items()
        assert len({it.event_id for it in items}) == 1
        assert sorted(it.duplicate_of is None for it in items) == [False, True]
        assert store.count_alerts() == 1
