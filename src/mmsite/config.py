"""Load and validate ``site.yaml`` into typed objects.

Every mistake becomes one :class:`MmsiteError` naming the key (``markets.eu.currency``)
and its line in site.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies

from .errors import MmsiteError
from .yamlutil import load_yaml

CONFIG_FILE = "site.yaml"
LANG_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
MARKET_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Language:
    code: str  # the URL segment and file suffix: "fr", "pt-br"
    locale: str  # Babel/CLDR locale: "fr_FR"
    title: str
    weight: int

    @property
    def babel(self) -> Locale:
        return Locale.parse(self.locale)

    @property
    def direction(self) -> str:
        return "rtl" if self.babel.character_order == "right-to-left" else "ltr"

    @property
    def bcp47(self) -> str:
        """``fr-FR`` style tag for ``hreflang`` and ``<html lang>``."""
        return self.locale.replace("_", "-")


@dataclass(frozen=True)
class Market:
    key: str  # "us"
    currency: str  # ISO 4217: "USD"
    languages: tuple[str, ...]
    region: str  # ISO 3166 region for hreflang: "US"


@dataclass(frozen=True)
class MarkdownOptions:
    unsafe_html: bool = False


IMAGE_FORMATS = ("webp", "avif")


@dataclass(frozen=True)
class ImageOptions:
    """``images:`` in site.yaml: how photos are resized and encoded (see docs/images.md)."""

    widths: tuple[int, ...] = (480, 960, 1600)
    formats: tuple[str, ...] = ("webp",)  # offered before the original JPEG/PNG fallback
    quality: int = 80
    sizes: str = "(min-width: 48rem) 44rem, 100vw"
    cache_dir: str = ".mmsite-cache/images"  # relative to the site root


@dataclass(frozen=True)
class Shipping:
    """One market's shipping terms, for schema.org ``OfferShippingDetails``."""

    rate: Decimal  # in the market's currency; 0 = free shipping
    countries: tuple[str, ...]  # ISO 3166 destinations
    handling_days: tuple[int, int]  # (min, max) business days before dispatch
    transit_days: tuple[int, int]  # (min, max) days in transit


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


@dataclass(frozen=True)
class AssetOptions:
    minify: bool = False  # minify fingerprinted CSS and JS (needs rcssmin, rjsmin)


@dataclass(frozen=True)
class SeoOptions:
    image: str = ""  # default share image: a static or content path, or an https URL
    twitter: str = ""  # the site's @handle for twitter:site
    robots_disallow: tuple[str, ...] = ()  # paths robots.txt asks crawlers to skip
    feed_limit: int = 20  # newest articles in each Atom feed; 0 for all


@dataclass(frozen=True)
class OutputOptions:
    """``outputs:`` in site.yaml: what a build writes beside the pages. All on by
    default; a site turns off what it does not use (as Hugo's ``disableKinds``)."""

    sitemap: bool = True  # sitemap.xml, named in robots.txt
    robots: bool = True  # robots.txt
    feeds: bool = True  # the series' Atom feeds, and the links to them in pages
    merchant_feeds: bool = True  # a product feed per edition (Google Merchant Center)
    not_found: bool = True  # a 404.html per language


