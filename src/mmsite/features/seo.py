"""Search-engine output: sitemap.xml (with hreflang alternates), robots.txt, head-tag data.

``lastmod`` comes from front matter (``updated``, else ``date``), else from the source
file's last git commit (one ``git log`` per build), else it is left out: never the build
time, so two builds of the same commit are byte-identical.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from mmsite.config.options import Config, ConfigSection, SectionContext, mapping, only, string
from mmsite.content.model import Page
from mmsite.content.strict import FrontMatter, boolean
from mmsite.errors import MmsiteError
from mmsite.features import seo_checks
from mmsite.features.checking import ERROR, CheckContext, Finding
from mmsite.features.registry import Check, Feature, Output, provides
from mmsite.features.site import PageView
from mmsite.features.xmlout import escape
from mmsite.i18n.routing import Route, quote_path

if TYPE_CHECKING:
    from mmsite.features.site import Site
    from mmsite.features.site import StepContext as Build

SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org)
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


# -- lastmod -----------------------------------------------------------------


def git_times(root: Path) -> dict[Path, dt.datetime]:
    """Last commit time of every file below ``root/content`` from ONE ``git log`` call.

    Empty when ``root`` is not in a git work tree or git is missing.
    """
    command = ["git", "-c", "core.quotepath=off", "-C", str(root), "log", "-z"]
    command += ["--format=%x01%ct", "--name-only", "--no-renames", "--relative", "--", "content"]
    try:
        result = subprocess.run(command, capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if result.returncode != 0:
        return {}
    newest: dict[str, dt.datetime] = {}
    for chunk in result.stdout.decode("utf-8", "replace").split("\x01")[1:]:
        stamp, _, names = chunk.partition("\0")
        when = dt.datetime.fromtimestamp(int(stamp), dt.UTC)
        for name in names.split("\0"):
            name = name.strip("\n")
            if name:
                newest.setdefault(name, when)  # newest commit comes first
    return {(root / name).resolve(): when for name, when in newest.items()}


def quoteattr(text: str) -> str:
    """``xml.sax.saxutils.quoteattr``: escaped and quoted, ``"`` or ``'`` as needed."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"{}"'.format(text.replace('"', "&quot;"))


def json_indented(value: Any, indent: int) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=indent)``, same text, faster: with
    ``indent`` the standard library uses its pure-Python encoder; here containers are
    laid out in Python and every scalar goes through the C encoder."""
    return _json(value, " " * indent, "\n")


def _json(value: Any, step: str, newline: str) -> str:
    if isinstance(value, dict) and value:
        if not all(type(k) is str for k in value):  # noqa: E721 (json's own key rules)
            return json.dumps(value, ensure_ascii=False, indent=len(step)).replace("\n", newline)
        inner = newline + step
        items = [f"{_scalar(k)}: {_json(v, step, inner)}" for k, v in value.items()]
        return "{" + inner + ("," + inner).join(items) + newline + "}"
    if isinstance(value, (list, tuple)) and value:
        inner = newline + step
        return (
            "[" + inner + ("," + inner).join(_json(v, step, inner) for v in value) + newline + "]"
        )
    return _scalar(value)


_SCALARS = {None: "null", True: "true", False: "false"}


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return _encode_text(value)
    if value is None or value is True or value is False:
        return _SCALARS[value]
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


_encode_text = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def w3c(value: dt.date | dt.datetime) -> str:
    """``2026-03-14`` for dates, ``2026-03-14T09:30:00+00:00`` for times."""
    if isinstance(value, dt.datetime):
        return _as_datetime(value).isoformat(timespec="seconds")
    return value.isoformat()


class LastModified:
    """``lastmod`` of pages: the file's own front matter (``updated``, else ``date``), else
    the git time of the file, else dates inherited from the default-language file, else None."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.times = git_times(site.config.root)
        self._resolved: dict[Path, Path] = {}  # a file's resolved path (git_times' keys)

    def of_page(self, page: Page) -> dt.date | dt.datetime | None:
        own = page.doc.meta.get("updated") or page.doc.meta.get("date")
        if own:
            return own
        committed = None if page.virtual or not self.times else self._committed(page.source)
        # a translation's dates, when it has none, come from the default-language file
        return committed or page.meta.get("updated") or page.meta.get("date")

    def _committed(self, source: Path) -> dt.datetime | None:
        if source not in self._resolved:
            self._resolved[source] = source.resolve()
        return self.times.get(self._resolved[source])

    def of_route(self, route: Route) -> dt.date | dt.datetime | None:
        """A section also changes when what it lists changes: newest of itself and the
        children it lists (``PageView.children``, without making their views)."""
        found = [self.of_page(route.page)]
        if route.page.is_index:
            router = self.site.router
            for group in self.site.model.children_of(route.page.dir):
                child = router.get(group, route.edition)
                if child is not None and group.default.meta.get("listed") is not False:
                    found.append(self.of_page(child.page))
        dates = [d for d in found if d is not None]
        return max(dates, key=_as_datetime) if dates else None


