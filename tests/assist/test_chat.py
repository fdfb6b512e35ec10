"""Tests of assist/chat.py against a REAL local chat-completions server (tests/support)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chat_server import ChatServer, running_chat_server

from yuqing.assist.chat import ChatClient, ChatError
from yuqing.config import LlmConfig

MESSAGES = [{"role": "user", "content": "你好"}]


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with running_chat_server("答复。") as running:
        yield running


def test_sends_model_messages_and_key_and_returns_the_content(server: ChatServer) -> None:
    client = ChatClient(LlmConfig(base_url=server.url() + "/", model="qwen2.5:7b",
                                  api_key="sk-test"))
    assert client.complete(MESSAGES) == "答复。"
    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    assert request["body"]["model"] == "qwen2.5:7b"
    assert request["body"]["messages"] == MESSAGES and request["body"]["stream"] is False


def test_no_key_no_authorization_header(server: ChatServer) -> None:
    ChatClient(LlmConfig(base_url=server.url(), model="m")).complete(MESSAGES)
    assert "Authorization" not in server.requests[0]["headers"]


@pytest.mark.parametrize(("behaviour", "message"), [
    ("broken", "HTTP 500"), ("html", "HTML page ('502 Bad Gateway')")])
def test_a_failing_endpoint_raises_a_named_error(server: ChatServer, behaviour: str,
                                                 message: str) -> None:
    client = ChatClient(LlmConfig(base_url=server.url(behaviour), model="m"))
    with pytest.raises(ChatError, match=r"/chat/completions: .*" + message.replace("(", r"\(")
                       .replace(")", r"\)")):
        client.complete(MESSAGES)


def test_a_slow_endpoint_times_out(server: ChatServer) -> None:
    client = ChatClient(LlmConfig(base_url=server.url("gated"), model="m", timeout=0.3))
    with pytest.raises(ChatError, match="Timeout"):
        client.complete(MESSAGES)


def test_base_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        LlmConfig(base_url="127.0.0.1:11434/v1", model="m")