@dataclass(frozen=True)
class Config:
    root: Path
    title: str
    base_url: str  # absolute, always ends with "/"
    theme: str
    default_language: str
    default_language_in_subdir: bool
    missing_translation: str  # "fallback" | "skip"
    languages: dict[str, Language]
    markets: dict[str, Market]
    markdown: MarkdownOptions
    output_dir: Path
    commerce: CommerceOptions = field(default_factory=CommerceOptions)
    assets: AssetOptions = AssetOptions()
    seo: SeoOptions = SeoOptions()
    headers: tuple[tuple[str, str], ...] = ()  # extra/overriding headers for every response
    images: ImageOptions = field(default_factory=ImageOptions)
    outputs: OutputOptions = OutputOptions()

    @property
    def image_cache_dir(self) -> Path:
        path = Path(self.images.cache_dir)
        return path if path.is_absolute() else self.root / path

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def path(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def default(self) -> Language:
        return self.languages[self.default_language]

    def with_base_url(self, base_url: str) -> Config:
        from dataclasses import replace

        return replace(self, base_url=_base_url(base_url, _Lines(self.path, None)))


# -- validation helpers ------------------------------------------------------


class _Lines:
    """Find the line of a key path (``("markets", "eu", "currency")``) in site.yaml."""

    def __init__(self, path: Path, node: yaml.Node | None) -> None:
        self.path = path
        self.node = node

    def line(self, keys: tuple[str, ...]) -> int | None:
        node = self.node
        line = None
        for key in keys:
            if not isinstance(node, yaml.MappingNode):
                break
            for key_node, value_node in node.value:
                if key_node.value == key:
                    line = key_node.start_mark.line + 1
                    node = value_node
                    break
            else:
                break
        return line

    def error(self, keys: tuple[str, ...], message: str, hint: str | None = None) -> MmsiteError:
        name = ".".join(keys)
        return MmsiteError(f"{name}: {message}", self.path, self.line(keys), hint)


def _mapping(value: Any, keys: tuple[str, ...], lines: _Lines) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise lines.error(keys, f"must be a mapping, got {type(value).__name__}")
    return value


def _only(data: dict[str, Any], allowed: set[str], keys: tuple[str, ...], lines: _Lines) -> None:
    for key in data:
        if key not in allowed:
            raise lines.error(
                (*keys, str(key)),
                "unknown key",
                hint="known keys here: " + ", ".join(sorted(allowed)),
            )


def _str(value: Any, keys: tuple[str, ...], lines: _Lines) -> str:
    if not isinstance(value, str) or not value.strip():
        raise lines.error(keys, "must be a non-empty string")
    return value.strip()


def _bool(value: Any, keys: tuple[str, ...], lines: _Lines) -> bool:
    if not isinstance(value, bool):
        raise lines.error(keys, "must be true or false")
    return value


def _base_url(value: Any, lines: _Lines) -> str:
    keys = ("base_url",)
    text = _str(value, keys, lines)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise lines.error(
            keys,
            f"{text!r} is not an absolute URL",
            hint="write the full address, e.g. https://example.com/",
        )
    if parts.query or parts.fragment:
        raise lines.error(keys, "must not have a query or fragment")
    return text if text.endswith("/") else text + "/"


def _language(code: Any, value: Any, lines: _Lines) -> Language:
    keys = ("languages", str(code))
    if not isinstance(code, str) or not LANG_CODE.match(code):
        raise lines.error(
            keys, f"{code!r} is not a language code", hint="use lowercase codes like en, fr, pt-br"
        )
    data = _mapping(value, keys, lines)
    _only(data, {"locale", "title", "weight"}, keys, lines)
    locale = data.get("locale", code)
    if not isinstance(locale, str):
        raise lines.error((*keys, "locale"), "must be a string like fr_FR")
    try:
        parsed = Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as exc:
        raise lines.error(
            (*keys, "locale") if "locale" in data else keys,
            f"{locale!r} is not a locale Babel knows ({exc})",
            hint="use a CLDR locale such as en_US, fr_FR, ar_EG",
        ) from None
    title = data.get("title")
    weight = data.get("weight", 0)
    if not isinstance(weight, int) or isinstance(weight, bool):
        raise lines.error((*keys, "weight"), "must be an integer")
    return Language(
        code=code,
        locale=str(parsed),
        title=_str(title, (*keys, "title"), lines) if title is not None else "",
        weight=weight,
    )


def _market(key: Any, value: Any, languages: dict[str, Language], lines: _Lines) -> Market:
    keys = ("markets", str(key))
    if not isinstance(key, str) or not MARKET_KEY.match(key):
        raise lines.error(keys, "market keys are lowercase letters, digits, - or _")
    data = _mapping(value, keys, lines)
    _only(data, {"currency", "languages", "region"}, keys, lines)
    currency = data.get("currency")
    if not isinstance(currency, str) or currency not in list_currencies():
        raise lines.error(
            (*keys, "currency"),
            f"{currency!r} is not an ISO 4217 currency code",
            hint="use codes like USD, EUR, GBP, JPY",
        )
    langs = data.get("languages")
    if not isinstance(langs, list) or not langs:
        raise lines.error((*keys, "languages"), "must be a non-empty list of language codes")
    for lang in langs:
        if lang not in languages:
            raise lines.error(
                (*keys, "languages"),
                f"{lang!r} is not one of the site's languages",
                hint="languages: " + ", ".join(languages),
            )
    region = data.get("region", key.upper() if len(key) == 2 else None)
    if region == "UK":
        region = "GB"  # ISO 3166 says GB; "uk" is the usual market name
    if not isinstance(region, str) or not re.fullmatch(r"[A-Z]{2}|\d{3}", region):
        raise lines.error(
            (*keys, "region"), "needs an ISO 3166 region code like US or GB (for hreflang)"
        )
    return Market(key=key, currency=currency, languages=tuple(langs), region=region)


def _images(value: Any, lines: _Lines) -> ImageOptions:
    keys = ("images",)
    data = _mapping(value, keys, lines)
    _only(data, {"widths", "formats", "quality", "sizes", "cache_dir"}, keys, lines)
    default = ImageOptions()
    widths = data.get("widths", list(default.widths))
    if (
        not isinstance(widths, list)
        or not widths
        or not all(
            isinstance(w, int) and not isinstance(w, bool) and 16 <= w <= 8192 for w in widths
        )
    ):
        raise lines.error(
            (*keys, "widths"), "must be a list of widths in pixels (16 to 8192)", "e.g. [480, 960]"
        )
    formats = data.get("formats", list(default.formats))
    if not isinstance(formats, list) or any(f not in IMAGE_FORMATS for f in formats):
        raise lines.error(
            (*keys, "formats"),
            f"must be a list of {' or '.join(IMAGE_FORMATS)}",
            hint="the original format (JPEG/PNG) is always made as the fallback",
        )
    quality = data.get("quality", default.quality)
    if not isinstance(quality, int) or isinstance(quality, bool) or not 1 <= quality <= 100:
        raise lines.error((*keys, "quality"), "must be a whole number from 1 to 100")
    return ImageOptions(
        widths=tuple(sorted(set(widths))),
        formats=tuple(dict.fromkeys(formats)),
        quality=quality,
        sizes=_str(data.get("sizes", default.sizes), (*keys, "sizes"), lines),
        cache_dir=_str(data.get("cache_dir", default.cache_dir), (*keys, "cache_dir"), lines),
    )


TOP_KEYS = {
    "title",
    "base_url",
    "theme",
    "default_language",
    "default_language_in_subdir",
    "missing_translation",
    "languages",
    "markets",
    "markdown",
    "output_dir",
    "images",
    "commerce",
    "assets",
    "seo",
    "headers",
    "outputs",
}
HEADER_NAME = re.compile(r"^[A-Za-z0-9-]+$")


def _assets(data: Any, lines: _Lines) -> AssetOptions:
    raw = _mapping(data, ("assets",), lines)
    _only(raw, {"minify"}, ("assets",), lines)
    return AssetOptions(minify=_bool(raw.get("minify", False), ("assets", "minify"), lines))


def _seo(data: Any, lines: _Lines) -> SeoOptions:
    raw = _mapping(data, ("seo",), lines)
    _only(raw, {"image", "twitter", "robots_disallow", "feed_limit"}, ("seo",), lines)
    twitter = _str(raw["twitter"], ("seo", "twitter"), lines) if "twitter" in raw else ""
    if twitter and not re.fullmatch(r"@\w{1,15}", twitter):
        raise lines.error(("seo", "twitter"), f"{twitter!r} is not a handle like @kernowsalt")
    disallow = raw.get("robots_disallow", [])
    if not isinstance(disallow, list) or not all(
        isinstance(p, str) and p.startswith("/") for p in disallow
    ):
        raise lines.error(("seo", "robots_disallow"), "must be a list of paths starting with /")
    image = _str(raw["image"], ("seo", "image"), lines) if "image" in raw else ""
    limit = raw.get("feed_limit", SeoOptions.feed_limit)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise lines.error(
            ("seo", "feed_limit"), "must be a whole number of articles (0 for all of them)"
        )
    return SeoOptions(
        image=image, twitter=twitter, robots_disallow=tuple(disallow), feed_limit=limit
    )


def _outputs(data: Any, lines: _Lines) -> OutputOptions:
    raw = _mapping(data, ("outputs",), lines)
    names = [f.name for f in fields(OutputOptions)]
    _only(raw, set(names), ("outputs",), lines)
    return OutputOptions(
        **{name: _bool(raw[name], ("outputs", name), lines) for name in names if name in raw}
    )


def _headers(data: Any, lines: _Lines) -> tuple[tuple[str, str], ...]:
    raw = _mapping(data, ("headers",), lines)
    out = []
    for name, value in raw.items():
        keys = ("headers", str(name))
        if not isinstance(name, str) or not HEADER_NAME.match(name):
            raise lines.error(keys, "is not an HTTP header name")
        if not isinstance(value, str) or "\n" in value or "\r" in value:
            raise lines.error(keys, "must be one line of text")
        out.append((name, value.strip()))
    return tuple(out)


def load_config(root: Path) -> Config:
    path = root / CONFIG_FILE
    if not path.is_file():
        raise MmsiteError(
            f"no {CONFIG_FILE} here", root, hint="run mmsite in a site folder, or `mmsite new DIR`"
        )
    text = path.read_text(encoding="utf-8")
    data = load_yaml(text, path)
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        node = None
    return parse_config(root, data, _Lines(path, node))


def parse_config(root: Path, data: Any, lines: _Lines) -> Config:
    data = _mapping(data, (), lines) if data is not None else {}
    if not data:
        raise MmsiteError("site.yaml is empty", lines.path, hint="see README: site.yaml")
    _only(data, TOP_KEYS, (), lines)
    for key in ("title", "base_url", "languages"):
        if key not in data:
            raise MmsiteError(f"missing required key {key!r}", lines.path)
    raw_langs = _mapping(data["languages"], ("languages",), lines)
    if not raw_langs:
        raise lines.error(("languages",), "list at least one language")
    languages = {code: _language(code, value, lines) for code, value in raw_langs.items()}
    default = data.get("default_language", next(iter(languages)))
    if not isinstance(default, str) or default not in languages:
        raise lines.error(
            ("default_language",),
            f"{default!r} is not in languages",
            hint="languages: " + ", ".join(languages),
        )
    missing = data.get("missing_translation", "fallback")
    if not isinstance(missing, str) or missing not in ("fallback", "skip"):
        raise lines.error(("missing_translation",), "must be fallback or skip")
    raw_markets = _mapping(data.get("markets"), ("markets",), lines)
    markets = {k: _market(k, v, languages, lines) for k, v in raw_markets.items()}
    md = _mapping(data.get("markdown"), ("markdown",), lines)
    _only(md, {"unsafe_html"}, ("markdown",), lines)
    theme = _str(data.get("theme", "default"), ("theme",), lines)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", theme) or theme.startswith("."):
        raise lines.error(("theme",), "must be a folder name under themes/")
    output = Path(_str(data.get("output_dir", "public"), ("output_dir",), lines))
    return Config(
        root=root,
        title=_str(data["title"], ("title",), lines),
        base_url=_base_url(data["base_url"], lines),
        theme=theme,
        default_language=default,
        default_language_in_subdir=_bool(
            data.get("default_language_in_subdir", False), ("default_language_in_subdir",), lines
        ),
        missing_translation=missing,
        languages=dict(sorted(languages.items(), key=lambda kv: (kv[0] != default, kv[1].weight))),
        markets=markets,
        markdown=MarkdownOptions(
            unsafe_html=_bool(md.get("unsafe_html", False), ("markdown", "unsafe_html"), lines)
        ),
        output_dir=output if output.is_absolute() else root / output,
        images=_images(data.get("images"), lines),
        commerce=_commerce(data.get("commerce"), languages, markets, lines),
        assets=_assets(data.get("assets"), lines),
        seo=_seo(data.get("seo"), lines),
        headers=_headers(data.get("headers"), lines),
        outputs=_outputs(data.get("outputs"), lines),
    )


# -- commerce: ---------------------------------------------------------------

COMMERCE_KEYS = {
    "attribution",
    "missing_price",
    "brand",
    "condition",
    "categories",
    "hosts",
    "shipping",
    "returns",
}
HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _choice(value: Any, allowed: tuple[str, ...], keys: tuple[str, ...], lines: _Lines) -> str:
    if value not in allowed:
        raise lines.error(keys, f"must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _countries(value: Any, keys: tuple[str, ...], lines: _Lines) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise lines.error(keys, "must be a non-empty list of ISO 3166 country codes like [GB, FR]")
    for code in value:
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}", code):
            raise lines.error(keys, f"{code!r} is not an ISO 3166 country code like GB")
    return tuple(value)


def _day_range(value: Any, keys: tuple[str, ...], lines: _Lines) -> tuple[int, int]:
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
        and value[0] <= value[1]
    )
    if not ok:
        raise lines.error(keys, "must be [min, max] whole days, e.g. [1, 3]")
    return (value[0], value[1])


