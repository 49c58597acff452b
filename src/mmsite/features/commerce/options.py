"""The ``commerce:`` section of site.yaml (storefront behaviour), registered by the
commerce feature: categories, checkout hosts, shipping and returns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.units import format_unit

from mmsite.config.options import (
    Config,
    ConfigSection,
    Language,
    Lines,
    Market,
    SectionContext,
    boolean,
    choice,
    mapping,
    only,
    string,
)
from mmsite.features.commerce.providers import PROVIDERS
from mmsite.i18n.editions import format_number, localize_digits


@dataclass(frozen=True)
class Shipping:
    """One market's shipping terms, for schema.org ``OfferShippingDetails``."""

    rate: Decimal  # in the market's currency; 0 = free shipping
    countries: tuple[str, ...]  # ISO 3166 destinations
    handling_days: tuple[int, int]  # (min, max) business days before dispatch
    transit_days: tuple[int, int]  # (min, max) days in transit

    @property
    def days(self) -> tuple[int, int]:
        """(min, max) days from order to the door: handling plus transit."""
        return (
            self.handling_days[0] + self.transit_days[0],
            self.handling_days[1] + self.transit_days[1],
        )


@dataclass(frozen=True)
class Returns:
    """The shop's return policy, for schema.org ``MerchantReturnPolicy``."""

    days: int  # 0 = returns not accepted
    fees: str  # "free" | "customer"
    countries: tuple[str, ...]  # where the policy applies (default: every market's region)


@dataclass(frozen=True)
class CommerceOptions:
    """The ``commerce:`` section of site.yaml (storefront behaviour)."""

    attribution: bool = False  # add page/language to checkout links (documented params only)
    missing_price: str = "error"  # "error" | "hide" (hide the product in that market, warn)
    brand: str = ""  # default schema.org/feed brand for products without their own
    condition: str = "new"  # "new" | "refurbished" | "used"
    categories: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> lang -> name
    hosts: dict[str, tuple[str, ...]] = field(default_factory=dict)  # provider -> custom hosts
    shipping: dict[str, Shipping] = field(default_factory=dict)  # market key -> terms
    returns: Returns | None = None
    # languages whose editions show products without prices (``prices: {ja: false}``)
    unpriced: frozenset[str] = frozenset()
    # languages in no market and not unpriced -> the line of languages.LANG in site.yaml:
    # an error if one shows products (no currency: a Buy button without a price)
    no_currency: tuple[tuple[str, int | None], ...] = ()


COMMERCE_KEYS = {
    "attribution",
    "missing_price",
    "brand",
    "condition",
    "categories",
    "hosts",
    "shipping",
    "returns",
    "prices",
}
HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _countries(value: Any, keys: tuple[str, ...], lines: Lines) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise lines.error(keys, "must be a non-empty list of ISO 3166 country codes like [GB, FR]")
    for code in value:
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}", code):
            raise lines.error(keys, f"{code!r} is not an ISO 3166 country code like GB")
    return tuple(value)


def _region(market: Market) -> list[str] | None:
    """Shipping goes to the market's country by default; a market without one (eu)
    lists its countries."""
    return [market.region] if market.region is not None else None


def _day_range(value: Any, keys: tuple[str, ...], lines: Lines) -> tuple[int, int]:
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
        and value[0] <= value[1]
    )
    if not ok:
        raise lines.error(keys, "must be [min, max] whole days, e.g. [1, 3]")
    return (value[0], value[1])


def _shipping(market: Market, value: Any, keys: tuple[str, ...], lines: Lines) -> Shipping:
    data = mapping(value, keys, lines)
    only(data, {"rate", "countries", "handling_days", "transit_days"}, keys, lines)
    raw = data.get("rate")
    try:
        rate = Decimal(str(raw)) if isinstance(raw, (int, float, str)) else None
    except InvalidOperation:
        rate = None
    if rate is None or isinstance(raw, bool) or not rate.is_finite() or rate < 0:
        raise lines.error((*keys, "rate"), f"must be an amount in {market.currency}, e.g. 4.50")
    return Shipping(
        rate=rate,
        countries=_countries(data.get("countries", _region(market)), (*keys, "countries"), lines),
        handling_days=_day_range(data.get("handling_days"), (*keys, "handling_days"), lines),
        transit_days=_day_range(data.get("transit_days"), (*keys, "transit_days"), lines),
    )


def _returns(value: Any, default: list[str], lines: Lines) -> Returns:
    keys = ("commerce", "returns")
    data = mapping(value, keys, lines)
    only(data, {"days", "fees", "countries"}, keys, lines)
    days = data.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise lines.error((*keys, "days"), "must be the number of days to return (0 = no returns)")
    countries = data.get("countries", default)
    return Returns(
        days=days,
        fees=choice(data.get("fees", "free"), ("free", "customer"), (*keys, "fees"), lines),
        countries=_countries(countries, (*keys, "countries"), lines),
    )


