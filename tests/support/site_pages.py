"""Serve the hand-written CMS sites of tests/fixtures/sites from a PageServer.

``serve_site(server, "county")`` answers every file under
``tests/fixtures/sites/county`` at its path (``/qsx/tzgg/index.html``), with
``Content-Type: text/html`` and no charset (the page's own declaration must be
found) unless ``content_type`` says otherwise; ``page_bytes(site, path)``
returns a fixture page's bytes.

``running_county(host)`` runs the county site with its two list pages
(``TZGG``, ``ZWDT``) answering conditional GETs (ETag ``"vN"``, 304 when it
matches); ``publish_new_notice(server)`` then adds the notice ``NEW_TITLE``
(published 6 March 2024 09:50, Shanghai time, at ``NEW_PATH``) to the top of
the 通知公告 list, under a new ETag.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from pageserver import Answer, PageServer, running_page_server

SITES = Path(__file__).parents[1] / "fixtures" / "sites"
TZGG = "/qsx/tzgg/index.html"
ZWDT = "/qsx/zwdt/index.html"
OLD_PATH = "/qsx/tzgg/202403/t20240305_1001.html"
OLD_TITLE = "青山县人民政府关于做好2024年春季森林防火工作的通知"
NEW_PATH = "/qsx/tzgg/202403/t20240306_1010.html"
NEW_TITLE = "青山县关于开展2024年春季义务植树活动的通知"
NEW_BODY = ("<p>各乡镇人民政府，县直各单位：</p><p>3月12日是全国第46个植树节。经县政府研究，定于3月"
            "9日至3月15日在全县开展2024年春季义务植树活动，县城周边以青山公园、城东绿道为主要地点，"
            "各乡镇自行确定植树地块。</p><p>请各单位组织干部职工按时参加义务植树，并于3月20日前将"
            "植树数量和成活情况报县绿化委员会办公室。</p>")
NEW_LI = (f'<li><span class="date">2024-03-06</span><a href="./202403/t20240306_1010.html" '
          f'target="_blank" title="{NEW_TITLE}">{NEW_TITLE}</a></li>\n')


def serve_site(server: PageServer, site: str, *, content_type: str = "text/html") -> list[str]:
    """Add every page of ``site`` to ``server``; return the paths served."""
    root = SITES / site
    paths = []
    for file in sorted(root.rglob("*")):
        if file.is_file():
            path = "/" + file.relative_to(root).as_posix()
            server.add(path, file.read_bytes(), headers={"Content-Type": content_type})
            paths.append(path)
    return paths


def page_bytes(site: str, path: str) -> bytes:
    """Return the bytes of the fixture page ``path`` of ``site``."""
    return (SITES / site / path.lstrip("/")).read_bytes()


class ListPage:
    """A GBK list page answering conditional GETs: version 1 is the fixture, version 2
    adds the new notice at the top; ETag ``"vN"``, 304 when it matches."""

    def __init__(self, fixture: bytes) -> None:
        self.fixture = fixture
        self.version = 1

    def __call__(self, headers: Mapping[str, str]) -> Answer:
        etag = f'"v{self.version}"'
        if headers.get("if-none-match") == etag:
            return Answer(status=304, headers={"ETag": etag})
        body = self.fixture
        if self.version > 1:
            text = body.decode("gbk")
            at = text.index('<li><span class="date">')
            body = (text[:at] + NEW_LI + text[at:]).encode("gbk")
        return Answer(body, headers={"Content-Type": "text/html", "ETag": etag})


def new_notice() -> bytes:
    """The page of the new notice: notice 1001's page with another title, time and body."""
    text = page_bytes("county", OLD_PATH).decode("gbk").replace(OLD_TITLE, NEW_TITLE)
    text = text.replace("2024-03-05 10:30", "2024-03-06 09:50")
    start = text.index('<div class="TRS_Editor">') + len('<div class="TRS_Editor">')
    return (text[:start] + NEW_BODY + text[text.index("</div>", start):]).encode("gbk")


@contextmanager
def running_county(host: str = "127.0.0.1") -> Iterator[PageServer]:
    """Run the county site on ``host`` (module doc)."""
    with running_page_server(host) as server:
        serve_site(server, "county")
        server.add(TZGG, ListPage(page_bytes("county", TZGG)))
        server.add(ZWDT, ListPage(page_bytes("county", ZWDT)))
        server.add(NEW_PATH, new_notice(), headers={"Content-Type": "text/html"})
        yield server


def publish_new_notice(server: PageServer) -> None:
    """Link the new notice from the top of the county's 通知公告 list (a new ETag)."""
    route = server.routes[TZGG]
    assert isinstance(route, ListPage)
    route.version = 2
