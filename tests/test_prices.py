"""Prices a seller can trust: the product model's sale, unit-price, free and currency
rules (FORMAT.md), and how pages show them."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import BASIC_CONFIG, build_site, parse_html, text_of
from mmsite.commands.checks import run_checks
from mmsite.engine.build import BuildOptions, load_site
from mmsite.errors import MmsiteError, Reporter
from mmsite.features.checking import WARNING, Finding
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


# -- pages: cards, sales, tax notes, unit prices, delivery --------------------------

SHIPPING = """\
commerce:
  shipping:
    uk: {rate: 3.95, countries: [GB], handling_days: [0, 1], transit_days: [1, 3]}
    eu: {rate: 0, countries: [FR], handling_days: [1, 1], transit_days: [2, 2]}
  returns: {days: 30, fees: free}
"""
VASE = """\
---
title: Vase
sku: VASE-1
price: {USD: 120, GBP: 120, EUR: 120, EGP: 6000}
variants:
  - {name: Small, sku: VASE-S, price: {USD: 90, GBP: 90, EUR: 90, EGP: 4500},
     availability: out_of_stock}
  - {name: Medium, sku: VASE-M, price: {USD: 100, GBP: 100, EUR: 100, EGP: 5000}}
  - {name: Large, sku: VASE-L}
