"""What ``mmsite check`` runs (:mod:`mmsite.commands.check`): read a built site and its
content model; report what would hurt visitors.

Checks are plain functions in :data:`CHECKS` (name -> function). Each gets a
:class:`CheckContext` (the model, the routes, the parsed output) and yields
:class:`Finding` s. Features register their own with :func:`register`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from mmsite.cached import cached_property
from mmsite.errors import MmsiteError, relpath
from mmsite.features.commerce.options import commerce_options
from mmsite.features.commerce.product import product_of, products_missing_prices
from mmsite.features.commerce.providers import validate_checkout
from mmsite.i18n.routing import Route
from mmsite.output.tree import MARKER
from mmsite.render.templates import Site

ERROR = "error"
WARNING = "warning"
SKIP_SCHEMES = ("mailto:", "tel:", "data:", "sms:")
JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}


@dataclass(frozen=True, order=True)
class Finding:
    level: str  # "error" fails the check; "warning" only with --strict
    check: str  # the check's name, e.g. "links"
    where: str  # output path (``fr/a-propos/index.html``) or source file
    message: str
    line: int | None = field(default=None, compare=False)  # line in the output file

    def __str__(self) -> str:
        at = f"{self.where}:{self.line}" if self.line else self.where
        return f"{self.level}: {at}: {self.message} [{self.check}]"


# -- parsed output -------------------------------------------------------------


@dataclass
class Reference:
    tag: str
    attr: str
    url: str
    line: int

    @property
    def is_image(self) -> bool:
        return self.tag in ("img", "source", "meta") or self.attr == "poster"


@dataclass
class HtmlDoc:
    """What the checks need from one HTML file."""

    ids: set[str] = field(default_factory=set)
    refs: list[Reference] = field(default_factory=list)
    title: str = ""
    description: str = ""
    inline: list[tuple[int, str]] = field(default_factory=list)  # (line, what) CSP needs


URL_ATTRS = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
}


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = HtmlDoc()
        self._in_title = False
        self._script_inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        line = self.getpos()[0]
        doc = self.doc
        for key in ("id", "name") if tag in ("a", "map") else ("id",):
            if values.get(key):
                doc.ids.add(values[key])
        for attr in URL_ATTRS.get(tag, ()):
            if attr not in values:
                continue
            urls = (
                [c.strip().split()[0] for c in values[attr].split(",") if c.strip()]
                if attr == "srcset"
                else [values[attr].strip()]
            )
            doc.refs += [Reference(tag, attr, url, line) for url in urls]
        if tag == "meta" and values.get("property") == "og:image" and values.get("content"):
            doc.refs.append(Reference("meta", "content", values["content"], line))
        if tag == "meta" and values.get("name") == "description":
            doc.description = values.get("content", "")
        if tag == "title":
            self._in_title = True
        if tag == "style":
            doc.inline.append((line, "inline <style> element"))
        if tag == "script" and "src" not in values:
            self._script_inline = values.get("type", "").lower() in JS_TYPES
            if self._script_inline:
                doc.inline.append((line, "inline <script>"))
        if "style" in values:
            doc.inline.append((line, f"style attribute on <{tag}>"))
        for key in values:
            if key.startswith("on"):
                doc.inline.append((line, f"{key} event handler on <{tag}>"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.doc.title += data


def parse_html(path: Path) -> HtmlDoc:
    parser = _Parser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    parser.doc.title = " ".join(parser.doc.title.split())
    return parser.doc


# -- context -------------------------------------------------------------------


class CheckContext:
    """The built output of ``site``, parsed on demand."""

    def __init__(self, site: Site, output: Path) -> None:
        self.site = site
        self.output = output
        self.router = site.router
        self._docs: dict[str, HtmlDoc] = {}

    @cached_property
    def html_files(self) -> list[str]:
        return sorted(
            p.relative_to(self.output).as_posix()
            for p in self.output.rglob("*.html")
            if p.is_file()
        )

    @cached_property
    def route_by_output(self) -> dict[str, Route]:
        return {str(route.output): route for route in self.router.routes}

    def doc(self, rel: str) -> HtmlDoc:
        if rel not in self._docs:
            self._docs[rel] = parse_html(self.output / rel)
        return self._docs[rel]

    def where(self, rel: str) -> str:
        """``fr/a-propos/index.html (content/about.fr.md)`` when a content file made it."""
        route = self.route_by_output.get(rel)
        if route is None or route.page.virtual:
            return rel
        return f"{rel} ({relpath(route.page.source, self.site.config.root).as_posix()})"

    def resolve(self, from_rel: str, url: str) -> tuple[str | None, str] | None:
        """An internal URL as (output file or None when missing, fragment); None if external."""
        if not url or url.lower().startswith(SKIP_SCHEMES):
            return None
        base = self.router.absolute(self.router.url_of(from_rel))
        parts = urlsplit(urljoin(base, url))
        site = urlsplit(self.site.config.base_url)
        if parts.scheme not in ("http", "https") or parts.netloc != site.netloc:
            return None
        fragment = unquote(parts.fragment)
        path = unquote(parts.path)
        if not path.startswith(self.router.base_path):
            return (None, fragment)
        rel = path[len(self.router.base_path) :]
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        target = self.output / rel
        if target.is_dir() and (target / "index.html").is_file():
            rel += "/index.html"
        elif not target.is_file() or ".." in PurePosixPath(rel).parts:
            return (None, fragment)
        return (rel, fragment)


Check = Callable[[CheckContext], Iterable[Finding]]
CHECKS: dict[str, Check] = {}


def register(name: str) -> Callable[[Check], Check]:
    def add(func: Check) -> Check:
        CHECKS[name] = func
        return func

    return add


# -- the checks ------------------------------------------------------------------


@register("links")
def check_links(ctx: CheckContext) -> Iterator[Finding]:
    """Internal links, anchors and images in every HTML file."""
    for rel in ctx.html_files:
        doc = ctx.doc(rel)
        for ref in doc.refs:
            if ref.url.lower().startswith("javascript:"):
                yield Finding(ERROR, "links", ctx.where(rel), "javascript: URL", ref.line)
                continue
            resolved = ctx.resolve(rel, ref.url)
            if resolved is None:
                continue
            target, fragment = resolved
            if target is None:
                what = "missing image" if ref.is_image else "broken link"
                yield Finding(ERROR, "links", ctx.where(rel), f"{what} {ref.url}", ref.line)
            elif fragment and target.endswith(".html") and fragment not in ctx.doc(target).ids:
                message = f"missing anchor #{fragment} in {ref.url}"
                yield Finding(ERROR, "links", ctx.where(rel), message, ref.line)


@register("sitemap")
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


@register("csp")
def check_csp(ctx: CheckContext) -> Iterator[Finding]:
    """Inline scripts and styles the Content-Security-Policy in _headers would block."""
    from mmsite.features.hosting import site_headers

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


@register("duplicates")
def check_duplicates(ctx: CheckContext) -> Iterator[Finding]:
    """Two pages of one edition with the same <title> or meta description."""
    seen: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for route in ctx.router.routes:
        if route.fallback or route.page.meta.get("noindex"):
            continue
        rel = str(route.output)
        if not (ctx.output / rel).is_file():
            continue
        doc = ctx.doc(rel)
        for what, value in (("title", doc.title), ("description", doc.description)):
            if value:
                seen[(route.edition.code, what, value)].append(route.url)
    for (edition, what, value), urls in sorted(seen.items()):
        if len(urls) > 1:
            yield Finding(
                WARNING,
                "duplicates",
                edition,
                f"same {what} {value!r} on {', '.join(sorted(urls))}",
            )


@dataclass
class Coverage:
    """Pages per section (rows) and language (columns): translated / total."""

    languages: list[str]
    rows: dict[str, dict[str, int]]  # section -> lang -> translated pages
    totals: dict[str, int]  # section -> pages
    missing: list[tuple[str, str, str]]  # (lang, source file, section)

    def table(self) -> str:
        width = max([len(s) for s in self.rows] + [len("section")])
        head = "section".ljust(width) + "".join(f"  {lang:>7}" for lang in self.languages)
        lines = [head]
        for section, counts in self.rows.items():
            cells = "".join(
                f"  {f'{counts[lang]}/{self.totals[section]}':>7}" for lang in self.languages
            )
            lines.append(section.ljust(width) + cells)
        return "\n".join(lines)


def coverage(site: Site) -> Coverage:
    langs = list(site.config.languages)
    rows: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    missing = []
    for group in site.model.groups.values():
        page = group.default
        if page.virtual:
            continue
        section = page.section or "(root)"
        counts = rows.setdefault(section, dict.fromkeys(langs, 0))
        totals[section] = totals.get(section, 0) + 1
        for lang in langs:
            if lang in group.pages:
                counts[lang] += 1
            else:
                source = relpath(page.source, site.config.root).as_posix()
                missing.append((lang, source, section))
    order = sorted(rows, key=lambda s: (s != "(root)", s))
    return Coverage(langs, {s: rows[s] for s in order}, totals, missing)


@register("alt")
def check_alt(ctx: CheckContext) -> Iterator[Finding]:
    """Images without alt text in the page's language (front matter and Markdown)."""
    from mmsite.features.images import images_without_alt

    root = ctx.site.config.root
    for error in images_without_alt(ctx.site.model):
        where = relpath(error.path, root).as_posix() if error.path else "content"
        yield Finding(WARNING, "alt", where, error.message, error.line)


