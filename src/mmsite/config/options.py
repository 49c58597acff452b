"""Load and validate ``site.yaml`` into typed objects.

Every mistake becomes one :class:`MmsiteError` naming the key (``markets.eu.currency``)
and its line in site.yaml.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import list_currencies

from mmsite.config.yamlutil import load_yaml, read_text_file
from mmsite.errors import MmsiteError

CONFIG_FILE = "site.yaml"
LANG_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
MARKET_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Language:
    code: str  # the URL segment and file suffix: "fr", "pt-br"
    locale: str  # Babel/CLDR locale: "fr_FR"
    title: str
    weight: int
    # the language's spaces around punctuation (French "\u202f!", mmsite.i18n.typography)
    typography: bool = True
    # CLDR numbering system of the numbers the site writes: None = the locale's default
    numbers: str | None = None

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
    # ISO 3166-1 country: "US"; the key's by default (uk: GB); None: the key is no
    # country (eu), allowed while no language of the market is also sold in another
    region: str | None
    tax: str | None = None  # "included" | "excluded": the note beside every price; None: none


@dataclass(frozen=True)
class MarkdownOptions:
    unsafe_html: bool = False


@dataclass(frozen=True)
class OutputOptions:
    """``outputs:`` in site.yaml: what a build writes beside the pages, one switch per
    output a feature registers (sitemap, robots, feeds ...). All on by default; a site
    turns off what it does not use (as Hugo's ``disableKinds``)."""

    off: frozenset[str] = frozenset()

    def on(self, name: str) -> bool:
        return name not in self.off


@dataclass(frozen=True)
class ConfigSection:
    """A top-level ``site.yaml`` key a feature owns: ``parse(value, ctx)`` returns its
    typed options (``value`` is None when the key is absent: return the defaults) and
    raises ``ctx.lines.error(keys, message, hint)`` on a mistake."""

    key: str
    parse: Callable[[Any, SectionContext], Any]


@dataclass(frozen=True)
class SectionContext:
    """What a section's parser may use: the key's lines in site.yaml, and the site's
    languages and markets (parsed before any section)."""

    lines: Lines
    languages: dict[str, Language]
    markets: dict[str, Market]


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
    headers: tuple[tuple[str, str], ...] = ()  # extra/overriding headers for every response
    outputs: OutputOptions = OutputOptions()
    sections: dict[str, Any] = field(default_factory=dict)  # key -> a feature's options

    def section(self, key: str) -> Any:
        """The options of a feature's section (see :class:`ConfigSection`)."""
        try:
            return self.sections[key]
        except KeyError:
            raise MmsiteError(f"no {key!r} section registered", self.path) from None

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

        return replace(self, base_url=_base_url(base_url, Lines(self.path, None)))


# -- validation helpers ------------------------------------------------------


class Lines:
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


def mapping(value: Any, keys: tuple[str, ...], lines: Lines) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise lines.error(keys, f"must be a mapping, got {type(value).__name__}")
    return value


def only(data: dict[str, Any], allowed: set[str], keys: tuple[str, ...], lines: Lines) -> None:
    for key in data:
        if key not in allowed:
            near = difflib.get_close_matches(str(key), sorted(allowed), 1, cutoff=0.6)
            guess = f"did you mean {near[0]!r}? " if near else ""
            raise lines.error(
                (*keys, str(key)),
                "unknown key",
                hint=guess + "known keys here: " + ", ".join(sorted(allowed)),
            )


def string(value: Any, keys: tuple[str, ...], lines: Lines) -> str:
    if not isinstance(value, str) or not value.strip():
        raise lines.error(keys, "must be a non-empty string")
    return value.strip()


def boolean(value: Any, keys: tuple[str, ...], lines: Lines) -> bool:
    if not isinstance(value, bool):
        raise lines.error(keys, "must be true or false")
    return value


def _base_url(value: Any, lines: Lines) -> str:
    keys = ("base_url",)
    text = string(value, keys, lines)
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


def _language(code: Any, value: Any, lines: Lines) -> Language:
    keys = ("languages", str(code))
    if not isinstance(code, str) or not LANG_CODE.match(code):
        raise lines.error(
            keys, f"{code!r} is not a language code", hint="use lowercase codes like en, fr, pt-br"
        )
    data = mapping(value, keys, lines)
    only(data, {"locale", "title", "weight", "typography", "numbers"}, keys, lines)
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
        title=string(title, (*keys, "title"), lines) if title is not None else "",
        weight=weight,
        typography=boolean(data.get("typography", True), (*keys, "typography"), lines),
        numbers=_numbers(data.get("numbers"), parsed, (*keys, "numbers"), lines),
    )


