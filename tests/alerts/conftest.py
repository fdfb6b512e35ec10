"""Fixtures of the alert tests: the REAL local servers of alert_servers.py, one per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alert_servers import HttpServer, SmtpServer, running_http_server, running_smtp_server


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Yield a real aiosmtpd server (behaviours in alert_servers.py)."""
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    """Yield a real HTTP server on port 0 (behaviours in alert_servers.py)."""
    with running_http_server() as server:
        yield server
