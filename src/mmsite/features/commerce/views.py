"""What storefront templates see: products priced for the page's edition (market currency,
locale formatting) with their checkout links, catalog lists and category links."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from mmsite.cached import cached_property
from mmsite.config.clock import build_date
from mmsite.content.model import INDEX
from mmsite.features.commerce.catalog import CATEGORY_DIR, category_name
from mmsite.features.commerce.money import format_price, plain, quantum
from mmsite.features.commerce.options import commerce_options, format_days
from mmsite.features.commerce.product import (
    BUYABLE,
    SECTION,
    Checkout,
    Offer,
    Product,
    Variant,
    links_for,
    lowest_of,
    product_of,
)
from mmsite.features.commerce.providers import PROVIDERS, Attribution, with_attribution
from mmsite.features.commerce.units import format_quantity
from mmsite.features.registry import provides
from mmsite.features.site import PageView, Site
from mmsite.i18n.editions import Edition
from mmsite.i18n.routing import Route, quote_path


@dataclass(frozen=True)
class Price:
    amount: Decimal
    currency: str
    text: str  # "$12.00", "10,50 €"
    plain: str  # "12.00" (machine form: JSON-LD, feeds, <data value>)


@dataclass(frozen=True)
class OfferView:
    """An :class:`Offer` as a page shows it: localized texts beside machine forms.
    Templates: ``partials/price.html``."""

    offer: Offer
    price: Price  # what is charged now
    was: Price | None  # the regular price, struck through while a sale runs
    sale_ends: dt.date | None  # shown while the sale runs
    unit_price: Price | None  # the price per ``unit_base``
    unit_base: str  # "100 g" in the locale's format ("" without a unit price)
    from_price: bool  # the lowest of several variant prices: "From ..."
    tax: str  # the market's tax note: "included" | "excluded" | ""

    @property
    def unit_plain(self) -> str:
        """``4.80 EUR / 100 g`` style machine form ("" without a unit price)."""
        unit = self.offer.unit_price
        if unit is None or self.unit_price is None:
            return ""
        return f"{self.unit_price.plain} {self.price.currency} / {unit.per.text}"


@dataclass(frozen=True)
class Delivery:
    """The market's shipping terms and the return policy, as the product page shows them."""

    rate: Price | None  # None: free shipping
    days: str  # "3–5 days" in the locale (handling + transit)
    returns: str  # "" (no policy) | "none" | "free" | "paid"
    returns_days: str  # "30 days" in the locale


@dataclass(frozen=True)
class BuyLink:
    provider: str  # "stripe"
    name: str  # "Stripe"
    url: str  # with attribution parameters when the site turns them on
    enabled: bool  # false when out of stock: render a disabled button


@dataclass(frozen=True)
class ImageView:
    url: str
    alt: str


