"""Event clustering quality and origin tracing on labelled sets built from ../shared/data.

Usage: python benchmarks/events.py [--json] [--ced-n 400] [--data DIR]

Sets (built at run time into a temporary folder, never copied into the repo;
see yuqing/analytics/eventsets.py): CHECKED fake-news posts grouped by the
rumour their official ``analysis`` debunks (``checked``; also its dev and test
halves of the rumours, and the earlier labelling by the full analysis text,
``checked_by_analysis_text*``), CED originals with their reposts, and the
hand-written tests/fixtures/events/handwritten.jsonl. Each is scored with
``yuqing eval events`` (B-cubed, ARI, and the links-only baseline in the same
run). Origin tracing runs on each CED repost tree, with the original
collected (the root must be the original item) and without it (the root must
be the placeholder of the original's mid, not collected). ``noise``: the share of
5,000 unrelated sentiment3 posts that the clustering pairs with another post (lower is
better; links only in the same run). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

from yuqing.analytics.event_eval import cluster, evaluate_events, evaluate_origins
from yuqing.analytics.eventsets import (
    CHECKED_LABELS,
    PARTS,
    ced_events,
    ced_records,
    checked_records,
    write_jsonl,
)
from yuqing.config import EventsConfig
from yuqing.domain import RawItem
from yuqing.pipeline.normalize import Normalizer
from yuqing.sources.base import utc_now
from yuqing.sources.files import read_items
from yuqing.sources.records import RecordConverter

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
HANDWRITTEN = REPO / "tests" / "fixtures" / "events" / "handwritten.jsonl"


def ced_trees(files: list[Path], *, with_original: bool):
    """Yield (true root key, RawItems) per CED repost file."""
    conv, now = RecordConverter(), utc_now()
    for f in files:
        mid = f.stem.split("_")[1]
        raws = [conv.convert(rec, source="ced", tz="Asia/Shanghai", media_type="weibo",
                             origin=f"{f.name}:{i}", fetched_at=now)
                for i, rec in enumerate(ced_records(f, with_original=with_original))]
        yield f"ced:{mid}", raws


def noise_pairing(path: Path, n: int) -> dict[str, object]:
    """Cluster the first ``n`` sentiment3 posts (everyday chat, no shared matter, all at
    one time) and return the share of posts put in an event with another post: what the
    similarity rule merges by chance, with the links-only share in the same run."""
    with path.open(encoding="utf-8", newline="") as fh:
        texts = [row["text"] for _, row in zip(range(n), csv.DictReader(fh), strict=False)]
    now = utc_now()
    norm = Normalizer()
    items = [norm.to_item(RawItem(source="noise", id=str(i), text=t, fetched_at=now,
                                  published_at=now, media_type="weibo"))
             for i, t in enumerate(texts)]
    shares = {}
    for name, config in (("paired_share", EventsConfig()),
                         ("baseline_paired_share", EventsConfig(threshold=10.0))):
        sizes = Counter(cluster(items, config))
        shares[name] = round(sum(k for k in sizes.values() if k > 1) / len(items), 4)
    return {"n": len(items), **shares}


def main() -> None:
    """Parse arguments, build the event sets, print their evaluation as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--ced-n", type=int, default=400, help="CED trees to use")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--noise-n", type=int, default=5000, help="sentiment3 posts for noise")
    args = parser.parse_args()
    if not (args.data / "ced_rumor").is_dir():
        raise SystemExit(f"{args.data}: no ced_rumor folder (needs ../shared/data)")
    files = ced_events(args.data)[: args.ced_n]
    result: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        sets = {}
        for label, part in itertools.product(CHECKED_LABELS, PARTS):
            name = "checked" + ("" if label == "rumour" else "_by_analysis_text") + \
                ("" if part == "all" else f"_{part}")
            sets[name] = Path(tmp) / f"{name}.jsonl"
            write_jsonl(checked_records(args.data, label=label, part=part), sets[name])
        sets["ced"] = Path(tmp) / "ced.jsonl"
        write_jsonl(itertools.chain.from_iterable(ced_records(f) for f in files), sets["ced"])
        sets["handwritten"] = HANDWRITTEN
        for name, path in sets.items():
            start = time.perf_counter()
            doc = evaluate_events(read_items(path))
            doc["seconds"] = round(time.perf_counter() - start, 1)
            result[name] = doc
    result["noise"] = noise_pairing(args.data / "sentiment3" / "train.csv", args.noise_n)
    result["origin_with_original"] = evaluate_origins(ced_trees(files, with_original=True))
    result["origin_original_missing"] = evaluate_origins(ced_trees(files, with_original=False))
    print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
