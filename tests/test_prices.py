"""Prices a seller can trust: the product model's sale, unit-price, free and currency
rules (FORMAT.md), and how pages show them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import BASIC_CONFIG
from mmsite.engine.build import BuildOptions, load_site
from mmsite.errors import MmsiteError, Reporter
from mmsite.features.commerce.product import Product, product_of
from mmsite.features.commerce.units import UnitError, parse_quantity, parse_unit_price

SHOP = (
    BASIC_CONFIG
    + """\
markets:
  us: {currency: USD, languages: [en], tax: excluded}
  uk: {currency: GBP, languages: [en], tax: included}
  eu: {currency: EUR, languages: [fr], tax: included}
  eg: {currency: EGP, languages: [ar]}
"""
)
PRICES = "{USD: 12, GBP: 9, EUR: 11, EGP: 600}"


def product_page(**meta: str) -> str:
    fields = {"title": "Vase", "sku": "VASE-1", "price": PRICES, **meta}
    lines = [f"{key}: {value}" for key, value in fields.items() if value != ""]
    return "---\n" + "\n".join(lines) + "\n---\nA vase.\n"


def load(make_site, files: dict[str, str | bytes]) -> dict[str, Product]:
    """Every default-language product of the site, by sku."""
    root = make_site({"content/_index.md": "---\ntitle: Home\n---\n", **files}, SHOP)
    site, _ = load_site(root, BuildOptions(), Reporter())
    found = {}
    for group in site.model.groups.values():
        product = product_of(group.default)
        if product is not None:
            found[product.sku] = product
    return found


def errors_of(make_site, files: dict[str, str | bytes]) -> str:
    with pytest.raises(MmsiteError) as exc:
        load(make_site, files)
    return str(exc.value)


# -- the model: sale prices ---------------------------------------------------------


def test_sale_offer_has_the_was_price_until_the_sale_ends(make_site) -> None:
    page = product_page(
        price="{USD: 12.00, GBP: 9, EUR: 11, EGP: 600}",
        compare_at="{USD: 15.00, EUR: 13.50}",
        sale_ends="2026-06-30",
    )
    product = load(make_site, {"content/products/vase.md": page})["VASE-1"]
    during = product.offer("USD", "us", dt.date(2026, 6, 30))
    assert (during.price, during.compare_at, during.sale_ends) == (
        Decimal("12.00"),
        Decimal("15.00"),
        dt.date(2026, 6, 30),
    )
    assert during.on_sale
    after = product.offer("USD", "us", dt.date(2026, 7, 1))
    assert after.price == Decimal("12.00") and after.compare_at is None and not after.on_sale
    assert product.offer("GBP", "uk", dt.date(2026, 6, 1)).compare_at is None  # no GBP sale


@pytest.mark.parametrize(
    ("meta", "message", "line"),
    [
        ({"compare_at": "{USD: 12}"}, "compare_at.USD 12.00 must be more than", 5),
        ({"compare_at": "{USD: 10}"}, "compare_at.USD 10.00 must be more than", 5),
        ({"compare_at": "{JPY: 1000}"}, "has no JPY price to compare with", 5),
        ({"compare_at": "{EUX: 3}"}, "'EUX' is not an ISO 4217 currency code", 5),
        ({"sale_ends": "2026-06-30"}, "sale_ends without compare_at", 5),
        ({"compare_at": "{USD: 15}", "sale_ends": "soon"}, "sale_ends must be a date", 6),
    ],
)
def test_sale_mistakes_name_file_line_and_fix(make_site, meta, message, line) -> None:
    text = errors_of(make_site, {"content/products/vase.md": product_page(**meta)})
    assert message in text
    assert f"products/vase.md:{line}:" in text
    assert "hint:" in text


def test_variant_compare_at_and_product_compare_at_per_variant(make_site) -> None:
    page = product_page(
        price="",
        compare_at="{GBP: 150}",
        variants="""
  - {name: Small, sku: V-S, price: {USD: 90, GBP: 90, EUR: 90, EGP: 900}, compare_at: {USD: 100}}
  - {name: Large, sku: V-L, price: {USD: 120, GBP: 120, EUR: 120, EGP: 1200}}""",
    )
    product = load(make_site, {"content/products/vase.md": page})["VASE-1"]
    small, large = product.variants
    assert product.offer("USD", "us", None, small).compare_at == Decimal("100.00")
    assert product.offer("USD", "us", None, large).compare_at is None
    assert product.offer("GBP", "uk", None, large).compare_at == Decimal("150.00")
    bad = page.replace("compare_at: {GBP: 150}", "compare_at: {GBP: 100}")
    text = errors_of(make_site, {"content/products/vase.md": bad})
    assert "must be more than the price of variant V-L (120.00)" in text


# -- the model: currencies and free products ----------------------------------------


def test_not_iso_4217_is_an_error_with_the_nearest_code(make_site) -> None:
    text = errors_of(
        make_site, {"content/products/vase.md": product_page(price="{USD: 12, EUX: 55}")}
    )
    assert "products/vase.md:4: 'EUX' is not an ISO 4217 currency code" in text
    assert "did you mean EUR?" in text


def test_zero_price_needs_free(make_site) -> None:
    zero = "{USD: 0, GBP: 0, EUR: 0, EGP: 0}"
    text = errors_of(make_site, {"content/products/vase.md": product_page(price=zero)})
    assert "products/vase.md:4: USD price is 0" in text and "free: true" in text
    free = load(make_site, {"content/products/vase.md": product_page(price=zero, free="true")})
    assert free["VASE-1"].offer("GBP", "uk").price == Decimal("0.00")
    implied = load(make_site, {"content/products/vase.md": product_page(price="", free="true")})
    assert implied["VASE-1"].price("EGP") == Decimal("0.00")
    text = errors_of(
        make_site, {"content/products/vase.md": product_page(price="{USD: 3}", free="true")}
    )
    assert "says free: true but its USD price is 3" in text


def test_lowest_offer_is_the_cheapest_buyable_variant(make_site) -> None:
    page = product_page(
        price="",
        variants="""
  - {name: Small, sku: V-S, price: {USD: 90, GBP: 90, EUR: 90, EGP: 900},
     availability: out_of_stock}
  - {name: Medium, sku: V-M, price: {USD: 100, GBP: 100, EUR: 100, EGP: 1000}}
  - {name: Large, sku: V-L, price: {USD: 120, GBP: 120, EUR: 120, EGP: 1200}}""",
    )
    product = load(make_site, {"content/products/vase.md": page})["VASE-1"]
    assert product.lowest_offer("USD", "us").sku == "V-M"
    assert [o.sku for o in product.offers("EUR", "eu")] == ["V-S", "V-M", "V-L"]


# -- the model: unit prices, options, images, checkout per market --------------------


def test_unit_price_on_product_and_variant(make_site) -> None:
    page = product_page(
        price="{USD: 12.00, GBP: 9, EUR: 10.50, EGP: 600}",
        unit_price="{measure: 250 g, per: 100 g}",
        variants="""
  - {name: 250 g, sku: S-250}
  - {name: 1 kg, sku: S-1K, price: {USD: 40, GBP: 30, EUR: 33, EGP: 2000},
     unit_price: {measure: 1 kg, per: 1 kg}}""",
    )
    product = load(make_site, {"content/products/vase.md": page})["VASE-1"]
    small, big = product.variants
    assert product.offer("EUR", "eu", None, small).unit_amount == Decimal("4.20")
    offer = product.offer("EUR", "eu", None, big)
    assert offer.unit_amount == Decimal("33.00") and offer.unit_price.per.text == "1 kg"


@pytest.mark.parametrize(
    ("unit_price", "message"),
    [
        ("{measure: 250 g, per: 100 ml}", "measure 250 g is a mass and per 100 ml a volume"),
        ("{measure: 250 gr, per: 100 g}", "unknown unit 'gr'"),
        ("{measure: 250 g}", "unit_price needs measure and per"),
        ("{measure: heavy, per: 100 g}", "'heavy' is not a quantity"),
    ],
)
def test_unit_price_mistakes(make_site, unit_price, message) -> None:
    page = product_page(unit_price=unit_price)
    text = errors_of(make_site, {"content/products/vase.md": page})
    assert message in text and "products/vase.md:5:" in text


def test_variant_options_image_and_checkout_per_market(make_site) -> None:
    page = product_page(
        checkout="""
  stripe: {us: "https://buy.stripe.com/aaa", uk: "https://buy.stripe.com/bbb"}
  paypal: https://www.paypal.com/ncp/payment/ALL""",
        featured="true",
        variants="""
  - {name: Red, sku: V-R, options: {color: Red, size: M}, image: red.jpg}
  - {name: Blue, sku: V-B, options: {color: Blue, size: M},
     checkout: {gumroad: "https://kernow.gumroad.com/l/blue"}}""",
    )
    files = {"content/products/vase.md": page, "content/products/red.jpg": b"jpg"}
    product = load(make_site, files)["VASE-1"]
    red, blue = product.variants
    assert product.featured and red.options == {"color": "Red", "size": "M"}
    assert red.image is not None and str(red.image.path) == "products/red.jpg"
    us = product.offer("USD", "us", None, red).checkout
    assert [(c.provider, c.url) for c in us] == [
        ("stripe", "https://buy.stripe.com/aaa"),
        ("paypal", "https://www.paypal.com/ncp/payment/ALL"),
    ]
    eu = product.offer("EUR", "eu", None, red).checkout
    assert [c.provider for c in eu] == ["paypal"]  # no Stripe link for the eu market
    assert [c.url for c in product.offer("GBP", "uk", None, blue).checkout] == [
        "https://kernow.gumroad.com/l/blue"
    ]


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"checkout": '{stripe: {usa: "https://buy.stripe.com/aaa"}}'}, "'usa' is not one of"),
        ({"variants": "[{name: A, sku: A1, option: {size: M}}]"}, "did you mean options:?"),
        ({"variants": "[{name: A, sku: A1, options: {colour: Red}}]"}, "did you mean color?"),
        ({"variants": "[{name: A, sku: A1, image: nope.jpg}]"}, "image 'nope.jpg' not found"),
        (
            {"variants": "[{name: A, sku: A1, options: {size: M}}, {name: B, sku: B1}]"},
            "variant B1 has options [], others ['size']",
        ),
        ({"featured": "yes please"}, "featured must be true or false"),
    ],
)
def test_variant_and_checkout_mistakes(make_site, meta, message) -> None:
    text = errors_of(make_site, {"content/products/vase.md": product_page(**meta)})
    assert message in text and "products/vase.md:" in text and "hint:" in text


