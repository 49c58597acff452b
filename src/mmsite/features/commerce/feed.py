"""Google Merchant Center product feeds (RSS 2.0 + ``g:`` namespace), one per edition
that has a market: a feed's prices are in one currency and its text in one language.

Written beside that edition's catalog: ``products/merchant-feed.xml``,
``en-gb/products/merchant-feed.xml``, ``fr/produits/merchant-feed.xml`` ...
Attributes: https://support.google.com/merchants/answer/7052112
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from mmsite.content.model import INDEX
from mmsite.errors import relpath
from mmsite.features import xmlout
from mmsite.features.checking import WARNING, CheckContext, Finding
from mmsite.features.commerce.jsonld import image_urls, market_offer, variant_url
from mmsite.features.commerce.money import plain
from mmsite.features.commerce.options import commerce_options
from mmsite.features.commerce.product import OPTIONS, SECTION, Offer, Variant, product_of
from mmsite.features.commerce.units import Quantity
from mmsite.features.commerce.views import ProductView, catalog
from mmsite.features.site import Site
from mmsite.features.xmlout import escape
from mmsite.i18n.editions import Edition

if TYPE_CHECKING:
    from mmsite.features.site import StepContext as Build

G = "http://base.google.com/ns/1.0"
FEED_NAME = "merchant-feed.xml"


def feed_path(site: Site, edition: Edition) -> PurePosixPath:
    group = site.model.groups.get(f"{SECTION}/{INDEX}")
    route = site.router.get(group, edition) if group else None
    folder = route.path if route else f"{edition.prefix}{SECTION}/"
    return PurePosixPath(folder) / FEED_NAME


def _leaf(name: str, text: str, pad: str) -> str:
    """One element on its own line, as ``ET.indent`` + ``ET.tostring`` write it."""
    return f"{pad}<{name}>{escape(text)}</{name}>\n" if text else f"{pad}<{name} />\n"


Fields = list[tuple[str, "str | Fields"]]


def _lines(fields: Fields, pad: str) -> list[str]:
    """``<g:tag>text</g:tag>`` per field; a list value nests (``g:shipping``)."""
    out = []
    for tag, value in fields:
        if isinstance(value, list):
            inner = _lines(value, pad + "  ")
            out += [f"{pad}<g:{tag}>\n", *inner, f"{pad}</g:{tag}>\n"]
        elif value:
            out.append(f"{pad}<g:{tag}>{escape(value)}</g:{tag}>\n")
    return out


def money(amount: Decimal, currency: str) -> str:
    """Google's price format: ``12.00 USD``."""
    return f"{plain(amount, currency)} {currency}"


def shipping(view: ProductView) -> Fields:
    """``g:shipping`` per destination country of the edition's market
    (``commerce.shipping``); nothing when the market has no terms (then Merchant
    Center's account settings must give them: ``mmsite check`` says so)."""
    market = view.edition.market
    terms = commerce_options(view.site.config).shipping.get(market.key) if market else None
    if terms is None or market is None:
        return []
    times = [
        ("min_handling_time", str(terms.handling_days[0])),
        ("max_handling_time", str(terms.handling_days[1])),
        ("min_transit_time", str(terms.transit_days[0])),
        ("max_transit_time", str(terms.transit_days[1])),
    ]
    rate = money(terms.rate, market.currency)
    return [("shipping", [("country", c), ("price", rate), *times]) for c in terms.countries]


def measure(q: Quantity) -> str:
    """``250g``, ``0.75l``, ``100g``: Google's unit pricing format."""
    return f"{q.value.normalize():f}{q.unit}"


def sale_period(view: ProductView, ends: dt.date) -> str:
    """ISO 8601 interval for ``sale_price_effective_date``. Google needs a start: the
    product page's ``date`` (or ``updated``) when it has one, else 1970-01-01 (the sale
    runs from when it is published); the end is the last minute of ``sale_ends`` (UTC)."""
    page = view.route.page
    start = page.meta.get("updated") or page.date or dt.date(1970, 1, 1)
    if isinstance(start, dt.datetime):
        start = start.date()
    return f"{start.isoformat()}T00:00:00Z/{ends.isoformat()}T23:59:59Z"


def pricing(view: ProductView, offer: Offer) -> Fields:
    """``price`` (the regular one), ``sale_price`` and its period while on sale, unit
    pricing measures."""
    cur = offer.currency
    if offer.compare_at is None:
        fields: Fields = [("price", money(offer.price, cur))]
    else:
        fields = [("price", money(offer.compare_at, cur)), ("sale_price", money(offer.price, cur))]
        if offer.sale_ends is not None:
            fields.append(("sale_price_effective_date", sale_period(view, offer.sale_ends)))
    if offer.unit_price is not None:
        fields.append(("unit_pricing_measure", measure(offer.unit_price.measure)))
        fields.append(("unit_pricing_base_measure", measure(offer.unit_price.per)))
    return fields


def _item(view: ProductView, offer: Offer, variant: Variant | None) -> str:
    title = f"{view.title} – {variant.name}" if variant else view.title
    link = variant_url(view, offer.sku) if variant else view.permalink
    group = view.sku if variant else ""
    fields: Fields = [("id", offer.sku), ("item_group_id", group), ("title", title)]
    fields += [("description", view.summary or view.title), ("link", link)]
    urls = image_urls(view, variant)
    if urls:
        fields.append(("image_link", urls[0]))
        fields += [("additional_image_link", extra) for extra in urls[1:11]]
    fields.append(("availability", offer.availability))
    if offer.availability in ("preorder", "backorder") and view.availability_date:
        fields.append(("availability_date", f"{view.availability_date.isoformat()}T00:00:00Z"))
    fields += pricing(view, offer)
    gtin = "" if variant else view.gtin  # a GTIN names one article, not each variant
    fields += [("brand", view.brand), ("gtin", gtin), ("mpn", view.mpn)]
    if not gtin and not view.mpn:
        fields.append(("identifier_exists", "no"))
    fields.append(("condition", view.product.condition))
    if variant is not None:
        fields += [(k, variant.options[k]) for k in OPTIONS if k in variant.options]
    fields += shipping(view)
    return "    <item>\n" + "".join(_lines(fields, "      ")) + "    </item>\n"