@register("translations")
def check_translations(ctx: CheckContext) -> Iterator[Finding]:
    for lang, source, _section in coverage(ctx.site).missing:
        yield Finding(WARNING, "translations", source, f"no {lang!r} translation")


# -- storefront -------------------------------------------------------------------


@register("prices")
def check_prices(ctx: CheckContext) -> Iterator[Finding]:
    """A product without a price in a market's currency cannot be sold there.

    With ``commerce: {missing_price: error}`` the build already refuses such a product;
    with ``hide`` it is left out of that market, which check reports as a warning.
    """
    config = ctx.site.config
    level = ERROR if commerce_options(config).missing_price == "error" else WARNING
    for missing in products_missing_prices(config, ctx.site.model):
        source = relpath(missing.page.source, config.root).as_posix()
        message = f"no price in {missing.market.currency} for market {missing.market.key}"
        yield Finding(level, "prices", source, f"{message} (sku {missing.sku})")


@register("checkout")
def check_checkout(ctx: CheckContext) -> Iterator[Finding]:
    """Every checkout link (products and variants) passes its provider's validation."""
    config = ctx.site.config
    for group in ctx.site.model.groups.values():
        for page in group.pages.values():
            product = product_of(page)
            if product is None:
                continue
            links = [*product.checkout, *(c for v in product.variants for c in v.checkout)]
            for link in links:
                hosts = commerce_options(config).hosts.get(link.provider, ())
                problem = validate_checkout(link.provider, link.url, hosts)
                if problem:
                    source = relpath(page.source, config.root).as_posix()
                    yield Finding(ERROR, "checkout", source, f"{link.provider}: {problem}")


# -- running -------------------------------------------------------------------


def run_checks(site: Site, output: Path, only: Iterable[str] | None = None) -> list[Finding]:
    if not (output / MARKER).is_file():
        raise MmsiteError(
            f"no built site in {output}",
            hint="run `mmsite build` first, or `mmsite check --build`",
        )
    ctx = CheckContext(site, output)
    names = list(only) if only else list(CHECKS)
    findings: set[Finding] = set()
    for name in names:
        if name not in CHECKS:
            raise MmsiteError(f"unknown check {name!r}", hint="checks: " + ", ".join(CHECKS))
        findings.update(CHECKS[name](ctx))
    return sorted(findings, key=lambda f: (f.level != ERROR, f.check, f.where, f.message))
