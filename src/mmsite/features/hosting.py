"""Files static hosts read: ``_headers``, ``_redirects`` (Netlify, Cloudflare Pages), 404 pages.

``aliases:`` in a page's front matter lists the old paths of a moved page. Each becomes a
301 rule in ``_redirects`` and, for hosts that do not read that file (GitHub Pages, S3,
nginx), a tiny HTML page at the old path that forwards with ``<meta http-equiv=refresh>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from mmsite.cached import cached_property
from mmsite.config.options import Config
from mmsite.content.model import Group, virtual_page
from mmsite.content.strict import FrontMatter
from mmsite.errors import BuildErrors, MmsiteError, relpath
from mmsite.features.checking import ERROR, CheckContext, Finding
from mmsite.features.registry import Check, Feature, Output
from mmsite.features.site import PageView, language_item
from mmsite.i18n.editions import language_label
from mmsite.i18n.routing import Route, quote_path

if TYPE_CHECKING:
    from mmsite.features.site import StepContext as Build

IMMUTABLE = "public, max-age=31536000, immutable"
# What every other file needs (HTML, sitemap, feeds). Netlify and Cloudflare Pages send it
# by default, so _headers does not repeat it (docs/deploy.md); `mmsite deploy` sets it.
REVALIDATE = "public, max-age=0, must-revalidate"
# The default theme has no inline script or style, so this holds; JSON-LD
# (<script type="application/ld+json">) is data, never executed, so script-src allows it.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "font-src 'self'; connect-src 'self'; media-src 'self' https:; object-src 'none'; "
    "base-uri 'self'; form-action 'self' https:; frame-ancestors 'none'; "
    "upgrade-insecure-requests"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
ALIAS = re.compile(r"^/[^\s?#*:\"'<>\\]*$")


def site_headers(config: Config) -> list[tuple[str, str]]:
    """Security headers for every response; site.yaml ``headers:`` adds or replaces
    (an empty value removes one)."""
    headers = {name.lower(): (name, value) for name, value in SECURITY_HEADERS}
    for name, value in config.headers:
        headers[name.lower()] = (name, value)
    return [(name, value) for name, value in headers.values() if value]


def with_site_file(build: Build, name: str, generated: list[str]) -> str:
    """A site's own ``static/_headers`` (or ``_redirects``) comes after the generated rules."""
    text = "\n".join(generated) + "\n"
    if name in build.site.asset_names:
        own = build.out.target(name).read_text(encoding="utf-8")
        text += f"\n# From static/{name}:\n{own}"
    return text


def write_headers(build: Build) -> None:
    router = build.site.router
    lines = ["# Written by mmsite. Read by Netlify and Cloudflare Pages; see docs/deploy.md."]
    lines.append(router.url_of("*"))
    lines += [f"  {name}: {value}" for name, value in site_headers(build.config)]
    hashed = sorted(name for logical, name in build.site.asset_names.items() if name != logical)
    for name in hashed:
        lines += ["", router.url_of(name), f"  Cache-Control: {IMMUTABLE}"]
    # rules a feature's section adds for its own paths (the CMS's /admin/*), after /*
    for section in build.config.sections.values():
        for path, headers in getattr(section, "path_headers", ()):
            lines += ["", router.url_of(path.lstrip("/"))]
            lines += [f"  {name}: {value}" if value else f"  {name}" for name, value in headers]
    build.out.write("_headers", with_site_file(build, "_headers", lines))


# -- aliases -----------------------------------------------------------------


MAX_ALIAS_DEPTH = 64  # folders in one alias: an old URL, not a path to exhaust the stack


def page_aliases(route: Route) -> list[str]:
    """The page's own ``aliases:`` (never inherited by translations), validated."""
    page = route.page
    raw = page.doc.meta.get("aliases")
    if raw is None or route.fallback:
        return []
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise page.error("aliases must be a list of old paths like /old-page/", "aliases")
    for value in values:
        if value.count("/") > MAX_ALIAS_DEPTH:
            raise page.error(
                f"alias {value[:60]!r}... is more than {MAX_ALIAS_DEPTH} folders deep",
                "aliases",
                hint="write the old path from the site root, e.g. /old-name/",
            )
        if not ALIAS.match(value) or ".." in value.split("/") or "//" in value:
            raise page.error(
                f"alias {value!r} is not a site path",
                "aliases",
                hint="write the old path from the site root, e.g. /old-name/ or /fr/ancien-nom/",
            )
    return values


def alias_target(alias: str) -> PurePosixPath:
    rel = alias.lstrip("/")
    if not rel:
        return PurePosixPath("index.html")
    if rel.endswith("/") or "." not in rel.rsplit("/", 1)[-1]:
        return PurePosixPath(rel.rstrip("/")) / "index.html"
    return PurePosixPath(rel)


def redirect_stub(url: str) -> str:
    safe = escape(url)
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8">\n'
        f'<title>{safe}</title>\n<link rel="canonical" href="{safe}">\n'
        f'<meta name="robots" content="noindex">\n'
        f'<meta http-equiv="refresh" content="0; url={safe}">\n'
        f'</head><body><p><a href="{safe}">{safe}</a></p></body></html>\n'
    )


