"""The product model: parsed from pages in ``content/products/`` (not ``_index``).

Every language version of a product gets its own :class:`Product` (titles and image
alt texts differ); price, sku, checkout and the rest come from the default-language
file unless the translation writes them itself. Variants in a translation are matched
to the default file's by ``sku`` and override only the fields they write (usually
``name``).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from mmsite.config.options import Config, Market
from mmsite.config.yamlutil import Scalars
from mmsite.content.model import ContentModel, Page
from mmsite.errors import MmsiteError
from mmsite.features.commerce.money import AmountError, parse_amount
from mmsite.features.commerce.options import commerce_options
from mmsite.features.commerce.providers import known, validate_checkout

SECTION = "products"
AVAILABILITY = ("in_stock", "out_of_stock", "preorder", "backorder")
NEEDS_DATE = ("preorder", "backorder")  # Google Merchant Center requires availability_date
KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,69}$")


@dataclass(frozen=True)
class Checkout:
    provider: str
    url: str


@dataclass(frozen=True)
class Image:
    path: PurePosixPath  # the resource below content/: products/smoked-salt.jpg
    alt: str


@dataclass
class Variant:
    name: str
    sku: str
    prices: dict[str, Decimal]  # own prices over the product's
    checkout: tuple[Checkout, ...]  # own checkout, else the product's
    availability: str


@dataclass
class Product:
    page: Page
    sku: str
    prices: dict[str, Decimal]  # currency -> exact amount
    availability: str
    availability_date: dt.date | None
    category: str
    images: list[Image]
    checkout: tuple[Checkout, ...]
    variants: list[Variant] = field(default_factory=list)
    brand: str = ""
    gtin: str = ""
    mpn: str = ""
    condition: str = "new"
    markets: tuple[str, ...] | None = None  # only sold in these markets (None: all)

    @property
    def title(self) -> str:
        return self.page.title

    def price(self, currency: str) -> Decimal | None:
        """The product's price, else its lowest variant price ("from ...")."""
        if currency in self.prices:
            return self.prices[currency]
        amounts = [v.prices[currency] for v in self.variants if currency in v.prices]
        return min(amounts) if amounts else None

    def sold_in(self, market: Market) -> bool:
        return self.markets is None or market.key in self.markets


def product_of(page: Page) -> Product | None:
    return page.data.get("product")


# -- parsing -----------------------------------------------------------------


class _Reader:
    """Reads one product page; each field from the file that writes it."""

    def __init__(self, page: Page, base: Page, config: Config, model: ContentModel) -> None:
        self.page = page
        self.base = base
        self.config = config
        self.model = model
        self.errors: list[MmsiteError] = []

    def owner(self, key: str) -> Page:
        return self.page if key in self.page.doc.meta else self.base

    def value(self, key: str, default: Any = None) -> Any:
        return self.owner(key).doc.meta.get(key, default)

    def raw(self, page: Page) -> Scalars:
        """The text as written and the line of ``page``'s nested front matter scalars
        (see :attr:`mmsite.frontmatter.Document.scalars`)."""
        return page.doc.scalars

    def fail(self, key: str, message: str, hint: str | None = None, line: int | None = None):
        owner = self.owner(key)
        self.errors.append(MmsiteError(message, owner.source, line or owner.line_of(key), hint))

    def text(self, key: str, pattern: re.Pattern[str] | None = None, what: str = "") -> str:
        value = self.value(key)
        if value is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"{key} must be text, got {value!r}", hint=f'quote it: {key}: "..."')
            return ""
        if pattern is not None and not pattern.match(value):
            self.fail(key, f"{key} {value!r} is not {what}")
        return value.strip()

    def prices(self, owner: Page, value: Any, path: tuple[Any, ...], key: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict) or not value:
            self.fail(key, f"{key} must map currencies to amounts, e.g. {{USD: 12.00, EUR: 11.50}}")
            return {}
        raw = self.raw(owner)
        prices: dict[str, Decimal] = {}
        for currency, amount in value.items():
            text, line = raw.get((*path, currency), (str(amount), owner.line_of(path[0])))
            if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
                self.fail(key, f"{currency!r} is not an ISO 4217 currency code like USD", line=line)
                continue
            if isinstance(amount, bool) or not isinstance(amount, (int, float, str)):
                self.fail(key, f"{currency} price must be an amount like 12.00", line=line)
                continue
            try:
                prices[currency] = parse_amount(text, currency)
            except AmountError as exc:
                self.fail(key, f"{key}.{currency}: {exc}", line=line)
        return prices

    def checkout(self, owner: Page, value: Any, key: str, line: int | None = None) -> tuple:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.fail(key, "checkout must map providers to links, e.g. {stripe: https://...}")
            return ()
        links = []
        for provider, url in value.items():
            error = validate_checkout(
                str(provider), url, commerce_options(self.config).hosts.get(str(provider), ())
            )
            at = self.raw(owner).get((*_path(key), provider), ("", line))[1]
            if error:
                hint = f"known providers: {known()}" if "unknown" in error else None
                self.fail(key, f"checkout.{provider}: {error}", hint=hint, line=at)
                continue
            links.append(Checkout(str(provider), url))
        return tuple(links)

    def availability(self, value: Any, key: str, line: int | None = None) -> str:
        if value not in AVAILABILITY:
            self.fail(key, f"availability must be one of {', '.join(AVAILABILITY)}", line=line)
            return "in_stock"
        return value


