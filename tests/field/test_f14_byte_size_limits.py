"""F14 (FIELD_CASES.md): message size limits are bytes.

200 alerts of 37 Chinese characters (111 UTF-8 bytes each) to a WeCom robot
(markdown limit 4096 bytes), against a REAL local WeCom-like server that
refuses (errcode 40058) any content over 4096 bytes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "alerts"))

from alert_servers import HttpServer, running_http_server  # noqa: E402
from alerts_helpers import make_alert  # noqa: E402

from yuqing.alerts.channels.wecom import WeComChannel  # noqa: E402
from yuqing.domain import Alert  # noqa: E402

TITLE_CHARS = 37
CHINESE_DIGITS = str.maketrans("0123456789", "零一二三四五六七八九")


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    with running_http_server() as server:
        yield server


def alerts() -> list[Alert]:
    out = []
    for n in range(200):
        alert = make_alert(n)
        alert.title = f"{n:03d}".translate(CHINESE_DIGITS) + "燃" * (TITLE_CHARS - 3)
        assert len(alert.title) == TITLE_CHARS and len(alert.title.encode()) == 111
        out.append(alert)
    return out


def test_split_on_alert_boundaries_within_4096_bytes(http_server: HttpServer) -> None:
    batch = alerts()
    results = WeComChannel("wx", http_server.url + "/wecom", rate_per_minute=0,
                           allow_internal=True).send(batch)
    assert all(r.ok for r in results), {r.error for r in results if not r.ok}
    contents = [json.loads(r["body"])["markdown"]["content"] for r in http_server.requests]
    sizes = [len(c.encode("utf-8")) for c in contents]
    assert max(sizes) <= 4096 and len(contents) > 1
    assert min(sizes[:-1]) > 4096 - 400  # packed, not one alert per message
    titles = [line[4:] for c in contents for line in c.splitlines() if line.startswith("### ")]
    assert titles == [a.title for a in batch]  # every alert once, in order, none cut
