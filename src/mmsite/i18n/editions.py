"""Languages at build time: editions (language x market), UI strings, locale formatting."""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, localedata
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_decimal, get_currency_symbol

from mmsite.config.options import Config, Language, Market
from mmsite.config.yamlutil import load_yaml, read_text_file
from mmsite.errors import MmsiteError, Reporter

PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")


@lru_cache(maxsize=256)
def parse_locale(identifier: str) -> Locale:
    """``Locale.parse``, once per identifier (a build asks for the same few thousands of
    times; Babel's Locale objects are not changed after parsing)."""
    return Locale.parse(identifier)


@lru_cache(maxsize=256)
def _direction(locale: str) -> str:
    return "rtl" if parse_locale(locale).character_order == "right-to-left" else "ltr"


# CLDR <delimiters> (quotationStart/End, alternateQuotationStart/End) for the languages
# we know; Babel does not ship them. Others get the English pair.
QUOTES: dict[str, tuple[str, str, str, str]] = {
    "en": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "fr": ("\u00ab\u202f", "\u202f\u00bb", "\u201c", "\u201d"),  # narrow no-break spaces inside
    "es": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "ca": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "it": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "pt": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "de": ("\u201e", "\u201c", "\u201a", "\u2018"),
    "nl": ("\u2018", "\u2019", "\u201c", "\u201d"),
    "pl": ("\u201e", "\u201d", "\u00ab", "\u00bb"),
    "ru": ("\u00ab", "\u00bb", "\u201e", "\u201c"),
    "uk": ("\u00ab", "\u00bb", "\u201e", "\u201c"),
    "sv": ("\u201d", "\u201d", "\u2019", "\u2019"),
    "da": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "ar": ("\u201d", "\u201c", "\u2019", "\u2018"),
    "he": ("\u201d", "\u201d", "\u2019", "\u2019"),
    "fa": ("\u00ab", "\u00bb", "\u2039", "\u203a"),
    "tr": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "ja": ("\u300c", "\u300d", "\u300e", "\u300f"),
    "zh": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "ko": ("\u201c", "\u201d", "\u2018", "\u2019"),
}


def quotes_for(locale: str) -> tuple[str, str, str, str]:
    """Typographic quotes for a locale, e.g. ``«\u202f`` ... ``\u202f»`` for fr_FR."""
    if locale.startswith("pt_PT"):
        return ("\u00ab", "\u00bb", "\u201c", "\u201d")
    if locale.startswith("fr_CH"):
        return ("\u00ab", "\u00bb", "\u2039", "\u203a")
    return QUOTES.get(locale.split("_")[0], QUOTES["en"])


@dataclass(frozen=True)
class Edition:
    """One localized copy of the site: a language, in one market when the language has several.

    ``prefix`` is the URL folder (``""`` for the root edition, ``"fr/"``, ``"en-gb/"``);
    ``locale`` formats its dates and numbers: the language's, or for a language sold in
    several markets, language + the market's country when CLDR has it (``en_GB``).
    """

    code: str
    language: Language
    market: Market | None
    prefix: str
    hreflang: str
    locale: str

    @property
    def lang(self) -> str:
        return self.language.code

    @property
    def bcp47(self) -> str:
        """The locale as a language tag: ``en-GB`` (merchant feeds, ``og:locale`` as ``_``)."""
        return self.locale.replace("_", "-")

    @property
    def direction(self) -> str:
        return _direction(self.locale)  # Language.direction, parsed once

    @property
    def currency(self) -> str | None:
        return self.market.currency if self.market else None

    @property
    def numbers(self) -> str:
        """The CLDR numbering system of every number the site writes in this edition:
        the language's ``numbers:``, else the locale's default (``arab`` for ar_EG)."""
        return numbering_system(self.locale, self.language.numbers)


