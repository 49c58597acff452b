"""The default theme in a real browser: language switching, series navigation, Buy
buttons, console errors, axe-core accessibility, and screenshots in every edition."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from .conftest import REPO, Demo

HOME = "_index"
PRODUCT = "products/smoked-salt"
ARTICLE = "series/micro-multinationals/01-global-from-day-one"
SECOND = "series/micro-multinationals/02-working-with-freelancers"
SERIES = "series/micro-multinationals/_index"
PRODUCTS = "products/_index"
SHOT_PAGES = {"home": HOME, "catalog": PRODUCTS, "product": PRODUCT, "article": ARTICLE}
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
# Where each provider's checkout must lead (written out here, not taken from the code).
PROVIDER_HOSTS = {
    "stripe": ("buy.stripe.com",),
    "shopify": (".myshopify.com",),
    "gumroad": (".gumroad.com", "gumroad.com"),
    "lemonsqueezy": (".lemonsqueezy.com",),
    "paddle": ("buy.paddle.com", "pay.paddle.io"),
    "paypal": ("www.paypal.com", "paypal.com"),
}


def _editions(demo: Demo) -> list[str]:
    return [e.code for e in demo.editions]


def _goto(page, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"


def _path(url: str) -> str:
    return unquote(urlsplit(url).path)


# -- language switcher ----------------------------------------------------------


@pytest.mark.parametrize("key", [HOME, PRODUCT, ARTICLE])
def test_switching_language_lands_on_the_translation(page, demo: Demo, key: str) -> None:
    _goto(page, demo.url(key, "en-us"))
    for edition in demo.editions[1:]:
        switcher = page.locator("nav.language-switcher")
        link = switcher.locator(f'a[hreflang="{edition.hreflang}"]')
        assert link.count() == 1, f"no switcher link for {edition.code} on {page.url}"
        assert not link.is_visible()  # a closed disclosure until asked
        switcher.locator("summary").click()
        link.click()
        page.wait_for_load_state("load")
        assert _path(page.url) == _path(demo.url(key, edition.code))
        html = page.locator("html")
        assert html.get_attribute("lang") == edition.hreflang
        assert html.get_attribute("dir") == edition.direction
        current = page.locator("nav.language-switcher a[aria-current='page']")
        assert current.get_attribute("hreflang") == edition.hreflang
    assert not page.problems.items, page.problems.items


@pytest.mark.parametrize("edition", ["en-us", "ar"])
def test_phone_header_is_one_row_and_the_switcher_opens_with_the_keyboard(
    page, demo: Demo, edition: str
) -> None:
    page.set_viewport_size(WIDTHS["phone"])
    _goto(page, demo.url(PRODUCT, edition))
    header = page.locator("header.site-header").bounding_box()
    assert header is not None and header["height"] <= 72, header
    summary = page.locator("nav.language-switcher summary")
    summary.focus()
    page.keyboard.press("Enter")
    links = page.locator("nav.language-switcher a[hreflang]")
    assert links.count() == len(demo.editions)
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box is not None and links.nth(index).is_visible()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, box  # on screen
    page.keyboard.press("Tab")  # into the list: the first edition's link has the focus
    focused = page.evaluate("document.activeElement.getAttribute('hreflang')")
    assert focused == demo.editions[0].hreflang
    assert not page.problems.items, page.problems.items


# -- series ----------------------------------------------------------------------


@pytest.mark.parametrize("edition", ["en-us", "fr", "ar"])
def test_series_next_and_previous(page, demo: Demo, edition: str) -> None:
    _goto(page, demo.url(ARTICLE, edition))
    assert page.locator("a[rel='prev']").count() == 0, "part 1 has no previous part"
    page.locator("a[rel='next']").first.click()
    page.wait_for_load_state("load")
    assert _path(page.url) == _path(demo.url(SECOND, edition))
    page.locator("a[rel='prev']").first.click()
    page.wait_for_load_state("load")
    assert _path(page.url) == _path(demo.url(ARTICLE, edition))
    assert not page.problems.items, page.problems.items


# -- Buy buttons ---------------------------------------------------------------


def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n", 2)[1])


def _products() -> dict[str, dict]:
    found = {}
    for path in sorted((REPO / "content" / "products").glob("*.md")):
        if path.stem.startswith("_") or "." in path.stem:
            continue
        found[f"products/{path.stem}"] = _front_matter(path)
    return found


def _host_ok(provider: str, host: str) -> bool:
    return any(
        host.endswith(pattern) if pattern.startswith(".") else host == pattern
        for pattern in PROVIDER_HOSTS[provider]
    )


def _links(checkout: dict | None) -> list[tuple[str, str]]:
    """(provider, url) of a checkout mapping; a provider may map markets to links."""
    found = []
    for provider, value in (checkout or {}).items():
        urls = value.values() if isinstance(value, dict) else [value]
        found += [(provider, url) for url in urls]
    return found


def test_every_buy_button_goes_to_its_provider(page, demo: Demo) -> None:
    products = _products()
    assert products
    checked = 0
    for key, meta in products.items():
        own = _links(meta.get("checkout"))
        for variant in meta.get("variants") or []:
            own += _links(variant.get("checkout"))
        for edition in _editions(demo):
            _goto(page, demo.url(key, edition))
            buttons = page.locator("a.buy")
            if meta.get("availability") == "out_of_stock":
                assert buttons.count() == 0
                continue
            assert buttons.count() >= 1, f"no Buy button on {page.url}"
            for i in range(buttons.count()):
                button = buttons.nth(i)
                provider = button.get_attribute("data-provider")
                href = urlsplit(button.get_attribute("href") or "")
                assert provider in PROVIDER_HOSTS, f"{page.url}: unknown provider {provider}"
                assert href.scheme == "https", f"{page.url}: {href.geturl()}"
                assert _host_ok(provider, href.hostname or ""), f"{provider} -> {href.netloc}"
                paths = {urlsplit(u).path for p, u in own if p == provider}
                assert href.path in paths, f"{page.url}: {href.path} not in {paths}"
                # the variant picker shows one variant's buttons (test_variant_picker.py)
                unchosen = button.evaluate("b => !!b.closest('.variant[hidden]')")
                assert (button.is_visible() or unchosen) and button.inner_text().strip()
                checked += 1
    assert checked >= len(products)
    assert not page.problems.items, page.problems.items


# -- console errors ------------------------------------------------------------


def test_no_console_errors_anywhere(page, demo: Demo) -> None:
    keys = [HOME, PRODUCT, ARTICLE, SERIES, PRODUCTS, "about"]
    for key in keys:
        for edition in _editions(demo):
            if edition in demo.urls.get(key, {}):
                _goto(page, demo.url(key, edition))
    missing = demo.origin + "/no/such/page/"
    page.goto(missing)  # the 404 page itself must load cleanly (its own status is 404)
    problems = [p for p in page.problems.items if "/no/such/page/" not in p]
    assert not problems, "\n".join(problems)


# -- accessibility (axe-core) --------------------------------------------------


def _axe(page, axe_source: Path) -> list[dict]:
    page.add_script_tag(path=str(axe_source))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                          summary: n.failureSummary}))}));
        }"""
    )
    return result