def _shipping(market: Market, value: Any, keys: tuple[str, ...], lines: _Lines) -> Shipping:
    data = _mapping(value, keys, lines)
    _only(data, {"rate", "countries", "handling_days", "transit_days"}, keys, lines)
    raw = data.get("rate")
    try:
        rate = Decimal(str(raw)) if isinstance(raw, (int, float, str)) else None
    except InvalidOperation:
        rate = None
    if rate is None or isinstance(raw, bool) or not rate.is_finite() or rate < 0:
        raise lines.error((*keys, "rate"), f"must be an amount in {market.currency}, e.g. 4.50")
    return Shipping(
        rate=rate,
        countries=_countries(data.get("countries", [market.region]), (*keys, "countries"), lines),
        handling_days=_day_range(data.get("handling_days"), (*keys, "handling_days"), lines),
        transit_days=_day_range(data.get("transit_days"), (*keys, "transit_days"), lines),
    )


def _returns(value: Any, default: list[str], lines: _Lines) -> Returns:
    keys = ("commerce", "returns")
    data = _mapping(value, keys, lines)
    _only(data, {"days", "fees", "countries"}, keys, lines)
    days = data.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise lines.error((*keys, "days"), "must be the number of days to return (0 = no returns)")
    countries = data.get("countries", default)
    return Returns(
        days=days,
        fees=_choice(data.get("fees", "free"), ("free", "customer"), (*keys, "fees"), lines),
        countries=_countries(countries, (*keys, "countries"), lines),
    )


