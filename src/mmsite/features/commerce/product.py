"""The product model: parsed from pages in ``content/products/`` (not ``_index``).

Every language version of a product gets its own :class:`Product` (titles and image
alt texts differ); price, sku, checkout and the rest come from the default-language
file unless the translation writes them itself. Variants in a translation are matched
to the default file's by ``sku`` and override only the fields they write (usually
``name``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from babel.numbers import list_currencies

from mmsite.config.options import Config, Market
from mmsite.config.yamlutil import Scalars
from mmsite.content.model import ContentModel, Page
from mmsite.errors import MmsiteError
from mmsite.features.commerce.money import AmountError, parse_amount, quantum
from mmsite.features.commerce.options import commerce_options
from mmsite.features.commerce.providers import PROVIDERS, known, validate_checkout
from mmsite.features.commerce.units import UnitError, UnitPrice, parse_unit_price

SECTION = "products"
AVAILABILITY = ("in_stock", "out_of_stock", "preorder", "backorder")
BUYABLE = ("in_stock", "preorder", "backorder")  # a Buy button is shown
NEEDS_DATE = ("preorder", "backorder")  # Google Merchant Center requires availability_date
KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,69}$")


@dataclass(frozen=True)
class Checkout:
    provider: str
    url: str
    market: str = ""  # "" for every market, else the market key the link serves


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
    compare_at: dict[str, Decimal] = field(default_factory=dict)  # own was-prices
    unit_price: UnitPrice | None = None  # own, else the product's
    options: dict[str, str] = field(default_factory=dict)  # size, color, material, pattern
    image: Image | None = None


@dataclass(frozen=True)
class Offer:
    """What one product or variant costs in one currency and market, on one day: the
    plain data pages, JSON-LD and feeds show."""

    sku: str
    currency: str
    price: Decimal
    availability: str
    compare_at: Decimal | None = None  # the was-price while the sale runs, else None
    sale_ends: dt.date | None = None  # last day of the sale (only with compare_at)
    unit_price: UnitPrice | None = None
    checkout: tuple[Checkout, ...] = ()  # the links that serve this market

    @property
    def on_sale(self) -> bool:
        return self.compare_at is not None

    @property
    def unit_amount(self) -> Decimal | None:
        """The price per ``unit_price.per`` (4.80 per 100 g), or None."""
        if self.unit_price is None:
            return None
        return self.unit_price.amount(self.price, self.currency)

    @property
    def buyable(self) -> bool:
        return self.availability in BUYABLE


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
    compare_at: dict[str, Decimal] = field(default_factory=dict)  # currency -> was-price
    sale_ends: dt.date | None = None
    unit_price: UnitPrice | None = None
    featured: bool = False
    tags: tuple[str, ...] = ()  # lowercased; shared tags (or the category) make products related
    free: bool = False  # price 0 allowed (and the default in every currency)

    @property
    def title(self) -> str:
        return self.page.title

    def price(self, currency: str) -> Decimal | None:
        """The product's price, else its lowest variant price ("from ...")."""
        if currency in self.prices:
            return self.prices[currency]
        amounts = [v.prices[currency] for v in self.variants if currency in v.prices]
        if amounts:
            return min(amounts)
        return Decimal(0).quantize(quantum(currency)) if self.free else None

    def sold_in(self, market: Market) -> bool:
        return self.markets is None or market.key in self.markets

    def offer(
        self,
        currency: str,
        market: str = "",
        today: dt.date | None = None,
        variant: Variant | None = None,
    ) -> Offer | None:
        """The product (or ``variant``) in ``currency`` for ``market`` on ``today``:
        price, the was-price while the sale runs, unit price, checkout links. None
        without a price in ``currency``."""
        price = self._price_of(variant, currency)
        if price is None:
            return None
        compare = variant.compare_at.get(currency) if variant else None
        if compare is None:
            compare = self.compare_at.get(currency)
        if compare is not None and (compare <= price or self.sale_over(today)):
            compare = None
        links = variant.checkout if variant else self.checkout
        return Offer(
            sku=variant.sku if variant else self.sku,
            currency=currency,
            price=price,
            availability=variant.availability if variant else self.availability,
            compare_at=compare,
            sale_ends=self.sale_ends if compare is not None else None,
            unit_price=(variant.unit_price if variant else None) or self.unit_price,
            checkout=links_for(links, market),
        )

    def offers(self, currency: str, market: str = "", today: dt.date | None = None) -> list:
        """One :class:`Offer` per variant (the product's own without variants)."""
        if not self.variants:
            own = self.offer(currency, market, today)
            return [own] if own else []
        found = (self.offer(currency, market, today, v) for v in self.variants)
        return [o for o in found if o is not None]

    def lowest_offer(
        self, currency: str, market: str = "", today: dt.date | None = None
    ) -> Offer | None:
        """The cheapest offer that can be bought (in stock, preorder, backorder), else
        the cheapest of all: what a card shows."""
        return lowest_of(self.offers(currency, market, today))

    def sale_over(self, today: dt.date | None) -> bool:
        return self.sale_ends is not None and today is not None and today > self.sale_ends

    def _price_of(self, variant: Variant | None, currency: str) -> Decimal | None:
        if variant is None:
            return self.price(currency)
        if currency in variant.prices:
            return variant.prices[currency]
        if currency in self.prices:
            return self.prices[currency]
        return Decimal(0).quantize(quantum(currency)) if self.free else None