def items(view: ProductView) -> list[str]:
    """``view``'s items: each variant priced in the edition's currency (its own link,
    the product's sku as ``item_group_id``), else the product."""
    variants = view.product.variants
    found = (
        [(v, market_offer(view, v)) for v in variants] if variants else [(None, market_offer(view))]
    )
    return [_item(view, offer, v) for v, offer in found if offer is not None]


def merchant_feed(build: Build, edition: Edition) -> bytes | None:
    """The feed's bytes: what ``ET.indent`` and ``ET.tostring(xml_declaration=True)`` give
    for the RSS tree (tested), written as text directly (a tree of ~100,000 elements took
    half the time of this step).

    Products this edition shows as a fallback (written in another language) are left
    out: Merchant Center wants a feed's titles in the feed's language."""
    products = catalog(build.site, edition)
    if not products or edition.market is None:
        return None
    site = build.site
    found = [item for view in products if not view.route.fallback for item in items(view)]
    title, language = site.title(edition), edition.bcp47
    head = [
        xmlout.DECLARATION,
        f'<rss xmlns:g="{G}" version="2.0">\n' if found else '<rss version="2.0">\n',
        "  <channel>\n",
        _leaf("title", title, "    "),
        _leaf("link", site.router.absolute(site.router.url_of(edition.prefix)), "    "),
        _leaf("description", f"{title}: {language}, {edition.market.currency}", "    "),
    ]
    text = "".join(head + found) + "  </channel>\n</rss>\n"
    return text.encode("utf-8", "xmlcharrefreplace")


def write_merchant_feeds(build: Build) -> None:
    """STEPS entry (nothing with ``outputs: {merchant_feeds: false}``)."""
    if not build.config.outputs.on("merchant_feeds"):
        return
    for edition in build.site.editions:
        data = merchant_feed(build, edition)
        if data is not None:
            build.out.write(feed_path(build.site, edition), data)


# -- mmsite check ----------------------------------------------------------------

# Google's product data specification: https://support.google.com/merchants/answer/7052112
REQUIRED = (
    "id",
    "title",
    "description",
    "link",
    "image_link",
    "availability",
    "price",
    "brand",
    "condition",
)
IDENTIFIERS = ("gtin", "mpn", "identifier_exists")  # one of them
HOW_TO = {
    "image_link": "add images: [photo.jpg] (a file beside the page)",
    "brand": "add brand: ... to the product, or commerce: {brand: ...} in site.yaml",
    "description": "add summary: ... to the product",
}


def _sources(site: Site) -> dict[str, str]:
    """sku (product or variant) -> the default-language file that defines it."""
    found = {}
    for group in site.model.groups.values():
        product = product_of(group.default)
        if product is None:
            continue
        source = relpath(group.default.source, site.config.root).as_posix()
        for sku in (product.sku, *(v.sku for v in product.variants)):
            found[sku] = source
    return found


def item_problems(item: ET.Element) -> list[str]:
    """What Merchant Center would reject in one ``<item>`` (required attributes)."""

    def text(tag: str) -> str:
        return (item.findtext(f"{{{G}}}{tag}") or "").strip()

    missing = [tag for tag in REQUIRED if not text(tag)]
    if not any(text(tag) for tag in IDENTIFIERS):
        missing.append("gtin, mpn or identifier_exists")
    return missing


def check_merchant_feeds(ctx: CheckContext) -> Iterator[Finding]:
    """Every item of every merchant feed has Google's required attributes; an edition
    whose market has no ``commerce.shipping`` terms is a warning (Merchant Center then
    needs shipping set in its account settings). Each product is reported once."""
    site = ctx.site
    if not site.config.outputs.on("merchant_feeds"):
        return
    sources = _sources(site)
    problems: dict[tuple[str, str], list[str]] = {}
    for edition in site.editions:
        rel = feed_path(site, edition).as_posix()
        path = ctx.output / rel
        if not path.is_file():
            continue
        market = edition.market
        if market and market.key not in commerce_options(site.config).shipping:
            yield Finding(
                WARNING,
                "merchant-feed",
                rel,
                f"no g:shipping: market {market.key} has no commerce.shipping terms "
                "(add them to site.yaml, or set shipping in Merchant Center)",
            )
        for item in ET.parse(path).getroot().iter("item"):
            sku = item.findtext(f"{{{G}}}id") or "?"
            for attribute in item_problems(item):
                key = (sources.get(sku, rel), f"{sku}: no {attribute}")
                problems.setdefault(key, []).append(rel)
    for (where, message), feeds in sorted(problems.items()):
        hint = HOW_TO.get(message.rsplit(" ", 1)[-1])
        text = f"{message} in {len(feeds)} merchant feed(s), e.g. {feeds[0]}"
        # a warning (--strict fails on it): the site works and Merchant Center is the
        # seller's choice; a new shop's first push must not fail on it
        yield Finding(WARNING, "merchant-feed", where, text + (f"; {hint}" if hint else ""))