# Numbering systems whose digits mmsite writes (mmsite.i18n.editions.DIGITS, and latn)
NUMBERING_SYSTEMS = ("latn", "arab", "arabext", "beng", "deva", "mymr", "thai")


def _numbers(value: Any, locale: Locale, keys: tuple[str, ...], lines: Lines) -> str | None:
    """``numbers:``, a CLDR numbering system the locale has (``latn``, and its default and
    native ones: ``arab`` for ar_EG), or None (absent: the locale's default)."""
    if value is None:
        return None
    own = {"latn", locale.default_numbering_system, *locale.other_numbering_systems.values()}
    allowed = sorted(own & set(NUMBERING_SYSTEMS))
    if value not in allowed:
        near = difflib.get_close_matches(str(value), allowed, 1, cutoff=0.5)
        guess = f"did you mean {near[0]!r}? " if near else ""
        raise lines.error(
            keys,
            f"{value!r} is not a numbering system of {locale}",
            hint=guess + f"CLDR numbering systems of {locale}: " + ", ".join(allowed),
        )
    return str(value)


def _market(key: Any, value: Any, languages: dict[str, Language], lines: Lines) -> Market:
    keys = ("markets", str(key))
    if not isinstance(key, str) or not MARKET_KEY.match(key):
        raise lines.error(keys, "market keys are lowercase letters, digits, - or _")
    data = mapping(value, keys, lines)
    only(data, {"currency", "languages", "region", "tax"}, keys, lines)
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
    region = data.get("region")
    if region is None:
        region = _default_region(key)
    elif region not in countries():
        raise lines.error(
            (*keys, "region"),
            f"{region!r} is not an ISO 3166-1 country code",
            hint="two capital letters of one country: US, GB, DE, AT, CH",
        )
    tax = data.get("tax")
    if tax is not None:
        tax = choice(tax, ("included", "excluded"), (*keys, "tax"), lines)
    return Market(key=key, currency=currency, languages=tuple(langs), region=region, tax=tax)


# CLDR territories that are no ISO 3166-1 country: unions, macro regions, reserved codes
NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)


@functools.cache
def countries() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 country codes (CLDR's territories, Babel's data)."""
    return frozenset(
        code
        for code in Locale("en").territories
        if re.fullmatch(r"[A-Z]{2}", code) and code not in NOT_COUNTRIES
    )


def _default_region(key: str) -> str | None:
    """A market's key as its country: ``us`` -> US, ``uk`` -> GB; None for ``eu``."""
    code = "GB" if key == "uk" else key.upper()  # ISO 3166 says GB; "uk" is the usual name
    return code if code in countries() else None


def _check_shared_languages(markets: dict[str, Market], lines: Lines) -> None:
    """A language sold in several markets gets one edition per market, named by the
    market's country (``/de-at/``, hreflang ``de-AT``): each needs a country of its own."""
    for lang in sorted({lang for market in markets.values() for lang in market.languages}):
        shared = [m for m in markets.values() if lang in m.languages]
        if len(shared) < 2:
            continue
        seen: dict[str, str] = {}
        for market in shared:
            others = ", ".join(m.key for m in shared if m is not market)
            if market.region is None:
                raise lines.error(
                    ("markets", market.key),
                    f"{lang!r} is sold here and in {others}: this market needs a country "
                    f"for its edition ({lang}-XX, hreflang {lang}-XX)",
                    hint=f"add region: with an ISO 3166-1 country, e.g. region: "
                    f"{_example_region(lang)} (the market key {market.key!r} names no country)",
                )
            if market.region in seen:
                raise lines.error(
                    ("markets", market.key, "region"),
                    f"{lang!r} is sold in {seen[market.region]} and {market.key}, both "
                    f"with region {market.region}: one URL tree cannot show two currencies",
                    hint="give each market its own country in region:",
                )
            seen[market.region] = market.key


