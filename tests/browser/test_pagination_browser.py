"""The pages of a long list in Chromium: a copy of the demo with two products per page,
at 390x844 and 1366x900, in English and Arabic (right to left). The nav's links are
44 px targets, nothing overflows sideways, the stylesheet is applied under the site's
CSP (no inline styles), and axe-core finds no serious violation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import build_site

from .conftest import _Quiet, served


def site_csp(headers: Path) -> str:
    """The policy ``_headers`` sets for every page, less upgrade-insecure-requests (the
    test server speaks plain HTTP on 127.0.0.1)."""
    lines = headers.read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("/*") + 1 :]
    csp = next(h.split(":", 1)[1].strip() for h in block if h.startswith("  Content-Security"))
    return "; ".join(d for d in csp.split("; ") if d != "upgrade-insecure-requests")


class _WithCsp(_Quiet):
    csp = ""

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", self.csp)
        super().end_headers()


WIDTHS = [{"width": 390, "height": 844}, {"width": 1366, "height": 900}]
PAGES = ["/products/page/2/", "/ar/المنتجات/صفحة/2/", "/series/micro-multinationals/page/2/"]


@pytest.fixture(scope="module")
def paged_origin(
    tmp_path_factory: pytest.TempPathFactory, demo_copy: Callable[[Path], Path]
) -> Iterator[str]:
    root = demo_copy(tmp_path_factory.mktemp("paged-demo") / "site")
    with (root / "site.yaml").open("a", encoding="utf-8") as config:
        config.write("pagination: {size: 2, series: 1}\n")
    build_site(root)
    output = root / "public"
    handler_class = type("Handler", (_WithCsp,), {"csp": site_csp(output / "_headers")})
    with served(output, handler_class) as origin:
        yield origin


def _axe_serious(page, axe_source: Path) -> list[str]:
    page.add_script_tag(path=str(axe_source))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
    )
    return list(found)


@pytest.mark.parametrize("path", PAGES)
def test_the_page_nav_fits_and_is_usable(
    browser, paged_origin: str, axe_source: Path, path: str
) -> None:
    context = _context(browser, paged_origin)
    page = context.new_page()
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    for size in WIDTHS:
        page.set_viewport_size(size)
        response = page.goto(paged_origin + path, wait_until="load")
        assert response is not None and response.ok
        nav = page.locator("nav.pagination")
        assert nav.is_visible()
        nav.scroll_into_view_if_needed()
        boxes = [link.bounding_box() for link in nav.locator("a").all()]
        assert boxes and all(
            b is not None and b["height"] >= 44 and b["width"] >= 44 for b in boxes
        )
        inside = page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
        assert inside, f"{path} scrolls sideways at {size['width']}px"
        current = nav.locator('a[aria-current="page"]')
        assert current.count() == 1
        colours = current.evaluate(
            "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
        )
        assert colours[0] != colours[1] and colours[0] not in ("rgba(0, 0, 0, 0)", "transparent")
    context.close()
    assert csp_errors == []
    context = _context(browser, paged_origin, bypass_csp=True)  # axe is an inline script
    page = context.new_page()
    for size in WIDTHS:
        page.set_viewport_size(size)
        page.goto(paged_origin + path, wait_until="load")
        assert _axe_serious(page, axe_source) == [], f"{path} at {size['width']}px"
    context.close()


def _context(browser, origin: str, bypass_csp: bool = False):
    context = browser.new_context(bypass_csp=bypass_csp)
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(origin) else route.abort()
        ),  # nothing leaves the machine
    )
    return context
