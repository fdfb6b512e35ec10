"""The e-mail channel: one UTF-8 message per alert over SMTP (smtplib).

Options (ChannelConfig extra fields): ``host`` (required), ``port`` (default
465 with ``ssl``, else 25), ``username``/``password`` (optional; the password
usually ``{"$env": "SMTP_PASSWORD"}``), ``starttls`` and ``ssl`` flags,
``from`` (required), ``to`` (required, string or list), ``timeout`` seconds
(default 10), ``lang``.

Error policy (:func:`classify_smtp_error`): SMTP 4xx replies, refused or
dropped connections and timeouts are retryable; 5xx replies (RFC 5321
section 4.2.1: permanent negative completion), TLS problems, a server
without STARTTLS or without a usable AUTH method are not.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field

from yuqing.alerts.channels.base import DeliveryResult, SendTracker, idempotency_key
from yuqing.alerts.channels.options import (
    ChannelOptions,
    Lang,
    Required,
    Seconds,
    StringList,
    Text,
    bad_option,
    parse_options,
    secret_option,
)
from yuqing.alerts.render import DEFAULT_LANG, render_text
from yuqing.config import ChannelConfig
from yuqing.domain import Alert


def _port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise bad_option(f"must be 1-65535, got {value!r}")
    return value


class EmailOptions(ChannelOptions):
    """The options of an e-mail channel (module docstring); ``port`` None means 465 with
    ``ssl``, else 25."""

    host: Required
    port: Annotated[int, BeforeValidator(_port)] | None = None
    username: Text = None
    password: Text = secret_option()
    starttls: bool = False
    ssl: bool = False
    sender: Required = Field(alias="from")
    to: StringList
    timeout: Seconds = 10.0
    lang: Lang = DEFAULT_LANG


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: server, credentials, TLS mode, envelope addresses."""

    host: str
    port: int
    sender: str
    to: list[str]
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    use_ssl: bool = False
    timeout: float = 10.0


def classify_smtp_error(exc: Exception) -> DeliveryResult:
    """Return the failed DeliveryResult for an error raised while sending mail."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{rcpt}: {code} {msg.decode(errors='replace')}"
                           for rcpt, (code, msg) in exc.recipients.items())
        return DeliveryResult.failure(f"all recipients refused: {detail}",
                                      retryable=all(400 <= c < 500 for c in codes))
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return DeliveryResult.failure(f"SMTP {exc.smtp_code} {text}",
                                      retryable=400 <= exc.smtp_code < 500)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryResult.failure(f"SMTP server does not support it: {exc}", retryable=False)
    if isinstance(exc, ssl.SSLError):
        return DeliveryResult.failure(f"TLS error: {exc}", retryable=False)
    if isinstance(exc, TimeoutError):
        return DeliveryResult.failure(f"SMTP timeout: {exc}", retryable=True)
    if isinstance(exc, smtplib.SMTPException) and not isinstance(
            exc, smtplib.SMTPServerDisconnected):
        return DeliveryResult.failure(f"SMTP error: {exc}", retryable=False)
    return DeliveryResult.failure(f"SMTP connection failed: {type(exc).__name__}: {exc}",
                                  retryable=True)


def build_message(alert: Alert, settings: SmtpSettings, lang: str = DEFAULT_LANG) -> EmailMessage:
    """Return the e-mail of ``alert``: Chinese-safe subject (RFC 2047), base64 UTF-8 text body."""
    msg = EmailMessage()
    msg["Subject"] = alert.title
    msg["From"] = settings.sender
    msg["To"] = ", ".join(settings.to)
    msg["Date"] = format_datetime(alert.created_at)
    domain = settings.sender.rpartition("@")[2] or "yuqing.invalid"
    # one Message-ID per alert and address list, so a resend after a crash is the same
    # message to mail systems that drop repeated Message-IDs
    msg["Message-ID"] = f"<{idempotency_key(alert.dedup_key, ','.join(settings.to))}@{domain}>"
    msg["X-Yuqing-Dedup-Key"] = alert.dedup_key
    msg.set_content(render_text(alert, lang), charset="utf-8", cte="base64")
    return msg


class EmailChannel:
    """Send each alert as its own e-mail to every address of ``settings.to``.

    One SMTP session per ``send`` call; a session that cannot be opened
    fails every alert of the call with the same result.
    """

    kind = "email"
    options_model: ClassVar[type[ChannelOptions]] = EmailOptions
    announces_sends = True

    def __init__(self, name: str, settings: SmtpSettings, *, lang: str = DEFAULT_LANG) -> None:
        self.name = name
        self.settings = settings
        self.lang = lang

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.use_ssl:
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _send_one(self, smtp: smtplib.SMTP, alert: Alert) -> DeliveryResult:
        try:
            refused = smtp.send_message(build_message(alert, self.settings, self.lang),
                                        from_addr=self.settings.sender,
                                        to_addrs=self.settings.to)
        except (smtplib.SMTPException, OSError) as exc:
            return classify_smtp_error(exc)
        if refused:
            return DeliveryResult.success(f"some recipients refused: {sorted(refused)}")
        return DeliveryResult.success()

    def send(self, alerts: list[Alert], tracker: SendTracker | None = None) -> list[DeliveryResult]:
        """Send ``alerts``; return one result per alert (see classify_smtp_error);
        ``tracker`` hears of each alert handed to the server and its result."""
        if not alerts:
            return []
        try:
            smtp = self._connect()
        except (smtplib.SMTPException, OSError) as exc:
            return [classify_smtp_error(exc)] * len(alerts)
        try:
            results = []
            for i, alert in enumerate(alerts):
                if tracker is not None:
                    tracker.sending([i])
                results.append(self._send_one(smtp, alert))
                if tracker is not None:
                    tracker.done([i], results[-1])
            return results
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def email_from_config(cfg: ChannelConfig) -> EmailChannel:
    """Return an EmailChannel from ``cfg``; raises BadInput naming a missing or bad option."""
    o = parse_options(EmailOptions, cfg)
    port = o.port if o.port is not None else 465 if o.ssl else 25
    settings = SmtpSettings(host=o.host, port=port, sender=o.sender, to=o.to,
                            username=o.username, password=o.password, starttls=o.starttls,
                            use_ssl=o.ssl, timeout=o.timeout)
    return EmailChannel(cfg.name, settings, lang=o.lang)
