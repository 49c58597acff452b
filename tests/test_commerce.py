"""Storefront end to end: build real sites and parse the pages, JSON-LD and feeds."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from helpers import BASIC_CONFIG, build_site, card_titles, hreflangs, parse_html, text_of, tiny_jpeg
from mmsite.errors import MmsiteError
from mmsite.features.commerce.money import AmountError, format_price, localize_digits, parse_amount

SHOP = (
    BASIC_CONFIG
    + """\
markets:
  us: {currency: USD, languages: [en]}
  uk: {currency: GBP, languages: [en]}
  eu: {currency: EUR, languages: [fr]}
  eg: {currency: EGP, languages: [ar]}
"""
)
COMMERCE = """\
commerce:
  brand: Test Brand
  categories:
    pantry: {en: Pantry, fr: Épicerie fine, ar: مؤونة}
  shipping:
    uk: {rate: 3.95, countries: [GB], handling_days: [0, 1], transit_days: [1, 3]}
  returns: {days: 30, fees: free}
"""
SALT = """\
---
title: Smoked salt </script><b>
sku: SALT-001
summary: Cold-smoked & "oaky".
price: {USD: 12.10, GBP: "8.50", EUR: 1234.5, EGP: 600}
availability: in_stock
category: pantry
brand: Kernow
gtin: "5060712340011"
mpn: KSC-SMK
images: [salt.jpg, salt-2.jpg]
image_alt: [A bowl of smoked salt, A jar]
checkout:
  stripe: https://buy.stripe.com/test_4gw5kJ
  lemonsqueezy: https://kernow.lemonsqueezy.com/checkout/buy/8b6f0c2e-1c1e-4f7a-9d55-3b1b2f0d9e1a
---
Smoky.
"""
SALT_FR = """\
---
title: Sel fumé
slug: sel-fume
image_alt: Un bol de sel fumé
---
Fumé.
"""
CELLAR = """\
---
title: Salt cellar
sku: CELLAR-1
price: {USD: 48, GBP: 36, EUR: 42, EGP: 2400}
availability: out_of_stock
checkout: {paypal: "https://www.paypal.com/ncp/payment/ABC123"}
---
"""
KELP = """\
---
title: Kelp salt
sku: KELP-1
price: {USD: 13, GBP: 9.5, EUR: 11.5, EGP: 650}
availability: preorder
availability_date: 2026-05-01
category: pantry
checkout: {gumroad: "https://kernow.gumroad.com/l/kelp"}
variants:
  - {name: 100 g, sku: KELP-100}
  - {name: 250 g, sku: KELP-250, price: {USD: 25, GBP: 19, EUR: 22, EGP: 1250}}
---
"""
KELP_FR = """\
---
title: Sel aux algues
variants:
  - {sku: KELP-250, name: 250 grammes}
---
"""


def shop(make_site, extra: str = COMMERCE, **files: str) -> Path:
    content = {
        "content/_index.md": "---\ntitle: Home\n---\n",
        "content/products/_index.md": "---\ntitle: Shop\n---\n",
        "content/products/_index.fr.md": "---\ntitle: Boutique\nslug: boutique\n---\n",
        "content/products/salt.md": SALT,
        "content/products/salt.fr.md": SALT_FR,
        "content/products/salt.jpg": tiny_jpeg(),
        "content/products/salt-2.jpg": tiny_jpeg(),
        "content/products/cellar.md": CELLAR,
        "content/products/kelp.md": KELP,
        "content/products/kelp.fr.md": KELP_FR,
    }
    content.update({k.replace("__", "/").replace("_md", ".md"): v for k, v in files.items()})
    return make_site(content, SHOP + extra)


@pytest.fixture
def built(make_site) -> Path:
    root = shop(make_site)
    result = build_site(root)
    assert result.warnings == []
    return root / "public"


def jsonld(doc: ET.Element) -> dict:
    """The page's one JSON-LD block besides its breadcrumbs (tests/test_structured_data.py)."""
    scripts = [s for s in doc.iter("script") if s.get("type") == "application/ld+json"]
    found = [json.loads(s.text) for s in scripts]
    found = [d for d in found if d["@type"] != "BreadcrumbList"]
    assert len(found) == 1
    return found[0]


def prices(doc: ET.Element) -> dict[str, str]:
    """The prices on a page; on a product page, its own (not its related products')."""
    own = next((div for div in doc.iter("div") if div.get("class") == "product-info"), doc)
    return {d.get("value"): text_of(d) for d in own.iter("data")}


def card(doc: ET.Element, sku: str) -> ET.Element:
    return next(li for li in doc.iter("li") if li.get("data-sku") == sku)


