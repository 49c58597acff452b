"""What series templates see: navigation within a series per edition, article details,
tag listings, feed links and the article's JSON-LD. Plain objects, no file access."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from mmsite.content.model import Group, Page, report_reads
from mmsite.features.registry import provides
from mmsite.features.seo import json_indented
from mmsite.features.series import model
from mmsite.features.site import PageView, Site
from mmsite.i18n.editions import Edition, parse_locale
from mmsite.i18n.routing import Route, quote_path

FEED_FILE = "atom.xml"


def catalog(site: Site) -> model.Catalog:
    """The site's series, collected once, when the model is built (``series_step``).
    The reading order comes from the parts' front matter: :func:`series_nav` reports
    those reads to the output using it."""
    found = site.model.data.get(model.SECTION)
    if found is None:
        found = site.model.data[model.SECTION] = model.collect(site.model)
    return found


def image_url(site: Site, page: Page, absolute: bool = False) -> str:
    """A page's ``image:`` as a URL (resource beside the page, or an https URL)."""
    value = page.meta.get("image")
    if not value:
        return ""
    if urlsplit(value).scheme:
        return value
    url = quote_path(site.router.base_path + str(page.dir / value))
    return site.router.absolute(url) if absolute else url


@dataclass
class PartLink:
    number: int  # position among the parts this edition shows (1-based)
    route: Route
    view: PageView
    current: bool = False

    @property
    def title(self) -> str:
        return self.route.page.title

    @property
    def url(self) -> str:
        return self.route.url

    @property
    def fallback(self) -> bool:
        return self.route.fallback


@dataclass
class SeriesNav:
    """One series as one edition shows it."""

    series: model.Series
    route: Route | None  # the series index page in this edition
    parts: list[PartLink]
    untranslated: int  # parts without a translation in this edition's language
    feed: str  # root-relative URL of the series feed ("" with outputs: {feeds: false})
    policy: str  # "fallback" | "skip"
    image: str = ""
    newsletter: model.Newsletter | None = None  # the series' sign-up form, if it has one
    current: PartLink | None = None
    prev: PartLink | None = None
    next: PartLink | None = None

    @property
    def title(self) -> str:  # series_title_in gives the same without a SeriesNav
        return self.route.page.title if self.route else self.series.index.default.title

    @property
    def summary(self) -> str:
        return self.route.page.summary if self.route else ""

    @property
    def url(self) -> str:
        return self.route.url if self.route else ""

    @property
    def total(self) -> int:
        return len(self.parts)

    @property
    def fallback_parts(self) -> int:
        return sum(part.fallback for part in self.parts)


def feed_path(site: Site, group: Group, edition: Edition) -> str:
    """The site path of the Atom feed beside a section page (``fr/series/atom.xml``)."""
    route = site.router.get(group, edition)
    path = route.path if route else site.router.site_path(group.default, edition)
    return path + FEED_FILE


def series_nav(site: Site, series: model.Series, edition: Edition, here: Group | None) -> SeriesNav:
    router = site.router
    report_reads(group.default for group in series.parts)  # their ``part:`` set the order
    parts: list[PartLink] = []
    for group in series.parts:
        route = router.get(group, edition)
        if route is not None:
            link = PartLink(len(parts) + 1, route, site.view(route), group is here)
            parts.append(link)
    index = router.get(series.index, edition)
    nav = SeriesNav(
        series=series,
        route=index,
        parts=parts,
        untranslated=sum(edition.lang not in g.pages for g in series.parts),
        feed=router.url_of(feed_path(site, series.index, edition))
        if site.config.outputs.on("feeds")
        else "",
        policy=site.config.missing_translation,
        image=image_url(site, (index.page if index else series.index.default)),
        newsletter=model.newsletter(index.page if index else series.index.default),
    )
    for position, part in enumerate(parts):
        if part.current:
            nav.current = part
            nav.prev = parts[position - 1] if position > 0 else None
            nav.next = parts[position + 1] if position + 1 < len(parts) else None
    return nav


# -- article details ---------------------------------------------------------


@dataclass
class TagLink:
    name: str
    slug: str
    url: str
    count: int = 0


@dataclass(frozen=True)
class Heading:
    level: int  # 2 or 3
    id: str
    text: str


@dataclass
class ArticleInfo:
    author: str
    interviewee: model.Interviewee | None
    country_name: str
    minutes: int
    tags: list[TagLink]
    image: str
    jsonld: Markup = field(default_factory=Markup)
    toc: list[Heading] = field(default_factory=list)  # shown from TOC_MIN headings
    related: list[tuple[SeriesNav, PartLink]] = field(default_factory=list)


# The body's h2 and h3 headings, with the ids the renderer gave them.
_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
TOC_MIN = 3  # an article gets a table of contents from this many headings


def headings(body: str) -> list[Heading]:
    """h2/h3 headings of a rendered body: the article's table of contents."""
    found = [
        Heading(int(level), html.unescape(anchor), html.unescape(_TAG.sub("", inner)).strip())
        for level, anchor, inner in _HEADING.findall(body)
    ]
    return found if len(found) >= TOC_MIN else []