# -- sitemap -----------------------------------------------------------------


def indexable(route: Route) -> bool:
    """Pages that belong in a sitemap: real translations (a fallback's canonical is elsewhere)
    that are not marked ``noindex``."""
    return not route.fallback and not route.page.meta.get("noindex")


def _url_entry(loc: str, lastmod: str | None, alternates: list[dict[str, str]] | str) -> str:
    """One ``<url>``; ``alternates`` as links, or as the lines :func:`_alternate_lines` made."""
    lines = ["<url>", f"<loc>{escape(loc)}</loc>"]
    if lastmod:
        lines.append(f"<lastmod>{lastmod}</lastmod>")
    links = alternates if isinstance(alternates, str) else _alternate_lines(alternates)
    if links:
        lines.append(links)
    lines.append("</url>")
    return "\n".join(lines)


def _alternate_lines(alternates: list[dict[str, str]]) -> str:
    return "\n".join(
        f'<xhtml:link rel="alternate" hreflang={quoteattr(alt["hreflang"])} '
        f"href={quoteattr(alt['href'])}/>"
        for alt in alternates
    )


def sitemap_entries(build: Build) -> list[str]:
    site = build.site
    lastmods = LastModified(site)
    entries = []
    if build.config.default_language_in_subdir:
        home = site.model.section_index(PurePosixPath("."))
        routes = [site.router.get(home, e) for e in site.editions] if home else []
        alternates = [
            {"hreflang": r.edition.hreflang, "href": site.router.absolute(r.url)}
            for r in routes
            if r is not None and not r.fallback
        ]
        root = site.router.absolute(site.router.base_path)
        alternates.append({"hreflang": "x-default", "href": root})
        entries.append(_url_entry(root, None, alternates))
    links: dict[str, str] = {}  # a group's alternates (its real translations), written once
    for route in site.router.routes:
        if not indexable(route):
            continue
        view = site.view(route)
        modified = lastmods.of_route(route)
        alternates = links.get(route.group.key)
        if alternates is None:
            alternates = links[route.group.key] = _alternate_lines(view.alternates)
        entries.append(_url_entry(view.permalink, w3c(modified) if modified else None, alternates))
    return entries


def _urlset(entries: list[str]) -> str:
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">\n'
    )
    return head + "\n".join(entries) + "\n</urlset>\n"


def write_sitemap(build: Build) -> None:
    """``sitemap.xml``; over :data:`SITEMAP_LIMIT` URLs it becomes a sitemap index.
    None with ``outputs: {sitemap: false}``."""
    if not build.config.outputs.on("sitemap"):
        return
    entries = sitemap_entries(build)
    if len(entries) <= SITEMAP_LIMIT:
        build.out.write("sitemap.xml", _urlset(entries))
        return
    router = build.site.router
    parts = []
    for number, start in enumerate(range(0, len(entries), SITEMAP_LIMIT), 1):
        name = f"sitemap-{number}.xml"
        build.out.write(name, _urlset(entries[start : start + SITEMAP_LIMIT]))
        loc = router.absolute(router.url_of(name))
        parts.append(f"<sitemap><loc>{escape(loc)}</loc></sitemap>")
    build.out.write(
        "sitemap.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="{SITEMAP_NS}">\n' + "\n".join(parts) + "\n</sitemapindex>\n",
    )


def write_robots(build: Build) -> None:
    """``robots.txt`` naming the sitemap, unless the site has its own in ``static/`` or
    ``outputs: {robots: false}``."""
    if "robots.txt" in build.site.asset_names or not build.config.outputs.on("robots"):
        return
    router = build.site.router
    lines = ["User-agent: *"]
    disallow = seo_options(build.config).robots_disallow
    lines += [f"Disallow: {quote_path(router.base_path.rstrip('/') + p)}" for p in disallow]
    if not disallow:
        lines.append("Allow: /")
    if build.config.outputs.on("sitemap"):
        lines.append(f"Sitemap: {router.absolute(router.url_of('sitemap.xml'))}")
    build.out.write("robots.txt", "\n".join(lines) + "\n")


# -- head tags ---------------------------------------------------------------


def og_locale(route: Route) -> str:
    """``fr_FR``; a market edition names its country: ``en_GB`` (its locale)."""
    return route.edition.locale


def share_image(view: PageView) -> str | None:
    """Absolute URL of the page's image (``image``, else first of ``images``), else the
    site's ``seo.image``."""
    if view.og_image:  # the 1200x630 crop made by the images step (docs/images.md)
        return view.og_image["url"]
    meta = view.page.meta
    images = meta.get("images")
    image = meta.get("image") or (images[0] if isinstance(images, list) and images else None)
    router = view.site.router
    if isinstance(image, str) and image:
        if image.startswith(("https://", "http://")):
            return image
        rel = image.lstrip("/") if image.startswith("/") else str(view.page.dir / image)
        return router.absolute(router.url_of(rel.removeprefix("./")))
    fallback = seo_options(view.site.config).image
    if not fallback:
        return None
    if fallback.startswith(("https://", "http://")):
        return fallback
    return router.absolute(quote_path(view.site.asset(fallback.lstrip("/"))))