class ProductView:
    """A product as one route shows it."""

    def __init__(self, site: Site, route: Route, product: Product) -> None:
        self.site = site
        self.route = route
        self.product = product
        self.edition: Edition = route.edition

    sku = property(lambda self: self.product.sku)
    title = property(lambda self: self.route.page.title)
    summary = property(lambda self: self.route.page.summary)
    url = property(lambda self: self.route.url)
    availability = property(lambda self: self.product.availability)
    availability_date = property(lambda self: self.product.availability_date)
    brand = property(lambda self: self.product.brand)
    gtin = property(lambda self: self.product.gtin)
    mpn = property(lambda self: self.product.mpn)

    @property
    def currency(self) -> str | None:
        return self.edition.currency

    @property
    def buyable(self) -> bool:
        return self.product.availability in BUYABLE

    def price_of(self, amount: Decimal | None) -> Price | None:
        currency = self.currency
        if amount is None or currency is None:
            return None
        return Price(
            amount,
            currency,
            format_price(amount, currency, self.edition.locale, self.edition.numbers),
            plain(amount, currency),
        )

    @cached_property
    def today(self) -> dt.date:
        return build_date()

    @property
    def market_key(self) -> str:
        return self.edition.market.key if self.edition.market else ""

    def offer_view(self, offer: Offer | None, from_price: bool = False) -> OfferView | None:
        """``offer`` in the edition's locale, with the market's tax note."""
        price = self.price_of(offer.price) if offer else None
        if offer is None or price is None:
            return None
        unit = offer.unit_price
        market = self.edition.market
        return OfferView(
            offer=offer,
            price=price,
            was=self.price_of(offer.compare_at),
            sale_ends=offer.sale_ends,
            unit_price=self.price_of(offer.unit_amount),
            unit_base=(
                format_quantity(unit.per, self.edition.locale, self.edition.numbers) if unit else ""
            ),
            from_price=from_price,
            tax=(market.tax or "") if market else "",
        )

    @property
    def offer(self) -> OfferView | None:
        """The product's own offer, or with variants the lowest buyable one ("From")."""
        return self.card_offer

    @cached_property
    def card_offer(self) -> OfferView | None:
        """What a card shows: the lowest buyable price, "From" when variant prices differ."""
        cur = self.currency
        if not cur:
            return None
        offers = self.product.offers(cur, self.market_key, self.today)
        return self.offer_view(lowest_of(offers), from_price=len({o.price for o in offers}) > 1)

    @cached_property
    def delivery(self) -> Delivery | None:
        """Shipping to the edition's market and the return policy (commerce options)."""
        options = commerce_options(self.site.config)
        terms = options.shipping.get(self.market_key)
        if terms is None:
            return None
        returns, currency, locale = options.returns, self.currency or "", self.edition.locale
        numbers = self.edition.numbers
        policy = ""
        if returns is not None:
            policy = "none" if returns.days == 0 else returns.fees.replace("customer", "paid")
        return Delivery(
            rate=self.price_of(terms.rate.quantize(quantum(currency))) if terms.rate else None,
            days=format_days(*terms.days, locale, numbers),
            returns=policy,
            returns_days=(
                format_days(returns.days, returns.days, locale, numbers) if returns else ""
            ),
        )

    @cached_property
    def price(self) -> Price | None:
        return self.price_of(self.product.price(self.currency) if self.currency else None)

    def variant_price(self, variant: Variant) -> Price | None:
        cur = self.currency
        if cur is None:
            return None
        return self.price_of(variant.prices.get(cur, self.product.prices.get(cur)))

    def buy_links(self, checkout: tuple[Checkout, ...], availability: str, sku: str) -> list:
        if self.currency is None:
            return []  # a catalog without prices (commerce.prices: {LANG: false})
        config = self.site.config
        where = Attribution(
            page=self.route.url,
            lang=self.edition.lang,
            edition=self.edition.code,
            market=self.edition.market.key if self.edition.market else "",
            sku=sku,
            site=urlsplit(config.base_url).hostname or "",
        )
        links = []
        for link in links_for(checkout, where.market):
            url = link.url
            if commerce_options(config).attribution:
                url = with_attribution(link.provider, url, where)
            provider = PROVIDERS[link.provider]
            links.append(BuyLink(link.provider, provider.name, url, availability in BUYABLE))
        return links

    @cached_property
    def checkouts(self) -> list[BuyLink]:
        p = self.product
        return self.buy_links(p.checkout, p.availability, p.sku)

    @cached_property
    def variants(self) -> list[dict[str, Any]]:
        return [
            {
                "name": v.name,
                "sku": v.sku,
                "price": self.variant_price(v),
                "availability": v.availability,
                "buyable": v.availability in BUYABLE,
                "checkouts": self.buy_links(v.checkout, v.availability, v.sku),
                "offer": self.offer_view(
                    self.product.offer(self.currency, self.market_key, self.today, v)
                    if self.currency
                    else None
                ),
            }
            for v in self.product.variants
        ]

    @cached_property
    def images(self) -> list[ImageView]:
        base = self.site.router.base_path
        return [ImageView(quote_path(base + str(i.path)), i.alt) for i in self.product.images]

    @cached_property
    def image_urls(self) -> list[str]:
        """Absolute image URLs (JSON-LD, feeds)."""
        return [self.site.router.absolute(i.url) for i in self.images]

    @cached_property
    def category(self) -> dict[str, str] | None:
        key = self.product.category
        if not key:
            return None
        group = self.site.model.groups.get(f"{CATEGORY_DIR}/{key}")
        route = self.site.router.get(group, self.edition) if group else None
        name = category_name(self.site.config, key, self.edition.lang)
        return {"key": key, "name": name, "url": route.url if route else ""}

    @property
    def permalink(self) -> str:
        return self.site.router.absolute(self.route.url)

    @cached_property
    def related(self) -> list[ProductView]:
        """Up to four products of this edition sharing tags or the category, most shared
        first (see :func:`related_products`)."""
        group = self.route.page.group
        if group is None:
            return []
        return related_products(self.site, self.edition).get(group.key, [])

    @cached_property
    def jsonld(self) -> Markup:
        from mmsite.features.commerce.jsonld import product_jsonld, script

        return script(product_jsonld(self))


def catalog(site: Site, edition: Edition, category: str | None = None) -> list[ProductView]:
    """Products published in ``edition`` (optionally one category), in catalog order."""

    def make() -> list[ProductView]:
        views = []
        for group in site.model.groups.values():
            route = site.router.get(group, edition)
            product = product_of(route.page) if route else None
            if product is None or (category and product.category != category):
                continue
            views.append(ProductView(site, route, product))
        views.sort(key=lambda v: (v.route.page.weight, v.title))
        return views

    return site.memo("commerce.catalog", (edition.code, category), make)


RELATED_PRODUCTS = 4  # related products under a product page, at most


