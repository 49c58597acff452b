"""Atom feeds (RFC 4287): per edition, one for all articles (``series/atom.xml``) and one
per series (``series/<name>/atom.xml``). Full content as escaped HTML with absolute URLs;
every date comes from front matter, so the same input gives the same bytes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from mmsite import __version__
from mmsite.content.model import Page
from mmsite.features import xmlout
from mmsite.features.seo import seo_options
from mmsite.features.series import model, views
from mmsite.features.site import Site
from mmsite.i18n.editions import Edition
from mmsite.i18n.routing import Route

if TYPE_CHECKING:
    from mmsite.features.site import StepContext as Build

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
URL_ATTR = re.compile(r'\b(href|src|srcset)="([^"]*)"')
# URL_ATTR without its leading \b scans twice as fast; a match that \b would refuse (the
# name ends a longer word) sends the whole text to URL_ATTR.
_URL_ATTR_QUICK = re.compile(r'(href|src|srcset)="([^"]*)"')

Entry = tuple[views.SeriesNav, views.PartLink]


def absolute_html(html: str, base: str) -> str:
    """Make every ``href``/``src``/``srcset`` URL in rendered Markdown absolute."""

    def absolute(match: re.Match[str]) -> str:
        name, value = match.groups()
        if name == "srcset":  # "url 480w, url 960w" (responsive images)
            value = ", ".join(
                " ".join([urljoin(base, url), *rest])
                for url, *rest in (item.split() for item in value.split(",") if item.strip())
            )
        else:
            value = urljoin(base, value)
        return f'{name}="{value}"'

    def quick(match: re.Match[str]) -> str:
        start = match.start()
        if start and (html[start - 1].isalnum() or html[start - 1] == "_"):  # \w
            raise _NotABoundary
        return absolute(match)

    try:
        return _URL_ATTR_QUICK.sub(quick, html)
    except _NotABoundary:
        return URL_ATTR.sub(absolute, html)


class _NotABoundary(Exception):
    pass


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _entry(feed: ET.Element, site: Site, nav: views.SeriesNav, part: views.PartLink) -> str:
    route, page = part.route, part.route.page
    view = part.view
    permalink = site.router.absolute(route.url)
    entry = _sub(feed, "entry")
    if route.fallback:
        entry.set(XML_LANG, view.content_language.hreflang)
    _sub(entry, "title", page.title)
    _sub(entry, "id", permalink)
    _sub(entry, "link", rel="alternate", type="text/html", href=permalink)
    updated = model.iso_datetime(page.meta.get("updated") or page.date)
    _sub(entry, "published", model.iso_datetime(page.date))
    _sub(entry, "updated", updated)
    if page.meta.get("author"):
        _sub(_sub(entry, "author"), "name", page.meta["author"])
    if nav.route is not None:
        _sub(entry, "category", term=nav.series.name, label=nav.title)
    for tag in model.tags(page):
        _sub(entry, "category", term=tag.slug, label=tag.name)
    if page.summary:
        _sub(entry, "summary", page.summary)
    content = absolute_html(str(site.body(route)), permalink)
    _sub(entry, "content", content, type="html")
    _warn_forbidden(site, page, (page.title, page.summary or "", content))
    return updated


def _warn_forbidden(site: Site, page: Page, texts: tuple[str, ...]) -> None:
    """Warn about a character XML forbids (xmlout drops it: a vertical tab pasted from
    Word made the whole feed unreadable), naming the page's file and the line it is on."""
    for text in texts:
        found = xmlout.forbidden(text)
        if found is None:
            continue
        char = found.group()
        where = _line_with(page.source, char)
        site.reporter.warn(
            f"{xmlout.describe(char)} (a control character) is not allowed in XML; "
            "left out of the feeds: delete it from the text",
            f"{page.source}:{where}" if where else page.source,
        )
        return


def _line_with(source: Path, char: str) -> int | None:
    """The line of ``source`` where ``char`` first occurs (None: not in the file as is)."""
    try:
        text = source.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    at = text.find(char)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def feed_xml(site: Site, atom: Feed) -> bytes:
    edition, path, alternate = atom.edition, atom.path, atom.alternate
    router = site.router
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: edition.hreflang})
    _sub(feed, "title", atom.title())
    _sub(feed, "id", router.absolute(router.url_of(path)))
    _sub(
        feed,
        "link",
        rel="self",
        type="application/atom+xml",
        href=router.absolute(router.url_of(path)),
    )
    _sub(feed, "link", rel="alternate", type="text/html", href=router.absolute(alternate))
    updated = _sub(feed, "updated")
    _sub(_sub(feed, "author"), "name", site.title(edition))
    _sub(feed, "generator", "mmsite", version=__version__)
    stamps = [_entry(feed, site, nav, part) for nav, part in atom.entries()]
    updated.text = max(stamps)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + xmlout.tostring(feed, indent=True) + b"\n"


@dataclass(frozen=True)
class Feed:
    """One Atom feed. Its title and entries are worked out when it is written (inside
    the incremental engine's recording: the newest articles depend on every article's
    date), and only then: a delta build rewrites the feeds that show the edited text."""

    edition: Edition
    path: str  # site path of the feed file
    alternate: str  # root-relative URL of the page the feed follows
    title: Callable[[], str]
    entries: Callable[[], list[Entry]]


def feeds(site: Site) -> Iterator[Feed]:
    """Every feed: per edition, all articles, then one per series that has an article
    in that edition. None with ``outputs: {feeds: false}``."""
    if not site.config.outputs.on("feeds"):
        return
    found = views.catalog(site)
    listing = site.model.section_index(PurePosixPath(model.SECTION))
    if not found.series or listing is None:
        return
    limit = seo_options(site.config).feed_limit or None
    router = site.router
    for edition in site.editions:
        shown = [
            series
            for series in found.series.values()
            if any(router.get(group, edition) is not None for group in series.parts)
        ]
        if not shown:  # the edition shows no article (views.articles_in is empty)
            continue
        path = views.feed_path(site, listing, edition)
        yield Feed(
            edition,
            path,
            router.url_of(path[: -len(views.FEED_FILE)]),
            partial(views.all_articles_title, site, edition),
            partial(_newest, site, edition, None, limit),
        )
        for series in shown:
            path = views.feed_path(site, series.index, edition)
            yield Feed(
                edition,
                path,
                router.url_of(path[: -len(views.FEED_FILE)]),
                partial(views.series_feed_title, site, series, edition),
                partial(_newest, site, edition, series, limit),
            )


def _newest(
    site: Site, edition: Edition, series: model.Series | None, limit: int | None
) -> list[Entry]:
    """The newest ``limit`` articles the edition shows (of one series, or of all)."""
    entries = views.articles_in(site, edition)
    if series is not None:
        entries = [item for item in entries if item[0].series is series]
    return entries[:limit]


def write_feeds(build: Build) -> None:
    site = build.site
    for feed in feeds(site):
        build.derived(feed.path, partial(feed_xml, site, feed))


def shown_routes(site: Site) -> list[Route]:
    """The routes whose bodies the feeds show (rendered first, the feeds reuse them)."""
    return [part.route for feed in feeds(site) for _, part in feed.entries()]
