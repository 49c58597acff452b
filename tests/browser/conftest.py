"""Real-browser fixtures: the demo site built once, served from 127.0.0.1, opened in
Debian's Chromium through Playwright (never a downloaded browser).

Nothing is written below the repository: the demo is built in a temporary copy (the
session's ``demo_built``, see tests/conftest.py) and screenshots go to a temporary folder
(printed at the end of the run), or to ``$MMSITE_SCREENSHOTS`` when that is set.

Without Chromium or Playwright the browser tests are skipped locally, with the reason; in CI
(``CI=true``) they fail instead, so a broken install cannot pass unnoticed.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("MMSITE_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() == "true"


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: browser tests must run; see .ci/run)", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def sync_api():
    if not CHROMIUM.exists():
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright import sync_api
    except ImportError:
        _missing("Playwright for Python is not installed (pip install -e '.[test]')")
    return sync_api


@pytest.fixture(scope="package")
def browser(sync_api) -> Iterator:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
        )
        yield browser
        browser.close()


@dataclass(frozen=True)
class Demo:
    """The built demo site, its server's address and its routes."""

    output: Path
    origin: str  # http://127.0.0.1:PORT
    editions: list  # mmsite Edition objects, in site order
    urls: dict[str, dict[str, str]]  # group key -> edition code -> root-relative URL

    def url(self, key: str, edition: str) -> str:
        return self.origin + self.urls[key][edition]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def served(output: Path, handler: type = _Quiet) -> Iterator[str]:
    """``output`` served on 127.0.0.1 by ``handler`` (a SimpleHTTPRequestHandler) in a
    thread: yields the origin, ``http://127.0.0.1:PORT``."""
    bound = functools.partial(handler, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), bound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="package")
def demo(demo_built: Path, demo_build_result) -> Iterator[Demo]:
    from mmsite.engine.build import BuildOptions, load_site
    from mmsite.errors import Reporter

    output = demo_built / "public"  # a copy of the demo, built once per test run
    assert not demo_build_result.warnings, demo_build_result.warnings
    site, _theme = load_site(demo_built, BuildOptions(), Reporter())
    urls = {
        key: {code: route.url for code, route in routes.items()}
        for key, routes in site.router.by_group.items()
    }
    with served(output) as origin:
        yield Demo(output, origin, site.editions, urls)


@dataclass
class Problems:
    """Console errors, uncaught exceptions and failed requests seen by one page."""

    items: list[str] = field(default_factory=list)


@pytest.fixture
def context(browser, demo: Demo) -> Iterator:
    context = browser.new_context(viewport={"width": 1366, "height": 900})

    def only_local(route) -> None:
        if route.request.url.startswith(demo.origin):
            route.continue_()
        else:  # nothing leaves the machine: checkout hosts are checked, never visited
            route.abort()

    context.route("**/*", only_local)
    yield context
    context.close()


@pytest.fixture
def page(context, demo: Demo):
    """A page that records every console error, page error and failed local request."""
    page = context.new_page()
    problems = Problems()
    page.on(
        "console",
        lambda msg: (
            problems.items.append(f"console.{msg.type}: {msg.text} ({page.url})")
            if msg.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.items.append(f"page error: {exc} ({page.url})"))
    page.on(
        "response",
        lambda response: (
            problems.items.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400 and response.url.startswith(demo.origin)
            else None
        ),
    )
    page.problems = problems  # type: ignore[attr-defined]
    return page


@pytest.fixture(scope="package")
def axe_source() -> Path:
    if not AXE.is_file():
        _missing(f"axe-core is not installed at {AXE} (cd tests/browser && npm install)")
    return AXE


SCREENSHOTS: list[Path] = []  # the folder this run wrote screenshots to, if any


@pytest.fixture(scope="package")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ``$MMSITE_SCREENSHOTS`` (the last run's screenshots in it are
    deleted first; never a folder inside the repository), else a new temporary folder
    (pytest keeps the last few runs' below its base temporary folder)."""
    chosen = os.environ.get("MMSITE_SCREENSHOTS")
    if chosen:
        folder = Path(chosen).resolve()
        if folder == REPO or REPO in folder.parents:
            pytest.fail(f"MMSITE_SCREENSHOTS={chosen} is inside the repository", pytrace=False)
        folder.mkdir(parents=True, exist_ok=True)
        for old in [*folder.glob("*.png"), folder / "index.json"]:
            old.unlink(missing_ok=True)
    else:
        folder = tmp_path_factory.mktemp("screenshots")
    SCREENSHOTS.append(folder)
    return folder


def pytest_terminal_summary(terminalreporter) -> None:
    for folder in SCREENSHOTS:
        terminalreporter.write_line(f"browser screenshots: {folder}")
