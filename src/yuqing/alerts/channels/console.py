"""The console channel: alerts written as plain text to a stream (stderr by default)."""

from __future__ import annotations

import sys
from typing import TextIO

from yuqing.alerts.channels.base import DeliveryResult, option_lang
from yuqing.alerts.render import DEFAULT_LANG, render_text
from yuqing.config import ChannelConfig
from yuqing.domain import Alert

SEPARATOR = "-" * 40


class ConsoleChannel:
    """Write each alert (render.render_text) followed by a separator line to ``stream``.

    ``stream`` None means ``sys.stderr`` as it is at send time (stdout is
    kept for ``--json`` output). A write error fails every remaining alert,
    not retryable.
    """

    kind = "console"

    def __init__(self, name: str = "console", *, stream: TextIO | None = None,
                 lang: str = DEFAULT_LANG) -> None:
        self.name = name
        self.stream = stream
        self.lang = lang

    def send(self, alerts: list[Alert]) -> list[DeliveryResult]:
        """Write ``alerts``; return one result per alert."""
        out = self.stream if self.stream is not None else sys.stderr
        results = []
        for alert in alerts:
            try:
                out.write(f"{render_text(alert, self.lang)}{SEPARATOR}\n")
                out.flush()
            except (OSError, ValueError) as exc:
                results.append(DeliveryResult.failure(f"console write failed: {exc}",
                                                      retryable=False))
            else:
                results.append(DeliveryResult.success())
        return results


def console_from_config(cfg: ChannelConfig) -> ConsoleChannel:
    """Return a ConsoleChannel from ``cfg`` (option ``lang``)."""
    return ConsoleChannel(cfg.name, lang=option_lang(cfg))
