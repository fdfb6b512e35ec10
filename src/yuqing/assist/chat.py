"""The one client of an OpenAI-compatible chat-completions endpoint (``[llm]``).

``POST {base_url}/chat/completions`` with ``{"model", "messages", "temperature",
"stream": false}`` and, when ``api_key`` is set, ``Authorization: Bearer``; the
answer's ``choices[0].message.content`` is the text. This is the protocol of
OpenAI's API that Ollama, vLLM, llama.cpp's server and most cloud services speak.
Nothing is sent anywhere but the configured ``base_url``.
"""

from __future__ import annotations

from typing import Any

import httpx

from yuqing.config import LlmConfig
from yuqing.domain import YuqingError
from yuqing.sources.answers import ShapeError, load_json, text_at

#: sampling temperature asked for: low, a summary should repeat the items, not invent
TEMPERATURE = 0.2


class ChatError(YuqingError):
    """The endpoint could not be reached, refused the request, or answered something that
    is not a chat completion; the message names the URL and the problem."""


class ChatClient:
    """Sends chat messages to the endpoint of ``config`` and returns the answer's text."""

    def __init__(self, config: LlmConfig) -> None:
        self.config = config
        self.url = f"{config.base_url}/chat/completions"

    def complete(self, messages: list[dict[str, str]]) -> str:
        """Return the text the model answers to ``messages`` (``[{"role", "content"}]``).

        Raises ChatError on a network error or timeout (``[llm] timeout``), a status other
        than 200, or an answer without ``choices[0].message.content``."""
        body: dict[str, Any] = {"model": self.config.model, "messages": messages,
                                "temperature": TEMPERATURE, "stream": False}
        headers = {"Authorization": f"Bearer {self.config.api_key}"} \
            if self.config.api_key else {}
        try:
            answer = httpx.post(self.url, json=body, headers=headers,
                                timeout=self.config.timeout)
        except httpx.HTTPError as exc:
            raise ChatError(f"{self.url}: {type(exc).__name__}: {exc}") from None
        if answer.status_code != 200:
            raise ChatError(f"{self.url}: HTTP {answer.status_code}: "
                            f"{' '.join(answer.text.split())[:200]}")
        try:
            return text_at(load_json(answer.content, self.url), "choices.0.message.content",
                           self.url, "")
        except ShapeError as exc:
            raise ChatError(str(exc)) from None