def _readable(url: str, violations: list[dict]) -> str:
    lines = [f"{url}:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"      at {node['target']}")
            lines.extend(f"        {s}" for s in (node["summary"] or "").splitlines()[:3])
    return "\n".join(lines)


@pytest.mark.parametrize("key", [HOME, PRODUCT, ARTICLE, SERIES, PRODUCTS])
def test_axe_finds_no_serious_violations(page, demo: Demo, axe_source: Path, key: str) -> None:
    report = []
    for edition in _editions(demo):
        if edition not in demo.urls.get(key, {}):
            continue
        for width in WIDTHS.values():
            page.set_viewport_size(width)
            _goto(page, demo.url(key, edition))
            bad = [v for v in _axe(page, axe_source) if v["impact"] in ("serious", "critical")]
            if bad:
                report.append(_readable(f"{page.url} at {width['width']}px", bad))
    assert not report, "axe-core found serious/critical violations:\n" + "\n".join(report)


def test_keyboard_skip_link_and_focus_style(page, demo: Demo) -> None:
    _goto(page, demo.url(PRODUCT, "en-us"))
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const el = document.activeElement; const s = getComputedStyle(el);
                   const r = el.getBoundingClientRect();
                   return {cls: el.className, href: el.getAttribute('href'),
                           outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                           shadow: s.boxShadow, visible: r.width > 0 && r.height > 0 &&
                           r.top >= 0 && r.top < innerHeight}; }"""
    )
    assert focused["href"] == "#main" and focused["visible"], focused
    assert (focused["outline"] != "none" and focused["width"] > 0) or focused["shadow"] != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Every later focus stop (links, buttons) shows a visible focus indicator.
    checked = 0
    for _ in range(15):
        page.keyboard.press("Tab")
        style = page.evaluate(
            """() => { const el = document.activeElement; const s = getComputedStyle(el);
                       return [s.outlineStyle, parseFloat(s.outlineWidth), s.boxShadow,
                               el.tagName, el.outerHTML.slice(0, 80)]; }"""
        )
        if style[3] in ("BODY", "MAIN"):
            continue
        assert (style[0] != "none" and style[1] > 0) or style[2] != "none", style
        checked += 1
    assert checked >= 8


# -- screenshots ---------------------------------------------------------------


def test_screenshots_in_every_language(browser, demo: Demo, screenshots: Path) -> None:
    taken = []
    for width_name, size in WIDTHS.items():
        context = browser.new_context(viewport=size, device_scale_factor=1)
        context.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith(demo.origin) else r.abort(),
        )
        page = context.new_page()
        for edition in _editions(demo):
            for name, key in SHOT_PAGES.items():
                _goto(page, demo.url(key, edition))
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px at {size}"
                path = screenshots / f"{name}-{edition}-{width_name}.png"
                page.screenshot(path=str(path), full_page=True)
                taken.append(path)
        context.close()
    assert len(taken) == len(WIDTHS) * len(SHOT_PAGES) * len(demo.editions)
    assert all(p.stat().st_size > 5000 for p in taken)
    (screenshots / "index.json").write_text(
        json.dumps([p.name for p in taken], indent=1), encoding="utf-8"
    )