RELATED = 3  # related articles under an article


def related_articles(view: PageView, nav: SeriesNav) -> list[tuple[SeriesNav, PartLink]]:
    """Up to :data:`RELATED` other articles of this edition: the same series first, then
    those sharing the most tags, newest first; never the previous or next part (linked
    already) nor an article with nothing in common."""
    index = related_index(view.site, view.edition)
    shared: dict[int, int] = {}  # position in articles_in -> tags shared with this page
    for tag in {tag.slug for tag in model.tags(view.page)}:
        for position in index.by_tag.get(tag, ()):
            shared[position] = shared.get(position, 0) + 1
    linked = {view.route.group.key} | {p.route.group.key for p in (nav.prev, nav.next) if p}
    ranked = []
    for position in shared.keys() | set(index.by_series.get(id(nav.series), ())):
        other, part = index.articles[position]
        if part.route.group.key not in linked:
            same = other.series is nav.series
            ranked.append((not same, -shared.get(position, 0), position, other, part))
    ranked.sort(key=lambda item: item[:3])
    return [(other, part) for *_key, other, part in ranked[:RELATED]]


@dataclass
class RelatedIndex:
    """An edition's articles (:func:`articles_in`) by tag and by series: each article's
    related ones come from the few sharing something with it, not from all of them."""

    articles: list[tuple[SeriesNav, PartLink]]
    by_tag: dict[str, list[int]]  # tag slug -> positions in ``articles``
    by_series: dict[int, list[int]]  # id() of a model.Series -> positions


def related_index(site: Site, edition: Edition) -> RelatedIndex:
    """Once per edition (the tags it read are reported again to each page using it)."""

    def make() -> RelatedIndex:
        articles = articles_in(site, edition)
        index = RelatedIndex(articles, {}, {})
        for position, (other, part) in enumerate(articles):
            index.by_series.setdefault(id(other.series), []).append(position)
            for slug in {tag.slug for tag in model.tags(part.route.page)}:
                index.by_tag.setdefault(slug, []).append(position)
        return index

    return site.memo("series.related", edition.code, make)


def tag_link(site: Site, tag: model.Tag, edition: Edition) -> TagLink | None:
    group = site.model.groups.get(f"{model.TAGS}/{tag.slug}")
    route = site.router.get(group, edition) if group else None
    return TagLink(tag.name, tag.slug, route.url, 0) if route else None


def article_info(view: PageView, nav: SeriesNav) -> ArticleInfo:
    page = view.page
    person = model.interviewee(page)
    country = ""
    if person and person.country:
        country = parse_locale(view.edition.locale).territories.get(person.country, person.country)
    links = [tag_link(view.site, tag, view.edition) for tag in model.tags(page)]
    info = ArticleInfo(
        author=page.meta.get("author", ""),
        interviewee=person,
        country_name=country,
        minutes=model.reading_minutes(page),
        tags=[link for link in links if link],
        image=image_url(view.site, page),
        toc=headings(view.content),
        related=related_articles(view, nav),
    )
    info.jsonld = jsonld(view, nav, info)
    return info


def jsonld(view: PageView, nav: SeriesNav, info: ArticleInfo) -> Markup:
    """schema.org Article as a safe ``<script>`` body (``<`` escaped, so no ``</script>``)."""
    page = view.page
    router = view.site.router
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": page.title,
        "datePublished": page.date.isoformat() if page.date else None,
        "dateModified": page.meta["updated"].isoformat() if page.meta.get("updated") else None,
        "author": {"@type": "Person", "name": info.author} if info.author else None,
        "image": image_url(view.site, page, absolute=True) or None,
        "inLanguage": view.content_language.hreflang,
        "url": view.canonical,
        "description": page.summary or None,
        "position": nav.current.number if nav.current else None,
        "keywords": ", ".join(t.name for t in model.tags(page)) or None,
        "isPartOf": {
            "@type": "CreativeWorkSeries",
            "name": nav.title,
            "url": router.absolute(nav.url) if nav.url else None,
        },
        "about": _person(info.interviewee),
        "publisher": {"@type": "Organization", "name": view.site.title(view.edition)},
    }
    text = json_indented(_prune(data), 2)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _person(person: model.Interviewee | None) -> dict[str, Any] | None:
    if person is None:
        return None
    data: dict[str, Any] = {"@type": "Person", "name": person.name, "jobTitle": person.role}
    if person.company:
        data["worksFor"] = {"@type": "Organization", "name": person.company}
        if person.country:
            address = {"@type": "PostalAddress", "addressCountry": person.country}
            data["worksFor"]["address"] = address
    return data


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v not in (None, "", [], {})}
    return value


# -- listings ----------------------------------------------------------------


