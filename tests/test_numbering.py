"""Every number the site writes on a page is in one numbering system per edition: the
locale's CLDR default (Arabic-Indic digits for ar_EG, Extended Arabic-Indic for fa), or
the language's ``numbers:``. Machine-read values stay ASCII; authors' digits are theirs."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from helpers import build_site, parse_html, text_of
from mmsite.errors import MmsiteError

SYSTEMS = {"": "latn", "ARABIC-INDIC": "arab", "EXTENDED ARABIC-INDIC": "arabext"}


def systems(text: str) -> set[str]:
    """The numbering systems of the digits in ``text`` (by their Unicode names)."""
    return {SYSTEMS[unicodedata.name(c).split("DIGIT")[0].strip()] for c in text if c.isdecimal()}


def by_class(doc: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in doc.iter() if name in (e.get("class") or "").split()]


def assert_written_in(system: str, doc: ET.Element, classes: list[str]) -> None:
    """Each element of each class shows digits, all of ``system``."""
    for name in classes:
        found = by_class(doc, name)
        assert found, name
        for element in found:
            text = text_of(element)
            assert systems(text) == {system}, (name, text)


MACHINE_KEYS = {
    "price",
    "lowPrice",
    "highPrice",
    "priceValidUntil",
    "datePublished",
    "dateModified",
    "value",
    "minValue",
    "maxValue",
    "position",
}


def machine_values(data: object) -> list[str]:
    """The values of JSON-LD's machine keys (prices, dates, positions), anywhere in it."""
    if isinstance(data, dict):
        own = [str(v) for k, v in data.items() if k in MACHINE_KEYS and not isinstance(v, dict)]
        return own + [x for v in data.values() for x in machine_values(v)]
    if isinstance(data, list):
        return [x for v in data for x in machine_values(v)]
    return []


def assert_machine_values_ascii(doc: ET.Element) -> None:
    """datetime= and <data value=>, data-* attributes and JSON-LD's prices and dates."""
    checked = 0
    for element in doc.iter():
        for attr, value in element.attrib.items():
            if attr in ("datetime", "value") or attr.startswith("data-pagefind-sort"):
                assert systems(value) <= {"latn"}, (element.tag, attr, value)
                checked += 1
        if element.tag == "script" and element.get("type") == "application/ld+json":
            for value in machine_values(json.loads(element.text or "{}")):
                assert systems(value) <= {"latn"}, value
                checked += 1
    assert checked


PRODUCT = ["price-now", "unit-price", "shipping-rate", "delivery-time", "returns"]
ARTICLE = ["reading-time", "series-count"]


# -- the demo's Arabic (Egypt) edition -----------------------------------------------------


def test_the_demo_s_arabic_pages_write_arabic_indic_digits(demo_built: Path) -> None:
    public = demo_built / "public" / "ar"
    products = [p for p in public.glob("*/*/index.html") if by_class(parse_html(p), "price-now")]
    assert len(products) >= 4
    for path in products:
        doc = parse_html(path)
        assert_written_in("arab", doc, ["price-now", "shipping-rate", "delivery-time", "returns"])
        assert_machine_values_ascii(doc)
    flakes = next(p for p in products if by_class(parse_html(p), "unit-price"))
    assert_written_in("arab", parse_html(flakes), ["unit-price"])
    articles = list(public.glob("*/*/0*/index.html"))
    assert len(articles) >= 4
    for path in articles:
        doc = parse_html(path)
        assert_written_in("arab", doc, ARTICLE)
        dates = [text_of(t) for t in doc.find(".//main").iter("time")]
        assert dates and all(systems(d) == {"arab"} for d in dates), dates
        assert_machine_values_ascii(doc)


def test_machine_readable_files_keep_ascii_digits(demo_built: Path) -> None:
    public = demo_built / "public"
    sitemap = (public / "sitemap.xml").read_text("utf-8")
    assert systems(sitemap) <= {"latn"}
    for feed in public.glob("ar/**/*.xml"):
        root = ET.parse(feed).getroot()
        for element in root.iter():
            if element.tag.endswith(("updated", "published", "price", "lastmod")):
                assert systems(element.text or "") <= {"latn"}, (feed, element.tag)


