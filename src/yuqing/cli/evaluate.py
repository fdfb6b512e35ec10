"""`yuqing eval sentiment`, `handling-class`, `incidents` and `alerts`: quality on labelled data.

Human output (stderr): a per-class table and the confusion matrix for our
model, then the baseline measured in the same run. ``--json`` prints the
docs/INTERFACES.md shape ``{"n", "accuracy", "macro_f1", "per_class", "baseline":
{"name", "accuracy", "macro_f1"}}`` plus ``confusion`` and speeds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from yuqing.cli.common import ConfigOpt, JsonOpt, console, emit_json, err, user_errors
from yuqing.domain import BadInput

DataOpt = Annotated[Path, typer.Option("--data", help="CSV with columns text,label")]


def _per_class_table(title: str, scores: dict[str, Any]) -> Table:
    table = Table(title=title)
    for col in ("class", "precision", "recall", "F1", "support"):
        table.add_column(col, justify="left" if col == "class" else "right")
    for name, m in scores["per_class"].items():
        table.add_row(str(name), f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}",
                      str(m["support"]))
    return table


def _confusion_table(scores: dict[str, Any]) -> Table:
    labels = [str(x) for x in scores["confusion"]["labels"]]
    table = Table(title="confusion matrix (rows gold, columns predicted)")
    table.add_column("gold \\ predicted")
    for label in labels:
        table.add_column(label, justify="right")
    for label, row in zip(labels, scores["confusion"]["matrix"], strict=True):
        table.add_row(label, *(str(v) for v in row))
    return table


def print_scores(title: str, scores: dict[str, Any]) -> None:
    """Print accuracy, macro-F1, the per-class table and the confusion matrix on stderr."""
    console.print(f"[bold]{title}[/]: n={scores['n']} accuracy={scores['accuracy']:.4f} "
                  f"macro-F1={scores['macro_f1']:.4f}")
    console.print(_per_class_table(title, scores))
    console.print(_confusion_table(scores))


def eval_sentiment(
    data: DataOpt,
    baseline_limit: Annotated[int, typer.Option(
        help="score the (slow) baseline on an evenly spaced sample of about N rows "
             "(every k-th row); 0 = all rows")] = 0,
    json_out: JsonOpt = False,
) -> None:
    """Accuracy, macro-F1, per-class scores and confusion matrix of the sentiment model,
    with SnowNLP measured in the same run as the baseline.

    The file is checked before the baseline is loaded: missing, header-only, or with no
    label in negative/neutral/positive exits 2 naming the file and the problem."""
    from yuqing.domain import SENTIMENTS
    from yuqing.pipeline.labelled import require_rows
    from yuqing.pipeline.sentiment_eval import (
        model_predict,
        require_snownlp,
        score_labels,
        snownlp_predict,
        timed,
    )
    from yuqing.pipeline.sentiment_train import read_labelled_csv

    with user_errors():
        texts, gold, problems = read_labelled_csv(data)
        require_rows(data, texts, gold, problems, "label", SENTIMENTS)
        require_snownlp()
        for problem in problems[:10]:
            err.print(f"[yellow]skipped[/] {problem}")
        emotions: list[str] = []
        labels, speed = timed(model_predict(emotions), texts)
        doc = score_labels(gold, labels)
        emotion = score_labels(gold, emotions)
        doc["emotion"] = {"accuracy": emotion["accuracy"], "macro_f1": emotion["macro_f1"]}
        doc["data"] = str(data)
        doc["skipped_rows"] = len(problems)
        doc["posts_per_s"] = round(speed)
        step = -(-len(texts) // baseline_limit) if baseline_limit else 1
        base_labels, base_speed = timed(snownlp_predict, texts[::step])
        base = score_labels(gold[::step], base_labels)
        ours_same = score_labels(gold[::step], labels[::step])
        doc["baseline"] = {"name": "snownlp 0.12.3 (<0.4 negative, >0.6 positive)",
                           "n": base["n"], "accuracy": base["accuracy"],
                           "macro_f1": base["macro_f1"], "per_class": base["per_class"],
                           "posts_per_s": round(base_speed),
                           "ours_on_same_rows": {"accuracy": ours_same["accuracy"],
                                                 "macro_f1": ours_same["macro_f1"]}}
    if json_out:
        emit_json(doc)
        return
    print_scores(f"yuqing sentiment on {data}", doc)
    console.print(f"the writer's emotion (the model's own label, `emotion`): macro-F1 "
                  f"{doc['emotion']['macro_f1']:.4f}, accuracy {doc['emotion']['accuracy']:.4f}")
    console.print(f"speed: {doc['posts_per_s']} posts/s (normalise + model, one process)")
    print_scores(f"baseline {doc['baseline']['name']}", base)
    console.print(f"baseline speed: {doc['baseline']['posts_per_s']} posts/s")


def default_handling_data() -> Path:
    """Return our labelled handling-class set (tests/fixtures/handling/handling.csv) when
    run from a checkout, else a path that does not exist."""
    return Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "handling" / "handling.csv"


def eval_handling_class(
    data: Annotated[Path | None, typer.Option(
        "--data",
        help="CSV with columns text,class (class 1-4 or none); default our labelled set")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Accuracy, macro-F1 and per-class scores of the handling-class suggestion,
    with the majority class ("none") as the baseline."""
    from yuqing.pipeline.handling import read_handling_csv, suggest
    from yuqing.pipeline.sentiment_eval import score_labels

    path = data or default_handling_data()
    with user_errors():
        texts, classes, problems = read_handling_csv(path)
        for problem in problems[:10]:
            err.print(f"[yellow]skipped[/] {problem}")
        names = ["1", "2", "3", "4", "none"]
        gold = [str(c) if c else "none" for c in classes]
        predicted = [str(s.handling_class) if s.handling_class else "none"
                     for s in map(suggest, texts)]
        doc = score_labels(gold, predicted, names)
        majority = max(names, key=gold.count) if gold else "none"
        base = score_labels(gold, [majority] * len(gold), names)
        doc.update(data=str(path), skipped_rows=len(problems),
                   baseline={"name": f"always '{majority}'", "accuracy": base["accuracy"],
                             "macro_f1": base["macro_f1"]})
    if json_out:
        emit_json(doc)
        return
    print_scores(f"yuqing handling class on {path}", doc)
    console.print(f"baseline {doc['baseline']['name']}: accuracy={base['accuracy']:.4f} "
                  f"macro-F1={base['macro_f1']:.4f}")