@lru_cache(maxsize=256)
def market_locale(locale: str, region: str) -> str:
    """``locale`` moved to the country ``region`` when CLDR has that locale
    (``en_US`` + GB -> ``en_GB``, ``de_DE`` + AT -> ``de_AT``), else ``locale``."""
    base = parse_locale(locale)
    moved = "_".join(part for part in (base.language, base.script, region) if part)
    return moved if localedata.exists(moved) else locale


def editions(config: Config) -> list[Edition]:
    """All editions, the root one first. A language listed by several markets gets one
    edition per market (``en-us``, ``en-gb``) so each URL shows one currency; config
    made sure each of those markets names a country (``region``)."""
    result: list[tuple[str, Language, Market | None, str, str]] = []
    for language in config.languages.values():
        markets = [m for m in config.markets.values() if language.code in m.languages]
        if len(markets) <= 1:
            market = markets[0] if markets else None
            result.append((language.code, language, market, language.code, language.locale))
            continue
        for market in markets:
            region = str(market.region)
            code, tag = f"{language.code}-{region.lower()}", f"{language.code}-{region}"
            result.append((code, language, market, tag, market_locale(language.locale, region)))
    root_taken = config.default_language_in_subdir
    out = []
    for code, language, market, hreflang, locale in result:
        at_root = not root_taken and language.code == config.default_language
        root_taken = root_taken or at_root
        prefix = "" if at_root else f"{code}/"
        out.append(Edition(code, language, market, prefix, hreflang, locale))
    return out


# -- UI strings --------------------------------------------------------------


class Strings:
    """Theme UI strings with plural forms. Site ``i18n/LANG.yaml`` overrides the theme's.

    A key missing in a language falls back to the default language, reported once.
    """

    def __init__(
        self,
        tables: dict[str, dict[str, Any]],
        config: Config,
        reporter: Reporter,
    ) -> None:
        self.tables = tables
        self.config = config
        self.reporter = reporter
        # (lang, key) -> text of strings found in their own language without placeholders
        # to fill: pure, and no warning to replay (a fallback is looked up every time)
        self._plain: dict[tuple[str, str], str] = {}

    @classmethod
    def load(cls, folders: list[Path], config: Config, reporter: Reporter) -> Strings:
        """``folders`` in increasing priority (theme first, then the site). In each folder
        a language reads its file names from the most general to the most specific
        (:func:`string_files`: ``pt.yaml`` then ``pt-br.yaml``), each overriding the last.
        Keys the default language has and another lacks are reported once per language."""
        tables: dict[str, dict[str, Any]] = {code: {} for code in config.languages}
        for folder in folders:
            for code, language in config.languages.items():
                for name in reversed(string_files(code, language.locale)):
                    tables[code].update(_read_strings(folder / f"{name}.yaml"))
        strings = cls(tables, config, reporter)
        for lang, keys in strings.missing().items():
            shown = ", ".join(keys[:8]) + (", ..." if len(keys) > 8 else "")
            reporter.warn(
                f"{len(keys)} UI string(s) missing in {lang!r}: {shown}; using "
                f"{config.default_language!r} (add them to i18n/{lang}.yaml)"
            )
        return strings

    def missing(self) -> dict[str, list[str]]:
        """Per language, the keys the default language has and it lacks (sorted)."""
        default = self.tables.get(self.config.default_language, {})
        result = {}
        for lang, table in self.tables.items():
            keys = sorted(set(default) - set(table))
            if keys and lang != self.config.default_language:
                result[lang] = keys
        return result

    def lookup(self, lang: str, key: str) -> Any:
        value = self.tables.get(lang, {}).get(key)
        if value is not None:
            return value
        default = self.config.default_language
        value = self.tables.get(default, {}).get(key)
        if value is None:
            self.reporter.warn(f"UI string {key!r} is missing in every language")
            return key
        return value  # a key missing in ``lang`` was reported once, when loading

    def translate(self, lang: str, key: str, count: int | None = None, **values: Any) -> str:
        if count is None and not values:
            text = self._plain.get((lang, key))
            if text is not None:
                return text
            value = self.tables.get(lang, {}).get(key)
            if isinstance(value, str):
                text = self._plain[(lang, key)] = str(value)
                return text
        value = self.lookup(lang, key)
        locale = parse_locale(self.config.languages[lang].locale)
        if isinstance(value, dict):
            form = locale.plural_form(abs(count)) if count is not None else "other"
            text = value.get(form, value.get("other", key))
        else:
            text = value
        if count is not None:
            values.setdefault("count", count)
        numbers = self.config.languages[lang].numbers
        for name, value in values.items():  # numbers in the language's digits, not str()
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                values[name] = format_number(value, str(locale), numbers=numbers)
        try:
            return safe_format(str(text), values) if values else str(text)
        except (KeyError, ValueError):
            self.reporter.warn(f"UI string {key!r} in {lang!r} has a bad {{placeholder}}")
            return str(text)