def lowest_of(offers: list[Offer]) -> Offer | None:
    """The cheapest of ``offers`` that can be bought, else the cheapest of all."""
    buyable = [o for o in offers if o.buyable] or offers
    return min(buyable, key=lambda o: o.price) if buyable else None


def links_for(links: tuple[Checkout, ...], market: str) -> tuple[Checkout, ...]:
    """The links serving ``market``: per provider, the market's own link, else the link
    for every market (``checkout: {stripe: {us: ..., eu: ...}}`` has none for uk)."""
    own = {c.provider for c in links if c.market and c.market == market}
    return tuple(
        c
        for c in links
        if (c.market == market and market) or (not c.market and c.provider not in own)
    )


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
        self.free = False  # the product says free: true (a 0 price is meant)

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

    def prices(self, owner: Page, path: tuple[Any, ...], key: str, value: Any) -> dict:
        """Amounts per currency (``price``, ``compare_at``) read from ``path`` in the text
        ``owner`` writes; ``key`` is the top-level key the error is reported at."""
        if value is None:
            return {}
        what = path[-1]
        if not isinstance(value, dict) or not value:
            self.fail(
                key, f"{what} must map currencies to amounts, e.g. {{USD: 12.00, EUR: 11.50}}"
            )
            return {}
        raw = self.raw(owner)
        prices: dict[str, Decimal] = {}
        for currency, amount in value.items():
            text, line = raw.get((*path, currency), (str(amount), owner.line_of(path[0])))
            if not isinstance(currency, str) or currency not in currencies():
                self.fail(
                    key,
                    f"{currency!r} is not an ISO 4217 currency code",
                    hint=self.currency_hint(str(currency)),
                    line=line,
                )
                continue
            if isinstance(amount, bool) or not isinstance(amount, (int, float, str)):
                self.fail(key, f"{currency} price must be an amount like 12.00", line=line)
                continue
            try:
                prices[currency] = parse_amount(text, currency)
            except AmountError as exc:
                self.fail(key, f"{what}.{currency}: {exc}", line=line)
                continue
            if prices[currency] == 0 and what == "price" and not self.free:
                self.fail(
                    key,
                    f"{currency} price is 0: a product is free only when it says so",
                    hint="write free: true for a free product, or give its price",
                    line=line,
                )
            elif prices[currency] != 0 and what == "price" and self.free:
                self.fail(
                    key,
                    f"the product says free: true but its {currency} price is {text}",
                    hint="remove free: true, or the price",
                    line=line,
                )
        return prices

    def currency_hint(self, code: str) -> str:
        """The nearest of the markets' currencies, else of all ISO 4217 codes."""
        used = sorted({m.currency for m in self.config.markets.values()})
        hint = nearest(code.upper(), used, "")
        return hint or nearest(code.upper(), currencies(), ", ".join(used) or "USD, EUR")

    def checkout(self, owner: Page, value: Any, key: str, line: int | None = None) -> tuple:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.fail(
                key,
                "checkout must map providers to links, e.g. {stripe: https://...}, or to "
                "links per market, e.g. {stripe: {us: https://..., eu: https://...}}",
                line=line,
            )
            return ()
        links = []
        for provider, url in value.items():
            at = self.raw(owner).get((*_path(key), provider), ("", line))[1]
            if isinstance(url, dict):
                links += self.market_links(owner, key, str(provider), url, line)
                continue
            link = self.link(str(provider), url, key, at or line)
            if link is not None:
                links.append(link)
        return tuple(links)

    def market_links(
        self, owner: Page, key: str, provider: str, value: dict, line: int | None
    ) -> list[Checkout]:
        links = []
        for market, url in value.items():
            at = self.raw(owner).get((*_path(key), provider, market), ("", line))[1] or line
            if market not in self.config.markets:
                self.fail(
                    key,
                    f"checkout.{provider}: {market!r} is not one of the site's markets",
                    hint=nearest(str(market), self.config.markets, ", ".join(self.config.markets)),
                    line=at,
                )
                continue
            link = self.link(provider, url, key, at, str(market))
            if link is not None:
                links.append(link)
        return links

    def link(
        self, provider: str, url: Any, key: str, line: int | None, market: str = ""
    ) -> Checkout | None:
        hosts = commerce_options(self.config).hosts.get(provider, ())
        error = validate_checkout(provider, url, hosts)
        if error:
            hint = (
                nearest(provider, list(PROVIDERS), known())
                if "unknown" in error
                else f"e.g. {PROVIDERS[provider].example}"
            )
            where = f"{provider}.{market}" if market else provider
            self.fail(key, f"checkout.{where}: {error}", hint=hint, line=line)
            return None
        return Checkout(provider, url, market)

    def unit_price(
        self, owner: Page, path: tuple[Any, ...], value: Any, line: int | None = None
    ) -> UnitPrice | None:
        if value is None:
            return None
        key = str(path[0])
        at = self.raw(owner).get((*path, "measure"), ("", line or owner.line_of(key)))[1]
        if not isinstance(value, dict) or set(value) != {"measure", "per"}:
            self.fail(
                key,
                "unit_price needs measure and per, e.g. {measure: 250 g, per: 100 g}",
                line=at or line,
            )
            return None
        measure = self.raw(owner).get((*path, "measure"), (str(value["measure"]), at))[0]
        per = self.raw(owner).get((*path, "per"), (str(value["per"]), at))[0]
        try:
            return parse_unit_price(measure, per)
        except UnitError as exc:
            self.fail(
                key,
                f"unit_price: {exc}",
                hint="e.g. unit_price: {measure: 750 ml, per: 1 l}",
                line=at or line,
            )
            return None

    def availability(self, value: Any, key: str, line: int | None = None) -> str:
        if value not in AVAILABILITY:
            self.fail(key, f"availability must be one of {', '.join(AVAILABILITY)}", line=line)
            return "in_stock"
        return value


