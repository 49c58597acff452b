"""Resolve links and image sources written in Markdown bodies.

- ``other-page.md`` / ``../series/x/_index.md#part`` -> that page's URL in the current
  edition (translated slugs included), relative to the current page.
- ``photo.jpg`` beside the page -> the resource's published URL.
- absolute ``https:``/``mailto:``/``tel:`` links pass through; any other scheme is an error.
"""

from __future__ import annotations

import posixpath
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from mmsite.content.model import content_path
from mmsite.errors import MmsiteError
from mmsite.i18n.routing import Route, Router, quote_path
from mmsite.render.markdown import LinkCallback

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_PLAIN_WEB = ("https://", "http://")


def relative_url(from_path: str, to_path: str) -> str:
    """Relative URL between two site paths that end in ``/`` (pretty URLs)."""
    rel = relative_path(to_path, from_path)
    if rel == ".":
        return "./"
    return quote_path(rel if rel.endswith("/") or not to_path.endswith("/") else rel + "/")


def relative_path(path: str, start: str) -> str:
    """``posixpath.relpath("/" + path, "/" + start)`` without its two ``abspath`` calls
    (a third of resolving a link) when neither has a ``.`` or ``..`` segment: then
    normalizing only drops empty segments."""
    to = [part for part in path.split("/") if part]
    base = [part for part in start.split("/") if part]
    if "." in to or ".." in to or "." in base or ".." in base:
        return posixpath.relpath("/" + path, "/" + start)
    common = 0
    for mine, theirs in zip(to, base, strict=False):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(base) - common) + to[common:]) or "."


def link_resolver(route: Route, router: Router) -> LinkCallback:
    page = route.page
    model = router.model

    def fail(message: str, line: int | None, hint: str | None = None) -> MmsiteError:
        at = page.doc.body_line + line - 1 if line else None
        return MmsiteError(message, page.source, at, hint)

    def resolve(href: str, kind: str, line: int | None) -> str:
        if href.startswith(_PLAIN_WEB) and "[" not in href and "]" not in href:
            return href  # what urlsplit and the scheme check give (brackets: it may refuse)
        parts = urlsplit(href)
        if parts.scheme:
            if parts.scheme.lower() not in SAFE_SCHEMES:
                raise fail(f"{parts.scheme}: links are not allowed", line)
            return href
        if href.startswith(("#", "/", "?")) or parts.netloc:
            return href
        target = content_path(page.dir, parts.path)
        if target is None:
            raise fail(f"link {href!r} points outside content/", line)
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if target.suffix == ".md":
            found = _page_route(target, route, router)
            if found is None:
                raise fail(f"link to {href!r}: no such page", line, hint="check the file name")
            return relative_url(route.path, found.path) + fragment
        if target in model.resources:
            return quote_path(router.base_path + str(target)) + fragment
        if kind == "image":
            raise fail(f"image {href!r} not found beside the page", line)
        return href

    return resolve


def _page_route(target: PurePosixPath, route: Route, router: Router) -> Route | None:
    """The target page in the current edition, else wherever it is published."""
    page = router.model.by_rel.get(str(target))
    if page is None or page.group is None:
        return None
    here = router.get(page.group, route.edition)
    if here is not None:
        return here
    elsewhere = list(router.by_group.get(page.group.key, {}).values())
    return elsewhere[0] if elsewhere else None