def placeholders(text: str) -> list[tuple[str, str | None]]:
    """``text`` as (literal text, placeholder name or None) pieces. A placeholder is a
    plain ``{name}``: no attribute or index (``{author.__class__}`` reached Python's
    internals), no format spec (``{author:>300000000}`` wrote 300 MB pages), no
    conversion; anything else raises ``ValueError`` saying what is wrong."""
    return list(_pieces(text))


@lru_cache(maxsize=4096)
def _pieces(text: str) -> tuple[tuple[str, str | None], ...]:
    """:func:`placeholders`, once per text (UI strings are few, and filled on every
    page); a text that raises is parsed again each time."""
    pieces: list[tuple[str, str | None]] = []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        if name is not None and (not name.isidentifier() or spec or conversion):
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise ValueError(f"{{{shown}}} is not a placeholder: write {{name}} only")
        pieces.append((literal, name))
    return tuple(pieces)


def safe_format(text: str, values: dict[str, Any]) -> str:
    """``text`` with each ``{name}`` replaced by ``str(values[name])`` (see
    :func:`placeholders`); ``{{`` and ``}}`` are literal braces, as in ``str.format``."""
    return "".join(
        literal + ("" if name is None else str(values[name])) for literal, name in _pieces(text)
    )


def string_files(code: str, locale: str) -> list[str]:
    """The UI-string file names (without ``.yaml``) a language reads, most specific first:
    what its locale names, then its code and base language (``pt`` with locale ``pt_BR``:
    ``pt-br``, ``pt``; ``zh`` with ``zh_TW``: ``zh-hant-tw``, ``zh-hant``, ``zh-tw``, ``zh``).
    Chinese without a script takes it from the territory (TW, HK, MO: Traditional)."""
    parsed = parse_locale(locale)
    base = parsed.language
    script = parsed.script
    if base == "zh" and not script:
        script = "Hant" if parsed.territory in ("TW", "HK", "MO") else "Hans"
    names = []
    if script and parsed.territory:
        names.append(f"{base}-{script}-{parsed.territory}".lower())
    if script:
        names.append(f"{base}-{script}".lower())
    if parsed.territory:
        names.append(f"{base}-{parsed.territory}".lower())
    names += [code, base]
    return list(dict.fromkeys(names))


