"""Scheduled reports: made by `yuqing run` at their local time and sent through the alert
channels (config ``[[reports.schedules]]``), and every unit's daily or zero report sent
upward at ``[cases.reporting] daily_at`` (cases/upward.py ``DailyReports``).

Each schedule fires at its latest due time (``at`` every day; on
``weekday`` for weekly; on ``day`` of the month for monthly) and reports the
last complete period before that time. A period is sent once: the report
is stored with its schedule name only after at least one channel accepted
it, and a stored (schedule, period) is never made again, also after a
restart. An e-mail channel gets the file as an attachment; any other
channel gets the summary and a download link to the web app. A failure is
logged and retried after RETRY_AFTER; it never stops the watch loop.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from yuqing.alerts.channels.base import Channel, DeliveryResult
from yuqing.alerts.channels.email import EmailChannel, build_message, classify_smtp_error
from yuqing.cases.upward import DailyReports
from yuqing.config import Config, ReportScheduleConfig
from yuqing.domain import Alert, BadInput
from yuqing.reports.archive import save_report
from yuqing.reports.formats import FORMATS, MEDIA_TYPES, render
from yuqing.reports.make import make_report
from yuqing.reports.model import Report
from yuqing.reports.periods import PERIOD_KINDS, default_date, period_of
from yuqing.store import Store

log = logging.getLogger(__name__)
RETRY_AFTER = timedelta(minutes=10)
#: the retry key of the units' daily reports (never a schedule name: those are the config's)
UNIT_REPORTS = "\0units"


def check_schedule(s: ReportScheduleConfig, channels: dict[str, Channel]) -> time:
    """Return the local time of day of ``s``; raises BadInput naming the schedule and the
    bad field (kind, format, at, unknown channel)."""
    where = f"reports.schedules {s.name!r}"
    if s.kind not in PERIOD_KINDS:
        raise BadInput(f"{where}: kind {s.kind!r}, expected one of {', '.join(PERIOD_KINDS)}")
    if s.format not in FORMATS:
        raise BadInput(f"{where}: format {s.format!r}, expected one of {', '.join(FORMATS)}")
    unknown = [c for c in s.channels if c not in channels]
    if not s.channels or unknown:
        raise BadInput(f"{where}: channels {unknown or '[]'} are not alert channels "
                       f"({', '.join(channels)})")
    try:
        return time.fromisoformat(s.at)
    except ValueError:
        raise BadInput(f"{where}: at {s.at!r}, expected HH:MM") from None


def last_fire(s: ReportScheduleConfig, at: time, now: datetime, tz: str) -> datetime:
    """Return the latest time at or before ``now`` when schedule ``s`` was due (aware)."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    for back in range(0, 63):
        day = today - timedelta(days=back)
        if s.kind == "weekly" and day.isoweekday() != s.weekday:
            continue
        if s.kind == "monthly" and day.day != s.day:
            continue
        fire = datetime.combine(day, at, tzinfo=zone)
        if fire <= now:
            return fire
    raise AssertionError("a schedule fires at least every 62 days")  # day <= 28 guarantees it


@dataclass(frozen=True)
class Sent:
    """One scheduled report made: its schedule, period day, file and channel results."""

    schedule: str
    day: date
    path: Path
    results: dict[str, DeliveryResult]


def _smtp_send(channel: EmailChannel, msg: EmailMessage) -> DeliveryResult:
    """Send ``msg`` with the SMTP settings of ``channel``."""
    s = channel.settings
    try:
        if s.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        with smtp:
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password or "")
            smtp.send_message(msg, from_addr=s.sender, to_addrs=s.to)
    except (smtplib.SMTPException, OSError) as exc:
        return classify_smtp_error(exc)
    return DeliveryResult.success()


