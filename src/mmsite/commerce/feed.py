"""Google Merchant Center product feeds (RSS 2.0 + ``g:`` namespace), one per edition
that has a market: a feed's prices are in one currency and its text in one language.

Written beside that edition's catalog: ``products/merchant-feed.xml``,
``en-gb/products/merchant-feed.xml``, ``fr/produits/merchant-feed.xml`` ...
Attributes: https://support.google.com/merchants/answer/7052112
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from .. import xmlout
from ..content import INDEX
from ..i18n import Edition
from .money import plain
from .product import SECTION
from .views import ProductView, catalog

if TYPE_CHECKING:
    from ..build import Build

G = "http://base.google.com/ns/1.0"
FEED_NAME = "merchant-feed.xml"
ET.register_namespace("g", G)


def feed_path(build: Build, edition: Edition) -> PurePosixPath:
    site = build.site
    group = site.model.groups.get(f"{SECTION}/{INDEX}")
    route = site.router.get(group, edition) if group else None
    folder = route.path if route else f"{edition.prefix}{SECTION}/"
    return PurePosixPath(folder) / FEED_NAME


def _add(parent: ET.Element, tag: str, text: str) -> None:
    if text:
        ET.SubElement(parent, f"{{{G}}}{tag}").text = text


def _item(
    channel: ET.Element,
    view: ProductView,
    sku: str,
    title: str,
    price,
    availability: str,
    group: str,
) -> None:
    item = ET.SubElement(channel, "item")
    _add(item, "id", sku)
    _add(item, "item_group_id", group)
    _add(item, "title", title)
    _add(item, "description", view.summary or view.title)
    _add(item, "link", view.permalink)
    urls = view.image_urls
    if urls:
        _add(item, "image_link", urls[0])
        for extra in urls[1:10]:
            _add(item, "additional_image_link", extra)
    _add(item, "availability", availability)
    if availability in ("preorder", "backorder") and view.availability_date:
        _add(item, "availability_date", f"{view.availability_date.isoformat()}T00:00:00Z")
    _add(item, "price", f"{plain(price.amount, price.currency)} {price.currency}")
    _add(item, "brand", view.brand)
    _add(item, "gtin", view.gtin)
    _add(item, "mpn", view.mpn)
    if not view.gtin and not view.mpn:
        _add(item, "identifier_exists", "no")
    _add(item, "condition", view.product.condition)


def merchant_feed(build: Build, edition: Edition) -> bytes | None:
    products = catalog(build.site, edition)
    if not products or edition.market is None:
        return None
    site = build.site
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = site.title(edition)
    ET.SubElement(channel, "link").text = site.router.absolute(site.router.url_of(edition.prefix))
    ET.SubElement(
        channel, "description"
    ).text = f"{site.title(edition)}: {edition.language.bcp47}, {edition.market.currency}"
    for view in products:
        if view.variants:
            for v in view.variants:
                if v["price"] is not None:
                    title = f"{view.title} – {v['name']}"
                    _item(channel, view, v["sku"], title, v["price"], v["availability"], view.sku)
        elif view.price is not None:
            _item(channel, view, view.sku, view.title, view.price, view.availability, "")
    return xmlout.tostring(rss, xml_declaration=True, indent=True) + b"\n"


def write_merchant_feeds(build: Build) -> None:
    """STEPS entry."""
    for edition in build.site.editions:
        data = merchant_feed(build, edition)
        if data is not None:
            build.out.write(feed_path(build, edition), data)
