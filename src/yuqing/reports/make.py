"""One entry point for every report kind, with the options of the config's [reports]."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from yuqing.analytics.keywords import KeywordExtractor
from yuqing.config import Config
from yuqing.domain import BadInput
from yuqing.reports.build import ReportOptions, build_period_report
from yuqing.reports.model import KIND_LABELS, Report
from yuqing.reports.periods import PERIOD_KINDS
from yuqing.reports.subjects import build_review_report, build_special_report
from yuqing.store import Store

KINDS = tuple(KIND_LABELS)


def options_from_config(config: Config) -> ReportOptions:
    """Return the report options set in ``config.reports``."""
    cfg = config.reports
    return ReportOptions(organisation=cfg.organisation, base_url=config.web.base_url,
                         typical_posts=cfg.typical_posts)


def make_report(store: Store, config: Config, kind: str, *, day: date | None = None,
                scheme: str | None = None, event: str | None = None, case: int | None = None,
                now: datetime | None = None, extractor: KeywordExtractor | None = None,
                units: frozenset[str] | None = None) -> Report:
    """Return the report of ``kind`` (daily, weekly, monthly, special, review).

    ``units`` keeps the handling figures to those units' cases (None: every unit).

    ``day`` picks the period of a period report (default: the last complete
    one); ``event`` is required for special, ``case`` for review. Raises
    BadInput for an unknown kind, a missing subject or an unknown scheme.
    """
    options = replace(options_from_config(config), units=units)
    tz = config.timezone
    if scheme is not None and config.schemes and scheme not in {s.name for s in config.schemes}:
        raise BadInput(f"--scheme {scheme!r}: not a scheme of the config "
                       f"({', '.join(s.name for s in config.schemes)})")
    if kind in PERIOD_KINDS:
        return build_period_report(store, kind, day=day, tz=tz, scheme=scheme, options=options,
                                   now=now, extractor=extractor)
    if kind == "special":
        if not event:
            raise BadInput("report special: --event ID is required")
        return build_special_report(store, event, tz=tz, options=options, now=now,
                                    extractor=extractor)
    if kind == "review":
        if case is None:
            raise BadInput("report review: --case ID is required")
        return build_review_report(store, case, tz=tz, options=options, now=now)
    raise BadInput(f"report kind {kind!r}: expected one of {', '.join(KINDS)}")
