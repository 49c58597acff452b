"""Google Merchant Center product feeds (RSS 2.0 + ``g:`` namespace), one per edition
that has a market: a feed's prices are in one currency and its text in one language.

Written beside that edition's catalog: ``products/merchant-feed.xml``,
``en-gb/products/merchant-feed.xml``, ``fr/produits/merchant-feed.xml`` ...
Attributes: https://support.google.com/merchants/answer/7052112
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from mmsite.content.model import INDEX
from mmsite.features import xmlout
from mmsite.features.commerce.jsonld import OPTIONS, variant_url
from mmsite.features.commerce.money import plain
from mmsite.features.commerce.options import commerce_options
from mmsite.features.commerce.product import SECTION
from mmsite.features.commerce.views import Price, ProductView, catalog
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


def money(price: Price) -> str:
    """Google's price format: ``12.00 USD``."""
    return f"{plain(price.amount, price.currency)} {price.currency}"


def shipping(view: ProductView) -> Fields:
    """``g:shipping`` per destination country of the edition's market
    (``commerce.shipping``); nothing when the market has no terms (then Merchant
    Center's account settings must give them: ``mmsite check`` says so)."""
    market = view.edition.market
    terms = commerce_options(view.site.config).shipping.get(market.key) if market else None
    if terms is None or market is None:
        return []
    rate = f"{plain(terms.rate, market.currency)} {market.currency}"
    times = [
        ("min_handling_time", str(terms.handling_days[0])),
        ("max_handling_time", str(terms.handling_days[1])),
        ("min_transit_time", str(terms.transit_days[0])),
        ("max_transit_time", str(terms.transit_days[1])),
    ]
    return [("shipping", [("country", c), ("price", rate), *times]) for c in terms.countries]


@dataclass(frozen=True)
class Offer:
    """One feed item: the product, or one of its variants."""

    sku: str
    title: str
    link: str
    price: Price
    availability: str
    group: str = ""  # item_group_id: the product's sku, for variants
    options: tuple[tuple[str, str], ...] = ()  # size, color, material


def _item(view: ProductView, offer: Offer) -> str:
    fields: Fields = [("id", offer.sku), ("item_group_id", offer.group), ("title", offer.title)]
    fields += [("description", view.summary or view.title), ("link", offer.link)]
    urls = view.image_urls
    if urls:
        fields.append(("image_link", urls[0]))
        fields += [("additional_image_link", extra) for extra in urls[1:10]]
    fields.append(("availability", offer.availability))
    if offer.availability in ("preorder", "backorder") and view.availability_date:
        fields.append(("availability_date", f"{view.availability_date.isoformat()}T00:00:00Z"))
    fields.append(("price", money(offer.price)))
    fields += [("brand", view.brand), ("gtin", view.gtin), ("mpn", view.mpn)]
    if not view.gtin and not view.mpn:
        fields.append(("identifier_exists", "no"))
    fields.append(("condition", view.product.condition))
    fields += list(offer.options)
    fields += shipping(view)
    return "    <item>\n" + "".join(_lines(fields, "      ")) + "    </item>\n"


def offers(view: ProductView) -> list[Offer]:
    """What ``view`` puts in its edition's feed: each priced variant (with its own
    link and the product's sku as group), else the product."""
    if not view.variants:
        if view.price is None:
            return []
        return [Offer(view.sku, view.title, view.permalink, view.price, view.availability)]
    return [
        Offer(
            v["sku"],
            f"{view.title} – {v['name']}",
            variant_url(view, v["sku"]),
            v["price"],
            v["availability"],
            group=view.sku,
            options=tuple(
                (k, str(v["options"][k])) for k in OPTIONS if (v.get("options") or {}).get(k)
            ),
        )
        for v in view.variants
        if v["price"] is not None
    ]


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
    items = [_item(v, o) for v in products if not v.route.fallback for o in offers(v)]
    title, language = site.title(edition), edition.language.bcp47
    head = [
        xmlout.DECLARATION,
        f'<rss xmlns:g="{G}" version="2.0">\n' if items else '<rss version="2.0">\n',
        "  <channel>\n",
        _leaf("title", title, "    "),
        _leaf("link", site.router.absolute(site.router.url_of(edition.prefix)), "    "),
        _leaf("description", f"{title}: {language}, {edition.market.currency}", "    "),
    ]
    text = "".join(head + items) + "  </channel>\n</rss>\n"
    return text.encode("utf-8", "xmlcharrefreplace")


def write_merchant_feeds(build: Build) -> None:
    """STEPS entry (nothing with ``outputs: {merchant_feeds: false}``)."""
    if not build.config.outputs.on("merchant_feeds"):
        return
    for edition in build.site.editions:
        data = merchant_feed(build, edition)
        if data is not None:
            build.out.write(feed_path(build.site, edition), data)
