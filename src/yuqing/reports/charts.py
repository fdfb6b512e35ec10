"""Charts of a report, rendered server-side by matplotlib (Agg) as PNG bytes.

Every chart uses the shipped CJK font (reports/fonts.py), so Chinese titles,
labels and legends never fall back to a missing glyph, and U+2212 for the
minus sign. Figures are built with the object API (no pyplot state), so
charts can be drawn from several threads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any

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


def line_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[float]]) -> bytes:
    """Return a line chart PNG: one line per ``series`` name over the x ``labels``.

    A name found in COLOURS gets that colour (负面 red, 正面 green...).
    """
    fig = _figure(7.2, 3.0)
    ax = fig.subplots()
    xs = range(len(labels))
    for i, (name, values) in enumerate(series.items()):
        colour = COLOURS.get(name, PALETTE[i % len(PALETTE)])
        ax.plot(xs, list(values), marker="o", markersize=3, linewidth=1.8, color=colour,
                label=name)
    step = max(1, len(labels) // 12)
    ax.set_xticks(list(xs)[::step], list(labels)[::step], fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    lowest = min((min(v) for v in series.values() if len(v)), default=0)
    ax.set_ylim(bottom=min(0, lowest * 1.1))
    _style(ax, title)
    ax.legend(fontsize=8, frameon=False, loc="upper right")
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


def donut_chart(title: str, shares: Mapping[str, float]) -> bytes:
    """Return a donut chart PNG of ``shares`` (name -> count), with percentages in the legend."""
    fig = _figure(4.2, 3.0)
    ax = fig.subplots()
    names = [n for n, v in shares.items() if v > 0]
    values = [shares[n] for n in names]
    total = sum(values) or 1
    colours = [COLOURS.get(n, PALETTE[i % len(PALETTE)]) for i, n in enumerate(names)]
    ax.pie(values, colors=colours, startangle=90, counterclock=False,
           wedgeprops={"width": 0.42, "edgecolor": "white"})
    ax.legend([f"{n} {v / total:.1%}" for n, v in zip(names, values, strict=True)],
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
