"""Tests of yuqing.sources.registry (source kinds in a yuqing.plugins.Registry)."""

from __future__ import annotations

import pytest

from yuqing.config import SourceConfig
from yuqing.domain import BadInput
from yuqing.sources.files import FileSource
from yuqing.sources.registry import (
    create_source,
    create_sources,
    register_builtin_sources,
    source_registry,
)
from yuqing.sources.replay import ReplaySource
from yuqing.sources.rss import RssSource
from yuqing.sources.site import SiteSource


def test_builtin_kinds_are_registered_and_built() -> None:
    reg = register_builtin_sources(source_registry())
    assert reg.names() == ["file", "hotlist", "newsnow", "replay", "rss", "search", "site"]
    rss = create_source(reg, SourceConfig(name="a", kind="rss", url="http://127.0.0.1/feed"))
    assert isinstance(rss, RssSource) and rss.name == "a" and rss.supports_conditional_get
    assert isinstance(create_source(reg, SourceConfig(name="b", kind="file", path="x.csv")),
                      FileSource)
    rep = create_source(reg, SourceConfig(name="c", kind="replay", path="builtin:weibo-hotsearch",
                                          speed=3600))
    assert isinstance(rep, ReplaySource) and rep.speed == 3600 and rep.is_finite
    site = create_source(reg, SourceConfig(name="d", kind="site", url="http://127.0.0.1/list"))
    assert isinstance(site, SiteSource) and site.supports_conditional_get and site.is_remote


def test_unknown_kind_names_source_and_known_kinds() -> None:
    ftp = SourceConfig(name="x", kind="ftp")
    with pytest.raises(BadInput, match="source 'x': unknown kind 'ftp'; known kinds: "
                                       "file, hotlist, newsnow, replay, rss, search, site"):
        create_source(register_builtin_sources(source_registry()), ftp)
    with pytest.raises(BadInput, match="source 'x': unknown kind 'ftp'; known kinds: \\(none\\)"):
        create_source(source_registry(), ftp)


def test_registries_are_independent_and_duplicates_refused() -> None:
    one, two = source_registry(), register_builtin_sources(source_registry())
    one.register("rss", RssSource)
    assert "rss" in one and "file" not in one and "file" in two
    with pytest.raises(ValueError, match="source kind 'rss' is already registered"):
        one.register("rss", RssSource)
    one.register("rss", FileSource, replace=True)
    cfg = SourceConfig(name="r", kind="rss", path="a.csv")
    assert isinstance(create_source(one, cfg), FileSource)


def test_create_sources_skips_disabled() -> None:
    cfgs = [SourceConfig(name="a", kind="file", path="a.csv"),
            SourceConfig(name="b", kind="file", path="b.csv", enabled=False)]
    reg = register_builtin_sources(source_registry())
    assert [s.name for s in create_sources(reg, cfgs)] == ["a"]


@pytest.mark.parametrize(("kind", "options", "typo", "near"), [
    ("hotlist", {"platform": "weibo"}, "rise_place", "rise_places"),
    ("search", {"url": "http://127.0.0.1/s?q={query}"}, "max_querys", "max_queries"),
    ("rss", {"url": "http://127.0.0.1/feed"}, "headrs", "headers"),
    ("file", {"path": "x.csv"}, "pathh", "path"),
    ("newsnow", {"url": "http://127.0.0.1:4444", "ids": ["zhihu"]}, "id", "ids"),
    ("site", {"url": "http://127.0.0.1/list"}, "link_patern", "link_pattern"),
    # the keys every source takes are suggested too: a misspelt one must not pass as an option
    ("rss", {"url": "http://127.0.0.1/feed"}, "intervall", "interval"),
    ("site", {"url": "http://127.0.0.1/list"}, "enable", "enabled"),
    ("replay", {"path": "x.jsonl"}, "mediatype", "media_type"),
])
def test_a_misspelt_option_is_refused_with_the_nearest_known_one(
        kind: str, options: dict[str, object], typo: str, near: str) -> None:
    config = SourceConfig(name="x", kind=kind, **options, **{typo: 3})
    with pytest.raises(BadInput, match=f"^source 'x' \\(kind {kind}\\): unknown key "
                                       f"'{typo}' — did you mean '{near}'\\?$"):
        create_source(register_builtin_sources(source_registry()), config)


@pytest.mark.parametrize(("kind", "options"), [
    ("hotlist", {"platform": "weibo"}),
    ("search", {}),
    ("rss", {}),
    ("newsnow", {"ids": ["zhihu"]}),
])
def test_a_url_without_http_is_refused_when_the_source_is_built(
        kind: str, options: dict[str, object]) -> None:
    config = SourceConfig(name="x", kind=kind, url="127.0.0.1:8003/{query}", **options)
    with pytest.raises(BadInput, match="source 'x' .*option 'url' must be an http\\(s\\) URL"):
        create_source(register_builtin_sources(source_registry()), config)
