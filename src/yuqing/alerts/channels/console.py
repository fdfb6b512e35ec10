"""The console channel: alerts written as plain text to a stream (stderr by default)."""

from __future__ import annotations

import sys
from typing import ClassVar, Literal, TextIO, get_args

from yuqing.alerts.channels.base import DeliveryResult
from yuqing.alerts.channels.options import ChannelOptions, Lang, parse_options
from yuqing.alerts.render import DEFAULT_LANG, render_text
from yuqing.config import ChannelConfig
from yuqing.domain import Alert, BadInput

SEPARATOR = "-" * 40
Style = Literal["full", "line"]
STYLES: tuple[str, ...] = get_args(Style)


class ConsoleOptions(ChannelOptions):
    """The options of a console channel: ``lang``, ``style`` (full or line)."""

    lang: Lang = DEFAULT_LANG
    style: Style = "full"


class ConsoleChannel:
    """Write each alert to ``stream``: in full (render.render_text and a separator
    line) or, with ``style="line"``, as one line ``[IV] title``.

    ``stream`` None means ``sys.stderr`` as it is at send time (stdout is
    kept for ``--json`` output). A write error fails every remaining alert,
    not retryable.
    """

    kind = "console"
    options_model: ClassVar[type[ChannelOptions]] = ConsoleOptions

    def __init__(self, name: str = "console", *, stream: TextIO | None = None,
                 lang: str = DEFAULT_LANG, style: str = "full") -> None:
        if style not in STYLES:
            raise BadInput(f"channel {name!r}: style {style!r} unknown; "
                           f"use one of {', '.join(STYLES)}")
        self.name = name
        self.stream = stream
        self.lang = lang
        self.style = style

    def _render(self, alert: Alert) -> str:
        if self.style == "line":
            return f"[{alert.level}] {alert.title}\n"
        return f"{render_text(alert, self.lang)}{SEPARATOR}\n"

    def send(self, alerts: list[Alert]) -> list[DeliveryResult]:
        """Write ``alerts``; return one result per alert."""
        out = self.stream if self.stream is not None else sys.stderr
        results = []
        for alert in alerts:
            try:
                out.write(self._render(alert))
                out.flush()
            except (OSError, ValueError) as exc:
                results.append(DeliveryResult.failure(f"console write failed: {exc}",
                                                      retryable=False))
            else:
                results.append(DeliveryResult.success())
        return results


def console_from_config(cfg: ChannelConfig) -> ConsoleChannel:
    """Return a ConsoleChannel from ``cfg`` (options ``lang``, ``style`` full|line)."""
    o = parse_options(ConsoleOptions, cfg)
    return ConsoleChannel(cfg.name, lang=o.lang, style=o.style)