def default_incident_data() -> Path:
    """Return our labelled incident set (tests/fixtures/incidents/incidents.csv) when run
    from a checkout, else a path that does not exist."""
    return Path(__file__).resolve().parents[3] / "tests/fixtures/incidents/incidents.csv"


def eval_incidents(
    data: Annotated[Path | None, typer.Option(
        "--data", help="CSV with columns text,label,category[,type,kind,split]; "
                       "default our labelled set")] = None,
    split: Annotated[str, typer.Option(
        help="score the rows whose split column is this ('all': every row)")] = "test",
    json_out: JsonOpt = False,
) -> None:
    """Precision, recall and F1 of incident detection and its category accuracy on the
    held-out half, with the cue lexicon alone (no model) as the baseline in the same run."""
    import time

    from yuqing.pipeline.incidents import IncidentDetector
    from yuqing.pipeline.incidents_train import evaluate, read_incident_csv

    path = data or default_incident_data()
    with user_errors():
        rows = [r for r in read_incident_csv(path) if split in ("all", r.split)]
        if not rows:
            raise BadInput(f"{path}: no row with split {split!r}")
        detector = IncidentDetector.shipped()
        started = time.perf_counter()
        doc = evaluate(detector, rows)
        elapsed = time.perf_counter() - started
        base = evaluate(IncidentDetector.shipped(baseline=True), rows)
    doc.update(data=str(path), split=split, posts_per_s=round(len(rows) / max(elapsed, 1e-9)),
               baseline={"name": "cue lexicon only (any typed cue is an incident)",
                         **{k: base[k] for k in ("precision", "recall", "f1",
                                                 "category_accuracy")}})
    if json_out:
        emit_json(doc)
        return
    for name, m in (("yuqing incidents", doc), (doc["baseline"]["name"], doc["baseline"])):
        console.print(f"[bold]{name}[/] on {path} ({split}, n={doc['n']}): "
                      f"precision={m['precision']:.4f} recall={m['recall']:.4f} F1={m['f1']:.4f} "
                      f"category accuracy={m['category_accuracy']:.4f}")


def eval_alerts(
    data: Annotated[Path, typer.Option(
        "--data", help="JSONL of items with label (1: the office must be told, 0: not), "
                       "optional split, kind and why")],
    config: ConfigOpt = None,
    split: Annotated[str, typer.Option(
        help="score the posts whose split field is this ('all': every post)")] = "test",
    json_out: JsonOpt = False,
) -> None:
    """Precision and recall of the alerts themselves: the labelled posts run through the
    whole pipeline (a temporary store, the config's schemes and alert rules, nothing
    sent), with "every scheme match alerts" as the baseline in the same run."""
    from yuqing.config import load_config
    from yuqing.runtime.alert_eval import evaluate_alerts
    from yuqing.sources.files import read_items

    with user_errors():
        doc = evaluate_alerts(read_items(data), load_config(config), split)
    doc.update(data=str(data), split=split)
    if json_out:
        emit_json(doc)
        return
    for problem in doc["problems"]:
        err.print(f"[yellow]skipped[/] {problem}")
    for name, m in (("yuqing alerts (" + ", ".join(doc["rules"]) + ")", doc),
                    (doc["baseline"]["name"], doc["baseline"])):
        console.print(f"[bold]{name}[/] on {data} ({split}, n={doc['n']}, {doc['positives']} to "
                      f"tell): precision={m['precision']:.4f} recall={m['recall']:.4f} "
                      f"F1={m['f1']:.4f} (tp {m['tp']}, fp {m['fp']}, fn {m['fn']})")
    console.print(f"alerts {doc['alerts']} ({doc['held_by_storm']} held by the storm cap, "
                  f"{doc['summaries']} summaries)")
    for key, title in (("false_negatives", "missed"), ("false_positives", "alerted, not to tell")):
        for e in doc[key]:
            console.print(f"{title} {e['id']} [{e['kind']}] {e['text'][:60]} -> {e['got']}",
                          highlight=False, soft_wrap=True)
