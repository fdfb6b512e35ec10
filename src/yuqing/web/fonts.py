"""The shipped CJK fonts (yuqing/data/fonts, reports/fonts.py) served to browsers.

``app.css`` binds them by ``@font-face``, each limited by ``unicode-range`` to the
scripts it is for: the main face leads the pages' font stack (Chromium never redraws
text shaped before a web font loaded when an installed font precedes it) and names the
usual Chinese system fonts as ``local()`` sources, so a browser downloads it only on a
machine without one of them, where every hanzi would otherwise be an empty box; the
Ext face (rare characters) comes last. The files change only with a release, so
answers may be cached for a month.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse

from yuqing.reports.fonts import EXT_FAMILY, FAMILY, font_path
from yuqing.web import access

#: URL name of each shipped family (the names app.css uses)
FONT_URLS = {"yuqing-sans-sc.ttf": FAMILY, "yuqing-sans-sc-ext.ttf": EXT_FAMILY}
FONT_PREFIX = "/static/fonts/"
CACHE = "public, max-age=2592000"


def fonts_router() -> APIRouter:
    """Return the route ``GET /static/fonts/{name}`` (no login: the login page needs it)."""
    router = APIRouter(include_in_schema=False)

    @router.get(FONT_PREFIX + "{name}", dependencies=[Depends(access.OPEN)])
    def font(name: str) -> FileResponse:
        """One shipped font file (``font/ttf``), cacheable; 404 for another name."""
        family = FONT_URLS.get(name)
        if family is None:
            raise HTTPException(404, f"font {name!r}: expected one of {', '.join(FONT_URLS)}")
        return FileResponse(font_path(family), media_type="font/ttf",
                            headers={"Cache-Control": CACHE})

    return router
