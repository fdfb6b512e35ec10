"""Serve the hand-written CMS sites of tests/fixtures/sites from a PageServer.

``serve_site(server, "county")`` answers every file under
``tests/fixtures/sites/county`` at its path (``/qsx/tzgg/index.html``), with
``Content-Type: text/html`` and no charset (the page's own declaration must be
found) unless ``content_type`` says otherwise. ``article(site, path)`` returns a
fixture page's bytes; ``with_title`` makes a new article out of one.
"""

from __future__ import annotations

from pathlib import Path

from pageserver import PageServer

SITES = Path(__file__).parents[1] / "fixtures" / "sites"


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


def with_title(page: bytes, old: str, new: str, encoding: str, *,
               date: tuple[str, str] | None = None) -> bytes:
    """Return ``page`` (in ``encoding``) with title ``old`` replaced by ``new`` and, when
    given, the date ``date[0]`` by ``date[1]`` everywhere."""
    text = page.decode(encoding).replace(old, new)
    if date is not None:
        text = text.replace(*date)
    return text.encode(encoding)