class ReportScheduler:
    """Makes and sends the scheduled reports of ``config``; call :meth:`tick` often.

    ``channels`` are the config's alert channels, built (alerts/channels/registry.py
    build_channels); files are kept in
    ``config.reports.output_dir`` (relative to the config file). Raises
    BadInput at construction for a bad schedule.
    """

    def __init__(self, store: Store, config: Config, channels: dict[str, Channel]) -> None:
        self.store = store
        self.config = config
        self.channels = channels
        self.times = {s.name: check_schedule(s, self.channels) for s in config.reports.schedules}
        self.out_dir = config.resolve_path(config.reports.output_dir)
        self._done: set[tuple[str, datetime]] = set()
        self._retry: dict[str, datetime] = {}
        self.unit_reports = DailyReports(store, config)

    def tick(self, now: datetime | None = None) -> list[Sent]:
        """Make and send every report that is due and not yet sent (the units' daily
        reports too); return the scheduled reports made."""
        now = now or datetime.now(UTC)
        self._unit_reports(now)
        made = []
        for s in self.config.reports.schedules:
            if self._retry.get(s.name, now) > now:
                continue
            try:
                sent = self._run(s, now)
            except Exception:  # noqa: BLE001 - one bad report never stops `yuqing run`
                log.exception("scheduled report %s failed; retrying in %s", s.name, RETRY_AFTER)
                self._retry[s.name] = now + RETRY_AFTER
                continue
            if sent is not None:
                made.append(sent)
        return made

    def _unit_reports(self, now: datetime) -> None:
        """Send the units' daily and zero reports due at ``now``; a failure is logged and
        retried after RETRY_AFTER (the reports stored so far are not made again)."""
        if self._retry.get(UNIT_REPORTS, now) > now:
            return
        try:
            made = self.unit_reports.tick(now)
        except Exception:  # noqa: BLE001 - one bad report never stops `yuqing run`
            log.exception("units' daily reports failed; retrying in %s", RETRY_AFTER)
            self._retry[UNIT_REPORTS] = now + RETRY_AFTER
            return
        if made:
            log.info("units' daily reports sent upward: %s",
                     ", ".join(f"{m['unit']}{'（零报告）' if m['zero'] else ''}" for m in made))

    def _run(self, s: ReportScheduleConfig, now: datetime) -> Sent | None:
        tz = self.config.timezone
        fire = last_fire(s, self.times[s.name], now, tz)
        day = default_date(s.kind, fire, tz)
        period = period_of(s.kind, day, tz)
        if (s.name, period.since) in self._done:
            return None
        if self.store.reports.scheduled_exists(s.name, period.since):
            self._done.add((s.name, period.since))
            return None
        report = make_report(self.store, self.config, s.kind, day=day, scheme=s.scheme, now=now)
        data = render(report, s.format)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / f"{s.name}-{day.isoformat()}.{s.format}"
        path.write_bytes(data)
        results = {name: self._deliver(self.channels[name], report, s, path, data, now)
                   for name in s.channels}
        if not any(r.ok for r in results.values()):
            raise RuntimeError(f"no channel accepted it: {results}")
        save_report(self.store, report, schedule=s.name, now=now, fmt=s.format, content=data)
        self._done.add((s.name, period.since))
        return Sent(s.name, day, path, results)

    def _deliver(self, channel: Channel, report: Report, s: ReportScheduleConfig, path: Path,
                 data: bytes, now: datetime) -> DeliveryResult:
        alert = report_alert(report, s, self.config.web.base_url, now)
        if isinstance(channel, EmailChannel):
            msg = build_message(alert, channel.settings)
            maintype, _, subtype = MEDIA_TYPES[s.format].partition(";")[0].partition("/")
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)
            return _smtp_send(channel, msg)
        return channel.send([alert])[0]


def report_alert(report: Report, s: ReportScheduleConfig, base_url: str, now: datetime) -> Alert:
    """Return the notice announcing a scheduled report: title, period, summary, figures,
    suggestions and the download link of the report in the web app."""
    day = report.since.astimezone(ZoneInfo(report.tz)).date().isoformat()
    link = f"{base_url.rstrip('/')}/api/reports/{s.kind}?date={day}&format={s.format}"
    if s.scheme:
        link += f"&scheme={s.scheme}"
    figures = "；".join(f"{f.label}{f.value}" for f in report.figures)
    body = "\n".join([*report.summary, figures, *report.suggestions, f"下载 download: {link}"])
    return Alert(rule=f"report:{s.name}", dedup_key=f"report:{s.name}:{day}",
                 title=f"{report.title} {report.period_label}", body=body, item_keys=[],
                 created_at=now, level="IV", channels=list(s.channels))
