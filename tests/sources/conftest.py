"""Fixtures for source tests: the local feed server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from feedserver import FeedServer, running_feed_server


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A running local feed server (see feedserver.py)."""
    with running_feed_server(slow_s=1.5) as server:
        yield server
