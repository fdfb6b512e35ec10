"""The Apprise channel: the long tail of services (Telegram, Slack, SMS providers...) by URL.

Apprise (https://github.com/caronc/apprise, BSD-2) addresses each service
by a URL such as ``tgram://bottoken/ChatID`` or ``mailtos://user:pass@host``.
Use it for services without our own sender; the Chinese robots (DingTalk,
WeCom, Feishu) have their own channels because their HTTP-200 refusals
must be read from the body (STYLE.md). Apprise reports only success or
failure, so a failure is treated as retryable.

Options: ``urls`` (required: a URL or a list; usually ``{"$env": ...}``
since they hold secrets), ``lang``.
"""

from __future__ import annotations

from typing import ClassVar

import apprise  # type: ignore[import-untyped]

from yuqing.alerts.channels.base import DeliveryResult, mask_url
from yuqing.alerts.channels.options import (
    ChannelOptions,
    Lang,
    StringList,
    parse_options,
    secret_option,
)
from yuqing.alerts.render import DEFAULT_LANG, render_text
from yuqing.config import ChannelConfig
from yuqing.domain import Alert, BadInput


class AppriseOptions(ChannelOptions):
    """The options of an Apprise channel: ``urls`` (secrets in many places of a service URL,
    so shown masked whole), ``lang``."""

    urls: StringList = secret_option(...)
    lang: Lang = DEFAULT_LANG


class AppriseChannel:
    """Send each alert to every Apprise URL of the channel."""

    kind = "apprise"
    options_model: ClassVar[type[ChannelOptions]] = AppriseOptions
    idempotent = False

    def __init__(self, name: str, urls: list[str], *, lang: str = DEFAULT_LANG) -> None:
        self.name = name
        self.lang = lang
        self.apprise = apprise.Apprise()
        for url in urls:
            if not self.apprise.add(url):
                raise BadInput(f"alert channel {name!r}: Apprise does not accept URL "
                               f"{mask_url(url)!r}")

    def send(self, alerts: list[Alert]) -> list[DeliveryResult]:
        """Notify once per alert; return one result per alert."""
        out = []
        for alert in alerts:
            ok = self.apprise.notify(body=render_text(alert, self.lang), title=alert.title)
            out.append(DeliveryResult.success() if ok else DeliveryResult.failure(
                "Apprise could not notify every URL (see its log)", retryable=True))
        return out


def apprise_from_config(cfg: ChannelConfig) -> AppriseChannel:
    """Return an AppriseChannel from ``cfg``; raises BadInput for a missing or refused URL."""
    o = parse_options(AppriseOptions, cfg)
    return AppriseChannel(cfg.name, o.urls, lang=o.lang)
