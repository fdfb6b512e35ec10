"""`yuqing analyze TEXT`: every analysis of one text, without storing anything."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from yuqing.cli.common import ConfigOpt, JsonOpt, console, emit_json, user_errors
from yuqing.domain import SENTIMENT_LABELS

#: the analysis stages run for one text, in pipeline order (no de-duplication, no schemes)
ANALYZE_STAGES = ("segment", "sentiment", "sensitive", "incidents", "places", "keywords",
                  "handling")


def analyze_text(text: str, config: Any, stages: Any) -> dict[str, Any]:
    """Return the docs/INTERFACES.md ``analyze --json`` document for ``text``:
    ``{"sentiment", "sentiment_score", "sensitive_terms", "places", "keywords",
    "handling_class"}`` plus ``emotion`` (the writer's emotion; ``sentiment`` is the office
    polarity), ``handling`` (confidence, cues), ``incident`` (pipeline/incidents.py:
    ``{"category", "type", "confidence", "cues", "casualties"}`` or None) and ``skipped``
    stages.

    ``config`` is a Config, ``stages`` the stage registry (runtime/context.py Context).
    Raises BadInput when the text is empty after normalisation.
    """
    from yuqing.domain import BadInput, RawItem, RejectedItem
    from yuqing.pipeline.normalize import Normalizer
    from yuqing.runtime.stages import build_stages

    now = datetime.now(UTC)
    try:
        item = Normalizer().to_item(RawItem(source="analyze", text=text, fetched_at=now,
                                            published_at=now, id="1"))
    except RejectedItem as exc:
        raise BadInput(f"TEXT: {exc}") from exc
    built = build_stages(config, stages, order=ANALYZE_STAGES)
    for stage in built.stages:
        stage.process([item])
    return {
        "sentiment": item.sentiment,
        "sentiment_score": None if item.sentiment_score is None else round(item.sentiment_score, 4),
        "emotion": item.emotion,
        "sensitive_terms": [{"term": h.term, "category": h.category, "start": h.start, "end": h.end}
                            for h in item.sensitive_terms],
        "places": item.places,
        "keywords": [w for w, _ in item.keywords or []],
        "handling_class": item.handling_class,
        "handling": item.handling,
        "incident": item.incident,
        "skipped": built.skipped,
    }


def analyze(
    text: Annotated[str, typer.Argument(help="the text to analyse")],
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Sentiment, sensitive terms, incident, places, keywords and handling class of one text
    (nothing stored)."""
    from yuqing.runtime.context import make_context

    with user_errors():
        ctx = make_context(config)
        doc = analyze_text(text, ctx.config, ctx.stages)
    if json_out:
        emit_json(doc)
        return
    console.print(human_analysis(doc), highlight=False, markup=False, soft_wrap=True)


def human_analysis(doc: dict[str, Any]) -> str:
    """Return the ``analyze`` document as labelled Chinese/English lines for a person."""
    none = "—"
    sentiment = doc["sentiment"]
    hits = "、".join(f"{h['term']}（{h['category']}，{h['start']}–{h['end']}）"
                    for h in doc["sensitive_terms"])
    handling = doc.get("handling") or {}
    if handling.get("class"):
        cues = "、".join(handling.get("cues", [])) or none
        suggested = (f"{handling['class']} {handling['label']}（置信度 confidence "
                     f"{handling['confidence']:.2f}；线索 cues：{cues}）")
    else:
        suggested = f"无 none（置信度 confidence {handling.get('confidence', 0):.2f}）"
    lines = [
        f"情感 sentiment：{SENTIMENT_LABELS.get(sentiment or 'none')} {sentiment or ''}"
        + (f"（P(负面)={doc['sentiment_score']:.2f}）" if doc.get("sentiment_score") is not None
           else ""),
        f"敏感词 sensitive：{hits or none}",
        f"地域 places：{'、'.join(doc['places']) or none}",
        f"关键词 keywords：{'、'.join(doc['keywords']) or none}",
        f"处置建议 handling：{suggested}",
        f"突发事件 incident：{human_incident(doc.get('incident'))}",
    ]
    if doc.get("skipped"):
        lines.append(f"未运行 skipped：{doc['skipped']}")
    return "\n".join(lines)


def human_incident(incident: dict[str, Any] | None) -> str:
    """Return one line for the ``incident`` of an analysis (``—`` when there is none)."""
    if not incident:
        return "—"
    c = incident["casualties"]
    return (f"{incident['category']} / {incident['type'] or '—'}（置信度 confidence "
            f"{incident['confidence']:.2f}；死亡 {c['deaths']}，受伤 {c['injured']}，"
            f"失踪 {c['missing']}；线索 cues：{'、'.join(incident['cues'])}）")
