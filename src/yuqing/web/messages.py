"""Messages of the checks shown on Chinese pages, and the error pages of page routes.

The checks (config.py, runtime/checks.py, web/query_checks.py) word their messages in
English, for the CLI and the logs. A Chinese page shows them through :func:`localize`:
a table of the messages' fixed parts (:data:`PHRASES_ZH`), each a regular expression
whose groups (names, values, lists) are kept as written. A part that is not in the
table stays in English; tests/web/test_messages.py holds the messages every rule is for.

A browser (``Accept: text/html``) asking a page route with a bad query parameter, or a
page that does not exist, gets an HTML page in its language (``error.html``, status 400
or 404...) naming the parameter and the problem; API routes and other clients keep
FastAPI's JSON answers (``{"detail": ...}``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from yuqing.alerts.rule_check import PYDANTIC_MESSAGES
from yuqing.web.i18n import pick_lang, translator

if TYPE_CHECKING:
    from yuqing.web.render import Pages

Replacement = str | Callable[[re.Match[str]], str]
_Q = r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"  # a quoted value as repr() writes it
#: the nouns of the entries named by messages (config.py ENTRY_NOUNS)
NOUNS_ZH: dict[str, str] = {
    "alert channel": "预警渠道", "alert rule": "预警规则", "deadline policy": "期限策略",
    "report schedule": "报告计划", "source": "信息源", "scheme": "监测方案", "unit": "单位",
    "user": "用户"}
#: what a value is not, in runtime/checks.py ``_known`` messages
WHAT_ZH: dict[str, str] = {"an alert channel": "预警渠道", "a deadline policy": "期限策略",
                           "a case state": "案件状态", "a pipeline stage": "处理环节"}
#: the fixed parts of the checks' messages and their Chinese, in the order applied
PHRASES_ZH: list[tuple[re.Pattern[str], Replacement]] = [(re.compile(p), r) for p, r in (
    # the entries messages name (config.py ENTRY_NOUNS, table_label)
    (rf"\b(alert channel|alert rule|deadline policy|report schedule|source|scheme|unit|user) "
     rf"{_Q}", lambda m: f"{NOUNS_ZH[m.group(1)]} {m.group(2)}"),
    (r"… \((\d+) characters\)", r"…（\1 个字符）"),
    (r" ?\(kind ([\w.-]+)\)", r"（类型 \1）"),
    # config.py wordings
    (rf"unknown key {_Q}", r"未知的键 \1"),
    (r"\(valid keys: ([^)]*)\)", r"（可用的键：\1）"),
    (rf"missing required key {_Q}", r"缺少必填的键 \1"),
    (rf" — did you mean {_Q}\?", r"，是否应为 \1？"),
    (rf"{_Q} is not one of ([^;—]*?)(?=$|;|，是否)", r"\1 不是以下之一：\2"),
    (r"(\d+) characters, at most (\d+)", r"\1 个字符，最多 \2 个"),
    (r"([\d.e+-]+) s is outside ([\d.]+) s to ([\d.]+) s \(7 days\)",
     r"\1 秒超出 \2 秒至 \3 秒（7 天）的范围"),
    (rf"{_Q} is not a known time zone \(e\.g\. ([\w/]+)\)", r"\1 不是已知的时区（例如 \2）"),
    (r"(\w+) names must be unique, repeated: (.*?)(?=$|;)", r"\1 名称不能重复，重复的：\2"),
    (r"set path \(a file\) or terms", "请填写文件路径（path）或词条（terms）"),
    # runtime/checks.py wordings
    (rf"{_Q} is not another configured unit \(known: ([^)]*)\)",
     r"\1 不是另一个已配置的单位（已有：\2）"),
    (r"; add it to \[\[cases\.units\]\] or leave parent out", "；请先添加该单位，或不填上级单位"),
    (r"the parents form a cycle \(([^)]*)\); a unit cannot be above itself",
     r"上级单位形成循环（\1）；单位不能是自己的上级"),
    (rf"{_Q} is not (an alert channel|a deadline policy|a case state|a pipeline stage) "
     r"\(known: ([^)]*)\)",
     lambda m: f"{m.group(1)} 不是{WHAT_ZH[m.group(2)]}（已有：{m.group(3)}）"),
    (rf"{_Q} is not a known language \(known: ([^)]*)\)", r"\1 不是可用的语言（可用：\2）"),
    (rf"{_Q} is not a time of day HH:MM \(00:00 to 23:59\)",
     r"\1 不是时刻 HH:MM（00:00 至 23:59）"),
    (r"empty; name the alert channels it goes to", "为空；请填写发送到的预警渠道"),
    (r"\bnone\b(?=[)）])", "无"),
    # web/query_checks.py wordings
    (r"expected one of ", "应为以下之一："),
    (r"expected 30m, 24h, 7d, 2w, today, yesterday or an ISO 8601 date/time such as (\S+) or "
     r"(\S+)", r"应为 30m、24h、7d、2w、today、yesterday 或 ISO 8601 日期时间，例如 \1 或 \2"),
    (r"not a parameter of (\S+) \(known: ([^)]*)\)", r"不是 \1 的参数（可用：\2）"),
    (r"is not a date \(expected YYYY-MM-DD\)", "不是日期（应为 YYYY-MM-DD）"),
    # FastAPI's checks of a parameter's type that alerts/rule_check.py does not word
    (r"^Input should be less than or equal to (\S+)$", r"必须不大于 \1"),
    (r"^Input should be less than (\S+)$", r"必须小于 \1"),
)]
def localize(message: str, lang: str) -> str:
    """Return ``message`` (a check's English text) in ``lang``: unchanged in English; in
    Chinese with every fixed part of :data:`PHRASES_ZH` replaced, names and values kept."""
    if lang != "zh":
        return message
    for pattern, replacement in PHRASES_ZH:
        message = pattern.sub(replacement, message)
    return message


def param_problem(error: dict[str, Any], lang: str) -> str:
    """Return one query-parameter error (FastAPI's or web/query_checks.py's, ``loc``
    ``("query", NAME)``) as ``NAME: problem`` in ``lang``: FastAPI's types through the
    rule editor's words (alerts/rule_check.py PYDANTIC_MESSAGES), ours through
    :func:`localize`."""
    name, msg = str(error["loc"][-1]), str(error["msg"])
    template = PYDANTIC_MESSAGES.get(error["type"])
    if template is not None:
        problem = translator(lang)(template).format(**{**error.get("ctx", {}), "field": name})
    elif msg.startswith(f"{name}="):  # web/query_checks.py names it with its value
        return localize(msg, lang)
    else:
        problem = localize(msg, lang)
    given = error.get("input")
    return f"{name}={given!r}: {problem}" if isinstance(given, str) else f"{name}: {problem}"


#: the heading of an error page by status
TITLES = {400: "请求参数有误", 403: "无权访问", 404: "页面不存在", 405: "不支持此操作",
          409: "内容已被修改", 413: "内容过大"}


def wants_page(request: Request) -> bool:
    """Whether ``request`` is a browser's for a page: not under ``/api/`` or ``/static/``,
    and accepting ``text/html``."""
    path = request.url.path
    return (not path.startswith(("/api/", "/static/"))
            and "text/html" in request.headers.get("accept", ""))


def install_error_pages(app: FastAPI, pages: Pages) -> None:
    """Answer a browser's page request that fails (bad query parameter: 400, HTTPException:
    its status) with ``error.html`` in the page's language; others as FastAPI does."""

    def page(request: Request, status: int, problems: list[str]) -> Response:
        return pages.render(request, "error.html", status=status, code=status,
                            title=TITLES.get(status, "出错了"), problems=problems)

    @app.exception_handler(RequestValidationError)
    async def bad_params(request: Request, exc: RequestValidationError) -> Response:
        if not wants_page(request):
            return await request_validation_exception_handler(request, exc)
        lang = pick_lang(request)
        return page(request, 400, [param_problem(e, lang) for e in exc.errors()])

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if not wants_page(request) or exc.status_code < 400 or exc.headers:
            return await http_exception_handler(request, exc)
        detail = exc.detail if isinstance(exc.detail, str) else ""
        if detail == HTTPStatus(exc.status_code).phrase:  # Starlette's own "Not Found"
            detail = ""
        return page(request, exc.status_code,
                    [localize(detail, pick_lang(request))] if detail else [])