# -- prices per locale -------------------------------------------------------

EXPECTED = [
    ("products/index.html", "en_US", "USD", "12.10"),
    ("en-gb/products/index.html", "en_GB", "GBP", "8.50"),
    ("fr/boutique/index.html", "fr_FR", "EUR", "1234.50"),
    ("ar/products/index.html", "ar_EG", "EGP", "600.00"),
]


@pytest.mark.parametrize("path,locale,currency,amount", EXPECTED)
def test_catalog_prices_are_babel_formatted(built: Path, path, locale, currency, amount) -> None:
    doc = parse_html(built / path)
    shown = text_of(card(doc, "SALT-001").find(".//data"))
    babel = format_currency(Decimal(amount), currency, locale=locale, numbering_system="default")
    assert shown == localize_digits(babel, locale)
    assert card(doc, "SALT-001").find(".//data").get("value") == amount


def test_locale_shapes(built: Path) -> None:
    assert prices(parse_html(built / "products/index.html"))["12.10"] == "$12.10"
    assert prices(parse_html(built / "en-gb/products/index.html"))["8.50"] == "£8.50"
    assert prices(parse_html(built / "fr/boutique/index.html"))["1234.50"] == "1\u202f234,50\xa0€"
    arabic = prices(parse_html(built / "ar/products/index.html"))["600.00"]
    assert "٦٠٠٫٠٠" in arabic and not any(c.isascii() and c.isdigit() for c in arabic)


def test_market_editions_and_hreflang(built: Path) -> None:
    doc = parse_html(built / "en-gb/products/salt/index.html")
    links = hreflangs(doc)
    assert links["en-US"] == "https://shop.example/products/salt/"
    assert links["en-GB"] == "https://shop.example/en-gb/products/salt/"
    assert links["fr"] == "https://shop.example/fr/boutique/sel-fume/"


# -- product page, inheritance, variants, buy buttons -------------------------


def test_translation_inherits_price_sku_checkout(built: Path) -> None:
    doc = parse_html(built / "fr/boutique/sel-fume/index.html")
    assert text_of(doc.find(".//h1")) == "Sel fumé"
    assert prices(doc) == {"1234.50": format_price(Decimal("1234.50"), "EUR", "fr_FR")}
    buy = [a for a in doc.iter("a") if "buy" in (a.get("class") or "")]
    assert [a.get("href") for a in buy] == [
        "https://buy.stripe.com/test_4gw5kJ",  # attribution is off by default
        "https://kernow.lemonsqueezy.com/checkout/buy/8b6f0c2e-1c1e-4f7a-9d55-3b1b2f0d9e1a",
    ]
    assert [text_of(a) for a in buy] == ["Acheter avec Stripe", "Acheter avec Lemon Squeezy"]
    images = [img for img in doc.iter("img") if img.get("class") == "product-image"]
    # responsive variants (docs/images.md): /products/salt-64w.<hash>.jpg
    assert [(i.get("src").split(".")[0], i.get("alt")) for i in images] == [
        ("/products/salt-64w", "Un bol de sel fumé"),
        ("/products/salt-2-64w", "Un bol de sel fumé"),
    ]
    ld = jsonld(doc)
    assert ld["sku"] == "SALT-001" and ld["offers"]["priceCurrency"] == "EUR"


def test_variants_with_prices_and_translated_names(built: Path) -> None:
    en = parse_html(built / "products/kelp/index.html")
    variants = {li.get("data-sku"): li for li in en.iter("li") if li.get("class") == "variant"}
    assert list(variants) == ["KELP-100", "KELP-250"]
    assert prices(variants["KELP-100"]) == {"13.00": "$13.00"}  # inherits the product price
    assert prices(variants["KELP-250"]) == {"25.00": "$25.00"}
    button = variants["KELP-250"].find(".//a")
    assert text_of(button) == "Pre-order with Gumroad"
    fr = parse_html(built / "fr/boutique/kelp/index.html")
    names = [text_of(p) for p in fr.iter("p") if p.get("class") == "variant-name"]
    assert names == ["100 g", "250 grammes"]
    assert "22,00" in text_of(fr.find(".//ul[@class='variants']"))


def test_out_of_stock_disables_buy(built: Path) -> None:
    doc = parse_html(built / "products/cellar/index.html")
    box = doc.find(".//div[@class='buy-buttons']")
    assert box.findall(".//a") == []
    button = box.find("button")
    assert button is not None and "disabled" in button.attrib
    assert text_of(doc.find(".//p[@class='badge availability availability-out_of_stock']"))