def check_share_image(build: Build) -> None:
    """A ``seo.image`` path names a file of static/ (site or theme) or content/: one
    error naming site.yaml, rather than a missing image on every page."""
    options = seo_options(build.config)
    image = options.image
    if not image or image.startswith(("https://", "http://")):
        return
    rel = image.lstrip("/")
    if PurePosixPath(rel) in build.site.model.resources or any(
        (folder / rel).is_file() for folder in build.theme.static_dirs
    ):
        return
    raise MmsiteError(
        f"seo.image: {image!r} is not a file of static/ or content/",
        build.config.path,
        options.image_line,
        hint="put the image in static/ (seo: {image: /share.jpg} for static/share.jpg), "
        "or use an https:// URL",
    )


@provides("seo")
def seo_context(view: PageView) -> dict[str, Any]:
    """``seo`` in templates: what partials/head-seo.html prints."""
    route = view.route
    router = view.site.router
    noindex = bool(view.page.meta.get("noindex"))
    translations = [] if noindex else router.translations(route)
    here = route.edition.code  # edition codes are unique
    locales = [og_locale(r) for r in translations if r.edition.code != here]
    title = view.site.title(route.edition) if view.kind == "home" else view.title
    return {
        "seo": {
            "title": title,
            "description": view.description,
            "image": share_image(view),
            "type": "article" if view.date and not view.page.is_index else "website",
            "locale": og_locale(route),
            "locale_alternates": sorted(set(locales) - {og_locale(route)}),
            "site_name": view.site.title(route.edition),
            "twitter": seo_options(view.site.config).twitter,
            "noindex": noindex,
        }
    }


def check_sitemap(ctx: CheckContext) -> Iterator[Finding]:
    """Every URL in sitemap.xml (and its parts) is a built page (nothing to check with
    ``outputs: {sitemap: false}``)."""
    queue = ["sitemap.xml"] if ctx.site.config.outputs.on("sitemap") else []
    while queue:
        name = queue.pop(0)
        path = ctx.output / name
        if not path.is_file():
            yield Finding(ERROR, "sitemap", name, "missing")
            continue
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as exc:
            yield Finding(ERROR, "sitemap", name, f"not valid XML: {exc}")
            continue
        for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
            url = (loc.text or "").strip()
            resolved = ctx.resolve("index.html", url)
            if resolved is None or resolved[0] is None:
                yield Finding(ERROR, "sitemap", name, f"lists {url}, which is not in the output")
            elif root.tag.endswith("sitemapindex"):
                queue.append(resolved[0])


@dataclass(frozen=True)
class SeoOptions:
    image: str = ""  # default share image: a static or content path, or an https URL
    twitter: str = ""  # the site's @handle for twitter:site
    robots_disallow: tuple[str, ...] = ()  # paths robots.txt asks crawlers to skip
    feed_limit: int = 20  # newest articles in each Atom feed; 0 for all
    image_line: int | None = None  # of seo.image in site.yaml, for errors


def _parse_seo(data: Any, ctx: SectionContext) -> SeoOptions:
    lines = ctx.lines
    raw = mapping(data, ("seo",), lines)
    only(raw, {"image", "twitter", "robots_disallow", "feed_limit"}, ("seo",), lines)
    twitter = string(raw["twitter"], ("seo", "twitter"), lines) if "twitter" in raw else ""
    if twitter and not re.fullmatch(r"@\w{1,15}", twitter):
        raise lines.error(("seo", "twitter"), f"{twitter!r} is not a handle like @kernowsalt")
    disallow = raw.get("robots_disallow", [])
    if not isinstance(disallow, list) or not all(
        isinstance(p, str) and p.startswith("/") for p in disallow
    ):
        raise lines.error(("seo", "robots_disallow"), "must be a list of paths starting with /")
    image = string(raw["image"], ("seo", "image"), lines) if "image" in raw else ""
    limit = raw.get("feed_limit", SeoOptions.feed_limit)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise lines.error(
            ("seo", "feed_limit"), "must be a whole number of articles (0 for all of them)"
        )
    return SeoOptions(
        image=image,
        twitter=twitter,
        robots_disallow=tuple(disallow),
        feed_limit=limit,
        image_line=lines.line(("seo", "image")),
    )


def seo_options(config: Config) -> SeoOptions:
    return config.section("seo")


FEATURE = Feature(
    "seo",
    config=(ConfigSection("seo", _parse_seo),),
    context=(seo_context,),
    before_pages=(check_share_image,),
    outputs=(
        Output("sitemap", write_sitemap, switch="sitemap"),
        Output("robots", write_robots, switch="robots"),
    ),
    checks=(Check("sitemap", check_sitemap), Check(seo_checks.NAME, seo_checks.check_canonicals)),
    front_matter=(FrontMatter(frozenset({"noindex"}), values={"noindex": boolean("noindex")}),),
)