@functools.cache
def currencies() -> frozenset[str]:
    """ISO 4217 codes CLDR knows (EUX is none)."""
    return frozenset(list_currencies())


def nearest(word: str, choices: Iterable[str], fallback: str) -> str:
    """``did you mean ...?`` for the nearest of ``choices``, else ``fallback``."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]}?"
    return f"use one of: {fallback}" if fallback else ""


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
        path = _resource(r, owner, src, "images")
        if path is None:
            continue
        if alt is None and isinstance(alts, list):
            alt = alts[index] if index < len(alts) else None
        elif alt is None:
            alt = alts
        images.append(Image(path, str(alt) if alt else r.page.title))
    return images


OPTIONS = ("size", "color", "material", "pattern")  # what variants may differ by (Google)


def _variant_list(r: _Reader) -> tuple[list, dict]:
    """The (owner, index, item) entries and the translation's overrides by sku."""
    base_list = r.base.doc.meta.get("variants") or []
    own = r.page.doc.meta.get("variants") if r.page is not r.base else None
    if not isinstance(base_list, list) or (own is not None and not isinstance(own, list)):
        r.fail("variants", "variants must be a list of {name, sku, price, checkout}")
        return [], {}
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
    return entries, overrides


def _variants(r: _Reader, checkout: tuple, availability: str) -> list[Variant]:
    entries, overrides = _variant_list(r)
    variants = []
    for owner, index, item in entries:
        if not isinstance(item, dict):
            r.fail("variants", "each variant is a mapping: {name: ..., sku: ..., price: {...}}")
            continue
        extra = overrides.get(item.get("sku"))
        merged = {**item, **(extra[1] if extra else {})}

        def source(name: str, owner: Page = owner, index: int = index, extra=extra) -> tuple:
            """The file and path that write the variant's field ``name``."""
            if extra is not None and name in extra[1]:
                return r.page, ("variants", extra[0], name)
            return owner, ("variants", index, name)

        line = r.raw(owner).get(("variants", index, "sku"), ("", owner.line_of("variants")))[1]
        name, sku = merged.get("name"), merged.get("sku")
        if not isinstance(name, str) or not isinstance(sku, str) or not SKU.match(sku):
            r.fail(
                "variants",
                f"variant {index + 1} needs a name and a sku (letters, digits, -)",
                line=line,
            )
            continue
        variants.append(
            Variant(
                name=name,
                sku=sku,
                prices=r.prices(*source("price"), "variants", merged.get("price")),
                checkout=r.checkout(
                    owner, merged.get("checkout"), f"variants.{index}.checkout", line
                )
                or checkout,
                availability=r.availability(
                    merged.get("availability", availability), "variants", line
                ),
                compare_at=r.prices(*source("compare_at"), "variants", merged.get("compare_at")),
                unit_price=r.unit_price(*source("unit_price"), merged.get("unit_price"), line),
                options=_options(r, *source("options"), merged.get("options"), line),
                image=_variant_image(r, owner, merged.get("image"), f"{name}", line),
            )
        )
    _check_options(r, variants)
    return variants