checkout: {stripe: "https://buy.stripe.com/aaa111"}
---
"""
SALE = "compare_at: {USD: 15.00, GBP: 10.00, EUR: 13.50}\nsale_ends: 2026-06-30\n"
JAR = (
    "---\ntitle: Salt jar\nsku: JAR-1\nfeatured: true\n"
    + SALE
    + "price: {USD: 12.00, GBP: 8.50, EUR: 10.50, EGP: 600}\n"
    "unit_price: {measure: 250 g, per: 100 g}\n"
    'checkout: {paypal: "https://www.paypal.com/ncp/payment/ABC123"}\n---\n'
)
CELLAR = """\
---
title: Cellar
sku: CELLAR-1
price: {USD: 48, GBP: 36, EUR: 42, EGP: 2400}
availability: out_of_stock
checkout: {paypal: "https://www.paypal.com/ncp/payment/DEF456"}
---
"""
HOME = {
    "content/_index.md": "---\ntitle: Home\n---\n",
    "content/_index.fr.md": "---\ntitle: Accueil\n---\n",
    "content/_index.ar.md": "---\ntitle: الرئيسية\n---\n",
    "content/products/_index.md": "---\ntitle: Shop\n---\n",
}


def shop(make_site, files: dict[str, str], extra: str = SHIPPING) -> Path:
    root = make_site({**HOME, **files}, SHOP + extra)
    build_site(root)
    return root


def cards(doc: ET.Element) -> dict[str, ET.Element]:
    return {li.get("data-sku"): li for li in doc.iter("li") if li.get("class") == "product-card"}


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def test_cards_show_the_lowest_buyable_price_with_from(make_site) -> None:
    """Defect 5: the vase's Small (90) is sold out, Medium (100) is the lowest buyable;
    the card said 120 (the product-level price) without "From"."""
    root = shop(make_site, {"content/products/vase.md": VASE, "content/products/jar.md": JAR})
    for path, from_text in (
        ("public/products/index.html", "From"),
        ("public/en-gb/products/index.html", "From"),
        ("public/fr/products/index.html", "À partir de"),
    ):
        card = cards(parse_html(root / path))["VASE-1"]
        price = by_class(card, "price-now")[0]
        assert price.get("value") == "100.00"
        assert text_of(by_class(card, "price-from")[0]) == from_text
    jar = cards(parse_html(root / "public/products/index.html"))["JAR-1"]
    assert by_class(jar, "price-from") == []  # one price: no "From"


@pytest.mark.parametrize(
    ("today", "on_sale"), [("2026-06-30", True), ("2026-07-01", False), ("", True)]
)
def test_sale_shows_was_and_now_until_it_ends(make_site, monkeypatch, today, on_sale) -> None:
    if today:
        monkeypatch.setenv("MMSITE_TODAY", today)
    else:  # the real date is past 2026-06-30 on the machines running this: a later sale
        monkeypatch.delenv("MMSITE_TODAY", raising=False)
    jar = JAR.replace("2026-06-30", "2999-12-31") if not today else JAR
    root = shop(make_site, {"content/products/jar.md": jar})
    doc = parse_html(root / "public/products/jar/index.html")
    block = by_class(doc, "price-block")[0]
    assert by_class(block, "price-now")[0].get("value") == "12.00"
    struck = list(block.iter("s"))
    if not on_sale:
        assert struck == [] and by_class(block, "sale-ends") == []
        assert "Regular price" not in text_of(block)
        return
    assert [d.get("value") for s in struck for d in s.iter("data")] == ["15.00"]
    hidden = [text_of(e) for e in by_class(block, "visually-hidden")]
    assert hidden[:2] == ["Sale price", "Regular price"]
    ends = text_of(by_class(block, "sale-ends")[0])
    assert ends == ("Sale ends June 30, 2026" if today else "Sale ends December 31, 2999")


def test_sale_end_is_rebuilt_on_the_next_day(make_site, monkeypatch, tmp_path) -> None:
    """The build's date is an input: an incremental build the day after the sale equals
    a clean build of that day."""
    root = make_site({**HOME, "content/products/jar.md": JAR}, SHOP)
    monkeypatch.setenv("MMSITE_TODAY", "2026-06-30")
    build_site(root)
    monkeypatch.setenv("MMSITE_TODAY", "2026-07-01")
    build_site(root)
    clean = tmp_path / "clean"
    build_site(root, output=clean, cache=False)
    page = "products/jar/index.html"
    assert (root / "public" / page).read_bytes() == (clean / page).read_bytes()
    assert list(parse_html(clean / page).iter("s")) == []


def test_tax_note_beside_every_price_per_market(make_site) -> None:
    root = shop(make_site, {"content/products/vase.md": VASE, "content/products/jar.md": JAR})
    expected = {
        "public/products/vase/index.html": "plus sales tax",
        "public/en-gb/products/vase/index.html": "incl. VAT",
        "public/fr/products/vase/index.html": "TTC",
    }
    for path, note in expected.items():
        doc = parse_html(root / path)
        blocks = by_class(doc, "price-block")
        assert len(blocks) == 3  # one per variant
        assert [text_of(by_class(b, "tax-note")[0]) for b in blocks] == [note] * 3
    home = parse_html(root / "public/en-gb/index.html")
    # the featured jar, then the vase: a note beside each card's price
    assert [text_of(e) for e in by_class(home, "tax-note")] == ["incl. VAT"] * 2
    arabic = parse_html(root / "public/ar/products/vase/index.html")  # eg: no tax key
    assert by_class(arabic, "price-block") and by_class(arabic, "tax-note") == []


def test_unit_price_in_the_locale_format(make_site) -> None:
    root = shop(make_site, {"content/products/jar.md": JAR})
    shown = {}
    for path in ("products/jar", "fr/products/jar", "ar/products/jar"):
        doc = parse_html(root / "public" / path / "index.html")
        unit = by_class(doc, "unit-price")[0]
        data = next(unit.iter("data"))
        shown[path] = (text_of(data), data.get("value"))
    assert shown["products/jar"] == ("$4.80 / 100 g", "4.80 USD / 100 g")
    assert shown["fr/products/jar"] == ("4,20\u00a0€ / 100\u202fg", "4.20 EUR / 100 g")
    assert shown["ar/products/jar"][0].endswith("/ ١٠٠ غرام")
    assert "٢٤٠٫٠٠" in shown["ar/products/jar"][0]


def test_product_page_shows_shipping_delivery_and_returns(make_site) -> None:
    root = shop(make_site, {"content/products/jar.md": JAR})
    items = {}
    for path in ("en-gb/products/jar", "fr/products/jar", "products/jar"):
        doc = parse_html(root / "public" / path / "index.html")
        items[path] = [text_of(li) for ul in by_class(doc, "delivery") for li in ul.iter("li")]
    assert items["en-gb/products/jar"] == [
        "Shipping: £3.95",
        "Delivery: 1–4 days",
        "Free returns: 30 days",
    ]
    assert items["fr/products/jar"] == [
        "Livraison offerte",
        "Délai de livraison\u00a0: 3\u00a0jours",  # no break before the colon
        "Retours gratuits\u00a0: 30\u00a0jours",
    ]
    assert items["products/jar"] == []  # no shipping terms for the us market


def test_home_shows_featured_products_first_and_no_unchosen_sold_out(make_site) -> None:
    files = {
        "content/products/vase.md": VASE,
        "content/products/jar.md": JAR,
        "content/products/cellar.md": CELLAR,
    }
    root = shop(make_site, files)
    # the featured jar first, then what can be bought (the sold-out cellar is not chosen)
    assert list(cards(parse_html(root / "public/index.html"))) == ["JAR-1", "VASE-1"]
    unfeatured = {**files, "content/products/jar.md": JAR.replace("featured: true\n", "")}
    root = shop(make_site, unfeatured)
    assert sorted(cards(parse_html(root / "public/index.html"))) == ["JAR-1", "VASE-1"]
    chosen = {
        **unfeatured,
        "content/products/cellar.md": CELLAR.replace("---\n", "---\nfeatured: true\n", 1),
    }
    root = shop(make_site, chosen)
    assert list(cards(parse_html(root / "public/index.html")))[0] == "CELLAR-1"
    assert sorted(cards(parse_html(root / "public/index.html"))) == ["CELLAR-1", "JAR-1", "VASE-1"]


def test_prices_use_no_inline_style(make_site) -> None:
    root = shop(make_site, {"content/products/vase.md": VASE, "content/products/jar.md": JAR})
    for path in ("products/jar/index.html", "products/vase/index.html", "index.html"):
        doc = parse_html(root / "public" / path)
        assert [e.tag for e in doc.iter() if e.get("style") is not None] == []
        assert [s for s in doc.iter("style")] == []


def test_currency_no_market_uses_is_a_check_warning(make_site) -> None:
    jar = JAR.replace("EGP: 600}", "EGP: 600, JPY: 1800}")
    root = shop(make_site, {"content/products/jar.md": jar})
    site, _ = load_site(root, BuildOptions(), Reporter())
    findings = [f for f in run_checks(site, root / "public") if f.check == "currencies"]
    assert findings == [
        Finding(
            WARNING,
            "currencies",
            "content/products/jar.md",
            "JAR-1: price in JPY, which no market uses (markets use EGP, EUR, GBP, USD); "
            "add a market or remove it",
        )
    ]


def test_variant_compare_at_error_names_its_line(make_site) -> None:
    page = product_page(
        price="",
        variants="""
  - {name: Small, sku: V-S, price: {USD: 90, GBP: 90, EUR: 90, EGP: 900}}
  - {name: Large, sku: V-L, price: {USD: 120, GBP: 120, EUR: 120, EGP: 1200},
     compare_at: {USD: 110}}""",
    )
    text = errors_of(make_site, {"content/products/vase.md": page})
    assert "products/vase.md:7: compare_at.USD 110.00 must be more than the price of" in text
    assert "variant V-L (120.00)" in text


def test_free_product_with_variants_needs_no_price(make_site) -> None:
    page = product_page(
        price="", free="true", variants="[{name: A, sku: F-A}, {name: B, sku: F-B}]"
    )
    product = load(make_site, {"content/products/vase.md": page})["VASE-1"]
    assert [o.price for o in product.offers("GBP", "uk")] == [Decimal("0.00"), Decimal("0.00")]