def test_catalog_and_category_pages(built: Path) -> None:
    doc = parse_html(built / "fr/boutique/index.html")
    skus = [li.get("data-sku") for li in doc.iter("li") if li.get("class") == "product-card"]
    assert sorted(skus) == ["CELLAR-1", "KELP-1", "SALT-001"]
    nav = doc.find(".//nav[@class='category-nav']")
    hrefs = [a.get("href") for a in nav.iter("a")]
    assert hrefs == ["/fr/boutique/", "/fr/boutique/categorie/epicerie-fine/"]
    cat = parse_html(built / "fr/boutique/categorie/epicerie-fine/index.html")
    assert text_of(cat.find(".//h1")) == "Épicerie fine"
    skus = [li.get("data-sku") for li in cat.iter("li") if li.get("class") == "product-card"]
    assert sorted(skus) == ["KELP-1", "SALT-001"]
    assert (built / "ar/products/فئة/مؤونة/index.html").is_file()


# -- JSON-LD -----------------------------------------------------------------


def test_jsonld_matches_front_matter(built: Path) -> None:
    doc = parse_html(built / "en-gb/products/salt/index.html")
    raw = (built / "en-gb/products/salt/index.html").read_text()
    assert "</script><b>" not in raw.split('application/ld+json">')[1].split("</script>")[0]
    ld = jsonld(doc)
    assert ld["@type"] == "Product"
    assert ld["name"] == "Smoked salt </script><b>"
    assert ld["description"] == 'Cold-smoked & "oaky".'
    assert ld["brand"] == {"@type": "Brand", "name": "Kernow"}
    assert (ld["gtin"], ld["mpn"], ld["sku"]) == ("5060712340011", "KSC-SMK", "SALT-001")
    assert ld["image"] == [
        "https://shop.example/products/salt.jpg",
        "https://shop.example/products/salt-2.jpg",
    ]
    offer = ld["offers"]
    assert offer["price"] == "8.50" and offer["priceCurrency"] == "GBP"
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["itemCondition"] == "https://schema.org/NewCondition"
    assert offer["url"] == "https://shop.example/en-gb/products/salt/"
    ship = offer["shippingDetails"]
    assert ship["shippingRate"] == {"@type": "MonetaryAmount", "value": "3.95", "currency": "GBP"}
    assert ship["deliveryTime"]["transitTime"]["maxValue"] == 3
    policy = offer["hasMerchantReturnPolicy"]
    assert policy["merchantReturnDays"] == 30
    assert policy["returnFees"] == "https://schema.org/FreeReturn"
    assert policy["applicableCountry"] == ["GB"]
    us = jsonld(parse_html(built / "products/salt/index.html"))["offers"]
    assert us["price"] == "12.10" and "shippingDetails" not in us


def test_jsonld_variants_and_preorder(built: Path) -> None:
    ld = jsonld(parse_html(built / "products/kelp/index.html"))
    assert ld["@type"] == "ProductGroup" and ld["productGroupID"] == "KELP-1"
    assert ld["brand"]["name"] == "Test Brand"  # the site's default brand
    offers = {v["sku"]: v["offers"] for v in ld["hasVariant"]}
    assert offers["KELP-250"]["price"] == "25.00"
    assert offers["KELP-100"]["availability"] == "https://schema.org/PreOrder"
    assert offers["KELP-100"]["availabilityStarts"] == "2026-05-01"


# -- merchant feeds ----------------------------------------------------------

G = "{http://base.google.com/ns/1.0}"
FEEDS = {
    "products/merchant-feed.xml": "USD",
    "en-gb/products/merchant-feed.xml": "GBP",
    "fr/boutique/merchant-feed.xml": "EUR",
    "ar/products/merchant-feed.xml": "EGP",
}


@pytest.mark.parametrize("path,currency", FEEDS.items())
def test_merchant_feed_has_every_product(built: Path, path: str, currency: str) -> None:
    root = ET.parse(built / path).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = {i.findtext(f"{G}id"): i for i in root.iter("item")}
    # a feed sells only what its language has: the cellar has no French text, and no
    # product has Arabic text (shown as fallbacks, they are left out of those feeds)
    if path.startswith("ar/"):
        assert items == {}
        return
    every = ["CELLAR-1", "KELP-100", "KELP-250", "SALT-001"]
    assert sorted(items) == (every[1:] if path.startswith("fr/") else every)
    for item in items.values():
        assert item.findtext(f"{G}price").endswith(f" {currency}")
        assert item.findtext(f"{G}condition") == "new"
        assert item.findtext(f"{G}link").startswith("https://shop.example/")
    if "CELLAR-1" in items:
        assert items["CELLAR-1"].findtext(f"{G}availability") == "out_of_stock"
        assert items["CELLAR-1"].findtext(f"{G}identifier_exists") == "no"
    assert items["KELP-250"].findtext(f"{G}item_group_id") == "KELP-1"
    assert items["KELP-100"].findtext(f"{G}availability") == "preorder"
    assert items["KELP-100"].findtext(f"{G}availability_date") == "2026-05-01T00:00:00Z"


