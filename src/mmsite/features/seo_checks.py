"""``mmsite check``: canonical URLs, the sitemap and hreflang links agree.

Search engines trust a URL when its page names itself canonical, the sitemap lists it
and its hreflang alternates name it back. Read from the built HTML and sitemap (what a
crawler sees, whatever the templates did):

- a page in the sitemap names itself canonical (``/en-gb/x/`` pointing at ``/x/`` tells
  Google the GBP page is a duplicate of the USD one);
- a page that names itself canonical is in the sitemap (unless ``noindex``); a fallback
  page's canonical is a page of the sitemap;
- every hreflang alternate is a page that names itself canonical, lists this page back,
  and has a valid tag: a language, and a region that is an ISO 3166-1 country (``de-EU``
  is no hreflang).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from mmsite.config.options import countries
from mmsite.features.checking import ERROR, CheckContext, Finding

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
TAG = re.compile(r"^([a-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|\d{3}))?$")
NAME = "canonical"


@dataclass
class Head:
    """What a page's ``<head>`` says about its address."""

    canonical: str | None = None
    noindex: bool = False
    alternates: dict[str, str] = field(default_factory=dict)  # hreflang -> absolute URL


class _HeadParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.head = Head()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        rel = values.get("rel", "").lower().split()
        if tag == "link" and "canonical" in rel:
            self.head.canonical = values.get("href")
        elif tag == "link" and "alternate" in rel and values.get("hreflang"):
            self.head.alternates[values["hreflang"]] = values.get("href", "")
        elif tag == "meta" and values.get("name", "").lower() == "robots":
            self.head.noindex = "noindex" in values.get("content", "").lower()


def read_head(text: str) -> Head:
    parser = _HeadParser()
    head = parser.head
    end = text.find("</head>")
    parser.feed(text if end < 0 else text[:end])  # the body has nothing this check reads
    parser.close()
    return head


def hreflang_problem(tag: str) -> str | None:
    """Why ``tag`` is no valid hreflang value (None: it is)."""
    if tag == "x-default":
        return None
    match = TAG.match(tag)
    if match is None:
        return "is not a language tag like fr or en-GB"
    region = match.group(3)
    if region is not None and not region.isdigit() and region.upper() not in countries():
        return f"names {region!r}, which is no ISO 3166-1 country (set region: on the market)"
    return None


def _sitemap_urls(ctx: CheckContext) -> dict[str, dict[str, str]] | None:
    """Every <loc> of sitemap.xml and its parts, with its hreflang alternates; None when
    the site writes none."""
    if not ctx.site.config.outputs.on("sitemap") or not (ctx.output / "sitemap.xml").is_file():
        return None
    urls: dict[str, dict[str, str]] = {}
    queue = ["sitemap.xml"]
    while queue:
        try:
            root = ET.parse(ctx.output / queue.pop()).getroot()
        except (ET.ParseError, OSError):
            continue  # the sitemap check reports it
        for entry in root:
            url = (entry.findtext(f"{SITEMAP}loc") or "").strip()
            if root.tag.endswith("sitemapindex"):
                resolved = ctx.resolve("index.html", url)
                if resolved is not None and resolved[0] is not None:
                    queue.append(resolved[0])
            else:
                urls[url] = {
                    link.get("hreflang", ""): link.get("href", "")
                    for link in entry.iter(f"{XHTML}link")
                    if link.get("rel") == "alternate"
                }
    return urls


def _heads(ctx: CheckContext) -> dict[str, tuple[str, Head]]:
    """Absolute URL -> (output file, its head), for every routed page that was written."""
    heads = {}
    router = ctx.router
    for route in router.routes:
        path = ctx.output / route.output
        if path.is_file():
            heads[router.absolute(route.url)] = (
                str(route.output),
                read_head(path.read_text(encoding="utf-8", errors="replace")),
            )
    return heads


def check_canonicals(ctx: CheckContext) -> Iterator[Finding]:
    """Canonical URLs, the sitemap and hreflang alternates agree (see the module)."""
    heads = _heads(ctx)
    listed = _sitemap_urls(ctx)
    for url, (rel, head) in heads.items():
        where = ctx.where(rel)
        yield from _canonical(url, head, where, heads, listed)
        yield from _alternates(url, head, where, heads)
    for url, alternates in sorted((listed or {}).items()):
        found = heads.get(url)
        if found is None:
            continue  # the sitemap check reports URLs that are not pages
        rel, head = found
        if head.canonical not in (None, url):
            message = f"the sitemap lists {url}, whose canonical is {head.canonical}"
            yield Finding(ERROR, NAME, ctx.where(rel), message)
        elif alternates != head.alternates:
            differ = sorted(set(alternates.items()) ^ set(head.alternates.items()))
            message = "hreflang links differ between the sitemap and the page: " + ", ".join(
                f"{tag} {href}" for tag, href in differ
            )
            yield Finding(ERROR, NAME, ctx.where(rel), message)


def _canonical(
    url: str,
    head: Head,
    where: str,
    heads: dict[str, tuple[str, Head]],
    listed: dict[str, dict[str, str]] | None,
) -> Iterator[Finding]:
    canonical = head.canonical
    if canonical is None:
        if not head.noindex:
            yield Finding(ERROR, NAME, where, "no <link rel=canonical>")
        return
    if canonical == url:
        if listed is not None and not head.noindex and url not in listed:
            yield Finding(ERROR, NAME, where, "names itself canonical but is not in the sitemap")
        return
    target = heads.get(canonical)
    if target is None:
        yield Finding(ERROR, NAME, where, f"canonical {canonical} is not a page of the site")
    elif target[1].canonical != canonical:
        message = f"canonical {canonical} names another canonical, {target[1].canonical}"
        yield Finding(ERROR, NAME, where, message)
    elif listed is not None and canonical not in listed:
        yield Finding(ERROR, NAME, where, f"canonical {canonical} is not in the sitemap")


def _alternates(
    url: str, head: Head, where: str, heads: dict[str, tuple[str, Head]]
) -> Iterator[Finding]:
    for tag, href in sorted(head.alternates.items()):
        problem = hreflang_problem(tag)
        if problem:
            yield Finding(ERROR, NAME, where, f"hreflang {tag!r} {problem}")
        if tag == "x-default":
            continue
        other = heads.get(href)
        if other is None:
            yield Finding(
                ERROR, NAME, where, f"hreflang {tag} links {href}: not a page of the site"
            )
        elif other[1].canonical != href:
            message = f"hreflang {tag} links {href}, whose canonical is {other[1].canonical}"
            yield Finding(ERROR, NAME, where, message)
        elif head.canonical == url and url not in other[1].alternates.values():
            message = f"hreflang {tag} links {href}, which does not link back (not reciprocal)"
            yield Finding(ERROR, NAME, where, message)
