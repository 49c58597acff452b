"""The home page's hero (photo, call to action), its featured products, and the related
products under a product page: built sites, parsed HTML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import BASIC_CONFIG, build_site, page, parse_html, text_of, tiny_jpeg
from mmsite.errors import MmsiteError
from mmsite.features.commerce.views import RELATED_PRODUCTS, _most_shared

CONFIG = (
    BASIC_CONFIG.replace("  ar: {locale: ar_EG}\n", "")
    + """\
markets:
  us: {currency: USD, languages: [en]}
  eu: {currency: EUR, languages: [fr]}
"""
)
HOME = """\
---
title: Home
image: hero.jpg
image_alt: A harbour at dawn
cta: {label: Shop now, url: products/_index.md}
---
Welcome.
"""
HOME_FR = """\
---
title: Accueil
image_alt: Un port à l'aube
cta: {label: Voir la boutique, url: products/_index.md#top}
---
Bienvenue.
"""


def _product(sku: str, weight: int = 0, **meta: str) -> str:
    return page(
        f"Product {sku}",
        "Text.",
        sku=sku,
        price="{USD: 10.00, EUR: 9.00}",
        checkout=f"{{stripe: https://buy.stripe.com/{sku.lower()}}}",
        weight=str(weight),
        **meta,
    )


# a shares: D three words (both tags, the category), B/C/F/G one each, E nothing
PRODUCTS = {
    "a": _product("A", tags="[Smoked, flakes]", category="pantry"),
    "b": _product("B", tags="[smoked]", category="gifts", featured="true"),
    "c": _product("C", category="pantry"),
    "d": _product("D", tags="[smoked, flakes]", category="pantry", markets="[us]"),
    "e": _product("E", category="tools", featured="true", availability="out_of_stock"),
    "f": _product("F", tags="[flakes]"),
    "g": _product("G", tags="[flakes]", weight=-1),
}


def _site(
    make_site, home: str = HOME, home_fr: str = HOME_FR, extra: dict[str, str] | None = None
) -> Path:
    files: dict[str, str | bytes] = {
        "content/_index.md": home,
        "content/_index.fr.md": home_fr,
        "content/hero.jpg": tiny_jpeg(120, 80),
        "content/products/_index.md": page("Shop"),
        "content/products/_index.fr.md": page("Boutique", slug="boutique"),
        **{f"content/products/{name}.md": text for name, text in PRODUCTS.items()},
    }
    files.update(extra or {})
    return make_site(files, CONFIG)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from helpers import write_site

    root = tmp_path_factory.mktemp("shop")

    def make(files, config):
        return write_site(root / "site", files, config)

    site = _site(make)
    build_site(site)
    return site / "public"


def _section(doc: ET.Element, cls: str) -> ET.Element | None:
    return next((s for s in doc.iter("section") if cls in (s.get("class") or "").split()), None)


def _card_skus(section: ET.Element | None) -> list[str]:
    if section is None:
        return []
    return [li.get("data-sku") for li in section.iter("li") if li.get("class") == "product-card"]


# -- hero ------------------------------------------------------------------------


def test_home_hero_has_the_photo_and_the_call_to_action(built: Path) -> None:
    doc = parse_html(built / "index.html")
    hero = _section(doc, "hero")
    assert hero is not None and "hero-with-image" in hero.get("class")
    assert text_of(hero.find(".//h1")) == "Home"
    img = hero.find(".//picture/img")
    assert img is not None and img.get("alt") == "A harbour at dawn"
    assert img.get("width") == "120" and img.get("height") == "80"
    assert img.get("loading") == "eager" and img.get("fetchpriority") == "high"
    assert [s.get("type") for s in hero.iter("source")] == ["image/webp"]
    link = hero.find(".//a[@class='button']")
    assert link is not None and text_of(link) == "Shop now" and link.get("href") == "/products/"


def test_translated_home_inherits_the_photo_and_leads_to_its_own_edition(built: Path) -> None:
    hero = _section(parse_html(built / "fr/index.html"), "hero")
    assert hero is not None
    assert hero.find(".//picture/img").get("alt") == "Un port à l'aube"
    link = hero.find(".//a[@class='button']")
    assert text_of(link) == "Voir la boutique" and link.get("href") == "/fr/boutique/#top"


def test_home_without_image_or_cta_is_the_plain_hero(make_site) -> None:
    root = _site(make_site, home=page("Home", "Hi."), home_fr=page("Accueil", "Salut."))
    build_site(root)
    hero = _section(parse_html(root / "public/index.html"), "hero")
    assert hero is not None and hero.get("class") == "hero"
    assert hero.find(".//picture") is None and hero.find(".//a") is None


@pytest.mark.parametrize(
    ("cta", "message"),
    [
        ("{label: Go, url: 'javascript:alert(1)'}", "javascript: links are not allowed"),
        ("{label: Go, url: nowhere.md}", "no such page"),
        ("{label: Go, url: /products/}", "not a page of this site"),
        ("{label: Go}", "cta needs a url"),
        ("{lable: Go, url: products/_index.md}", "did you mean label:?"),
        ("https://example.com/", "cta must be a mapping"),
    ],
)
def test_bad_cta_is_an_error_with_file_and_line(make_site, cta: str, message: str) -> None:
    root = _site(make_site, home=page("Home", "Hi.", cta=cta))
    with pytest.raises(MmsiteError) as exc:
        build_site(root)
    text = str(exc.value)
    assert "_index.md:3:" in text and message in text, text


def test_cta_is_read_on_the_home_page_only(make_site) -> None:
    about = page("About", cta="{label: Go, url: products/_index.md}")
    root = _site(make_site, extra={"content/about.md": about})
    with pytest.raises(MmsiteError) as exc:
        build_site(root)
    assert "about.md:3:" in str(exc.value) and "cta" in str(exc.value)


# -- featured products on the home page ---------------------------------------------


def test_home_shows_featured_products_first_then_others_up_to_four(built: Path) -> None:
    shop = _section(parse_html(built / "index.html"), "home-shop")
    # featured B and E (sold out, still shown) in catalog order, then buyable G, A
    assert _card_skus(shop) == ["B", "E", "G", "A"]
    shop_fr = _section(parse_html(built / "fr/index.html"), "home-shop")
    assert _card_skus(shop_fr) == ["B", "E", "G", "A"]


# -- related products ----------------------------------------------------------------


def test_related_products_share_tags_or_category_most_first(built: Path) -> None:
    doc = parse_html(built / "products/a/index.html")
    section = _section(doc, "related-products")
    assert section is not None
    assert [child.tag for child in section if child.tag.startswith("h")] == ["h2"]
    # D shares three words; then B, C, G, F one each by weight (G: -1), then sku; E none
    assert _card_skus(section) == ["D", "G", "B", "C"]
    for card in section.iter("li"):
        if card.get("class") == "product-card":
            assert card.find(".//h3") is not None and card.find(".//data") is not None


def test_related_products_leave_out_what_the_market_does_not_sell(built: Path) -> None:
    section = _section(parse_html(built / "fr/boutique/a/index.html"), "related-products")
    assert _card_skus(section) == ["G", "B", "C", "F"]  # D is sold in the us market only


def test_a_product_sharing_nothing_has_no_related_section(built: Path) -> None:
    doc = parse_html(built / "products/e/index.html")
    assert _section(doc, "related-products") is None
    related = _card_skus(_section(parse_html(built / "products/d/index.html"), "related-products"))
    assert related[0] == "A" and "D" not in related  # never itself


# -- the demo: article hero, home hero in every edition ---------------------------------


def test_demo_article_opens_with_its_photo_sized_and_first(demo_built: Path) -> None:
    public = demo_built / "public"
    for rel, alt in [
        ("series/micro-multinationals/01-global-from-day-one", "A small globe on a calm sea"),
        ("fr/entretiens/micro-multinationales/01-international-des-le-premier-jour", "Un petit"),
    ]:
        doc = parse_html(public / rel / "index.html")
        article = next(a for a in doc.iter("article") if "article" in a.get("class", "").split())
        # right after the title block: the first thing after the article's header
        kids = [child.tag for child in article]
        assert kids[:2] == ["header", "picture"], kids
        img = article.find("picture/img")
        assert img.get("class") == "article-image" and img.get("alt").startswith(alt)
        assert img.get("width") == "1600" and img.get("height") == "900"
        assert img.get("loading") == "eager" and img.get("srcset") and img.get("sizes")


def test_demo_home_has_a_hero_and_cta_in_every_edition(demo_built: Path) -> None:
    public = demo_built / "public"
    homes = sorted(public.glob("*/index.html")) + [public / "index.html"]
    found = 0
    for path in homes:
        doc = parse_html(path)
        hero = _section(doc, "hero")
        if hero is None or doc.find(".//body").get("class", "").split()[0] != "kind-home":
            continue
        img, link = hero.find(".//picture/img"), hero.find(".//a[@class='button']")
        assert img is not None and img.get("alt") and img.get("width"), path
        href = link.get("href")
        assert link is not None and text_of(link) and href.startswith("/"), path
        prefix = "/" + path.parent.relative_to(public).as_posix() + "/"
        assert href.startswith(prefix if prefix != "/./" else "/"), (path, href)
        found += 1
    assert found >= 7  # en-us, en-gb, fr, es, ar, de-de, de-at


def _naive_related(products: list[tuple[tuple[str, ...], str | None]]) -> list[list[int]]:
    """The definition: every other product sharing a word (each tag one, the category
    one), most shared first, then place; at most RELATED_PRODUCTS."""
    found = []
    for me, (tags, category) in enumerate(products):
        scored = []
        for other, (their_tags, their_category) in enumerate(products):
            count = len(set(tags) & set(their_tags))
            count += 1 if category and category == their_category else 0
            if other != me and count:
                scored.append((-count, other))
        found.append([other for _, other in sorted(scored)[:RELATED_PRODUCTS]])
    return found


CATALOGS = st.lists(
    st.tuples(
        st.lists(st.sampled_from("abcde"), max_size=3, unique=True).map(tuple),
        st.sampled_from([None, "pantry", "gifts"]),
    ),
    max_size=30,
)


@given(CATALOGS)
def test_related_products_are_the_most_shared_whatever_the_catalog(products) -> None:
    """The fast ranking (a big category costs nothing) equals the definition."""
    ranked = [
        SimpleNamespace(product=SimpleNamespace(tags=tags, category=category))
        for tags, category in products
    ]
    tagged: dict[str, list[int]] = {}
    in_category: dict[str, list[int]] = {}
    for place, (tags, category) in enumerate(products):
        for tag in tags:
            tagged.setdefault(tag, []).append(place)
        if category:
            in_category.setdefault(category, []).append(place)
    assert _most_shared(ranked, tagged, in_category) == _naive_related(products)