def test_feed_prices_and_language(built: Path) -> None:
    us = ET.parse(built / "products/merchant-feed.xml").getroot()
    salt = next(i for i in us.iter("item") if i.findtext(f"{G}id") == "SALT-001")
    assert salt.findtext(f"{G}price") == "12.10 USD"
    assert salt.findtext(f"{G}gtin") == "5060712340011"
    assert salt.findtext(f"{G}image_link") == "https://shop.example/products/salt.jpg"
    fr = ET.parse(built / "fr/boutique/merchant-feed.xml").getroot()
    salt = next(i for i in fr.iter("item") if i.findtext(f"{G}id") == "SALT-001")
    assert salt.findtext(f"{G}title") == "Sel fumé"
    assert salt.findtext(f"{G}price") == "1234.50 EUR"
    assert salt.findtext(f"{G}link") == "https://shop.example/fr/boutique/sel-fume/"


def test_merchant_feeds_are_what_elementtree_writes(make_site) -> None:
    """The feed is written as text: parsing it and writing it again with ElementTree
    (indented, with the declaration) gives the same bytes, markup in titles included."""
    odd = CELLAR.replace("Salt cellar", 'Salt & <pepper> "cellar" \u2013 caf\u00e9')
    root = shop(make_site, content__products__cellar_md=odd)
    build_site(root)
    ET.register_namespace("g", G[1:-1])
    for path in FEEDS:
        data = (root / "public" / path).read_bytes()
        tree = ET.fromstring(data)
        ET.indent(tree, space="  ")
        assert ET.tostring(tree, encoding="utf-8", xml_declaration=True) + b"\n" == data
    us = ET.parse(root / "public/products/merchant-feed.xml").getroot()
    titles = [item.findtext(f"{G}title") for item in us.iter("item")]
    assert 'Salt & <pepper> "cellar" \u2013 caf\u00e9' in titles


# -- errors and policies -----------------------------------------------------


def errors_of(exc: pytest.ExceptionInfo) -> str:
    return str(exc.value)


def test_minor_unit_error_names_file_and_line(make_site) -> None:
    config = SHOP.replace("EGP, languages: [ar]", "JPY, languages: [ar]")
    bad = SALT.replace("EGP: 600", "JPY: 12.5")
    root = shop(make_site, "", content__products__salt_md=bad)
    (root / "site.yaml").write_text(config)
    with pytest.raises(MmsiteError) as exc:
        build_site(root)
    text = errors_of(exc)
    assert "salt.md:5:" in text and "JPY" in text and "12.5" in text


def test_yen_whole_amounts_are_fine() -> None:
    assert parse_amount("1200", "JPY") == Decimal("1200")
    assert parse_amount("1200.0", "JPY") == Decimal("1200")
    with pytest.raises(AmountError):
        parse_amount("12.5", "JPY")
    with pytest.raises(AmountError):
        parse_amount("1.005", "USD")
    assert parse_amount("1.005", "KWD") == Decimal("1.005")
    for bad in ("1e3", "-1", "12,50", "", "NaN", "1_000"):
        with pytest.raises(AmountError):
            parse_amount(bad, "USD")


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_decimal_exactness(amount: Decimal) -> None:
    text = f"{amount:f}"
    assert parse_amount(text, "USD") == amount
    assert f"{parse_amount(text, 'USD'):f}" == f"{amount.quantize(Decimal('0.01')):f}"


def test_missing_price_is_an_error_naming_file_and_market(make_site) -> None:
    root = shop(make_site, COMMERCE, content__products__cellar_md=CELLAR.replace(", EGP: 2400", ""))
    with pytest.raises(MmsiteError) as exc:
        build_site(root)
    assert "cellar.md:4: no EGP price for market 'eg'" in errors_of(exc)


def test_missing_price_hide_policy(make_site) -> None:
    extra = COMMERCE.replace("commerce:\n", "commerce:\n  missing_price: hide\n")
    root = shop(make_site, extra, content__products__cellar_md=CELLAR.replace(", EGP: 2400", ""))
    result = build_site(root)
    assert any("no EGP price" in w and "'eg'" in w for w in result.warnings)
    public = root / "public"
    assert not (public / "ar/products/cellar/index.html").exists()
    assert (public / "fr/boutique/cellar/index.html").is_file()
    feed = ET.parse(public / "ar/products/merchant-feed.xml").getroot()
    assert "CELLAR-1" not in {i.findtext(f"{G}id") for i in feed.iter("item")}


