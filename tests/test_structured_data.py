"""JSON-LD validated against what Google documents for each type it reads.

The table below is written out from Google Search Central's structured-data pages (not
taken from the code): for each type, the properties Google marks *required* (a page
without them is not eligible) and the *recommended* ones this generator has the data for
(so they must be there whenever the site gives it). Sources, as read in December 2026:

- Product, Offer, OfferShippingDetails, MerchantReturnPolicy:
  https://developers.google.com/search/docs/appearance/structured-data/merchant-listing
- ProductGroup and its variants:
  https://developers.google.com/search/docs/appearance/structured-data/product-variants
- Article: https://developers.google.com/search/docs/appearance/structured-data/article
  (Google requires no property; all are recommended)
- BreadcrumbList, ListItem:
  https://developers.google.com/search/docs/appearance/structured-data/breadcrumb
- Organization: https://developers.google.com/search/docs/appearance/structured-data/organization
  (no property required; name and url recommended, logo and sameAs when the business has them)
- WebSite (site names): https://developers.google.com/search/docs/appearance/site-names

A property written ``a|b`` is satisfied by either (Google: "price or priceSpecification.price").
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from helpers import parse_html

# type -> (required, recommended that mmsite has the data for)
GOOGLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Product": (("name", "image", "offers"), ("description", "brand", "sku")),
    # a variant (hasVariant member): a Product, plus the group it belongs to
    "Product@variant": (
        ("name", "image", "offers"),
        ("description", "brand", "sku", "url", "inProductGroupWithID"),
    ),
    "ProductGroup": (
        ("name",),
        ("description", "brand", "url", "productGroupID", "hasVariant", "variesBy"),
    ),
    "Offer": (
        ("price|priceSpecification", "priceCurrency|priceSpecification"),
        ("availability", "itemCondition", "url"),
    ),
    "OfferShippingDetails": (("shippingDestination", "shippingRate"), ("deliveryTime",)),
    "DefinedRegion": (("addressCountry",), ()),
    "MonetaryAmount": (("value|maxValue", "currency"), ()),
    "ShippingDeliveryTime": ((), ("handlingTime", "transitTime")),
    "QuantitativeValue@delivery": (("minValue", "maxValue", "unitCode"), ()),
    "MerchantReturnPolicy": (("applicableCountry", "returnPolicyCategory"), ()),
    "MerchantReturnPolicy@finite": (
        ("applicableCountry", "returnPolicyCategory", "merchantReturnDays"),
        ("returnMethod", "returnFees"),
    ),
    "UnitPriceSpecification": (("price", "priceCurrency"), ()),
    # Article: also image (the demo's interviews have none), dateModified (when updated)
    "Article": ((), ("headline", "datePublished", "author")),
    "BreadcrumbList": (("itemListElement",), ()),
    "ListItem": (("position", "name", "item"), ()),
    "Organization": ((), ("name", "url")),
    "WebSite": (("name", "url"), ()),
}
# enumerations Google accepts (schema.org URLs)
AVAILABILITY = {
    "https://schema.org/" + v
    for v in (
        "InStock",
        "OutOfStock",
        "PreOrder",
        "BackOrder",
        "Discontinued",
        "InStoreOnly",
        "LimitedAvailability",
        "OnlineOnly",
        "PreSale",
        "SoldOut",
    )
}
CONDITION = {f"https://schema.org/{c}Condition" for c in ("New", "Used", "Refurbished", "Damaged")}
RETURN_CATEGORY = {
    "https://schema.org/" + c
    for c in (
        "MerchantReturnFiniteReturnWindow",
        "MerchantReturnNotPermitted",
        "MerchantReturnUnlimitedWindow",
    )
}
VARIES_BY = {
    "https://schema.org/" + p
    for p in ("color", "size", "material", "pattern", "suggestedAge", "suggestedGender")
}
PRICE = re.compile(r"^\d+(\.\d+)?$")  # Google: a number, "." as decimal separator, no symbol
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _has(node: dict[str, Any], prop: str) -> bool:
    return any(node.get(p) not in (None, "", [], {}) for p in prop.split("|"))


def _kind(node: dict[str, Any], parent: str) -> str:
    kind = node.get("@type", "")
    if kind == "Product" and parent == "hasVariant":
        return "Product@variant"
    if kind == "QuantitativeValue" and parent in ("handlingTime", "transitTime"):
        return "QuantitativeValue@delivery"
    if kind == "Organization" and parent:
        return "Organization@nested"  # an article's publisher, an interviewee's company
    category = node.get("returnPolicyCategory", "")
    if kind == "MerchantReturnPolicy" and category.endswith("FiniteReturnWindow"):
        return "MerchantReturnPolicy@finite"
    return kind


def problems(node: Any, where: str = "", parent: str = "") -> list[str]:
    """Every way ``node`` (and what it nests) falls short of the table and its value formats."""
    if isinstance(node, list):
        return [p for i, item in enumerate(node) for p in problems(item, f"{where}[{i}]", parent)]
    if not isinstance(node, dict):
        return []
    found = []
    kind = _kind(node, parent)
    required, recommended = GOOGLE.get(kind, ((), ()))
    found += [f"{where} {kind}: no {p} (required)" for p in required if not _has(node, p)]
    found += [f"{where} {kind}: no {p} (recommended)" for p in recommended if not _has(node, p)]
    found += _formats(node, kind, where)
    for key, value in node.items():
        found += problems(value, f"{where}.{key}", key)
    return found


def _formats(node: dict[str, Any], kind: str, where: str) -> list[str]:
    bad = []
    checks = {
        "price": lambda v: isinstance(v, str) and PRICE.match(v),
        "value": lambda v: isinstance(v, str) and PRICE.match(v),
        "priceCurrency": lambda v: re.fullmatch(r"[A-Z]{3}", v),
        "currency": lambda v: re.fullmatch(r"[A-Z]{3}", v),
        "availability": lambda v: v in AVAILABILITY,
        "itemCondition": lambda v: v in CONDITION,
        "returnPolicyCategory": lambda v: v in RETURN_CATEGORY,
        "priceValidUntil": lambda v: ISO_DATE.match(v),
        "availabilityStarts": lambda v: ISO_DATE.match(v),
        "url": lambda v: v.startswith("https://"),
        "item": lambda v: v.startswith("https://"),
        "addressCountry": lambda v: re.fullmatch(r"[A-Z]{2}", v),
        "variesBy": lambda v: set(v) <= VARIES_BY,
    }
    for key, ok in checks.items():
        if key in node and not ok(node[key]):
            bad.append(f"{where} {kind}: {key} = {node[key]!r} is not what Google accepts")
    if kind == "BreadcrumbList":
        positions = [item.get("position") for item in node["itemListElement"]]
        if positions != list(range(1, len(positions) + 1)) or len(positions) < 2:
            bad.append(f"{where}: breadcrumb positions {positions} (1, 2, ... and at least 2)")
    return bad


def blocks(path: Path) -> list[dict[str, Any]]:
    doc = parse_html(path)
    scripts = [s for s in doc.iter("script") if s.get("type") == "application/ld+json"]
    return [json.loads(s.text) for s in scripts]


def of_type(path: Path, kind: str) -> dict[str, Any]:
    [found] = [b for b in blocks(path) if b["@type"] == kind]
    return found


def test_the_validator_catches_what_google_rejects() -> None:
    """The table has teeth: a product with no offers, a price with a symbol, a variant
    without its group, a one-item breadcrumb."""
    bad_product = {"@type": "Product", "name": "x", "image": ["https://a/b.jpg"]}
    assert "no offers (required)" in " ".join(problems(bad_product))
    offer = {"@type": "Offer", "price": "$12", "priceCurrency": "USD"}
    assert any("price = '$12'" in p for p in problems(offer))
    group = {"@type": "ProductGroup", "name": "x", "hasVariant": [{"@type": "Product"}]}
    assert any("inProductGroupWithID" in p for p in problems(group))
    crumbs = {"@type": "BreadcrumbList", "itemListElement": [{"@type": "ListItem"}]}
    assert any("at least 2" in p for p in problems(crumbs))


# -- the demo: every page's JSON-LD ------------------------------------------


@pytest.fixture(scope="module")
def public(demo_built: Path) -> Path:
    return demo_built / "public"


def test_every_block_of_the_demo_meets_google(public: Path) -> None:
    seen: set[str] = set()
    for path in sorted(public.rglob("index.html")):
        for data in blocks(path):
            assert data["@context"] == "https://schema.org"
            seen.add(data["@type"])
            assert problems(data, str(path.relative_to(public))) == []
    assert {"Product", "ProductGroup", "Article", "BreadcrumbList"} <= seen
    assert {"Organization", "WebSite"} <= seen


def test_home_pages_name_the_business_and_the_site(public: Path) -> None:
    org = of_type(public / "index.html", "Organization")
    assert org["name"] == "Kernow Salt Co." and org["url"] == "https://kernow-salt.example/"
    assert org["sameAs"] == ["https://x.com/kernowsalt"]  # seo.twitter
    site = of_type(public / "index.html", "WebSite")
    assert (site["name"], site["url"]) == ("Kernow Salt Co.", "https://kernow-salt.example/")
    assert site["publisher"] == {"@id": org["@id"]}
    fr = of_type(public / "fr/index.html", "WebSite")
    assert fr["name"] == "Sel de Kernow" and fr["url"] == "https://kernow-salt.example/fr/"
    assert fr["inLanguage"] == "fr" and fr["alternateName"] == "Kernow Salt Co."
    # one business behind every edition, named in the edition's language
    fr_org = of_type(public / "fr/index.html", "Organization")
    assert fr_org["@id"] == org["@id"] and fr["publisher"] == {"@id": org["@id"]}
    assert fr_org["url"] == "https://kernow-salt.example/" and fr_org["name"] == "Sel de Kernow"
    # other pages carry no site-level block
    about = [b["@type"] for b in blocks(public / "about/index.html")]
    assert "Organization" not in about and "WebSite" not in about


FRENCH_SALT = "Sel de mer fumé au chêne"


def _trail(path: Path) -> list[tuple[str, str]]:
    data = of_type(path, "BreadcrumbList")
    return [(i["name"], i["item"]) for i in data["itemListElement"]]


def _page_of(public: Path, url: str) -> Path:
    path = unquote(urlsplit(url).path)
    return public / path.lstrip("/") / "index.html"


@pytest.mark.parametrize(
    "page,names",
    [
        ("products/smoked-salt", ["Kernow Salt Co.", "Shop", "Pantry", "Oak-smoked sea salt"]),
        ("products/category/pantry", ["Kernow Salt Co.", "Shop", "Categories", "Pantry"]),
        ("fr/produits/sel-fume", ["Sel de Kernow", "Boutique", "Épicerie", FRENCH_SALT]),
    ],
)
def test_breadcrumbs_on_products_and_categories(public: Path, page: str, names: list[str]):
    trail = _trail(public / page / "index.html")
    assert [name for name, _ in trail] == names
    # every crumb is a page of the same edition; the last is this page
    for _, url in trail:
        assert _page_of(public, url).is_file(), url
    assert trail[-1][1] == f"https://kernow-salt.example/{page}/"


def test_breadcrumbs_on_articles_follow_the_series(public: Path) -> None:
    path = public / "series/micro-multinationals/01-global-from-day-one/index.html"
    names = [name for name, _ in _trail(path)]
    assert names[:3] == ["Kernow Salt Co.", "Interviews", "Micro-multinationals"]
    assert names[-1] == of_type(path, "Article")["headline"]


def test_no_breadcrumbs_on_home_and_plain_pages(public: Path) -> None:
    for page in ("index.html", "about/index.html", "products/index.html"):
        assert "BreadcrumbList" not in [b["@type"] for b in blocks(public / page)]


# -- products and variants -----------------------------------------------------


def test_product_with_variants_is_a_product_group(public: Path) -> None:
    path = public / "en-gb/products/smoked-salt/index.html"
    group = of_type(path, "ProductGroup")
    assert group["productGroupID"] == "SALT-001"
    assert group["url"] == "https://kernow-salt.example/en-gb/products/smoked-salt/"
    variants = group["hasVariant"]
    assert [v["sku"] for v in variants] == ["SALT-001-250", "SALT-001-500"]
    for v in variants:
        assert v["inProductGroupWithID"] == "SALT-001"
        url = urlsplit(v["url"])
        assert parse_qs(url.query) == {"variant": [v["sku"]]}  # each variant its own URL
        assert _page_of(public, v["url"]).is_file()
        assert v["offers"]["url"] == v["url"]
        assert v["offers"]["priceCurrency"] == "GBP"
    assert [v["offers"]["price"] for v in variants] == ["8.50", "14.50"]


def test_single_product_stays_a_product(public: Path) -> None:
    [path] = [
        p
        for p in (public / "products").glob("*/index.html")
        if any(b["@type"] == "Product" for b in blocks(p))
    ][:1]
    product = of_type(path, "Product")
    assert product["offers"]["@type"] == "Offer" and "hasVariant" not in product


def test_feed_and_jsonld_agree(public: Path) -> None:
    """The same price, availability and link for every variant in the page and the feed."""
    g = "{http://base.google.com/ns/1.0}"
    feed = ET.parse(public / "en-gb/products/merchant-feed.xml").getroot()
    items = {i.findtext(f"{g}id"): i for i in feed.iter("item")}
    group = of_type(public / "en-gb/products/smoked-salt/index.html", "ProductGroup")
    for v in group["hasVariant"]:
        item = items[v["sku"]]
        assert item.findtext(f"{g}link") == v["url"]
        assert item.findtext(f"{g}price") == f"{v['offers']['price']} GBP"
        assert v["offers"]["availability"].endswith(
            "".join(w.capitalize() for w in item.findtext(f"{g}availability").split("_"))
        )


# -- sale, unit price, options (a shop built here) ---------------------------------


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from test_merchant_feed import build_shop  # sale, unit price, variant options

    return build_shop(tmp_path_factory.mktemp("jsonld") / "site") / "public"


def test_sale_carries_the_strikethrough_price_and_its_end(shop: Path) -> None:
    jam = of_type(shop / "en-gb/products/jam/index.html", "Product")
    offer = jam["offers"]
    assert (offer["price"], offer["priceCurrency"]) == ("7.00", "GBP")
    assert offer["priceValidUntil"] == "2026-06-30"
    specs = {s.get("priceType", "unit"): s for s in offer["priceSpecification"]}
    was = specs["https://schema.org/StrikethroughPrice"]
    assert was == {
        "@type": "UnitPriceSpecification",
        "priceType": "https://schema.org/StrikethroughPrice",
        "price": "9.00",
        "priceCurrency": "GBP",
    }
    assert problems(jam) == []


def test_unit_price_has_its_reference_quantity(shop: Path) -> None:
    offer = of_type(shop / "fr/products/jam/index.html", "Product")["offers"]
    [unit] = [s for s in offer["priceSpecification"] if "referenceQuantity" in s]
    assert (unit["price"], unit["priceCurrency"]) == ("8.00", "EUR")  # the item's price
    ref = unit["referenceQuantity"]
    assert (ref["value"], ref["unitCode"]) == ("100", "GRM")  # shown per 100 g
    measure = ref["valueReference"]  # the jar holds 340 g
    assert measure == {"@type": "QuantitativeValue", "value": "340", "unitCode": "GRM"}


def test_every_unit_has_a_un_cefact_code() -> None:
    from mmsite.features.commerce.jsonld import UNIT_CODES
    from mmsite.features.commerce.units import UNITS

    assert set(UNIT_CODES) == set(UNITS)
    assert all(re.fullmatch(r"[A-Z0-9]{3}", code) for code in UNIT_CODES.values())


def test_variant_options_and_images(shop: Path) -> None:
    group = of_type(shop / "products/vase/index.html", "ProductGroup")
    assert group["variesBy"] == ["https://schema.org/size", "https://schema.org/color"]
    small, large = group["hasVariant"]
    assert (small["size"], small["color"]) == ("Small", "Blue")
    assert (large["size"], large["color"]) == ("Large", "Green")
    assert small["image"][0].startswith("https://shop.example/products/vase-blue")
    assert large["image"] == ["https://shop.example/products/vase.jpg"]
    assert (small["offers"]["price"], large["offers"]["price"]) == ("90.00", "120.00")
    assert problems(group) == []