def _path(key: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in key.split("."))


def _gtin_ok(code: str) -> bool:
    """GS1 check digit for GTIN-8/12/13/14."""
    if not re.fullmatch(r"\d{8}|\d{12,14}", code):
        return False
    digits = [int(c) for c in code]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == digits[-1]


def _images(r: _Reader) -> list[Image]:
    value = r.value("images", [])
    owner = r.owner("images")
    if not isinstance(value, list):
        r.fail("images", "images must be a list of files beside the page, e.g. [photo.jpg]")
        return []
    alts = r.page.meta.get("image_alt")
    if alts is not None and not isinstance(alts, (str, list)):
        r.fail("image_alt", "image_alt must be text, or a list with one text per image")
        alts = None
    images = []
    for index, item in enumerate(value):
        src, alt = (item.get("src"), item.get("alt")) if isinstance(item, dict) else (item, None)
        if not isinstance(src, str) or not src:
            r.fail("images", "each image is a file name or {src: file.jpg, alt: ...}")
            continue
        rel = posixpath.normpath(posixpath.join(str(owner.dir), src))
        path = PurePosixPath(rel)
        if rel.startswith("..") or path not in r.model.resources:
            r.fail("images", f"image {src!r} not found beside the page", hint=f"add {path}")
            continue
        if alt is None and isinstance(alts, list):
            alt = alts[index] if index < len(alts) else None
        elif alt is None:
            alt = alts
        images.append(Image(path, str(alt) if alt else r.page.title))
    return images


def _variants(r: _Reader, checkout: tuple, availability: str) -> list[Variant]:
    base_list = r.base.doc.meta.get("variants") or []
    own = r.page.doc.meta.get("variants") if r.page is not r.base else None
    if not isinstance(base_list, list) or (own is not None and not isinstance(own, list)):
        r.fail("variants", "variants must be a list of {name, sku, price, checkout}")
        return []
    entries = [(r.base, i, v) for i, v in enumerate(base_list)] or [
        (r.page, i, v) for i, v in enumerate(own or [])
    ]
    overrides = {}
    if own and base_list:
        for i, item in enumerate(own):
            sku = item.get("sku") if isinstance(item, dict) else None
            if sku not in {b.get("sku") for b in base_list if isinstance(b, dict)}:
                line = r.raw(r.page).get(("variants", i, "sku"), ("", r.page.line_of("variants")))
                r.fail(
                    "variants",
                    f"translated variant {i + 1} must name the sku of a variant in "
                    f"{r.base.rel.name}",
                    hint="write e.g. - {sku: SALT-001-250, name: 250 g}",
                    line=line[1],
                )
                continue
            overrides[sku] = (i, item)
    variants = []
    for owner, index, item in entries:
        if not isinstance(item, dict):
            r.fail("variants", "each variant is a mapping: {name: ..., sku: ..., price: {...}}")
            continue
        item_owner, item_index = owner, index
        extra = overrides.get(item.get("sku"))
        merged = dict(item)
        if extra is not None:
            merged.update(extra[1])
        name, sku = merged.get("name"), merged.get("sku")
        if not isinstance(name, str) or not isinstance(sku, str) or not SKU.match(sku):
            r.fail("variants", f"variant {index + 1} needs a name and a sku (letters, digits, -)")
            continue
        price_owner, price_path = item_owner, ("variants", item_index, "price")
        if extra is not None and "price" in extra[1]:
            price_owner, price_path = r.page, ("variants", extra[0], "price")
        line = r.raw(item_owner).get(("variants", item_index, "sku"), ("", None))[1]
        variants.append(
            Variant(
                name=name,
                sku=sku,
                prices=r.prices(price_owner, merged.get("price"), price_path, "variants"),
                checkout=r.checkout(
                    item_owner, merged.get("checkout"), f"variants.{item_index}.checkout", line
                )
                or checkout,
                availability=r.availability(
                    merged.get("availability", availability), "variants", line
                ),
            )
        )
    return variants