def _options(r: _Reader, owner: Page, path: tuple, value: Any, line: int | None) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or not value:
        r.fail("variants", "options must map size, color, material to text", line=line)
        return {}
    options = {}
    for key, text in value.items():
        at = r.raw(owner).get((*path, key), ("", line))
        if key not in OPTIONS:
            r.fail(
                "variants",
                f"unknown variant option {key!r}",
                hint=nearest(str(key), OPTIONS, "options: " + ", ".join(OPTIONS)),
                line=at[1] or line,
            )
        elif isinstance(text, bool) or not isinstance(text, (str, int, float)) or not at[0]:
            r.fail("variants", f"option {key} must be text, e.g. {key}: Large", line=at[1] or line)
        else:
            options[str(key)] = str(at[0]).strip()
    return options


def _check_options(r: _Reader, variants: list[Variant]) -> None:
    """Variants that use options all name the same ones, and no two are alike."""
    used = [v for v in variants if v.options]
    if not used:
        return
    keys = set(used[0].options)
    seen: dict[tuple, str] = {}
    for v in variants:
        if set(v.options) != keys:
            r.fail(
                "variants",
                f"variant {v.sku} has options {sorted(v.options)}, others {sorted(keys)}",
                hint="give every variant the same options, e.g. size and color",
            )
            continue
        combo = tuple(sorted(v.options.items()))
        if combo in seen:
            r.fail(
                "variants",
                f"variants {seen[combo]} and {v.sku} have the same options {dict(combo)}",
                hint="options tell variants apart: make them differ",
            )
        seen.setdefault(combo, v.sku)


def _variant_image(r: _Reader, owner: Page, value: Any, name: str, line: int | None):
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        r.fail("variants", "a variant's image is a file name beside the page", line=line)
        return None
    path = _resource(r, owner, value, "variants", line)
    return Image(path, f"{r.page.title}, {name}") if path else None


def _resource(
    r: _Reader, owner: Page, src: str, key: str, line: int | None = None
) -> PurePosixPath | None:
    rel = posixpath.normpath(posixpath.join(str(owner.dir), src))
    path = PurePosixPath(rel)
    if rel.startswith("..") or path not in r.model.resources:
        r.fail(key, f"image {src!r} not found beside the page", hint=f"add {path}", line=line)
        return None
    return path


