"""Fixtures of the report tests: a store holding the hand-written day
(tests/support/report_items.py) and a shared keyword extractor."""

from __future__ import annotations

import pytest
from report_items import fill

from yuqing.analytics.keywords import KeywordExtractor
from yuqing.store import Store


@pytest.fixture(scope="session")
def extractor() -> KeywordExtractor:
    """One segmenter for the session (building one takes a second)."""
    return KeywordExtractor()


@pytest.fixture
def filled(store: Store) -> Store:
    """The ``store`` fixture (both backends) with the day's items saved."""
    return fill(store)