def collect_aliases(build: Build) -> list[tuple[str, Route]]:
    errors: list[MmsiteError] = []
    seen: dict[str, Route] = {}
    pages_done: set[int] = set()
    for route in build.site.router.routes:
        if id(route.page) in pages_done:  # en-us and en-gb show one file: first edition wins
            continue
        pages_done.add(id(route.page))
        try:
            aliases = page_aliases(route)
        except MmsiteError as exc:
            errors.append(exc)
            continue
        for alias in aliases:
            target = alias_target(alias)
            if alias in seen or build.out.exists(target):
                other = seen.get(alias)
                owner = build.out.owner(target)  # the page whose file it is
                root = build.config.root
                what = (
                    f"{relpath(other.page.source, root).as_posix()} also lists it"
                    if other
                    else f"it is the page {relpath(owner, root).as_posix()}"
                    if owner is not None
                    else "a page or file is there"
                )
                errors.append(route.page.error(f"alias {alias} is taken: {what}", "aliases"))
                continue
            seen[alias] = route
    if errors:
        raise BuildErrors(errors)
    return sorted(seen.items())


def write_redirects(build: Build) -> None:
    router = build.site.router
    lines = ["# Written by mmsite from aliases: in front matter. Netlify and Cloudflare Pages."]
    for alias, route in collect_aliases(build):
        source = router.url_of(alias.lstrip("/"))
        lines.append(f"{source} {route.url} 301")
        build.out.write(alias_target(alias), redirect_stub(router.absolute(route.url)))
    build.out.write("_redirects", with_site_file(build, "_redirects", lines))


# -- 404 pages ---------------------------------------------------------------


class NotFoundView(PageView):
    """A 404 page: no canonical URL or hreflang (it has no address of its own); the
    language switcher offers every edition's home page."""

    canonical = ""
    alternates: list[dict[str, str]] = []

    @cached_property
    def content_language(self) -> Any:
        return self.edition

    @cached_property
    def languages(self) -> list[dict[str, Any]]:
        site = self.site
        return [
            language_item(site, e, site.router.base_path + e.prefix, e == self.edition, False)
            for e in site.editions
        ]


def write_not_found_pages(build: Build) -> None:
    """``404.html`` in every edition's folder, and one at the root (Cloudflare Pages serves
    the nearest one; other hosts: see docs/deploy.md). None with ``outputs: {not_found:
    false}``."""
    if not build.config.outputs.on("not_found"):
        return
    site = build.site
    root_done = False
    for edition in site.editions:
        title = site.strings.translate(edition.lang, "not_found_title")
        meta = {"title": title, "noindex": True, "layout": "404"}
        page = virtual_page(site.config.path, "404.md", edition.lang, meta)
        group = Group("__404__", {edition.lang: page}, site.config.default_language)
        page.group = group
        outputs = [f"{edition.prefix}404.html"]
        if not root_done and edition.lang == site.config.default_language:
            outputs.append("404.html")
            root_done = True
        for output in dict.fromkeys(outputs):
            route = Route(group, edition, page, output, quote_path(site.router.base_path + output))
            context = build.page_context(route, NotFoundView(site, route))
            build.out.write(output, build.render_template(["404.html"], context))


def write_language_picker(build: Build) -> None:
    """With the default language in a subfolder, ``/index.html`` lets visitors choose."""
    if not build.config.default_language_in_subdir:
        return
    site = build.site
    homes = [
        {
            "edition": e,
            "url": site.router.base_path + e.prefix,
            "label": language_label(e, site.editions),
        }
        for e in site.editions
    ]
    context = {
        "site": site,
        "site_title": build.config.title,
        "homes": homes,
        "asset": site.asset,
        "default": site.editions[0],
    }
    build.out.write("index.html", build.render_template(["language-picker.html"], context))


def check_csp(ctx: CheckContext) -> Iterator[Finding]:
    """Inline scripts and styles the Content-Security-Policy in _headers would block."""
    headers = {name.lower(): value for name, value in site_headers(ctx.site.config)}
    csp = headers.get("content-security-policy", "")
    if not csp:
        return
    directives = {d.split()[0]: d for d in (p.strip() for p in csp.split(";")) if d}

    def allows_inline(name: str) -> bool:
        rule = directives.get(name) or directives.get("default-src", "")
        return "'unsafe-inline'" in rule

    for rel in ctx.html_files:
        for line, what in ctx.doc(rel).inline:
            directive = "style-src" if "style" in what else "script-src"
            if not allows_inline(directive):
                message = (
                    f"{what} is blocked by the Content-Security-Policy ({directive}); "
                    "move it to a file in static/"
                )
                yield Finding(ERROR, "csp", ctx.where(rel), message, line)


FEATURE = Feature(
    "hosting",
    outputs=(
        Output("language_picker", write_language_picker),
        Output("not_found", write_not_found_pages, switch="not_found"),
        Output("redirects", write_redirects),
        Output("headers", write_headers),
    ),
    checks=(Check("csp", check_csp),),
    front_matter=(FrontMatter(frozenset({"aliases"})),),
)
