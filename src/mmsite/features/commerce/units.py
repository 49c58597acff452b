"""Unit prices (EU Price Indication Directive 98/6/EC, Google's ``unit_pricing_measure``):
``unit_price: {measure: 250 g, per: 100 g}`` says the item holds 250 g and its price is
also shown per 100 g.

Units are the ones Google Merchant Center accepts, plus ``m2``/``m3`` as other spellings
of ``sqm``/``cbm``. Measure and base must be of one dimension (mass, volume, length,
area or count); the price per base is exact to the currency's minor unit.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.units import format_unit

from mmsite.features.commerce.money import quantum
from mmsite.i18n.editions import localize_digits, numbering_system

# unit -> (dimension, size in the dimension's smallest common unit: g, ml, cm, sqm, ct)
UNITS: dict[str, tuple[str, Decimal]] = {
    "mg": ("mass", Decimal("0.001")),
    "g": ("mass", Decimal(1)),
    "kg": ("mass", Decimal(1000)),
    "oz": ("mass", Decimal("28.349523125")),
    "lb": ("mass", Decimal("453.59237")),
    "ml": ("volume", Decimal(1)),
    "cl": ("volume", Decimal(10)),
    "l": ("volume", Decimal(1000)),
    "cbm": ("volume", Decimal(1_000_000)),
    "floz": ("volume", Decimal("29.5735295625")),
    "pt": ("volume", Decimal("473.176473")),
    "qt": ("volume", Decimal("946.352946")),
    "gal": ("volume", Decimal("3785.411784")),
    "cm": ("length", Decimal(1)),
    "m": ("length", Decimal(100)),
    "in": ("length", Decimal("2.54")),
    "ft": ("length", Decimal("30.48")),
    "yd": ("length", Decimal("91.44")),
    "sqm": ("area", Decimal(1)),
    "sqft": ("area", Decimal("0.09290304")),
    "ct": ("count", Decimal(1)),
}
# Google's unit -> CLDR unit id (Babel formats it in each locale: "100 g", "75 cl").
CLDR = {
    "mg": "mass-milligram",
    "g": "mass-gram",
    "kg": "mass-kilogram",
    "oz": "mass-ounce",
    "lb": "mass-pound",
    "ml": "volume-milliliter",
    "cl": "volume-centiliter",
    "l": "volume-liter",
    "cbm": "volume-cubic-meter",
    "floz": "volume-fluid-ounce",
    "pt": "volume-pint",
    "qt": "volume-quart",
    "gal": "volume-gallon",
    "cm": "length-centimeter",
    "m": "length-meter",
    "in": "length-inch",
    "ft": "length-foot",
    "yd": "length-yard",
    "sqm": "area-square-meter",
    "sqft": "area-square-foot",
    "ct": "concentr-item",
}
ALIASES = {"m2": "sqm", "m²": "sqm", "m3": "cbm", "m³": "cbm", "L": "l"}
QUANTITY = re.compile(r"^\s*(\d{1,9}(?:\.\d{1,6})?)\s*([A-Za-z²³0-9]+)\s*$")


class UnitError(ValueError):
    """A quantity that is not ``<number> <unit>`` or mixes dimensions."""


@dataclass(frozen=True)
class Quantity:
    value: Decimal  # 250
    unit: str  # Google's spelling: g, kg, ml, cl, l, cbm, cm, m, sqm, ct ...

    @property
    def dimension(self) -> str:
        return UNITS[self.unit][0]

    @property
    def size(self) -> Decimal:
        """In the dimension's common unit (g, ml, cm, sqm, ct)."""
        return self.value * UNITS[self.unit][1]

    @property
    def text(self) -> str:
        """``250 g``, ``1 kg``, ``0.75 l`` (the machine form feeds use)."""
        value = self.value.normalize()
        return f"{value:f} {self.unit}"


@dataclass(frozen=True)
class UnitPrice:
    measure: Quantity  # what the item holds: 250 g
    per: Quantity  # the base the price is shown for: 100 g

    def amount(self, price: Decimal, currency: str) -> Decimal:
        """The price per ``per``, rounded half-up to the currency's minor unit:
        12.00 for 250 g is 4.80 per 100 g."""
        exact = price * self.per.size / self.measure.size
        return exact.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def parse_quantity(text: str) -> Quantity:
    """``"250 g"`` -> Quantity(250, "g"); ``"1 m2"`` -> Quantity(1, "sqm")."""
    match = QUANTITY.match(text)
    if not match:
        raise UnitError(f"{text!r} is not a quantity; write a number and a unit, e.g. 250 g")
    unit = ALIASES.get(match.group(2), match.group(2))
    if unit not in UNITS:
        raise UnitError(f"unknown unit {match.group(2)!r} (units: {', '.join(UNITS)}, m2, m3)")
    value = Decimal(match.group(1))
    if value <= 0:
        raise UnitError(f"{text!r} must be more than zero")
    return Quantity(value, unit)


def parse_unit_price(measure: str, per: str) -> UnitPrice:
    """Both quantities, of one dimension."""
    a, b = parse_quantity(measure), parse_quantity(per)
    if a.dimension != b.dimension:
        raise UnitError(
            f"measure {a.text} is a {a.dimension} and per {b.text} a {b.dimension}: "
            "both must be of one kind (e.g. measure: 250 g, per: 100 g)"
        )
    return UnitPrice(a, b)


@functools.lru_cache(maxsize=1024)
def format_quantity(quantity: Quantity, locale: str, numbers: str | None = None) -> str:
    """``100 g`` (en_US), ``100 g`` with a narrow no-break space (fr_FR), ``١٠٠ غرام``
    (ar_EG): CLDR's short unit format in the locale's digits."""
    text = format_unit(
        quantity.value.normalize(),
        CLDR[quantity.unit],
        length="short",
        locale=locale,
        numbering_system=numbering_system(locale, numbers),
    )
    return localize_digits(text, locale, numbers)