def _read_strings(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = load_yaml(read_text_file(path), path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise MmsiteError("UI strings must be a mapping of key: text", path)
    for key, value in data.items():
        _check_string(path, key, value)
    return data


def _check_string(path: Path, key: Any, value: Any) -> None:
    if not isinstance(key, str):
        raise MmsiteError(f"UI string key {key!r} must be text", path)
    for text in value.values() if isinstance(value, dict) else [value]:
        if isinstance(text, str):
            try:
                placeholders(text)
            except ValueError as exc:
                raise MmsiteError(
                    f"UI string {key!r}: {exc}", path, hint="e.g. 'By {author}'"
                ) from None
    if isinstance(value, dict):
        unknown = set(value) - set(PLURAL_FORMS)
        if unknown or "other" not in value:
            raise MmsiteError(
                f"UI string {key!r}: plural forms are {', '.join(PLURAL_FORMS)} and need 'other'",
                path,
            )
    elif not isinstance(value, str):
        raise MmsiteError(f"UI string {key!r} must be text or plural forms", path)


# -- locale formatting (template filters) ---------------------------------
#
# Every number the site writes on a page goes through these (templates: the
# format_number and format_date filters; UI strings: t() formats its number values;
# prices, quantities and day ranges: the commerce feature), in one numbering system per
# edition (Edition.numbers). Machine-read values (JSON-LD, datetime=, data-*, feeds,
# the sitemap) are written with str()/isoformat() and stay ASCII.

# Digits of CLDR numbering systems. Babel switches separators to a locale's default
# numbering system but leaves the digits Latin; we finish the job.
DIGITS = {
    "arab": "٠١٢٣٤٥٦٧٨٩",
    "arabext": "۰۱۲۳۴۵۶۷۸۹",
    "beng": "০১২৩৪৫৬৭৮৯",
    "deva": "०१२३४५६७८९",
    "mymr": "၀၁၂၃၄၅၆၇၈၉",
    "thai": "๐๑๒๓๔๕๖๗๘๙",
}


@lru_cache(maxsize=256)
def numbering_system(locale: str, numbers: str | None = None) -> str:
    """``numbers`` (a language's ``numbers:``), else the locale's CLDR default numbering
    system: ``arab`` for ar_EG, ``arabext`` for fa, ``latn`` for ar_MA and en_US."""
    return numbers or parse_locale(locale).default_numbering_system


@lru_cache(maxsize=64)
def _digit_table(system: str) -> dict[int, str] | None:
    digits = DIGITS.get(system)
    return str.maketrans("0123456789", digits) if digits else None


def localize_digits(text: str, locale: str, numbers: str | None = None) -> str:
    """Write ``text``'s digits in the edition's numbering system (see
    :func:`numbering_system`; ``ar_EG``: ٠-٩)."""
    table = _digit_table(numbering_system(locale, numbers))
    return text.translate(table) if table else text


def format_date(
    value: dt.date | dt.datetime | None,
    locale: str,
    fmt: str = "long",
    numbers: str | None = None,
) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        text = babel_format_datetime(value, fmt, locale=parse_locale(locale))
    else:
        text = babel_format_date(value, fmt, locale=parse_locale(locale))
    return localize_digits(text, locale, numbers)


def format_number(
    value: int | float | Decimal, locale: str, fmt: str | None = None, numbers: str | None = None
) -> str:
    """A number for a page: the locale's pattern and the numbering system's symbols and
    digits (``1,234.5``; ``١٬٢٣٤٫٥`` in ar_EG; ``1,234.5`` in ar_EG with numbers: latn)."""
    system = numbering_system(locale, numbers)
    text = format_decimal(value, format=fmt, locale=parse_locale(locale), numbering_system=system)
    return localize_digits(text, locale, system)


def currency_symbol(edition: Edition) -> str:
    """The edition's currency as its readers write it ("£", "€", "ج.م.‏"); "" without one."""
    return _symbol(edition.currency, edition.locale) if edition.currency else ""


@lru_cache(maxsize=256)
def _symbol(currency: str, locale: str) -> str:
    """Once per (currency, locale): every page's switcher names every edition's."""
    return get_currency_symbol(currency, locale=parse_locale(locale))


def language_label(edition: Edition, editions: list[Edition]) -> str:
    """Native name: "Français", or "English (United Kingdom)" when a language has editions
    in several markets."""
    locale = parse_locale(edition.locale)
    name = locale.get_language_name(locale) or edition.lang
    name = name[:1].upper() + name[1:]
    if edition.market and sum(e.lang == edition.lang for e in editions) > 1:
        region = locale.territories.get(edition.market.region, edition.market.region)
        name = f"{name} ({region})"
    return name
