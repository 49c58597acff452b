"""The home page's hero: its photo (``image:``/``image_alt:``, processed like every other
image: responsive sizes, AVIF/WebP, width and height) and an optional call to action::

    image: products/salt-gift-box.jpg
    image_alt: A gift box of Cornish sea salts
    cta: {label: Shop the salt, url: products/_index.md}

``url`` is a page's file name (it leads to that page in the reader's edition, translated
slug and all, like links in Markdown), or an ``https://``, ``http://``, ``mailto:`` or
``tel:`` address; any other scheme (``javascript:``) is an error. Templates get ``hero``:
``{"image": PageImage | None, "cta": {"label", "url"} | None}`` on the home page only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from mmsite.content.model import ContentModel, Page, content_path
from mmsite.content.strict import FrontMatter, nearest
from mmsite.errors import BuildErrors, MmsiteError
from mmsite.features.registry import Feature, ModelContext, provides
from mmsite.features.site import PageView

CTA = "cta"
CTA_KEYS = ("label", "url")
WEB_SCHEMES = frozenset({"https", "http", "mailto", "tel"})
_URL_HINT = "write a page's file name (url: products/_index.md) or an https:// address"


def is_home(page: Page) -> bool:
    return page.kind == "home"


def check_cta(ctx: ModelContext) -> None:
    """Model step: every home page's own ``cta:`` is {label, url} and its url is safe and
    leads somewhere (all mistakes together)."""
    errors: list[MmsiteError] = []
    for page in ctx.model.pages:
        if not page.virtual and is_home(page) and CTA in page.doc.meta:
            errors += _cta_errors(page, page.doc.meta[CTA], ctx.model)
    if errors:
        raise BuildErrors(errors)


def _cta_errors(page: Page, value: Any, model: ContentModel) -> Iterable[MmsiteError]:
    if not isinstance(value, dict):
        yield page.error(
            "cta must be a mapping with a label and a url",
            CTA,
            hint="cta: {label: Shop the salt, url: products/_index.md}",
        )
        return
    for key in value:
        if key not in CTA_KEYS:
            close = nearest(str(key), CTA_KEYS)
            hint = f"did you mean {close}:?" if close else "cta has a label and a url"
            yield page.error(f"unknown key {key!r} in cta", CTA, hint=hint)
    for key in CTA_KEYS:
        text = value.get(key)
        if not isinstance(text, str) or not text.strip():
            yield page.error(f"cta needs a {key} (text)", CTA, hint=f"add {key}: ... to cta")
    url = value.get("url")
    if isinstance(url, str) and url.strip():
        problem = _url_problem(page, url.strip(), model)
        if problem:
            yield page.error(f"cta url {url!r}: {problem}", CTA, hint=_URL_HINT)


def _url_problem(page: Page, url: str, model: ContentModel) -> str:
    parts = urlsplit(url)
    if parts.scheme:
        if parts.scheme.lower() not in WEB_SCHEMES:
            return f"{parts.scheme}: links are not allowed"
        return "" if parts.netloc or parts.scheme.lower() in ("mailto", "tel") else "no host"
    if parts.netloc or url.startswith(("/", "?", "#")):
        return "not a page of this site"
    target = content_path(page.dir, parts.path)
    if target is None or target.suffix != ".md":
        return "not a page's file name"
    found = model.by_rel.get(str(target))
    if found is None or found.group is None:
        return "no such page"
    return ""


@provides("hero")
def hero_context(view: PageView) -> dict[str, Any]:
    """``hero`` on the home page: its first front-matter image and its call to action."""
    if view.page.kind != "home":
        return {"hero": None}
    return {"hero": {"image": view.image, "cta": _cta(view)}}


def _cta(view: PageView) -> dict[str, str] | None:
    value = view.page.meta.get(CTA)
    if not isinstance(value, dict):
        return None
    url = str(value.get("url", "")).strip()
    if not urlsplit(url).scheme:
        url = _page_url(view, url)
    return {"label": str(value.get("label", "")).strip(), "url": url} if url else None


def _page_url(view: PageView, ref: str) -> str:
    """A page's file name -> its URL in the view's edition, else wherever it is shown."""
    parts = urlsplit(ref)
    target = content_path(view.page.dir, parts.path)
    page = view.site.model.by_rel.get(str(target)) if target else None
    if page is None or page.group is None:
        return ""
    router = view.site.router
    route = router.get(page.group, view.edition)
    if route is None:
        elsewhere = list(router.by_group.get(page.group.key, {}).values())
        route = elsewhere[0] if elsewhere else None
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return route.url + fragment if route else ""


FEATURE = Feature(
    "hero",
    model=(check_cta,),
    context=(hero_context,),
    front_matter=(FrontMatter(frozenset({CTA}), kind="home", applies=is_home),),
)
