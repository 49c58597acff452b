"""Search in Chromium: the theme's search box on a built site served from 127.0.0.1 with
the site's own headers (its Content-Security-Policy included, as a host reading
``_headers`` sends them). A French word on a French page finds French pages only; a
Japanese query on a Japanese page finds the Japanese page."""

from __future__ import annotations

import http.server
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import build_site, write_site  # noqa: E402
from search_site import CONFIG, FILES  # noqa: E402

from .conftest import served  # noqa: E402

pytest.importorskip("pagefind", reason="Pagefind is not installed (pip install 'mmsite[search]')")


def _headers(output: Path) -> list[tuple[str, str]]:
    """The headers ``_headers`` gives every path (its ``/*`` block)."""
    found, inside = [], False
    for line in (output / "_headers").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line[0].isspace():
            inside = line.strip() == "/*"
        elif inside:
            name, value = line.strip().split(":", 1)
            found.append((name.strip(), value.strip()))
    return found


class _Site(http.server.SimpleHTTPRequestHandler):
    extra: list[tuple[str, str]] = []

    def end_headers(self) -> None:
        for name, value in self.extra:
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@dataclass(frozen=True)
class Shop:
    output: Path
    origin: str
    csp: str


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    root = write_site(tmp_path_factory.mktemp("search-browser") / "site", FILES, CONFIG)
    result = build_site(root)
    assert result.warnings == []
    output = root / "public"
    headers = _headers(output)
    csp = dict(headers)["Content-Security-Policy"]
    handler = type("Handler", (_Site,), {"extra": headers})
    with served(output, handler) as origin:
        yield Shop(output, origin, csp)


@pytest.fixture
def tab(browser, shop: Shop) -> Iterator:
    """A page that records console errors (CSP violations among them), page errors and
    failed requests; nothing leaves 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(shop.origin) else route.abort()
        ),
    )
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console.{msg.type}: {msg.text}")
            if msg.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    page.problems = problems  # type: ignore[attr-defined]
    yield page
    context.close()


def _search(page, shop: Shop, path: str, query: str) -> list[str]:
    response = page.goto(shop.origin + path, wait_until="load")
    assert response is not None and response.ok
    assert response.headers.get("content-security-policy") == shop.csp
    box = page.get_by_role("searchbox")
    box.fill(query)
    status = page.locator(".search-status")
    status.wait_for(state="visible", timeout=15000)
    page.wait_for_function(
        "() => document.querySelector('.search-status').textContent.trim() !== ''"
    )
    links = page.locator(".search-results a")
    return [unquote(urlsplit(href).path) for href in links.evaluate_all("l => l.map(a => a.href)")]


def test_a_french_word_finds_french_pages_only(tab, shop: Shop) -> None:
    found = _search(tab, shop, "/fr/", "chêne")
    assert found == ["/fr/products/sel-fume/"]
    assert tab.locator(".search-status").text_content() == "1 résultat"
    assert tab.locator(".search-results mark").first.text_content().lower() == "chêne"
    found = _search(tab, shop, "/fr/products/", "sel")
    assert found and all(path.startswith("/fr/") for path in found), found
    assert tab.problems == []


def test_an_english_word_is_not_found_on_a_french_page(tab, shop: Shop) -> None:
    assert _search(tab, shop, "/fr/", "oak") == []
    assert tab.locator(".search-status").text_content() == "Aucun résultat"
    assert _search(tab, shop, "/", "oak") == ["/products/smoked-salt/"]
    assert tab.problems == []


def test_a_japanese_query_finds_the_japanese_page(tab, shop: Shop) -> None:
    found = _search(tab, shop, "/ja/", "燻製")
    assert found and found[0] == "/ja/products/smoked-salt/", found
    assert all(path.startswith("/ja/") for path in found), found
    assert tab.problems == []


def test_results_are_reachable_by_keyboard(tab, shop: Shop) -> None:
    _search(tab, shop, "/", "salt")
    box = tab.get_by_role("searchbox")
    box.press("ArrowDown")
    first = tab.locator(".search-results a").first
    assert first.evaluate("a => a === document.activeElement")
    tab.keyboard.press("Escape")
    assert tab.locator(".search-panel").is_hidden()
    assert box.evaluate("i => i === document.activeElement")
    assert tab.problems == []


def test_without_javascript_no_search_box(browser, shop: Shop) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(shop.origin + "/fr/", wait_until="load")
        assert page.locator("form[role='search']").count() == 1
        assert page.locator("form[role='search']").is_hidden()
    finally:
        context.close()
