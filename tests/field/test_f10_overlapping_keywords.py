"""F10: overlapping keywords, leftmost-longest, checked against a brute-force reference."""

from __future__ import annotations

import random
import re

from yuqing.pipeline.sensitive import SensitiveMatcher, Term


def brute_force(terms: list[str], text: str) -> list[tuple[str, int, int]]:
    """Leftmost-longest, non-overlapping: at each position take the longest term, then jump
    past it."""
    found = []
    i = 0
    while i < len(text):
        here = [t for t in terms if text.startswith(t, i)]
        if here:
            best = max(here, key=len)
            found.append((best, i, i + len(best)))
            i += len(best)
        else:
            i += 1
    return found


def find(matcher: SensitiveMatcher, text: str) -> list[tuple[str, int, int]]:
    return [(t.term, s, e) for t, s, e in matcher.find(text)]


def test_field_case() -> None:
    m = SensitiveMatcher([Term("知识产权", "x"), Term("国家知识产权局", "x")])
    assert find(m, "国家知识产权") == [("知识产权", 2, 6)]
    assert find(m, "国家知识产权局发布通知") == [("国家知识产权局", 0, 7)]


def test_agrees_with_brute_force_on_random_inputs() -> None:
    rng = random.Random(10)
    alphabet = "国家知识产权局"  # CJK only: Latin terms also need word boundaries
    repeats = 0
    for _ in range(300):
        terms = sorted({"".join(rng.choices(alphabet, k=rng.randint(1, 5))) for _ in range(6)})
        plain = SensitiveMatcher([Term(t, "x") for t in terms], evasion=False)
        matcher = SensitiveMatcher([Term(t, "x") for t in terms])
        for _ in range(10):
            text = "".join(rng.choices(alphabet, k=rng.randint(0, 30)))
            assert find(plain, text) == brute_force(terms, text), (terms, text)
            if re.search(r"(.)\1", text):
                repeats += 1  # 家知知国 is 家知国 written with a repeated character (issue 19)
            else:
                assert find(matcher, text) == brute_force(terms, text), (terms, text)
    assert repeats < 2500
