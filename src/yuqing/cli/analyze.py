"""`yuqing analyze TEXT`: every analysis of one text, without storing anything."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from yuqing.cli.common import ConfigOpt, JsonOpt, emit_json, err, user_errors

#: the analysis stages run for one text, in pipeline order (no de-duplication, no schemes)
ANALYZE_STAGES = ("segment", "sentiment", "sensitive", "places", "keywords", "handling")


def analyze_text(text: str, config: Any = None) -> dict[str, Any]:
    """Return the INTERFACES.md ``analyze --json`` document for ``text``:
    ``{"sentiment", "sentiment_score", "sensitive_terms", "places", "keywords",
    "handling_class"}`` plus ``handling`` (confidence, cues) and ``skipped`` stages.

    ``config`` is a Config (default: an empty one, i.e. the built-in lexicons).
    Raises BadInput when the text is empty after normalisation.
    """
    from yuqing.config import Config
    from yuqing.domain import BadInput, RawItem, RejectedItem
    from yuqing.pipeline.normalize import Normalizer
    from yuqing.runtime.stages import build_stages

    cfg = config if config is not None else Config()
    now = datetime.now(UTC)
    try:
        item = Normalizer().to_item(RawItem(source="analyze", text=text, fetched_at=now,
                                            published_at=now, id="1"))
    except RejectedItem as exc:
        raise BadInput(f"TEXT: {exc}") from exc
    built = build_stages(cfg, order=ANALYZE_STAGES)
    for stage in built.stages:
        stage.process([item])
    return {
        "sentiment": item.sentiment,
        "sentiment_score": None if item.sentiment_score is None else round(item.sentiment_score, 4),
        "sensitive_terms": [{"term": h.term, "category": h.category, "start": h.start, "end": h.end}
                            for h in item.sensitive_terms],
        "places": item.places,
        "keywords": [w for w, _ in item.extra.get("keywords", [])],
        "handling_class": item.handling_class,
        "handling": item.extra.get("handling"),
        "skipped": built.skipped,
    }


def analyze(
    text: Annotated[str, typer.Argument(help="the text to analyse")],
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Sentiment, sensitive terms, places, keywords and handling class of one text (nothing stored)."""
    from yuqing.config import load_config

    with user_errors():
        doc = analyze_text(text, load_config(config))
    if json_out:
        emit_json(doc)
        return
    for key, value in doc.items():
        if key != "skipped" or value:
            err.print(f"{key}: {value}", highlight=False)
