"""Charts of a report, rendered server-side by matplotlib (Agg) as PNG bytes.

Every chart uses the shipped CJK font (reports/fonts.py), so Chinese titles,
labels and legends never fall back to a missing glyph, and U+2212 for the
minus sign. Figures are built with the object API (no pyplot state), so
charts can be drawn from several threads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from matplotlib.ticker import MaxNLocator

from yuqing.reports.fonts import register_matplotlib

#: colours shared by every chart (and the HTML styles): negative, neutral, positive, volume
COLOURS = {"负面": "#c0392b", "中性": "#95a5a6", "正面": "#27ae60", "未判定": "#d5d8dc",
           "总量": "#2c6fbb"}
PALETTE = ("#2c6fbb", "#e67e22", "#16a085", "#8e44ad", "#c0392b", "#7f8c8d", "#d4ac0d",
           "#2e4053")
DPI = 150


def _figure(width: float, height: float) -> Any:
    """Return a new matplotlib Figure of ``width`` x ``height`` inches with the CJK font."""
    register_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Any) -> bytes:
    buf = BytesIO()
    fig.savefig(buf, format="png", facecolor="white")
    return buf.getvalue()


def _style(ax: Any, title: str) -> None:
    ax.set_title(title, fontsize=12, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#e5e7e9", linewidth=0.8)
    ax.set_axisbelow(True)


def time_chart(title: str, times: Sequence[datetime], series: Mapping[str, Sequence[float]], *,
               start: datetime, end: datetime, as_of: datetime, tz: str, hourly: bool,
               as_of_label: str = "", colours: Mapping[str, str] = COLOURS) -> bytes:
    """Return a line chart PNG over a true time axis: one unstacked, unsmoothed line per
    ``series`` name, points at ``times`` (aware bucket starts), the axis spanning
    ``[start, end]`` in zone ``tz``.

    Lines stop at the last bucket (the one holding ``as_of``); when ``as_of`` is before
    ``end`` a dashed line marks it, labelled ``as_of_label``, and the time still to come is
    left empty rather than drawn as zeros. Ticks are hours (``hourly``) or days. A name
    found in ``colours`` gets that colour (负面 red, 正面 green...).
    """
    from matplotlib import dates as mdates

    zone = ZoneInfo(tz)
    fig = _figure(7.2, 3.0)
    ax = fig.subplots()
    for i, (name, values) in enumerate(series.items()):
        colour = colours.get(name, PALETTE[i % len(PALETTE)])
        ax.plot(list(times), list(values), marker="o", markersize=2.5, linewidth=1.6,
                color=colour, label=name)
    ax.set_xlim(start, end)
    hours = (end - start).total_seconds() / 3600
    if hourly:
        ax.xaxis.set_major_locator(mdates.HourLocator(  # type: ignore[no-untyped-call]
            interval=max(1, round(hours / 8)), tz=zone))
        fmt = "%H:%M" if hours <= 24 else "%m-%d %H:%M"
    else:
        ax.xaxis.set_major_locator(mdates.DayLocator(  # type: ignore[no-untyped-call]
            interval=max(1, round(hours / 24 / 10)), tz=zone))
        fmt = "%m-%d"
    ax.xaxis.set_major_formatter(mdates.DateFormatter(fmt, tz=zone))  # type: ignore[no-untyped-call]
    if as_of < end:
        ax.axvline(as_of, color="#566573", linestyle="--", linewidth=1)
        ax.annotate(as_of_label, (as_of, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -10), textcoords="offset points", fontsize=8, color="#566573")
    ax.tick_params(axis="both", labelsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    lowest = min((min(v) for v in series.values() if len(v)), default=0)
    ax.set_ylim(bottom=min(0, lowest * 1.1))
    _style(ax, title)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _png(fig)


def bar_chart(title: str, names: Sequence[str], values: Sequence[float],
              colours: Sequence[str] | None = None, width: float = 7.2,
              height: float | None = None) -> bytes:
    """Return a horizontal bar chart PNG, first name on top, values printed at the bars;
    the height grows with the number of bars unless given (inches)."""
    fig = _figure(width, height or 0.9 + 0.32 * max(1, len(names)))
    ax = fig.subplots()
    ys = list(range(len(names)))[::-1]
    bars = ax.barh(ys, list(values), color=list(colours) if colours else PALETTE[0], height=0.6)
    ax.set_yticks(ys, list(names), fontsize=9)
    ax.bar_label(bars, labels=[f"{v:g}" for v in values], fontsize=8, padding=3)
    ax.tick_params(axis="x", labelsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _style(ax, title)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#e5e7e9", linewidth=0.8)
    return _png(fig)


def donut_chart(title: str, shares: Mapping[str, float],
                colours: Mapping[str, str] = COLOURS) -> bytes:
    """Return a donut chart PNG of ``shares`` (name -> count): every name is in the legend
    with its percentage, 0.0% included (a share that is zero is said, not hidden); only
    the wedges are left out for zeros."""
    from matplotlib.patches import Patch

    fig = _figure(4.2, 3.0)
    ax = fig.subplots()
    by_name = {n: colours.get(n, PALETTE[i % len(PALETTE)]) for i, n in enumerate(shares)}
    drawn = [n for n, v in shares.items() if v > 0]
    total = sum(shares.values()) or 1
    ax.pie([shares[n] for n in drawn], colors=[by_name[n] for n in drawn], startangle=90,
           counterclock=False, wedgeprops={"width": 0.42, "edgecolor": "white"})
    ax.legend(handles=[Patch(color=by_name[n], label=f"{n} {v / total:.1%}")
                       for n, v in shares.items()],
              fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_title(title, fontsize=12, loc="left")
    ax.set_aspect("equal")
    return _png(fig)


def word_cloud(title: str, weights: Mapping[str, float], width: float = 7.2,
               height: float = 2.6) -> bytes:
    """Return a word-cloud PNG: words in centred rows, font size from 11 to 30 pt by weight,
    heaviest first, colours cycling through PALETTE; words that do not fit are left out."""
    fig = _figure(width, height)
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set_title(title, fontsize=12, loc="left")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    top = max(weights.values(), default=0.0) or 1.0
    renderer = fig.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    rows: list[list[tuple[Any, float]]] = [[]]
    used = 0.0
    for i, (word, weight) in enumerate(sorted(weights.items(), key=lambda kv: -kv[1])):
        size = 11 + 19 * (weight / top)
        text = ax.text(0, 0, word, fontsize=size, color=PALETTE[i % len(PALETTE)], va="center")
        w = text.get_window_extent(renderer).width / box.width + 0.03
        if rows[-1] and used + w > 1.0:
            rows.append([])
            used = 0.0
        rows[-1].append((text, w))
        used += w
    row_h = 30 / 72 * DPI / box.height * 1.1
    fits = max(1, min(len(rows), int(1 / row_h)))
    for row in rows[fits:]:
        for text, _ in row:
            text.remove()
    y = 0.5 + row_h * (fits - 1) / 2
    for row in rows[:fits]:
        x = (1.0 - sum(w for _, w in row)) / 2
        for text, w in row:
            text.set_position((x, y))
            x += w
        y -= row_h
    return _png(fig)
