"""The whole-alert measure (``yuqing eval alerts``): which labelled posts reach the office.

Each post is an item of the exchange format (docs/INTERFACES.md) plus ``label``
(1: the office must be told, 0: not), optional ``split`` (scored when it equals the
split asked for, or always with ``"all"``), ``kind`` and ``why`` (shown with errors).
The posts of the split run, in file order and in batches of ``BATCH_SIZE``, through
the real pipeline: every stage the config enables, a temporary SQLite store, the
config's alert rules (the built-in default rule when it has none: a scheme match that
is negative, sensitive or an incident) and the alert policy (one alert per story,
storm cap). Nothing is delivered: the pipeline's dispatcher has no channel.

Scored per message: an alert tells the office of the post it leads with (its first
item, the one its title and body show), whether the storm cap let it through or held it
behind its one summary (the office sees held alerts in the list the summary links to).
A post counts as alerted when an alert of those rules leads with it, with a duplicate
(``duplicate_of``) of it, or with another post of its ``story`` (optional: posts that
tell one happening share it; a post without one is its own story). A post that only
joined the alert of another happening, because the clustering merged the two, is not
told: the office read of the other one. A post of label 0 in a story that has a post of
label 1 (the office's denial of a rumour, the hospital's good news after a crash) is
never a false alarm: an alert about that story is a right one. ``repeats`` counts
alerts whose story an earlier alert of the run had told already (one story told twice).
The baseline, measured in the same run, is an extra rule that fires on every scheme
match (``negative``, ``sensitive`` and ``incident`` off): what a keyword-only monitor
would send.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from yuqing.alerts.outbox import OutboxDispatcher
from yuqing.alerts.rules import default_rule
from yuqing.config import Config, RuleConfig
from yuqing.domain import BadInput, Item, RawItem
from yuqing.pipeline.sentiment_eval import score_labels
from yuqing.runtime.context import make_context
from yuqing.runtime.ingest import BATCH_SIZE, run_stream
from yuqing.runtime.pipeline import Pipeline

BASELINE_RULE = "eval-baseline-every-scheme-match"
BASELINE_NAME = "every scheme match alerts (negative, sensitive and incident off)"
#: how many false negatives and false positives the report lists, each
MAX_ERRORS = 50


def labelled_posts(raws: Iterable[RawItem | BadInput], split: str
                   ) -> tuple[list[RawItem], list[str]]:
    """Return the raw items of ``split`` (``"all"``: every one) whose ``label`` is 0 or 1,
    and the problems (a bad record, a missing or other label, an id given twice) naming
    their origin. Raises BadInput when none is left, saying which splits the input has."""
    kept: list[RawItem] = []
    problems: list[str] = []
    splits: Counter[str] = Counter()
    seen: dict[tuple[str, str], str] = {}
    for raw in raws:
        if isinstance(raw, BadInput):
            problems.append(str(raw))
            continue
        splits[str(raw.extra.get("split", ""))] += 1
        if split != "all" and str(raw.extra.get("split", "")) != split:
            continue
        if raw.id and (raw.source, raw.id) in seen:
            problems.append(f"{raw.origin}: id {raw.id!r} of {raw.source!r} again (first at "
                            f"{seen[raw.source, raw.id]}): the later row replaces it")
        elif raw.id:
            seen[raw.source, raw.id] = raw.origin
        label = str(raw.extra.get("label", "")).strip()
        if label not in ("0", "1"):
            problems.append(f"{raw.origin}: label {raw.extra.get('label')!r} is not 0 or 1")
            continue
        kept.append(raw)
    if not kept:
        has = ", ".join(f"{s or '(none)'}: {n}" for s, n in sorted(splits.items()))
        raise BadInput(f"no post with split {split!r} and a label 0 or 1 ("
                       + (f"the input's splits: {has}" if has else "the input holds no post")
                       + (f"; first problem: {problems[0]}" if problems else "") + ")")
    return kept, problems


def eval_config(config: Config) -> tuple[Config, list[str]]:
    """Return ``config`` with the baseline rule added to its rules (the default rule
    standing for an empty list), and the names of the rules being measured."""
    rules = list(config.alerts.rules) or [default_rule().cfg]
    names = [r.name for r in rules]
    if BASELINE_RULE in names:
        raise BadInput(f"alert rule name {BASELINE_RULE!r} is reserved by eval alerts")
    base = RuleConfig(name=BASELINE_RULE, negative=False, sensitive=False, incident=False,
                      channels=rules[0].channels, max_per_window=rules[0].max_per_window)
    alerts = config.alerts.model_copy(update={"rules": [*rules, base]})
    return config.model_copy(update={"alerts": alerts}), names


def _what_it_saw(item: Item) -> dict[str, Any]:
    """The analysis of ``item`` that the rules read, for the error lists."""
    incident = item.incident
    return {"schemes": item.schemes, "sentiment": item.sentiment, "emotion": item.emotion,
            "sentiment_score": None if item.sentiment_score is None
            else round(item.sentiment_score, 3),
            "incident": f"{incident['category']}/{incident['type']}" if incident else None,
            "sensitive_terms": sorted({f"{h.term}:{h.category}" for h in item.sensitive_terms}),
            "duplicate_of": item.duplicate_of}


def _scores(gold: list[int], got: list[bool]) -> dict[str, Any]:
    """Precision, recall and F1 of label 1, and the four counts."""
    m = score_labels([str(g) for g in gold], [str(int(a)) for a in got], ("1", "0"))
    one = m["per_class"]["1"]
    pairs = Counter(zip(gold, got, strict=True))
    return {"precision": one["precision"], "recall": one["recall"], "f1": one["f1"],
            "tp": pairs[1, True], "fp": pairs[0, True], "fn": pairs[1, False],
            "tn": pairs[0, False]}


def _alerted(items: list[Item], alerts: list[dict[str, Any]], rules: set[str]
             ) -> tuple[set[str], int]:
    """Keys of ``items`` told by an alert of ``rules`` (module doc: its lead, a duplicate
    of its lead, or a post of its lead's story), and how many of those alerts told a
    story told before (alerts in the order recorded)."""
    story = {it.key: _story(it) for it in items}
    copies = {it.key: it.duplicate_of for it in items}
    told: set[str] = set()
    repeats = 0
    for alert in sorted(alerts, key=lambda a: a["id"]):
        if alert["rule"] not in rules or not alert["items"]:
            continue
        lead = alert["items"][0]
        stories = {story.get(lead, lead), story.get(copies.get(lead) or lead, lead)}
        repeats += bool(stories & told)
        told |= stories
    keys = {key for key, s in story.items()
            if s in told or story.get(copies[key] or key, s) in told}
    return keys, repeats


def _story(item: Item) -> str:
    """The story ``item`` tells: its ``story`` field read as text, spaces trimmed (an empty,
    0, false or null one is none), else its own key."""
    name = str(item.extra.get("story") or "").strip()
    return f"story:{name}" if name else item.key


def evaluate_alerts(raws: Iterable[RawItem | BadInput], config: Config,
                    split: str = "test") -> dict[str, Any]:
    """Run the labelled posts of ``split`` through the pipeline (module docstring) and
    return ``{"n", "positives", "precision", "recall", "f1", "tp", "fp", "fn", "tn",
    "rules", "alerts", "repeats", "held_by_storm", "summaries", "false_negatives",
    "false_positives", "by_kind", "skipped", "problems", "baseline": {"name",
    "precision", "recall", "f1", "tp", "fp", "fn", "tn"}}``. Each listed error is
    ``{"id", "text", "kind", "why", "got"}`` (``got``: schemes, sentiment, emotion,
    incident, sensitive terms, duplicate_of). Raises BadInput when no post of the split
    has a label 0 or 1."""
    posts, problems = labelled_posts(raws, split)
    cfg, names = eval_config(config)
    with tempfile.TemporaryDirectory(prefix="yuqing-eval-alerts-") as tmp:
        ctx = make_context(config=cfg, db=f"sqlite:///{Path(tmp) / 'alerts.db'}")
        try:
            pipeline = Pipeline(cfg, ctx.store, registries=ctx.registries,
                                dispatcher=OutboxDispatcher(ctx.store, {}))
            try:
                outcome = run_stream(pipeline, posts, batch_size=BATCH_SIZE)
                items = ctx.store.iter_items(limit=len(posts) + 1)
                alerts = ctx.store.alerts.history(limit=10 * len(posts) + 100)
            finally:
                pipeline.close()
        finally:
            ctx.close()
    ours, repeats = _alerted(items, alerts, set(names))
    base, _ = _alerted(items, alerts, {BASELINE_RULE})
    scored = sorted(items, key=lambda it: (it.published_at, it.key))
    gold = [int(str(it.extra["label"]).strip()) for it in scored]
    wanted = {_story(it) for it, g in zip(scored, gold, strict=True) if g}

    def told(keys: set[str]) -> list[bool]:
        return [it.key in keys and (bool(g) or _story(it) not in wanted)
                for it, g in zip(scored, gold, strict=True)]

    got = told(ours)
    doc: dict[str, Any] = {"n": len(scored), "positives": sum(gold), **_scores(gold, got)}
    errors: dict[str, list[dict[str, Any]]] = {"false_negatives": [], "false_positives": []}
    kinds: dict[str, Counter[str]] = {}
    for it, g, alerted in zip(scored, gold, got, strict=True):
        kind = str(it.extra.get("kind") or ("told" if g else "not told"))
        kinds.setdefault(kind, Counter()).update(n=1, positives=g, alerted=int(alerted))
        if alerted != bool(g):
            errors["false_negatives" if g else "false_positives"].append(
                {"id": it.id or it.key, "text": it.text, "kind": kind,
                 "why": it.extra.get("why"), "got": _what_it_saw(it)})
    ours_alerts = [a for a in alerts if a["rule"] in names]
    doc.update(
        rules=names, alerts=sum(bool(a["items"]) for a in ours_alerts), repeats=repeats,
        held_by_storm=sum(a["held"] is not None for a in ours_alerts),
        summaries=sum(not a["items"] for a in ours_alerts),
        **{k: v[:MAX_ERRORS] for k, v in errors.items()},
        by_kind={k: {"n": c["n"], "positives": c["positives"], "alerted": c["alerted"]}
                 for k, c in sorted(kinds.items())},
        skipped=len(problems) + outcome.rejected, problems=problems[:10] + outcome.problems[:10],
        baseline={"name": BASELINE_NAME, **_scores(gold, told(base))})
    return doc
