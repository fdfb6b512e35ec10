"""Group commit: calls that wait for a running batch are merged, each still gets its own counts."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from alert_servers import running_http_server

from yuqing.config import parse_config
from yuqing.domain import BadInput, Item, RawItem
from yuqing.pipeline.base import BaseStage
from yuqing.runtime.outcome import Outcome
from yuqing.runtime.pipeline import Pipeline, split_total
from yuqing.runtime.registries import load_registries
from yuqing.store import Store

NOW = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)


def raw(i: str, text: str) -> RawItem:
    return RawItem(source="weibo", id=i, text=text, fetched_at=NOW, published_at="2024-03-05 08:15")


class CountingStage(BaseStage):
    """A stage that only records the size of every batch it sees."""

    name = "counting"

    def __init__(self) -> None:
        self.batches: list[int] = []

    def process(self, items: list[Item]) -> None:
        self.batches.append(len(items))


CALLS: list[list[RawItem | BadInput]] = [
    [raw("1", "市第一中学食堂发生食物中毒，家长十分愤怒，学校至今没有回应！"),
     raw("2", "今天天气不错，出去走走。")],
    [raw("3", "市第二医院急诊排队五个小时无人管，患者家属非常愤怒！"),
     BadInput("push[1]: no text")],
    [raw("1", "市第一中学食堂发生食物中毒，家长十分愤怒，学校至今没有回应！")],  # again: unchanged
    [raw("4", "   ")],
]


def test_waiting_calls_run_as_one_batch_with_their_own_outcomes(store: Store) -> None:
    with running_http_server() as server:
        cfg = parse_config({
            "schemes": [{"name": "民生", "subject_words": ["中学", "医院"]}],
            "alerts": {"rules": [{"name": "负面", "channels": ["duty"]}],
                       "channels": [{"name": "duty", "kind": "webhook", "url": f"{server.url}/ok",
                                     "allow_internal": True}]}})
        pipe = Pipeline(cfg, store, registries=load_registries())
        counting = CountingStage()
        pipe.built.stages.append(counting)  # type: ignore[arg-type]
        results: dict[int, Outcome] = {}

        def call(k: int) -> None:
            results[k] = pipe.process(CALLS[k])

        threads = [threading.Thread(target=call, args=(k,)) for k in range(len(CALLS))]
        with pipe._lock:  # a batch is "running": every call has to wait
            for k, t in enumerate(threads):
                t.start()
                while len(pipe._waiting) < k + 1:  # keep arrival order = CALLS order
                    time.sleep(0.001)
        for t in threads:
            t.join(30)

    assert counting.batches == [4]  # one pass of the stages for the 4 good items
    got = [(o.read, o.stored, o.updated, o.rejected, o.alerts) for o in
           (results[k] for k in range(len(CALLS)))]
    assert got == [(2, 2, 0, 0, 1), (2, 1, 0, 1, 1), (1, 0, 0, 0, 0), (1, 0, 0, 1, 0)]
    assert results[3].rejected_by_reason == {"empty_text": 1}
    assert store.count_alerts() == 2 and len(server.requests) == 2


def test_a_lone_call_is_not_merged_and_errors_reach_every_merged_caller(store: Store) -> None:
    pipe = Pipeline(parse_config({}), store, registries=load_registries(), alerts_enabled=False)
    assert pipe.process([raw("9", "今天天气不错，出去走走。")]).stored == 1

    class Broken(BaseStage):
        name = "broken"

        def process(self, items: list[Item]) -> None:
            raise RuntimeError("stage broke")

    pipe.built.stages.append(Broken())
    errors: list[str] = []

    def call(i: str) -> None:
        try:
            pipe.process([raw(i, "市民反映小区停车难。")])
        except RuntimeError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=call, args=(str(i),)) for i in range(3)]
    with pipe._lock:
        for t in threads:
            t.start()
        while len(pipe._waiting) < 3:
            time.sleep(0.001)
    for t in threads:
        t.join(30)
    assert errors == ["stage broke"] * 3


def test_split_total_puts_the_difference_on_the_last_share() -> None:
    assert split_total(5, [2, 2, 1]) == [2, 2, 1]
    assert split_total(4, [2, 2, 1]) == [2, 2, 0]
    assert split_total(0, [2, 0]) == [2, 0]  # never negative
    assert split_total(3, []) == []


def test_submitted_batches_are_merged_by_the_pipeline_thread(store: Store) -> None:
    pipe = Pipeline(parse_config({}), store, registries=load_registries(), alerts_enabled=False)
    counting = CountingStage()
    pipe.built.stages.append(counting)  # type: ignore[arg-type]
    with pipe._lock:  # a batch is running: everything submitted now waits for it
        futures = [pipe.submit([raw(str(i), f"市民反映第{i}个小区停车难，物业不管。")])
                   for i in range(5)]
        futures.append(pipe.submit([BadInput("push[0]: no text")]))
    outcomes = [f.result(30) for f in futures]
    assert counting.batches == [5]  # one merged batch, run by the pipeline's own thread
    assert [(o.read, o.stored, o.rejected) for o in outcomes] == [(1, 1, 0)] * 5 + [(1, 0, 1)]
