"""A report as Markdown, for an AI assistant (the MCP ``draft_report`` tool): the text and
tables of the report, each typical post numbered ``[n]`` and listed with the key of its
stored item and the SHA-256 of the quote, so every citation can be checked. Charts are
left out (they are pictures of the tables' data)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from yuqing.reports.model import Report, Table

#: tables whose content the Markdown shows in another form (the posts) or that are long
#: series an assistant reads better from ``get_stats``
LEFT_OUT = frozenset({"典型信息", "信息量趋势"})


def _cell(value: object) -> str:
    """Return ``value`` as one Markdown table cell (pipes escaped, lines joined)."""
    return " ".join(str(value).split()).replace("|", "\\|")


def _table(table: Table) -> list[str]:
    if not table.rows:
        return [f"### {table.title}", "", "（无）", ""]
    lines = [f"### {table.title}", "", "| " + " | ".join(map(_cell, table.columns)) + " |",
             "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in table.rows]
    return [*lines, ""]


def render_markdown(report: Report) -> str:
    """Return ``report`` as Markdown (UTF-8 text): heading, period, figures, summary,
    tables, typical posts ``[n]`` with their stored item keys, suggestions and the
    evidence list (ref, item key, SHA-256 of the quote)."""
    generated = report.generated_at.astimezone(ZoneInfo(report.tz)).strftime("%Y-%m-%d %H:%M")
    scope = f" · 监测方案：{report.scheme}" if report.scheme else ""
    subject = f" · {report.subject}" if report.subject else ""
    lines = [f"# {report.title}", "", f"{report.organisation} · {report.period_label}{scope}"
             f"{subject} · 生成时间：{generated}", "", "## 总体情况", ""]
    lines += [f"- {f.label}：{f.value}" + (f"（{f.note}）" if f.note else "")
              for f in report.figures]
    lines += ["", *[p + "\n" for p in report.summary]]
    for table in report.tables:
        if table.title not in LEFT_OUT:
            lines += _table(table)
    if report.posts:
        lines += ["## 典型信息", ""]
        lines += [f"[{p.ref}] {p.quote} —— {p.source}" + (f" · {p.author}" if p.author else "")
                  + f" · {p.published} · {p.sentiment}（条目 `{p.key}`）" for p in report.posts]
        lines.append("")
    lines += ["## 工作建议", ""]
    lines += [f"{i}. {s}" for i, s in enumerate(report.suggestions, 1)]
    if report.posts:
        lines += ["", "## 附：引用信息存证", "", "| 编号 | 条目 | 引文 SHA-256 |", "|---|---|---|"]
        lines += [f"| [{p.ref}] | `{p.key}` | {p.quote_hash} |" for p in report.posts]
    return "\n".join(lines).rstrip() + "\n"
