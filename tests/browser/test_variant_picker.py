"""The variant picker in a real browser: chosen with the keyboard, it shows the chosen
variant's price and Buy link and puts ?variant=SKU in the address; an address with
?variant=SKU opens on that variant; axe-core finds nothing; without JavaScript every
variant is listed with its own Buy link."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import Demo

PRODUCT = "products/smoked-salt"  # the demo's product with variants (250 g, 500 g)


def _goto(page, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"


def _shown(page) -> dict[str, str]:
    """The one variant on show: its sku, price and first Buy link."""
    items = page.locator(".variants .variant:visible")
    assert items.count() == 1, f"{items.count()} variants on show"
    item = items.first
    return {
        "sku": item.get_attribute("data-sku"),
        "price": item.locator(".price data").first.get_attribute("value"),
        "buy": item.locator("a.buy").first.get_attribute("href"),
    }


def _variant_in_address(page) -> list[str] | None:
    return parse_qs(urlsplit(page.url).query).get("variant")


def _tab_to_picker(page) -> None:
    """Press Tab from the top of the page until a variant radio button has focus."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name === 'variant'"):
            return
    raise AssertionError("the variant picker cannot be reached with Tab")


@pytest.mark.parametrize("edition", ["en-gb", "ar"])
def test_pick_a_variant_with_the_keyboard(page, demo: Demo, edition: str) -> None:
    _goto(page, demo.url(PRODUCT, edition))
    assert page.locator("fieldset.variant-picker").is_visible()
    before = _shown(page)
    assert before["sku"] == "SALT-001-250"
    assert _variant_in_address(page) is None  # the product's own URL until a choice
    _tab_to_picker(page)
    page.keyboard.press("ArrowDown")  # arrow keys move within a radio group
    after = _shown(page)
    assert after["sku"] == "SALT-001-500"
    assert after["price"] != before["price"] and after["buy"] != before["buy"]
    assert _variant_in_address(page) == ["SALT-001-500"]
    radio = page.get_by_role("radio", checked=True)
    assert radio.get_attribute("value") == "SALT-001-500"
    # its accessible name says which variant and what it costs
    name = page.evaluate("() => document.activeElement.labels[0].textContent")
    assert "500" in name and any(ch.isdigit() for ch in name.split("500", 1)[1])
    page.keyboard.press("ArrowUp")
    assert _shown(page)["sku"] == "SALT-001-250"
    assert _variant_in_address(page) == ["SALT-001-250"]
    assert not page.problems.items, page.problems.items


def test_address_with_a_variant_opens_on_it(page, demo: Demo) -> None:
    _goto(page, demo.url(PRODUCT, "en-us") + "?variant=SALT-001-500")
    assert _shown(page)["sku"] == "SALT-001-500"
    assert page.get_by_role("radio", checked=True).get_attribute("value") == "SALT-001-500"
    _goto(page, demo.url(PRODUCT, "en-us") + "?variant=NO-SUCH")  # unknown: the first
    assert _shown(page)["sku"] == "SALT-001-250"


def test_picker_has_no_axe_violations(page, demo: Demo, axe_source: Path) -> None:
    _goto(page, demo.url(PRODUCT, "en-gb") + "?variant=SALT-001-500")
    page.add_script_tag(path=str(axe_source))
    violations = page.evaluate(
        """async () => {
            const r = await axe.run('.product-info', {resultTypes: ['violations']});
            return r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' '));
        }"""
    )
    assert violations == []


def test_without_javascript_every_variant_can_be_bought(browser, demo: Demo) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        _goto(page, demo.url(PRODUCT, "fr"))
        assert not page.locator("fieldset.variant-picker").is_visible()
        items = page.locator(".variants .variant:visible")
        assert items.count() == 2
        for index in range(2):
            item = items.nth(index)
            assert item.locator(".price data").count() == 1
            assert item.locator("a.buy").count() >= 1
    finally:
        context.close()