def _ship_to(shipping: dict[str, Shipping], markets: dict[str, Market]) -> list[str]:
    """Default return-policy countries: every shipping destination, else market regions."""
    countries = {c for terms in shipping.values() for c in terms.countries}
    return sorted(countries or {m.region for m in markets.values() if m.region != "EU"})


def _commerce(
    value: Any, languages: dict[str, Language], markets: dict[str, Market], lines: _Lines
) -> CommerceOptions:
    keys = ("commerce",)
    data = _mapping(value, keys, lines)
    _only(data, COMMERCE_KEYS, keys, lines)
    categories: dict[str, dict[str, str]] = {}
    for key, names in _mapping(data.get("categories"), (*keys, "categories"), lines).items():
        where = (*keys, "categories", str(key))
        names = _mapping(names, where, lines)
        for lang, name in names.items():
            if lang not in languages:
                raise lines.error(
                    (*where, str(lang)),
                    "is not one of the site's languages",
                    hint="languages: " + ", ".join(languages),
                )
            _str(name, (*where, lang), lines)
        categories[str(key)] = {lang: name.strip() for lang, name in names.items()}
    from .commerce.providers import PROVIDERS  # the registry; imported late (no cycle)

    hosts: dict[str, tuple[str, ...]] = {}
    for provider, names in _mapping(data.get("hosts"), (*keys, "hosts"), lines).items():
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
    for market, terms in _mapping(data.get("shipping"), (*keys, "shipping"), lines).items():
        where = (*keys, "shipping", str(market))
        if market not in markets:
            raise lines.error(
                where, "is not one of the site's markets", hint="markets: " + ", ".join(markets)
            )
        shipping[market] = _shipping(markets[market], terms, where, lines)
    brand = data.get("brand")
    return CommerceOptions(
        attribution=_bool(data.get("attribution", False), (*keys, "attribution"), lines),
        missing_price=_choice(
            data.get("missing_price", "error"), ("error", "hide"), (*keys, "missing_price"), lines
        ),
        brand=_str(brand, (*keys, "brand"), lines) if brand is not None else "",
        condition=_choice(
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
    )