def _example_region(lang: str) -> str:
    """A country where ``lang`` is spoken (CLDR's likely subtags: de -> DE), for hints."""
    likely = get_global("likely_subtags").get(lang.split("-")[0].lower(), "")
    region = likely.split("_")[-1]
    return region if region in countries() else "DE"


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
    "headers",
    "outputs",
}
HEADER_NAME = re.compile(r"^[A-Za-z0-9-]+$")


def _outputs(data: Any, switches: Iterable[str], lines: Lines) -> OutputOptions:
    raw = mapping(data, ("outputs",), lines)
    only(raw, set(switches), ("outputs",), lines)
    return OutputOptions(
        frozenset(
            name for name, value in raw.items() if not boolean(value, ("outputs", name), lines)
        )
    )


def _headers(data: Any, lines: Lines) -> tuple[tuple[str, str], ...]:
    raw = mapping(data, ("headers",), lines)
    out = []
    for name, value in raw.items():
        keys = ("headers", str(name))
        if not isinstance(name, str) or not HEADER_NAME.match(name):
            raise lines.error(keys, "is not an HTTP header name")
        if not isinstance(value, str) or "\n" in value or "\r" in value:
            raise lines.error(keys, "must be one line of text")
        out.append((name, value.strip()))
    return tuple(out)


def load_config(
    root: Path, sections: Iterable[ConfigSection] = (), outputs: Iterable[str] = ()
) -> Config:
    """``sections``: the features' own keys; ``outputs``: the ``outputs:`` switches
    (both from the engine's registry)."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise MmsiteError(
            f"no {CONFIG_FILE} here", root, hint="run mmsite in a site folder, or `mmsite new DIR`"
        )
    text = read_text_file(path)
    data = load_yaml(text, path)
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        node = None
    return parse_config(root, data, Lines(path, node), tuple(sections), tuple(outputs))


def parse_config(
    root: Path,
    data: Any,
    lines: Lines,
    sections: tuple[ConfigSection, ...] = (),
    outputs: tuple[str, ...] = (),
) -> Config:
    data = mapping(data, (), lines) if data is not None else {}
    if not data:
        raise MmsiteError("site.yaml is empty", lines.path, hint="see README: site.yaml")
    only(data, TOP_KEYS | {s.key for s in sections}, (), lines)
    for key in ("title", "base_url", "languages"):
        if key not in data:
            raise MmsiteError(f"missing required key {key!r}", lines.path)
    raw_langs = mapping(data["languages"], ("languages",), lines)
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
    raw_markets = mapping(data.get("markets"), ("markets",), lines)
    markets = {k: _market(k, v, languages, lines) for k, v in raw_markets.items()}
    _check_shared_languages(markets, lines)
    md = mapping(data.get("markdown"), ("markdown",), lines)
    only(md, {"unsafe_html"}, ("markdown",), lines)
    theme = string(data.get("theme", "default"), ("theme",), lines)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", theme) or theme.startswith("."):
        raise lines.error(("theme",), "must be a folder name under themes/")
    output = Path(string(data.get("output_dir", "public"), ("output_dir",), lines))
    return Config(
        root=root,
        title=string(data["title"], ("title",), lines),
        base_url=_base_url(data["base_url"], lines),
        theme=theme,
        default_language=default,
        default_language_in_subdir=boolean(
            data.get("default_language_in_subdir", False), ("default_language_in_subdir",), lines
        ),
        missing_translation=missing,
        languages=dict(sorted(languages.items(), key=lambda kv: (kv[0] != default, kv[1].weight))),
        markets=markets,
        markdown=MarkdownOptions(
            unsafe_html=boolean(md.get("unsafe_html", False), ("markdown", "unsafe_html"), lines)
        ),
        output_dir=output if output.is_absolute() else root / output,
        headers=_headers(data.get("headers"), lines),
        outputs=_outputs(data.get("outputs"), outputs, lines),
        sections={
            s.key: s.parse(data.get(s.key), SectionContext(lines, languages, markets))
            for s in sections
        },
    )


def choice(value: Any, allowed: tuple[str, ...], keys: tuple[str, ...], lines: Lines) -> str:
    if value not in allowed:
        raise lines.error(keys, f"must be one of {', '.join(allowed)}, got {value!r}")
    return value
