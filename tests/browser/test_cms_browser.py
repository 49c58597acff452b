"""The CMS in a real browser: /admin/ of the demo with Sveltia CMS's ``test-repo``
backend, served under the Content-Security-Policy ``_headers`` gives /admin/, the CMS
script answered from its npm package (nothing leaves the machine). The editor signs in
to the test repository and sees the site's collections."""

from __future__ import annotations

import http.server
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import build_site
from mmsite.features.cms import SCRIPT

from .conftest import _missing, served

PACKAGE = Path(__file__).parent / "node_modules/@sveltia/cms/dist"
CMS = "cms:\n  backend: {name: test-repo}\n"


def admin_csp(headers: Path) -> str:
    lines = headers.read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("/admin/*") + 1 :]
    return next(h.split(":", 1)[1].strip() for h in block if h.startswith("  Content-Security"))


class _AdminHandler(http.server.SimpleHTTPRequestHandler):
    csp = ""

    def end_headers(self) -> None:
        if self.path.startswith("/admin/"):
            self.send_header("Content-Security-Policy", self.csp)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def admin_site(tmp_path_factory, demo_copy: Callable[[Path], Path]) -> Iterator[str]:
    root = demo_copy(tmp_path_factory.mktemp("cms-browser") / "demo")
    site_yaml = root / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + CMS, encoding="utf-8")
    build_site(root)
    output = root / "public"
    handler_class = type("Handler", (_AdminHandler,), {"csp": admin_csp(output / "_headers")})
    with served(output, handler_class) as origin:
        yield origin


def test_admin_opens_and_shows_the_collections(browser, admin_site: str) -> None:
    if not (PACKAGE / "sveltia-cms.js").is_file():
        _missing(f"Sveltia CMS is not installed in {PACKAGE} (cd tests/browser && npm ci)")
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    cdn = SCRIPT.rsplit("/", 1)[0] + "/"
    problems: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith(admin_site):
            request_route.continue_()
        elif url.startswith(cdn) and (PACKAGE / url[len(cdn) :]).is_file():
            request_route.fulfill(
                path=str(PACKAGE / url[len(cdn) :]),
                headers={
                    "Content-Type": "text/javascript",
                    "Access-Control-Allow-Origin": "*",
                },
            )
        else:
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    try:
        page.goto(f"{admin_site}/admin/", wait_until="load")
        page.get_by_role("button", name="Work with Test Repository").click(timeout=20_000)
        collections = page.get_by_role("tree", name="Collection List")
        collections.wait_for(timeout=20_000)
        items = collections.get_by_role("treeitem")
        items.first.wait_for(timeout=20_000)
        for label in ("Products", "Micro-multinationals", "Pages"):
            assert collections.get_by_role("treeitem", name=label).count() == 1, label
        assert items.count() == 3
        page.get_by_role("button", name="Create New Entry").first.click()
        for label in ("Title", "SKU", "Availability", "Category", "Checkout"):
            page.get_by_text(label, exact=True).first.wait_for(timeout=10_000)
        assert not problems, problems  # nothing the CSP of /admin/ blocks
    finally:
        context.close()
