"""Property-based tests (hypothesis) of the parsers of untrusted text in the pipeline.

pipeline/dates.py ``parse_published`` (every feed and export carries a date string)
and pipeline/expr.py ``parse`` (scheme expressions typed in the web app): nothing but
the documented result or BadInput comes out, whatever the text, and what is written in
a supported form reads back as itself. Settings in tests/support/hostile.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from hostile import HOSTILE
from hypothesis import given, settings
from hypothesis import strategies as st

from yuqing.domain import BadInput
from yuqing.pipeline.dates import FUTURE_TOLERANCE, parse_published
from yuqing.pipeline.expr import And, Node, Not, Or, Word, parse

FETCHED = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
FLAGS = {"date_missing", "date_unparsed", "date_approx", "date_no_year", "date_future"}
DATE_PIECES = st.sampled_from([
    "2024", "-", "/", ".", "年", "月", "日", "时", "分", "秒", "T", "Z", "+08:00", "-0500",
    "+99:99", " ", "\u3000", ":", "03", "3", "31", "0", "99", "刚刚", "分钟前", "天前", "昨天",
    "前天", "今天", "Tue", "Mar", ",", "GMT", "1709600000", "1709600000000", "9" * 12,
    "0001", "9999", "\t", "\n", "am", "pm", "年前",
])
DATE_TEXT = st.lists(DATE_PIECES | st.text(max_size=6), max_size=14).map("".join)
ZONES = st.sampled_from(["Asia/Shanghai", "UTC", "America/New_York", "Asia/Kathmandu"])


@settings(HOSTILE, max_examples=600)
@given(value=DATE_TEXT | st.text(max_size=60), tz=ZONES)
def test_any_date_text_gives_a_utc_time_and_known_flags(value: str, tz: str) -> None:
    when, flags = parse_published(value, tz=tz, fetched_at=FETCHED)
    assert when.tzinfo is UTC
    assert when <= FETCHED + FUTURE_TOLERANCE
    assert set(flags) <= FLAGS


# from 2001-09-09 Unix seconds have the 10 digits dates.py reads as such
INSTANTS = st.datetimes(min_value=datetime(2001, 9, 10), max_value=datetime(2024, 3, 4),
                        timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0))


def written(when: datetime, tz: str, form: int) -> str:
    """Return ``when`` written in supported form ``form`` (0-5) as a source in ``tz`` would."""
    local = when.astimezone(ZoneInfo(tz))
    return [
        local.isoformat(),
        local.strftime("%Y-%m-%d %H:%M:%S"),
        local.strftime("%Y年%m月%d日 %H:%M:%S"),
        local.strftime("%Y/%m/%d %H:%M:%S").replace("/0", "/"),
        format_datetime(when.astimezone(timezone(timedelta(hours=8)))),
        str(int(when.timestamp())),
    ][form]


@settings(HOSTILE, max_examples=300)
@given(when=INSTANTS, tz=ZONES, form=st.integers(min_value=0, max_value=5))
def test_a_time_written_in_a_supported_form_reads_back_as_itself(when: datetime, tz: str,
                                                                   form: int) -> None:
    text = written(when, tz, form)
    got, flags = parse_published(text, tz=tz, fetched_at=FETCHED)
    if form in (1, 2, 3) and ZoneInfo(tz).utcoffset(when.replace(tzinfo=None)) != \
            when.astimezone(ZoneInfo(tz)).utcoffset():
        return  # a local time in a DST fold is ambiguous without an offset
    assert (got, flags) == (when, []), text


# ----- scheme expressions ------------------------------------------------------------------


@settings(HOSTILE, max_examples=600)
@given(expression=st.lists(st.sampled_from(["(", ")", "AND", "OR", "NOT", "and", "|", "&",
                                            "+", "!", "-", '"', "“", "”", "（", "）", " ",
                                            "北京", "a", "COVID-19", "＋", "｜"])
                           | st.text(max_size=4), max_size=20).map("".join)
       | st.text(max_size=40))
def test_any_expression_parses_or_is_refused_with_its_position(expression: str) -> None:
    try:
        node = parse(expression, name="scheme")
    except BadInput as exc:
        assert str(exc).startswith("scheme: syntax error at position ")
        return
    assert node.words() and all(w == w.strip() and w for w in node.words())


@settings(HOSTILE, max_examples=40)
@given(depth=st.integers(min_value=1, max_value=20_000),
       form=st.sampled_from([("(", ")"), ("NOT ", ""), ("-", ""), ("!", ""), ("a OR (", ")"),
                             ("", " AND a")]))
def test_deeply_nested_expressions_are_refused_not_crashed(depth: int,
                                                            form: tuple[str, str]) -> None:
    expression = form[0] * depth + "a" + form[1] * depth
    try:
        parse(expression, name="scheme")
    except BadInput as exc:
        assert str(exc).startswith("scheme: ")


WORDS = st.text(st.characters(categories=("L", "N"), include_characters="-_.#@"),
                min_size=1, max_size=6)
NODES: st.SearchStrategy[Node] = st.recursive(
    WORDS.map(Word),
    lambda inner: (inner.map(Not)
                   | st.lists(inner, min_size=2, max_size=3).map(lambda c: And(tuple(c)))
                   | st.lists(inner, min_size=2, max_size=3).map(lambda c: Or(tuple(c)))),
    max_leaves=10)


def written_expression(node: Node) -> str:
    """Return ``node`` written fully parenthesised, its words quoted."""
    if isinstance(node, Word):
        return f'"{node.text}"'
    if isinstance(node, Not):
        return f"NOT ({written_expression(node.child)})"
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(written_expression(c) for c in node.children) + ")"


@settings(HOSTILE, max_examples=300)
@given(node=NODES)
def test_an_expression_written_out_parses_back_to_itself(node: Node) -> None:
    assert parse(written_expression(node)) == node