def articles_in(site: Site, edition: Edition) -> list[tuple[SeriesNav, PartLink]]:
    """Every article this edition shows, newest first (computed once per edition; what
    it read is reported again to each output that uses it)."""

    def newest_first() -> list[tuple[SeriesNav, PartLink]]:
        found = []
        for series in catalog(site).series.values():
            nav = series_nav(site, series, edition, None)
            found += [(nav, part) for part in nav.parts]
        found.sort(key=_newest_first, reverse=True)
        return found

    return site.memo("series.articles", edition.code, newest_first)


def _newest_first(item: tuple[SeriesNav, PartLink]) -> tuple[str, str, int]:
    """Sort key used with ``reverse=True``: newest date, then later parts first."""
    nav, part = item
    date = part.route.page.date  # missing in a site with mistakes (reported already)
    return (model.iso_datetime(date) if date else "", nav.series.name, part.number)


def tag_listing(view: PageView) -> dict[str, Any]:
    site, edition = view.site, view.edition
    slug = view.page.meta.get("tag")
    if slug:
        items = [
            (nav, part)
            for nav, part in articles_in(site, edition)
            if slug in {t.slug for t in model.tags(part.route.page)}
        ]
        return {"tag_items": items, "tag_index": []}
    counts: dict[str, TagLink] = {}
    for _nav, part in articles_in(site, edition):
        for tag in model.tags(part.route.page):
            link = counts.get(tag.slug) or tag_link(site, tag, edition)
            if link:
                link.count += 1
                counts[tag.slug] = link
    index = sorted(counts.values(), key=lambda link: (-link.count, link.name.casefold()))
    return {"tag_items": [], "tag_index": index}


def feed_links(view: PageView, nav: SeriesNav | None) -> list[dict[str, str]]:
    site, edition = view.site, view.edition
    href = _all_articles_feed(site, edition)
    if href is None:
        return []
    links = [{"title": all_articles_title(site, edition), "href": href}]
    if nav is not None and nav.parts:
        links.append({"title": series_feed_title(site, nav.series, edition), "href": nav.feed})
    return links


def _listing(site: Site) -> Group | None:
    return site.model.section_index(PurePosixPath(model.SECTION))


def _all_articles_feed(site: Site, edition: Edition) -> str | None:
    """URL of the edition's feed of all articles, None without a listing or articles;
    once per edition (URLs come from the routes; titles are read on every page)."""

    def make() -> str | None:
        listing = _listing(site)
        found = (
            site.config.outputs.on("feeds") and listing is not None and _has_articles(site, edition)
        )
        return site.router.url_of(feed_path(site, listing, edition)) if found else None

    return site.memo("series.listing_feed", edition.code, make)


def _has_articles(site: Site, edition: Edition) -> bool:
    """Whether ``edition`` has an article: from the routes alone (every page links the
    feed; reading the articles' front matter would make each depend on all of them)."""
    return any(
        site.router.get(group, edition) is not None
        for series in catalog(site).series.values()
        for group in series.parts
    )


def all_articles_title(site: Site, edition: Edition) -> str:
    """The title of the edition's feed of all articles (once per edition: every page
    links the feed)."""

    def make() -> str:
        listing = _listing(site)
        route = site.router.get(listing, edition) if listing else None
        section = route.page.title if route else ""
        return f"{site.title(edition)} · {section}" if section else site.title(edition)

    return site.memo("series.listing_title", edition.code, make)


def series_feed_title(site: Site, series: model.Series, edition: Edition) -> str:
    return f"{series_title_in(site, series, edition)} · {site.title(edition)}"


def series_title_in(site: Site, series: model.Series, edition: Edition) -> str:
    """``SeriesNav.title`` without making the navigation: the index page's title in
    ``edition``, else the default language's."""
    route = site.router.get(series.index, edition)
    return route.page.title if route else series.index.default.title


@provides("series", "article", "series_list", "tag_items", "tag_index", "feed_links")
def context(view: PageView) -> dict[str, Any]:
    """Template context for every page (keys always present: templates are strict)."""
    site = view.site
    found = catalog(site)
    series = found.series_of(view.route.group)
    here: Group | None = view.route.group if series else None
    if series is None:  # a series' index, or page N of it (routed below it)
        below = view.page.below
        listed = below.group if below is not None else view.route.group
        series = next(
            (s for s in found.series.values() if s.index is listed),
            None,
        )
    nav = series_nav(site, series, view.edition, here) if series else None
    layout = view.page.meta.get("layout", "")
    result: dict[str, Any] = {
        "series": nav,
        "article": article_info(view, nav) if nav and here else None,
        "series_list": [],
        "tag_items": [],
        "tag_index": [],
        "feed_links": feed_links(view, nav) if found.series else [],
    }
    if layout == "series/list" or view.page.kind == "home":
        navs = [series_nav(site, s, view.edition, None) for s in found.series.values()]
        result["series_list"] = [n for n in navs if n.route is not None and n.parts]
    elif layout in ("series/tag", "series/tags"):
        result.update(tag_listing(view))
    return result
