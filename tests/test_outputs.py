"""``outputs:`` in site.yaml: what a build writes beside the pages, each one switchable."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest

from helpers import REPO, build_site, page, parse_html
from mmsite.commands.cli import main
from mmsite.errors import MmsiteError
from test_incremental import assert_same_as_clean, edit

OPTIONS = ("sitemap", "robots", "feeds", "merchant_feeds", "not_found", "search")
ATOM_TYPE = "application/atom+xml"


def demo(root: Path, **outputs: bool) -> Path:
    """``root``, a fresh copy of the demo site (series, storefront, four markets; see
    conftest.demo_site), with ``outputs`` added to its site.yaml."""
    config = (REPO / "site.yaml").read_text(encoding="utf-8")
    if outputs:
        lines = "".join(f"  {key}: {str(on).lower()}\n" for key, on in outputs.items())
        config += f"outputs:\n{lines}"
    (root / "site.yaml").write_text(config, encoding="utf-8")
    return root


def files(public: Path) -> set[str]:
    return {p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()}


def index_files(public: Path) -> set[str]:
    """The search index's files (pagefind/)."""
    return {rel for rel in files(public) if rel.startswith("pagefind/")}


def feed_links(public: Path) -> list[str]:
    """Every link to an Atom feed in every built page (head links and "subscribe" links)."""
    found = []
    for path in sorted(public.rglob("*.html")):
        doc = parse_html(path)
        found += [el.get("href") for el in doc.iter("link") if el.get("type") == ATOM_TYPE]
        found += [el.get("href") for el in doc.iter("a") if el.get("type") == ATOM_TYPE]
    return found


@pytest.fixture(scope="module")
def bare(tmp_path_factory, demo_copy) -> Path:
    """The demo site built with every output turned off (read only)."""
    root = demo(
        demo_copy(tmp_path_factory.mktemp("bare") / "demo"), **dict.fromkeys(OPTIONS, False)
    )
    assert build_site(root).warnings == []
    return root


@pytest.fixture(scope="module")
def both(demo_built: Path, demo_build_result, bare: Path) -> tuple[Path, Path]:
    """The outputs of the demo built with every output (the default: the session's one
    build of it) and with every one turned off."""
    assert demo_build_result.warnings == []
    return demo_built / "public", bare / "public"


@pytest.fixture(scope="module")
def full_feed_links(both: tuple[Path, Path]) -> list[str]:
    """:func:`feed_links` of the build with every output (its pages parsed once)."""
    return feed_links(both[0])


def test_every_output_off_leaves_the_pages_only(
    both: tuple[Path, Path], full_feed_links: list[str]
) -> None:
    full, bare = both
    extra = files(full) - files(bare)
    assert files(bare) <= files(full)
    search = index_files(full)
    assert "pagefind/pagefind.js" in search and search <= extra
    names = {Path(rel).name for rel in extra - search}
    assert names == {"sitemap.xml", "robots.txt", "atom.xml", "merchant-feed.xml", "404.html"}
    # every page is still there: each index.html of the full build, and nothing else
    pages = {rel for rel in files(full) if rel.endswith("index.html")}
    assert pages <= files(bare)
    assert full_feed_links and feed_links(bare) == []


def test_pages_link_only_to_feeds_that_are_written(
    both: tuple[Path, Path], full_feed_links: list[str]
) -> None:
    full, _ = both
    for href in set(full_feed_links):
        assert (full / unquote(href).lstrip("/")).is_file(), href


# The files each output writes in the demo site, by name (the demo has a 404 page and an
# Atom feed in several folders, a merchant feed per edition with a market).
WRITES = {
    "sitemap": {"sitemap.xml"},
    "robots": {"robots.txt"},
    "feeds": {"atom.xml"},
    "merchant_feeds": {"merchant-feed.xml"},
    "not_found": {"404.html"},
}


@pytest.mark.parametrize("option", OPTIONS)
def test_each_output_turns_off_alone(
    demo_site: Path, both: tuple[Path, Path], full_feed_links: list[str], option: str
) -> None:
    """Turning one output off removes its files and nothing else, and the site still
    passes ``mmsite check``."""
    full, _ = both
    root = demo(demo_site, **{option: False})
    assert build_site(root).warnings == []
    public = root / "public"
    if option == "search":
        assert files(full) - files(public) == index_files(full)
        assert index_files(public) == set()
    else:  # the index's file names follow the pages' bytes (feed links change them)
        missing = files(full) - files(public) - index_files(full)
        assert missing and {Path(rel).name for rel in missing} == WRITES[option]
        assert index_files(public)
    assert files(public) - index_files(public) <= files(full)
    assert main(["check", "--site", str(root)]) == 0
    robots = public / "robots.txt"
    if option == "sitemap":
        text = robots.read_text(encoding="utf-8")
        assert "Sitemap:" not in text and text.startswith("User-agent: *\n")
    elif option != "robots":
        text = robots.read_text(encoding="utf-8")
        assert "Sitemap: https://kernow-salt.example/sitemap.xml" in text
    if option == "feeds":
        assert feed_links(public) == []
    else:
        assert set(feed_links(public)) == set(full_feed_links)


def test_check_passes_with_every_output_off(bare: Path) -> None:
    assert main(["check", "--site", str(bare)]) == 0  # (check without --build only reads)


def test_a_body_edit_stays_a_delta_with_outputs_off(demo_site: Path, tmp_path: Path) -> None:
    root = demo(demo_site, **dict.fromkeys(OPTIONS, False))
    build_site(root)
    article = next((root / "content/series").rglob("*.md"))
    text = article.read_text(encoding="utf-8")
    last = text.rstrip().splitlines()[-1]
    edit(article, last, last + " Edited.")
    assert build_site(root).kind == "delta"
    assert_same_as_clean(root, tmp_path)


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        ("{sitemaps: false}", r"outputs\.sitemaps: unknown key"),
        ("{feeds: no-thanks}", r"outputs\.feeds: must be true or false"),
        ("[sitemap]", r"outputs: must be a mapping"),
    ],
)
def test_outputs_are_validated_with_the_line(make_site, outputs: str, message: str) -> None:
    config = "title: T\nbase_url: https://a.example/\nlanguages: {en: {}}\n"
    config += f"outputs: {outputs}\n"
    root = make_site({"content/_index.md": page("Home")}, config=config)
    with pytest.raises(MmsiteError, match=message) as caught:
        build_site(root)
    assert caught.value.line == 4
