"""F20.13 (docs/FIELD_CASES.md): a contract fuzzer over the whole API.

schemathesis (pinned in the test extra) reads the app's own ``/openapi.json``
and sends generated requests to every operation, in process (ASGI), with an
admin's API token that stays valid (the fuzzer cannot demote or deactivate the
only active admin: F20.12). Expected: no answer is a 5xx; an empty or wrong
body is a 4xx (``POST /api/cases``, ``POST /api/petitions`` and
``POST /api/petitions/{id}/contact`` answered 500, and ``PATCH
/api/web/users/{name}`` with ``{}``). Examples per operation are few and
derandomised, so the run is short and the same every time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from report_items import make
from schemathesis.checks import not_a_server_error
from web_auth import api_headers

from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.web.app import create_app

CONFIG: dict[str, Any] = {
    "timezone": "Asia/Shanghai",
    "schemes": [{"name": "公共安全", "subject_words": ["警察", "车祸"]}],
    "alerts": {"rules": [{"name": "负面", "negative": True, "channels": ["console"]}],
               "channels": [{"name": "console", "kind": "console"}]},
}
EXAMPLES = 12
HEADERS: dict[str, str] = {}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Any]:
    ctx = Context(config=parse_config(CONFIG), database_url=f"sqlite:///{tmp_path / 'y.db'}")
    ctx.store.save_items([make("weibo:1", "市人民医院门口发生严重车祸，警察到场处置", 9.0,
                               sentiment="negative")])
    HEADERS.clear()
    HEADERS.update(api_headers(ctx.store, "fuzzer", "admin"))
    app = create_app(ctx)
    with TestClient(app):  # runs the app's start-up (the outbox dispatcher) and shut-down
        yield schemathesis.openapi.from_asgi("/openapi.json", app)
    ctx.close()


#: the server-sent event streams never end (they have their own tests in tests/web)
schema = schemathesis.pytest.from_fixture("api").exclude(path_regex=r"/stream$")


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_request_is_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=HEADERS, checks=[not_a_server_error])


@pytest.mark.parametrize("path", ["/api/cases", "/api/petitions", "/api/petitions/1/contact"])
def test_an_empty_body_is_a_client_error(tmp_path: Path, path: str) -> None:
    ctx = Context(config=parse_config(CONFIG), database_url=f"sqlite:///{tmp_path / 'y.db'}")
    with TestClient(create_app(ctx)) as client:
        headers = {**api_headers(ctx.store, "fuzzer", "admin"), "Content-Type": "application/json"}
        for body in (b"", b"{}", b"[]", b"null", b"{not json"):
            answer = client.post(path, headers=headers, content=body)
            assert 400 <= answer.status_code < 500, (body, answer.status_code, answer.text)
    ctx.close()