# -- a Persian site, and numbers: latn -----------------------------------------------------

CONFIG = """\
title: Test Shop
base_url: https://shop.example/
default_language: fa
languages:
  fa: {{locale: fa_IR{numbers}}}
markets:
  ir: {{currency: IRR, languages: [fa]}}
commerce:
  brand: Test Brand
  categories:
    pantry: {{fa: آشپزخانه}}
  shipping:
    ir: {{rate: 150000, countries: [IR], handling_days: [1, 2], transit_days: [3, 5]}}
  returns: {{days: 14, fees: free}}
"""

FILES = {
    "content/_index.md": "---\ntitle: خانه\n---\n",
    "content/products/_index.md": "---\ntitle: فروشگاه\n---\n",
    "content/products/salt.md": """\
---
title: نمک دودی
sku: SALT-001
summary: نمک دریایی دودی.
price: {IRR: 1250000}
availability: in_stock
category: pantry
unit_price: {measure: 250 g, per: 100 g}
checkout: {stripe: {ir: "https://buy.stripe.com/test_123"}}
---
نمک ۲۵۰ گرمی. Authors write 42 as they like.
""",
    "content/series/_index.md": "---\ntitle: گفتگوها\n---\n",
    "content/series/talks/_index.md": "---\ntitle: گفتگوی کوچک\n---\n",
    "content/series/talks/01-one.md": (
        "---\ntitle: یک\ndate: 2026-01-15\nauthor: مریم\npart: 1\ntags: [export]\n---\n"
        + "متن " * 600
    ),
    "content/series/talks/02-two.md": (
        "---\ntitle: دو\ndate: 2026-02-20\nauthor: مریم\npart: 2\ntags: [export]\n---\n"
        + "متن " * 300
    ),
}


def persian_site(make_site, numbers: str = "") -> Path:
    root = make_site(FILES, config=CONFIG.format(numbers=numbers))
    build_site(root)
    return root


@pytest.mark.parametrize(("numbers", "system"), [("", "arabext"), (", numbers: latn", "latn")])
def test_a_persian_site_writes_one_digit_script(make_site, numbers: str, system: str) -> None:
    public = persian_site(make_site, numbers) / "public"
    product = parse_html(next(public.glob("*/salt/index.html")))
    assert_written_in(system, product, PRODUCT)
    assert_machine_values_ascii(product)
    # the author's digits are left as written
    body = text_of(next(e for e in product.iter("p") if "Authors" in text_of(e)))
    assert "42" in body and "۲۵۰" in body
    article = parse_html(next(public.glob("*/talks/02-two/index.html")))
    assert_written_in(system, article, ARTICLE)
    dates = [text_of(t) for t in article.find(".//main").iter("time")]
    assert dates and all(systems(d) == {system} for d in dates), dates
    assert [t.get("datetime") for t in article.find(".//main").iter("time")][0] == "2026-02-20"
    assert_machine_values_ascii(article)
    # counts: categories beside the catalog, "Part 1 of 2" on the series' cards
    pages = [parse_html(p) for p in public.glob("*/index.html")]
    catalog = next(doc for doc in pages if by_class(doc, "category-nav"))
    assert_written_in(system, catalog, ["count"])
    series = parse_html(next(public.glob("*/talks/index.html")))
    metas = [text_of(e) for e in by_class(series, "card-meta") if systems(text_of(e))]
    assert metas and all(systems(m) == {system} for m in metas), metas


def test_numbers_must_be_a_numbering_system_of_the_locale(make_site) -> None:
    with pytest.raises(MmsiteError) as info:
        persian_site(make_site, ", numbers: arabic")
    message = str(info.value)
    assert "languages.fa.numbers" in message and "'arabic'" in message
    assert "did you mean 'arabext'" in message and "arabext, latn" in message
    with pytest.raises(MmsiteError) as info:
        persian_site(make_site, ", numbers: deva")
    assert "not a numbering system of fa_IR" in str(info.value)
