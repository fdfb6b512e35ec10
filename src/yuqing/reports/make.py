"""One entry point for every report kind, with the options of the config's [reports]."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from yuqing.analytics.keywords import KeywordExtractor
from yuqing.config import Config
from yuqing.domain import BadInput
from yuqing.reports.build import ReportOptions, build_period_report, build_range_report
from yuqing.reports.lang import check_lang
from yuqing.reports.model import KIND_LABELS, Report
from yuqing.reports.periods import PERIOD_KINDS, range_period
from yuqing.reports.subjects import build_review_report, build_special_report
from yuqing.store import Store

KINDS = tuple(KIND_LABELS)


def options_from_config(config: Config) -> ReportOptions:
    """Return the report options set in ``config.reports``."""
    cfg = config.reports
    return ReportOptions(organisation=cfg.organisation, base_url=config.web.base_url,
                         typical_posts=cfg.typical_posts)


def with_overview(report: Report, config: Config, store: Store) -> Report:
    """Return ``report`` with the language model's 综述 paragraph (assist/overview.py) when
    ``[llm]`` is set; unchanged otherwise (assist/ is then not imported). A review is never
    given one: its posts are a case's material."""
    if config.llm is not None:
        from yuqing.assist.overview import add_overview

        add_overview(report, config, store)
    return report


def make_report(store: Store, config: Config, kind: str, *, day: date | None = None,
                scheme: str | None = None, event: str | None = None, case: int | None = None,
                now: datetime | None = None, extractor: KeywordExtractor | None = None,
                units: frozenset[str] | None = None, first: date | None = None,
                last: date | None = None, lang: str | None = None) -> Report:
    """Return the report of ``kind`` (daily, weekly, monthly, special, review) as of ``now``
    (default: the current time; no figure counts anything after it).

    ``units`` keeps the handling figures to those units' cases (None: every unit); ``lang``
    is the report's language (zh, en; default the config's ``language``). With
    ``[llm]`` a period or special report gets a drafted 综述 paragraph (:func:`with_overview`).

    ``day`` picks the period of a period report (default: the last complete
    one). A special report is on ``event``, or on the days ``first`` to ``last`` (both
    included, ``scheme`` optional); ``case`` is required for review. Raises
    BadInput for an unknown kind, a missing subject or an unknown scheme.
    """
    options = replace(options_from_config(config), units=units,
                      lang=check_lang(lang or config.language))
    tz = config.timezone
    if scheme is not None and config.schemes and scheme not in {s.name for s in config.schemes}:
        raise BadInput(f"--scheme {scheme!r}: not a scheme of the config "
                       f"({', '.join(s.name for s in config.schemes)})")
    if kind in PERIOD_KINDS:
        return with_overview(build_period_report(store, kind, day=day, tz=tz, scheme=scheme,
                                                 options=options, now=now, extractor=extractor),
                             config, store)
    if kind == "special":
        if event:
            return with_overview(build_special_report(store, event, tz=tz, options=options,
                                                      now=now, extractor=extractor),
                                 config, store)
        if first is None:
            raise BadInput("report special: give --event ID, or a date range --from DATE "
                           "[--to DATE] (with --scheme NAME to keep one scheme)")
        period = range_period(first, last or first, tz)
        return with_overview(build_range_report(store, "special", period, tz=tz, scheme=scheme,
                                                options=options, now=now, extractor=extractor),
                             config, store)
    if kind == "review":
        if case is None:
            raise BadInput("report review: --case ID is required")
        return build_review_report(store, case, tz=tz, options=options, now=now)
    raise BadInput(f"report kind {kind!r}: expected one of {', '.join(KINDS)}")