def _date(r: _Reader, key: str) -> dt.date | None:
    value = r.value(key)
    if value is not None and not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        r.fail(key, f"{key} must be a date like 2026-04-01", hint=f"write e.g. {key}: 2026-06-30")
        return None
    return value


def _flag(r: _Reader, key: str) -> bool:
    value = r.value(key, False)
    if not isinstance(value, bool):
        r.fail(key, f"{key} must be true or false, got {value!r}", hint=f"write {key}: true")
        return False
    return value


def _tags(r: _Reader) -> tuple[str, ...]:
    """``tags: [smoked, barbecue]``: words, compared without case (related products)."""
    value = r.value("tags", [])
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
        r.fail("tags", "tags must be a list of words", hint="e.g. tags: [smoked, barbecue]")
        return ()
    return tuple(dict.fromkeys(t.strip().casefold() for t in value))


def _check_sale(r: _Reader, product: Product) -> None:
    """Each was-price is above the price it strikes through, and has one."""
    if (
        product.sale_ends is not None
        and not product.compare_at
        and not any(v.compare_at for v in product.variants)
    ):
        r.fail(
            "sale_ends",
            "sale_ends without compare_at: there is no sale to end",
            hint="add compare_at: {USD: 15.00} (the regular price), or remove sale_ends",
        )
    for variant in [None, *product.variants]:
        own = variant.compare_at if variant else product.compare_at
        for currency, was in {**product.compare_at, **own}.items():
            if variant is None and product.variants and currency not in product.prices:
                continue  # only variants have prices here: checked per variant
            price = product.offer(currency, variant=variant)
            label = f"variant {variant.sku}" if variant else "the product"
            key, line = _compare_at_line(r, variant, currency)
            if price is None:
                r.fail(
                    key,
                    f"compare_at.{currency}: {label} has no {currency} price to compare with",
                    hint=f"add {currency} to price, or remove it from compare_at",
                    line=line,
                )
            elif was <= price.price:
                r.fail(
                    key,
                    f"compare_at.{currency} {was} must be more than the price of {label} "
                    f"({price.price}): it is the regular price shown struck through",
                    hint="write the regular price in compare_at and the sale price in price",
                    line=line,
                )


def _compare_at_line(r: _Reader, variant: Variant | None, currency: str) -> tuple[str, int | None]:
    """The key and line that write ``variant``'s (else the product's) was-price."""
    if variant is not None and currency in variant.compare_at:
        for page in (r.page, r.base):
            scalars = r.raw(page)
            for (*path, last), (text, _) in scalars.items():
                if path[:1] == ["variants"] and last == "sku" and text == variant.sku:
                    at = scalars.get((*path, "compare_at", currency))
                    if at is not None:
                        return "variants", at[1]
        return "variants", None
    return "compare_at", r.raw(r.owner("compare_at")).get(("compare_at", currency), ("", None))[1]


def parse_product(page: Page, config: Config, model: ContentModel) -> Product | list:
    """The product on ``page``, or the list of errors found in its front matter."""
    base = page.group.default if page.group else page
    r = _Reader(page, base, config, model)
    sku = r.text("sku", SKU, "a sku (letters, digits, - . _ /, up to 70)")
    if not r.value("sku"):
        r.fail("sku", "a product needs a sku", hint="add e.g. sku: SALT-001")
    r.free = _flag(r, "free")
    prices = r.prices(r.owner("price"), ("price",), "price", r.value("price"))
    checkout = r.checkout(r.owner("checkout"), r.value("checkout"), "checkout")
    availability = r.availability(r.value("availability", "in_stock"), "availability")
    date = _date(r, "availability_date")
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
    if not prices and not variants and not r.free:
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
        compare_at=r.prices(
            r.owner("compare_at"), ("compare_at",), "compare_at", r.value("compare_at")
        ),
        sale_ends=_date(r, "sale_ends"),
        unit_price=r.unit_price(r.owner("unit_price"), ("unit_price",), r.value("unit_price")),
        featured=_flag(r, "featured"),
        tags=_tags(r),
        free=r.free,
    )
    _check_sale(r, product)
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
            if product.offer(cur, variant=variant) is None:
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
