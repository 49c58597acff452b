"""Exact prices: :class:`~decimal.Decimal` amounts checked against the currency's CLDR
minor unit, and locale-correct formatting with Babel.

Front matter prices are read from the *text* the seller wrote (``12.10`` stays
``Decimal("12.10")``; YAML would have made it the float ``12.1``), see
:func:`parse_amount`.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision

from mmsite.i18n.editions import localize_digits, numbering_system

AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,12})?$")


class AmountError(ValueError):
    """A price that is not a plain amount or has more decimals than its currency."""


@functools.cache
def minor_unit(currency: str) -> int:
    """Digits after the decimal point for ``currency`` (CLDR): USD 2, JPY 0, KWD 3."""
    return get_currency_precision(currency)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def parse_amount(text: str, currency: str) -> Decimal:
    """``"12.5"`` -> ``Decimal("12.50")`` for USD. Trailing zeros past the minor unit are
    fine (``JPY: 1200.0``); a non-zero digit there is an error (``JPY: 12.5``)."""
    text = text.strip()
    if not AMOUNT.match(text):
        raise AmountError(
            f"{text!r} is not an amount; write digits with an optional decimal point, e.g. 12.50"
        )
    value = Decimal(text)
    exact = value.quantize(quantum(currency))
    if exact != value:
        digits = minor_unit(currency)
        places = "no decimals" if digits == 0 else f"{digits} decimal(s)"
        raise AmountError(f"{currency} has {places} (CLDR minor unit); {text} cannot be charged")
    return exact


def plain(amount: Decimal, currency: str) -> str:
    """Machine form with exactly the currency's decimals: ``12.00``, ``1200`` (JPY)."""
    return f"{amount.quantize(quantum(currency)):f}"


def format_price(amount: Decimal, currency: str, locale: str, numbers: str | None = None) -> str:
    """``$12.00`` (en_US), ``10,50 €`` (fr_FR), ``‏٤٩٠٫٠٠ ج.م.‏`` (ar_EG): Babel's
    currency format in the edition's numbering system (``numbers``, else the locale's
    default; see :func:`mmsite.i18n.editions.numbering_system`)."""
    return _format_price(str(amount), currency, locale, numbering_system(locale, numbers))


# A catalog repeats few prices and Babel is slow. Keyed by the amount's text: equal
# Decimals such as 12.1 and 12.10 may format differently.
@functools.lru_cache(maxsize=8192)
def _format_price(amount: str, currency: str, locale: str, system: str) -> str:
    text = format_currency(Decimal(amount), currency, locale=locale, numbering_system=system)
    return localize_digits(text, locale, system)