def _ship_to(shipping: dict[str, Shipping], markets: dict[str, Market]) -> list[str]:
    """Default return-policy countries: every shipping destination, else market regions."""
    countries = {c for terms in shipping.values() for c in terms.countries}
    return sorted(countries or {m.region for m in markets.values() if m.region is not None})


def _commerce(
    value: Any, languages: dict[str, Language], markets: dict[str, Market], lines: Lines
) -> CommerceOptions:
    keys = ("commerce",)
    data = mapping(value, keys, lines)
    only(data, COMMERCE_KEYS, keys, lines)
    categories: dict[str, dict[str, str]] = {}
    for key, names in mapping(data.get("categories"), (*keys, "categories"), lines).items():
        where = (*keys, "categories", str(key))
        names = mapping(names, where, lines)
        for lang, name in names.items():
            if lang not in languages:
                raise lines.error(
                    (*where, str(lang)),
                    "is not one of the site's languages",
                    hint="languages: " + ", ".join(languages),
                )
            string(name, (*where, lang), lines)
        categories[str(key)] = {lang: name.strip() for lang, name in names.items()}
    hosts: dict[str, tuple[str, ...]] = {}
    for provider, names in mapping(data.get("hosts"), (*keys, "hosts"), lines).items():
        where = (*keys, "hosts", str(provider))
        if provider not in PROVIDERS:
            raise lines.error(
                where, "is not a checkout provider", hint="providers: " + ", ".join(PROVIDERS)
            )
        if not isinstance(names, list) or not all(
            isinstance(h, str) and HOST.match(h) for h in names
        ):
            raise lines.error(where, "must be a list of host names like pay.example.com")
        hosts[str(provider)] = tuple(names)
    shipping = {}
    for market, terms in mapping(data.get("shipping"), (*keys, "shipping"), lines).items():
        where = (*keys, "shipping", str(market))
        if market not in markets:
            raise lines.error(
                where, "is not one of the site's markets", hint="markets: " + ", ".join(markets)
            )
        shipping[market] = _shipping(markets[market], terms, where, lines)
    brand = data.get("brand")
    return CommerceOptions(
        attribution=boolean(data.get("attribution", False), (*keys, "attribution"), lines),
        missing_price=choice(
            data.get("missing_price", "error"), ("error", "hide"), (*keys, "missing_price"), lines
        ),
        brand=string(brand, (*keys, "brand"), lines) if brand is not None else "",
        condition=choice(
            data.get("condition", "new"),
            ("new", "refurbished", "used"),
            (*keys, "condition"),
            lines,
        ),
        categories=categories,
        hosts=hosts,
        shipping=shipping,
        returns=_returns(data["returns"], _ship_to(shipping, markets), lines)
        if "returns" in data
        else None,
        **_prices(data.get("prices"), languages, markets, lines),
    )


def _prices(
    value: Any, languages: dict[str, Language], markets: dict[str, Market], lines: Lines
) -> dict[str, Any]:
    """``prices: {ja: false}``: the languages whose catalog shows no prices (and no Buy
    button); every other language that shows products needs a market (a currency)."""
    keys = ("commerce", "prices")
    sold = {lang for market in markets.values() for lang in market.languages}
    unpriced = set()
    for lang, shown in mapping(value, keys, lines).items():
        where = (*keys, str(lang))
        if lang not in languages:
            raise lines.error(
                where,
                "is not one of the site's languages",
                hint="languages: " + ", ".join(languages),
            )
        if boolean(shown, where, lines):
            if lang not in sold:
                raise lines.error(
                    where,
                    f"{lang!r} is in no market, so it has no currency to show prices in",
                    hint=f"add {lang} to a market's languages, or write {lang}: false",
                )
        elif lang in sold:
            raise lines.error(
                where,
                f"{lang!r} is sold in a market: its prices are in the market's currency",
                hint=f"remove {lang}: false, or take {lang} out of the market",
            )
        else:
            unpriced.add(lang)
    missing = [lang for lang in languages if lang not in sold and lang not in unpriced]
    return {
        "unpriced": frozenset(unpriced),
        "no_currency": tuple((lang, lines.line(("languages", lang))) for lang in missing),
    }


def parse(value: Any, ctx: SectionContext) -> CommerceOptions:
    return _commerce(value, ctx.languages, ctx.markets, ctx.lines)


SECTION = ConfigSection("commerce", parse)


def commerce_options(config: Config) -> CommerceOptions:
    return config.section("commerce")


def format_days(low: int, high: int, locale: str, numbers: str | None = None) -> str:
    """``3–5 days``, ``1 day``, ``٣–٥ أيام``: CLDR's long day unit (its plural form
    for ``high``) with the range written into its number, in the edition's numbering
    system (``numbers``, else the locale's default)."""
    unit = format_unit(high, "duration-day", length="long", locale=locale)
    text = localize_digits(unit, locale, numbers)
    if low == high:
        return text
    number = format_number(high, locale, numbers=numbers)
    span = f"{format_number(low, locale, numbers=numbers)}–{number}"
    return text.replace(number, span, 1) if number in text else f"{span} ({text})"
