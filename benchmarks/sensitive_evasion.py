"""Share of ordinary posts flagged by the built-in lexicons, plain vs evasion-aware matching.

Usage: python benchmarks/sensitive_evasion.py [--data FILE]

Reads the texts of a ``text,label`` CSV (default: sentiment3 dev, 3,783
ordinary Weibo posts; research data read from ../shared/data), normalises
them as the pipeline does (textnorm: NFKC, ``tw2s``), and runs the six
built-in lexicons twice in the same run: ``SensitiveMatcher(evasion=False)``
(plain matching: the text and its separator-free skeleton; the baseline)
and the evasion-aware default. Prints one JSON object: {"n", "before":
{"flagged", "share_pct", "posts_per_s" (fastest of ROUNDS)}, "after": {...}, "rise_points",
"ratio_speed" (after/before), "new_hits": [[term, matched text], ...]}.
The issue-19 bound: the flagged share may rise by at most 0.2 points.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "sentiment3" / "dev.csv"
ROUNDS = 3  # matching is timed this many times; the fastest round counts


def measure(path: Path) -> dict[str, Any]:
    """Return the JSON document described in the module doc for the texts of ``path``."""
    from yuqing.config import builtin_lexicons
    from yuqing.pipeline.sensitive import SensitiveMatcher
    from yuqing.pipeline.textnorm import normalize_text

    with path.open(encoding="utf-8", newline="") as fh:
        texts = [normalize_text(row["text"])[0] for row in csv.DictReader(fh)]

    def form(word: str) -> str:
        return normalize_text(word)[0]

    runs: dict[str, Any] = {}
    found: dict[str, list[list[tuple[str, str]]]] = {}
    for name, evasion in (("before", False), ("after", True)):
        matcher = SensitiveMatcher.from_lexicons(builtin_lexicons(), normalize=form,
                                                 evasion=evasion)
        sec = float("inf")
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            hits = [[(t.term, text[s:e]) for t, s, e in matcher.find(text)] for text in texts]
            sec = min(sec, time.perf_counter() - t0)
        found[name] = hits
        flagged = sum(1 for h in hits if h)
        runs[name] = {"flagged": flagged, "share_pct": round(100 * flagged / len(texts), 3),
                      "posts_per_s": round(len(texts) / max(sec, 1e-9))}
    new_hits = [list(h) for b, a in zip(found["before"], found["after"], strict=True)
                for h in a if h not in b]
    return {"n": len(texts), **runs,
            "rise_points": round(runs["after"]["share_pct"] - runs["before"]["share_pct"], 3),
            "ratio_speed": round(runs["after"]["posts_per_s"] / runs["before"]["posts_per_s"], 2),
            "new_hits": new_hits}


def main() -> None:
    """Parse arguments, measure, print the JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    print(json.dumps(measure(args.data), ensure_ascii=False))


if __name__ == "__main__":
    main()
