"""A scheme edited while the pipeline runs (web settings, ``config import``) reaches the
events stage: its subject words keep the office's different happenings apart (issue 19)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from yuqing.config import Config, SchemeConfig
from yuqing.domain import RawItem
from yuqing.pipeline.event_subject import SubjectWords
from yuqing.pipeline.events import EventClusterer
from yuqing.runtime.pipeline import Pipeline
from yuqing.runtime.registries import load_registries
from yuqing.store import Store

FIXTURE = Path(__file__).parents[1] / "fixtures" / "events" / "one_hospital_incidents.tsv"
POSTS = [tuple(line.split("\t")) for line in FIXTURE.read_text(encoding="utf-8").splitlines()
         if line and not line.startswith("#")]
HAPPENINGS = len({label for label, _, _ in POSTS})
HOSPITAL = SchemeConfig(name="县人民医院", region_words=["青山县"],
                        expression="青山县人民医院 OR 县医院")
T0 = datetime(2026, 6, 1, tzinfo=UTC)


def test_a_scheme_added_live_gives_the_events_stage_its_subject_words(store: Store) -> None:
    pipe = Pipeline(Config(), store, registries=load_registries(), alerts_enabled=False)
    try:
        stage = next(s for s in pipe.built.stages if isinstance(s, EventClusterer))
        assert stage.subject.words == []
        pipe.reconfigure(Config(schemes=[HOSPITAL]))
        assert stage.subject.words == SubjectWords.of_schemes([HOSPITAL]).words
        assert {"青山县", "青山县人民医院", "县医院"} <= set(stage.subject.words)
        pipe.process([RawItem(source="hand", id=str(i), text=text, author=author,
                              fetched_at=T0 + timedelta(days=1),
                              published_at=T0 + timedelta(minutes=15 * i))
                      for i, (_, author, text) in enumerate(POSTS)])
        events = {it.event_id for it in store.iter_items(limit=len(POSTS) + 1)}
        assert len(events) >= HAPPENINGS
    finally:
        pipe.close()