def parse_product(page: Page, config: Config, model: ContentModel) -> Product | list:
    """The product on ``page``, or the list of errors found in its front matter."""
    base = page.group.default if page.group else page
    r = _Reader(page, base, config, model)
    sku = r.text("sku", SKU, "a sku (letters, digits, - . _ /, up to 70)")
    if not r.value("sku"):
        r.fail("sku", "a product needs a sku", hint="add e.g. sku: SALT-001")
    prices = r.prices(r.owner("price"), r.value("price"), ("price",), "price")
    checkout = r.checkout(r.owner("checkout"), r.value("checkout"), "checkout")
    availability = r.availability(r.value("availability", "in_stock"), "availability")
    date = r.value("availability_date")
    if date is not None and not isinstance(date, dt.date):
        r.fail("availability_date", "availability_date must be a date like 2026-04-01")
        date = None
    if availability in NEEDS_DATE and date is None:
        r.fail(
            "availability",
            f"{availability} needs availability_date (when it ships)",
            hint="add e.g. availability_date: 2026-04-01",
        )
    category = r.text("category", KEY, "a category key (lowercase letters, digits, -)")
    gtin = r.text("gtin")
    if gtin and not _gtin_ok(gtin):
        r.fail("gtin", f"gtin {gtin!r} is not a valid GTIN-8/12/13/14 (check digit)")
    markets = r.value("markets")
    if markets is not None and (
        not isinstance(markets, list) or not all(m in config.markets for m in markets)
    ):
        r.fail("markets", "markets must list some of: " + ", ".join(config.markets))
        markets = None
    variants = _variants(r, checkout, availability)
    if not prices and not variants:
        r.fail("price", "a product needs a price", hint="add e.g. price: {USD: 12.00}")
    product = Product(
        page=page,
        sku=sku,
        prices=prices,
        availability=availability,
        availability_date=date,
        category=category,
        images=_images(r),
        checkout=checkout,
        variants=variants,
        brand=r.text("brand") or commerce_options(config).brand,
        gtin=gtin,
        mpn=r.text("mpn"),
        condition=commerce_options(config).condition,
        markets=tuple(markets) if markets is not None else None,
    )
    return r.errors or product


@dataclass(frozen=True)
class MissingPrice:
    page: Page  # the file that should carry the price
    market: Market
    sku: str  # the product's or the variant's


def missing_prices(product: Product, markets: dict[str, Market]) -> list[MissingPrice]:
    """Markets where ``product`` (or one of its variants) has no price in the currency."""
    found = []
    for market in markets.values():
        if not product.sold_in(market):
            continue
        cur = market.currency
        if product.price(cur) is None:
            found.append(MissingPrice(product.page, market, product.sku))
            continue
        for variant in product.variants:
            if cur not in variant.prices and cur not in product.prices:
                found.append(MissingPrice(product.page, market, variant.sku))
    return found


def products_missing_prices(config: Config, model: ContentModel) -> list[MissingPrice]:
    """Every default-language product lacking a price for a market (for ``mmsite check``)."""
    found = []
    for group in model.groups.values():
        product = product_of(group.default)
        if product is not None:
            found += missing_prices(product, config.markets)
    return found
