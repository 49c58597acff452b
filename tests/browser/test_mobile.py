"""The default theme on a 390x844 phone: every demo product's title, price and Buy button
in the first screen in every edition, a header of one row (at most 72 px) on every kind of
page, two products per row, and the language switcher followed on a phone.

axe-core at 390 and 1280 px and the screenshots of home, catalog, a product and an article
in every edition are in test_theme_browser.py (test_axe_finds_no_serious_violations,
test_screenshots_in_every_language); so is the switcher opened with the keyboard."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest

from .conftest import REPO, Demo

PHONE = {"width": 390, "height": 844}
HEADER_MAX = 72
# one page of every kind the theme renders (group keys of the demo)
PAGE_KINDS = {
    "home": "_index",
    "catalog": "products/_index",
    "category": "products/category/pantry",
    "product": "products/smoked-salt",
    "series list": "series/_index",
    "series": "series/micro-multinationals/_index",
    "article": "series/micro-multinationals/01-global-from-day-one",
    "page": "about",
}


def _products() -> list[str]:
    """Group keys of the demo's products (the default-language files in products/)."""
    return [
        f"products/{path.stem}"
        for path in sorted((REPO / "content" / "products").glob("*.md"))
        if not path.stem.startswith("_") and "." not in path.stem
    ]


def _goto(page, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"


def _inside(box: dict | None, what: str, url: str) -> None:
    """``box`` lies wholly inside the first 390x844 screen (no scrolling)."""
    assert box is not None, f"{url}: no {what}"
    assert box["width"] > 0 and box["height"] > 0, f"{url}: {what} is not shown: {box}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, (url, what, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"] + 0.5, (url, what, box)


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


def test_title_price_and_buy_button_in_the_first_screen(phone, demo: Demo) -> None:
    checked = 0
    for key in _products():
        for edition in demo.urls[key]:  # every edition that sells it
            url = demo.url(key, edition)
            _goto(phone, url)
            _inside(phone.locator(".product-info h1").bounding_box(), "title", url)
            price = phone.locator(".product-info .price:visible").first
            _inside(price.bounding_box(), "price", url)
            if phone.locator(".product-info .tax-note").count():
                _inside(price.locator(".tax-note").bounding_box(), "tax note", url)
            buy = phone.locator(".product-info .buy:visible").first
            _inside(buy.bounding_box(), "Buy button", url)
            checked += 1
    assert checked >= len(_products()) * 2  # every product, in several editions
    assert not phone.problems.items, phone.problems.items


def test_header_is_one_compact_row_on_every_kind_of_page(phone, demo: Demo) -> None:
    measured = []
    for kind, key in PAGE_KINDS.items():
        assert key in demo.urls, f"the demo has no {kind} page {key}"
        for edition in demo.urls[key]:
            _goto(phone, demo.url(key, edition))
            box = phone.locator("header.site-header").bounding_box()
            assert box is not None and box["height"] <= HEADER_MAX, (kind, phone.url, box)
            middles = phone.evaluate(  # brand, menu and switcher side by side
                """() => [...document.querySelectorAll('.header-row > *')]
                    .filter(e => e.getBoundingClientRect().height > 0)
                    .map(e => e.getBoundingClientRect())
                    .map(r => r.top + r.height / 2)"""
            )
            assert max(middles) - min(middles) < 8, f"{phone.url}: the header wraps ({middles})"
            measured.append(box["height"])
    assert len(measured) >= len(PAGE_KINDS) * 2
    assert not phone.problems.items, phone.problems.items


@pytest.mark.parametrize("key", ["products/_index", "_index"])
def test_two_products_per_row_with_their_prices(phone, demo: Demo, key: str) -> None:
    for edition in demo.urls[key]:
        _goto(phone, demo.url(key, edition))
        cards = phone.locator(".product-grid .product-card")
        assert cards.count() >= 2, phone.url
        first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
        assert first and second and abs(first["y"] - second["y"]) < 1, (phone.url, first, second)
        assert first["width"] < PHONE["width"] / 2, (phone.url, first)
        for index in range(cards.count()):
            card = cards.nth(index)
            box = card.bounding_box()
            price = card.locator(".price").bounding_box()
            title = card.locator(".product-card-title").bounding_box()
            assert box and price and title, (phone.url, index)
            for inner in (price, title):  # long titles wrap, the price stays in the card
                assert inner["x"] >= box["x"] - 0.5, (phone.url, index, inner, box)
                assert inner["x"] + inner["width"] <= box["x"] + box["width"] + 0.5
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{phone.url} scrolls sideways by {overflow}px"
    assert not phone.problems.items, phone.problems.items


def test_switcher_on_a_phone_lists_every_edition_and_keeps_the_page(phone, demo: Demo) -> None:
    key = "products/smoked-salt"
    codes = [e.code for e in demo.editions if e.code in demo.urls[key]]
    by_code = {e.code: e for e in demo.editions}
    for here, there in zip(codes, codes[1:] + codes[:1], strict=True):
        _goto(phone, demo.url(key, here))
        switcher = phone.locator("nav.language-switcher")
        switcher.locator("summary").click()
        links = switcher.locator("a[hreflang]")
        assert links.count() == len(demo.editions), phone.url
        for index in range(links.count()):
            _inside(links.nth(index).bounding_box(), "switcher entry", phone.url)
        switcher.locator(f'a[hreflang="{by_code[there].hreflang}"]').click()
        phone.wait_for_load_state("load")
        assert unquote(urlsplit(phone.url).path) == unquote(demo.urls[key][there])
    assert not phone.problems.items, phone.problems.items


def test_product_photos_scroll_sideways_without_shifting(phone, demo: Demo) -> None:
    """A product with several photos shows them as a strip; every photo has its size."""
    _goto(phone, demo.url("products/smoked-salt", "en-us"))
    strip = phone.locator(".product-gallery")
    sizes = strip.evaluate(
        """g => ({scroll: g.scrollWidth, client: g.clientWidth,
                 imgs: [...g.querySelectorAll('img')].map(i => [i.getAttribute('width'),
                         i.getAttribute('height'), i.getAttribute('loading')])})"""
    )
    assert sizes["scroll"] > sizes["client"], sizes  # the second photo is beside the first
    assert all(w and h for w, h, _ in sizes["imgs"]), sizes
    assert [loading for *_, loading in sizes["imgs"]] == ["eager", "lazy"], sizes
