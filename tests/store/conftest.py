"""Fixtures for the store tests: an Item factory."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from yuqing.domain import Item

T0 = datetime(2024, 3, 5, 0, 15, tzinfo=UTC)


def build_item(key: str, text: str, minutes: int = 0, **fields: Any) -> Item:
    """Return an Item with ``match_text == text`` published ``minutes`` after T0."""
    values: dict[str, Any] = {
        "source": "weibo", "media_type": "weibo", "id": key.split(":")[-1],
        "content_hash": hashlib.sha1(text.encode()).hexdigest(),
        "match_text": text, "offsets": list(range(len(text))),
        "published_at": T0 + timedelta(minutes=minutes), "fetched_at": T0 + timedelta(hours=1),
    }
    values.update(fields)
    return Item(key=key, text=text, **values)


@pytest.fixture
def make_item() -> Callable[..., Item]:
    """Return ``build_item(key, text, minutes=0, **fields) -> Item``."""
    return build_item