# -- unit parsing: properties ----------------------------------------------------------

UNIT_NAMES = ["mg", "g", "kg", "ml", "cl", "l", "m", "cm", "m2", "m3", "ct", "oz", "lb"]


@given(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(99999), places=3),
    st.sampled_from(UNIT_NAMES),
)
def test_quantity_round_trips(value: Decimal, unit: str) -> None:
    quantity = parse_quantity(f"{value} {unit}")
    assert parse_quantity(quantity.text) == quantity
    assert quantity.value == value


@given(
    st.integers(min_value=1, max_value=10_000),
    st.integers(min_value=1, max_value=1000),
    st.integers(min_value=0, max_value=10**7),
)
def test_unit_amount_is_price_scaled_and_exact(measure: int, per: int, cents: int) -> None:
    unit = parse_unit_price(f"{measure} g", f"{per} g")
    price = Decimal(cents).scaleb(-2)
    amount = unit.amount(price, "EUR")
    assert amount == amount.quantize(Decimal("0.01"))
    assert abs(amount - price * per / measure) <= Decimal("0.005")
    if per == measure:
        assert amount == price


@given(st.text(max_size=12))
def test_quantity_parser_never_crashes(text: str) -> None:
    try:
        quantity = parse_quantity(text)
    except UnitError:
        return
    assert quantity.value > 0


def test_unit_dimensions_must_match() -> None:
    with pytest.raises(UnitError, match="both must be of one kind"):
        parse_unit_price("1 l", "1 kg")
    assert parse_unit_price("2 m2", "1 sqm").per.unit == "sqm"
