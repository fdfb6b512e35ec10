"""Checks of the query parameters of the list endpoints: a bad filter is refused, never ignored.

A filter that matched nothing because of a typo (``?sentiment=bad``, ``?since=abc``,
``?sentimnet=negative``) used to answer ``[]`` or everything, which a user cannot tell
from a real answer. Each check here raises FastAPI's RequestValidationError, so the
answer is the usual 422 ``{"detail": [{"loc": ["query", NAME], "msg", "type", "input"}]}``
naming the parameter and what it accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from yuqing.domain import BadInput

#: parameters any route takes: ``lang`` picks the language of messages (web/i18n.py)
ALWAYS_ALLOWED = frozenset({"lang"})


def bad_param(name: str, value: object, problem: str) -> RequestValidationError:
    """Return the 422 error of query parameter ``name`` (``value`` as given, ``problem`` text)."""
    return RequestValidationError([{"loc": ("query", name), "msg": f"{name}={value!r}: {problem}",
                                    "type": "value_error", "input": value}])


def choice(name: str, value: str | None, allowed: Sequence[str]) -> str | None:
    """Return ``value`` (None and "" mean unset) when it is one of ``allowed``; raises the
    422 of :func:`bad_param` listing them otherwise."""
    if not value:
        return None
    if value not in allowed:
        raise bad_param(name, value, f"expected one of {', '.join(allowed)}")
    return value


def since_param(value: str | None, tz: str, name: str = "since") -> datetime | None:
    """Parse ``since`` like the CLI's ``--since`` (time_range.parse_since: ``24h``, ``7d``,
    ``now``, ``today``, ``yesterday`` or an ISO 8601 date/time, no offset = ``tz``); aware
    UTC, None when unset. Raises the 422 of :func:`bad_param` for anything else."""
    from yuqing.time_range import parse_since

    if not value:
        return None
    try:
        return parse_since(value, tz)
    except BadInput:
        raise bad_param(name, value, "expected 30m, 24h, 7d, 2w, today, yesterday or an ISO "
                                     "8601 date/time "
                                     "such as 2024-03-05 or 2024-03-05T08:00+08:00") from None


def refuse_unknown_params(request: Request) -> None:
    """Dependency: refuse (422) a query parameter the route does not take, naming the ones
    it does, so that a misspelt filter (``?sentimnet=``) does not silently list everything."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = {p.alias for p in dependant.query_params} | ALWAYS_ALLOWED
    for sub in dependant.dependencies:
        known |= {p.alias for p in sub.query_params}
    for name in request.query_params:
        if name not in known:
            raise bad_param(
                name,
                request.query_params[name],
                f"not a parameter of {request.url.path} (known: {', '.join(sorted(known))})",
            )