def related_products(site: Site, edition: Edition) -> dict[str, list[ProductView]]:
    """Product group key -> up to :data:`RELATED_PRODUCTS` products this edition sells
    that share tags or the category with it: the most shared first (the category counts
    as one), then catalog weight and sku, so every language lists the same products.
    Built once per edition from the catalog (its reads are replayed)."""

    def make() -> dict[str, list[ProductView]]:
        views = catalog(site, edition, None)
        # products in (weight, sku) order: ties in shared words go by that place
        ranked = sorted(views, key=lambda view: (view.route.page.weight, view.sku))
        tagged: dict[str, list[int]] = {}  # tag -> places of the products with it
        in_category: dict[str, list[int]] = {}  # category -> places, in order
        for place, view in enumerate(ranked):
            for tag in view.product.tags:
                tagged.setdefault(tag, []).append(place)
            if view.product.category:
                in_category.setdefault(view.product.category, []).append(place)
        best = _most_shared(ranked, tagged, in_category)
        return {
            view.route.page.group.key: [ranked[o] for o in best[n]] for n, view in enumerate(ranked)
        }

    return site.memo("commerce.related", edition.code, make)


def _most_shared(
    ranked: list[ProductView], tagged: dict[str, list[int]], in_category: dict[str, list[int]]
) -> list[list[int]]:
    """For each product (by place), the places of the :data:`RELATED_PRODUCTS` others
    sharing the most words with it (each tag one, the category one), then the first
    placed. Every product sharing a tag is counted; of those sharing the category only,
    just the first few can make it (they all count one): a big category costs nothing."""
    size = len(ranked)
    found = []
    for place, view in enumerate(ranked):
        product = view.product
        shared: dict[int, int] = {}
        for tag in product.tags:
            for other in tagged[tag]:
                shared[other] = shared.get(other, 0) + 1
        words = len(product.tags)
        category = in_category.get(product.category) if product.category else None
        if category is not None:
            words += 1
            for other in shared:
                if ranked[other].product.category == product.category:
                    shared[other] += 1
            alone = (o for o in category if o not in shared and o != place)
            shared.update((o, 1) for o in itertools.islice(alone, RELATED_PRODUCTS))
        shared.pop(place, None)
        # one number per candidate, smallest first: most shared words, then place
        keys = [(words - count) * size + other for other, count in shared.items()]
        found.append([key % size for key in heapq.nsmallest(RELATED_PRODUCTS, keys)])
    return found


def categories(site: Site, edition: Edition) -> list[dict[str, Any]]:
    """The edition's categories with products (key, name, url, count): once per edition
    (every list page shows them; finding them walks every page group)."""

    def make() -> list[dict[str, Any]]:
        items = []
        for group in site.model.groups.values():
            page = group.default
            if not page.virtual or page.dir != PurePosixPath(CATEGORY_DIR) or page.is_index:
                continue
            route = site.router.get(group, edition)
            key = page.meta["category"]
            count = len(catalog(site, edition, key))
            if route is not None and count:
                item = {"key": key, "name": route.page.title, "url": route.url, "count": count}
                items.append(item)
        return items

    return site.memo("commerce.categories", edition.code, make)


HOME_PRODUCTS = 4  # products the home page shows at least (when the catalog has them)


def home_products(site: Site, edition: Edition) -> list[ProductView]:
    """The products marked ``featured: true`` first (all of them, in catalog order, sold
    out or not: the seller chose them), then products that can be bought, in catalog
    order, until there are :data:`HOME_PRODUCTS`."""
    items = catalog(site, edition, None)
    chosen = [v for v in items if v.product.featured]
    more = [v for v in items if v.buyable and not v.product.featured]
    return chosen + more[: max(0, HOME_PRODUCTS - len(chosen))]


@provides("product", "catalog", "categories", "catalog_url", "other_pages")
def storefront_context(view: PageView) -> dict[str, Any]:
    """CONTEXT_PROCESSORS entry: ``product``, ``catalog`` and ``categories`` for templates."""
    page = view.page
    empty: dict[str, Any] = {
        "product": None,
        "catalog": [],
        "categories": [],
        "catalog_url": "",
        "other_pages": [],
    }
    site, edition = view.site, view.edition
    if page.kind == "home":  # featured products, else the first that can be bought
        group = site.model.groups.get(f"{SECTION}/{INDEX}")
        route = site.router.get(group, edition) if group else None
        items = home_products(site, edition)
        return {**empty, "catalog": items, "catalog_url": route.url if route else ""}
    if page.section != SECTION:
        return empty
    group = site.model.groups.get(f"{SECTION}/{INDEX}")
    route = site.router.get(group, edition) if group else None
    empty["catalog_url"] = route.url if route else ""
    product = product_of(page)
    if product is not None:
        return {**empty, "product": ProductView(site, view.route, product)}
    category = page.meta.get("category") if page.virtual else None
    return {
        **empty,
        "catalog": catalog(site, edition, category),
        "other_pages": [
            c for c in view.children if product_of(c.page) is None and not c.page.virtual
        ],
        "categories": categories(site, edition),
    }