@pytest.mark.parametrize(
    "change,message",
    [
        (("stripe: https://buy", "stripe: http://buy"), "checkout.stripe: checkout links must"),
        (
            ("stripe: https://buy.stripe.com", "stripe: https://buy.stripe.com.evil.io"),
            "not a Stripe",
        ),
        (("  stripe:", "  square:"), "unknown checkout provider 'square'"),
        (("availability: in_stock", "availability: sold"), "availability must be one of"),
        (('gtin: "5060712340011"', 'gtin: "5060712340012"'), "check digit"),
        (("images: [salt.jpg,", "images: [nope.jpg,"), "image 'nope.jpg' not found"),
        (("USD: 12.10", "USD: 12.105"), "USD has 2 decimal(s)"),
    ],
)
def test_front_matter_errors(make_site, change, message) -> None:
    root = shop(make_site, COMMERCE, content__products__salt_md=SALT.replace(*change))
    with pytest.raises(MmsiteError) as exc:
        build_site(root)
    assert message in errors_of(exc)
    assert "salt.md:" in errors_of(exc)


def test_unknown_provider_error_lists_known(make_site) -> None:
    root = shop(
        make_site, COMMERCE, content__products__salt_md=SALT.replace("  stripe:", "  square:")
    )
    with pytest.raises(MmsiteError) as exc:
        build_site(root)
    assert "stripe, shopify, gumroad, lemonsqueezy, paddle, paypal" in errors_of(exc)


def test_commerce_config_is_strict(make_site) -> None:
    root = shop(make_site, "commerce:\n  atribution: true\n")
    with pytest.raises(MmsiteError) as exc:
        build_site(root)
    assert "commerce.atribution: unknown key" in errors_of(exc)
    (root / "site.yaml").write_text(SHOP + "commerce:\n  missing_price: maybe\n")
    with pytest.raises(MmsiteError, match="missing_price"):
        build_site(root)


def test_attribution_adds_documented_parameters(make_site) -> None:
    root = shop(make_site, COMMERCE.replace("commerce:\n", "commerce:\n  attribution: true\n"))
    build_site(root)
    doc = parse_html(root / "public/fr/boutique/sel-fume/index.html")
    hrefs = [a.get("href") for a in doc.iter("a") if a.get("data-provider")]
    stripe = parse_qs(urlsplit(hrefs[0]).query)
    assert stripe["client_reference_id"] == ["SALT-001_fr"]
    lemon = parse_qs(urlsplit(hrefs[1]).query)
    assert lemon["checkout[custom][page]"] == ["/fr/boutique/sel-fume/"]
    assert lemon["checkout[custom][market]"] == ["eu"]


def test_product_markets_limit_where_it_is_sold(make_site) -> None:
    only_us = CELLAR.replace("availability:", "markets: [us]\navailability:").replace(
        "price: {USD: 48, GBP: 36, EUR: 42, EGP: 2400}", "price: {USD: 48}"
    )
    root = shop(make_site, COMMERCE, content__products__cellar_md=only_us)
    result = build_site(root)
    assert result.warnings == []
    public = root / "public"
    assert (public / "products/cellar/index.html").is_file()
    assert not (public / "en-gb/products/cellar/index.html").exists()
    assert not (public / "fr/boutique/cellar/index.html").exists()


def test_demo_shop(demo_built: Path, demo_build_result) -> None:
    assert demo_build_result.warnings == []  # the session's one build of the demo
    public = demo_built / "public"
    providers = set()
    for path in public.rglob("index.html"):
        doc = parse_html(path)
        providers |= {a.get("data-provider") for a in doc.iter("a") if a.get("data-provider")}
    assert len(providers) >= 3
    for feed in ("products", "en-gb/products", "fr/produits", "es/productos", "ar/المنتجات"):
        items = list(ET.parse(public / feed / "merchant-feed.xml").getroot().iter("item"))
        assert len(items) >= 5


def test_plain_page_in_products_is_not_a_product(make_site) -> None:
    root = shop(
        make_site, COMMERCE, content__products__shipping_md="---\ntitle: Shipping\n---\nPost.\n"
    )
    build_site(root)
    doc = parse_html(root / "public/products/shipping/index.html")
    assert [s for s in doc.iter("script") if s.get("type") == "application/ld+json"] == []
    listing = parse_html(root / "public/products/index.html")
    assert "Shipping" in card_titles(listing)
