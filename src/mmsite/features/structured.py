"""Site-level structured data (JSON-LD): ``Organization`` and ``WebSite`` on home pages,
``BreadcrumbList`` on product, category and article pages.

Templates print ``{{ structured_data }}`` in ``<head>``: zero or more
``<script type="application/ld+json">`` elements. A product's own ``ProductGroup`` /
``Product`` comes from the storefront (``product.jsonld``, commerce/jsonld.py), an
article's ``Article`` from the series feature.

Google: https://developers.google.com/search/docs/appearance/structured-data/organization,
https://developers.google.com/search/docs/appearance/site-names (``WebSite``),
https://developers.google.com/search/docs/appearance/structured-data/breadcrumb
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from markupsafe import Markup

from mmsite.content.model import Page
from mmsite.features.commerce.catalog import CATEGORY_DIR
from mmsite.features.commerce.jsonld import script
from mmsite.features.commerce.product import product_of
from mmsite.features.commerce.views import ProductView
from mmsite.features.icons import icon_options
from mmsite.features.pagination import pager_of
from mmsite.features.registry import Feature, provides
from mmsite.features.seo import seo_options
from mmsite.features.series.views import catalog as series_catalog
from mmsite.features.site import PageView, Site
from mmsite.i18n.editions import Edition
from mmsite.i18n.routing import Route

CONTEXT = "https://schema.org"


def is_category(page: Page) -> bool:
    return page.virtual and page.dir == PurePosixPath(CATEGORY_DIR) and "category" in page.meta


def is_article(view: PageView) -> bool:
    page = view.page
    if page.is_index or page.section != "series":
        return False
    return series_catalog(view.site).series_of(view.route.group) is not None


def site_root(view: PageView) -> str:
    router = view.site.router
    return router.absolute(router.base_path)


def organization_id(view: PageView) -> str:
    """One business behind every edition: one ``@id``, at the site's root."""
    return site_root(view) + "#organization"


def organization(view: PageView) -> dict[str, Any]:
    """The business behind the site (Google: name, url, logo, sameAs ...)."""
    site = view.site
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Organization",
        "@id": organization_id(view),
        "name": site.title(view.edition),
        "url": site_root(view),
    }
    if icon_options(site.config).logo and site.config.outputs.on("icons"):
        # the 512 px square made from the site's logo (Google: 112 px or more, crawlable)
        data["logo"] = site.router.absolute(site.asset("icon-512.png"))
    handle = seo_options(site.config).twitter
    if handle:
        data["sameAs"] = [f"https://x.com/{handle.lstrip('@')}"]
    return data


def website(view: PageView) -> dict[str, Any]:
    """The site's name for Google (site names: ``WebSite`` with name and url)."""
    site = view.site
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "WebSite",
        "name": site.title(view.edition),
        "url": site.router.absolute(view.home_url),
        "inLanguage": view.edition.hreflang,
        "publisher": {"@id": organization_id(view)},
    }
    if site.config.title != data["name"]:
        data["alternateName"] = site.config.title
    return data


def _ancestors(view: PageView) -> list[tuple[Route, str, str]]:
    """The section pages above ``view`` (home first) that this edition has, each with its
    crumb's name and absolute URL; above page N of a list, the list's own first page."""
    page = view.page
    listed = _first_page(view)
    if listed is not None:
        page = listed.page
    folder = page.dir.parent if page.is_index else page.dir
    found = _sections_above(view.site, folder, view.edition)
    crumbs = [crumb for crumb in found if crumb[0].page is not page]
    if listed is not None:
        crumbs.append((listed, listed.page.title, view.site.router.absolute(listed.url)))
    return crumbs


def _first_page(view: PageView) -> Route | None:
    """Page 1 of the list ``view`` is a later page of (see features/pagination.py)."""
    below = view.page.below
    return view.site.router.get(below.group, view.edition) if below is not None else None


def _sections_above(
    site: Site, folder: PurePosixPath, edition: Edition
) -> list[tuple[Route, str, str]]:
    """(route, name, absolute URL) of the section pages of ``folder`` and the folders
    above it (home first) in ``edition``: once per folder and edition (every product
    of a category shares them)."""

    def make() -> list[tuple[Route, str, str]]:
        found = []
        here = folder
        while True:
            group = site.model.section_index(here)
            route = site.router.get(group, edition) if group else None
            if route is not None:
                name = site.title(edition) if route.page.kind == "home" else route.page.title
                found.append((route, name, site.router.absolute(route.url)))
            if not here.parts:
                return found[::-1]
            here = here.parent

    return site.memo("structured.sections", (folder, edition.code), make)


def trail(view: PageView) -> list[tuple[str, str]]:
    """(name, absolute URL) from the home page to this page."""
    router = view.site.router
    crumbs = [(name, url) for _route, name, url in _ancestors(view)]
    product = product_of(view.page)
    if product is not None:
        category = ProductView(view.site, view.route, product).category
        if category and category["url"]:
            crumbs.append((category["name"], router.absolute(category["url"])))
    pager = pager_of(view) if view.page.below is not None else None
    crumbs.append((pager.title if pager else view.title, view.permalink))  # "Page 2 of 3"
    return crumbs


def breadcrumbs(view: PageView) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": url}
            for n, (name, url) in enumerate(trail(view), start=1)
        ],
    }


def wants_breadcrumbs(view: PageView) -> bool:
    page = view.page
    listed = _first_page(view)
    if listed is not None:  # page N of a category: the category's trail, then page N
        return is_category(listed.page)
    return product_of(page) is not None or is_category(page) or is_article(view)


@provides("structured_data")
def structured_context(view: PageView) -> dict[str, Any]:
    """``structured_data``: the page's site-level JSON-LD scripts (may be empty)."""
    if view.kind == "home":
        blocks = [organization(view), website(view)]
    elif wants_breadcrumbs(view):
        blocks = [breadcrumbs(view)]
    else:
        blocks = []
    return {"structured_data": Markup("\n").join(script(b) for b in blocks)}


FEATURE = Feature("structured_data", context=(structured_context,))
