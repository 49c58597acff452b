"""Pagination of long lists: the catalog, category pages, tag pages, a series' index and
the list of series, built as real sites (html5lib for pages, ElementTree for sitemaps)."""

from __future__ import annotations

import itertools
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import build_site, hreflangs, page, parse_html, text_of, write_site
from mmsite.commands.checks import run_checks
from mmsite.engine.build import BuildOptions, load_site
from mmsite.errors import MmsiteError, Reporter
from mmsite.features.checking import ERROR
from mmsite.features.pagination import check_segment_text, page_count, page_slice, page_window

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://shop.example"
STRIPE = "{stripe: https://buy.stripe.com/test_4gw5kJ}"

CONFIG = """\
title: Test Shop
base_url: https://shop.example/
default_language: en
languages:
  en: {locale: en_US, title: Test Shop}
  de: {locale: de_DE, title: Testladen}
  ar: {locale: ar_EG, title: متجر}
markets:
  us: {currency: USD, languages: [en]}
  de: {currency: EUR, languages: [de]}
  eg: {currency: EGP, languages: [ar]}
commerce:
  categories:
    pantry: {en: Pantry, de: Vorrat, ar: مؤونة}
"""


def product(n: int, markets: str = "") -> str:
    extra = {"markets": markets} if markets else {}
    return page(
        f"Salt {n:02d}",
        f"Salt number {n}.",
        sku=f"S-{n:02d}",
        price="{USD: 5.00, EUR: 5.00, EGP: 200}",
        availability="in_stock",
        category="pantry",
        weight=str(n),
        checkout=STRIPE,
        **extra,
    )


def shop(count: int, pagination: str = "pagination: {size: 2}\n", **more: str) -> dict:
    files = {
        "content/_index.md": page("Home"),
        "content/_index.de.md": page("Start"),
        "content/_index.ar.md": page("الرئيسية"),
        "content/products/_index.md": page("Shop"),
        "content/products/_index.de.md": page("Laden", slug="produkte"),
        "content/products/_index.ar.md": page("المتجر"),
    }
    for n in range(1, count + 1):
        files[f"content/products/salt-{n:02d}.md"] = product(n)
    files.update(more)
    return files


def build(tmp_path: Path, files: dict, config: str = CONFIG, pagination: str = "") -> Path:
    root = write_site(tmp_path / "site", files, config + pagination)
    build_site(root)
    return root


def html(root: Path, url: str) -> ET.Element:
    return parse_html(root / "public" / unquote(url).lstrip("/") / "index.html")


def cards(doc: ET.Element) -> list[str]:
    return [li.get("data-sku") for li in doc.iter("li") if li.get("class") == "product-card"]


def head_link(doc: ET.Element, rel: str) -> str | None:
    found = [link.get("href") for link in doc.iter("link") if link.get("rel") == rel]
    assert len(found) <= 1
    return found[0] if found else None


def pager_nav(doc: ET.Element) -> ET.Element | None:
    navs = [n for n in doc.iter("nav") if n.get("class") == "pagination"]
    assert len(navs) <= 1
    return navs[0] if navs else None


def walk(root: Path, url: str) -> list[tuple[str, ET.Element]]:
    """The pages of a list, following rel=next from its first page."""
    pages = []
    while url:
        doc = html(root, url)
        pages.append((url, doc))
        nxt = head_link(doc, "next")
        url = urlsplit(nxt).path if nxt else ""
        assert len(pages) < 100
    return pages


def sitemap_urls(root: Path) -> list[str]:
    tree = ET.parse(root / "public" / "sitemap.xml")
    return [loc.text or "" for loc in tree.getroot().iter(f"{SITEMAP}loc")]


# -- the catalog ----------------------------------------------------------------------


def test_catalog_pages_split_the_products_in_catalog_order(tmp_path: Path) -> None:
    root = build(tmp_path, shop(5), pagination="pagination: {size: 2}\n")
    pages = walk(root, "/products/")
    assert [url for url, _ in pages] == ["/products/", "/products/page/2/", "/products/page/3/"]
    assert [cards(doc) for _, doc in pages] == [["S-01", "S-02"], ["S-03", "S-04"], ["S-05"]]
    assert not (root / "public/products/page/4").exists()
    assert not (root / "public/products/page/1").exists()  # page 1 is the list's own URL


def test_each_page_has_its_own_canonical_title_and_prev_next(tmp_path: Path) -> None:
    root = build(tmp_path, shop(5), pagination="pagination: {size: 2}\n")
    first, second, last = (
        html(root, u) for u in ("/products/", "/products/page/2/", "/products/page/3/")
    )
    canonical = [head_link(d, "canonical") for d in (first, second, last)]
    assert canonical == [
        f"{BASE}/products/",
        f"{BASE}/products/page/2/",
        f"{BASE}/products/page/3/",
    ]
    assert (head_link(first, "prev"), head_link(first, "next")) == (
        None,
        f"{BASE}/products/page/2/",
    )
    assert head_link(second, "prev") == f"{BASE}/products/"
    assert head_link(second, "next") == f"{BASE}/products/page/3/"
    assert (head_link(last, "prev"), head_link(last, "next")) == (f"{BASE}/products/page/2/", None)
    titles = [text_of(d.find(".//title")) for d in (first, second, last)]
    assert titles == [
        "Shop · Test Shop",
        "Shop – Page 2 of 3 · Test Shop",
        "Shop – Page 3 of 3 · Test Shop",
    ]


def test_the_nav_marks_the_current_page_and_links_the_others(tmp_path: Path) -> None:
    root = build(tmp_path, shop(5), pagination="pagination: {size: 2}\n")
    nav = pager_nav(html(root, "/products/page/2/"))
    assert nav is not None and nav.get("aria-label") == "Pagination"
    links = [
        (text_of(a), a.get("href"), a.get("aria-current"), a.get("rel")) for a in nav.iter("a")
    ]
    assert links == [
        ("Previous", "/products/", None, "prev"),
        ("1", "/products/", None, None),
        ("2", "/products/page/2/", "page", None),
        ("3", "/products/page/3/", None, None),
        ("Next", "/products/page/3/", None, "next"),
    ]
    for a in nav.iter("a"):
        assert a.get("style") is None
    # search indexes a list once, from its first page
    mains = [html(root, u).find(".//main") for u in ("/products/", "/products/page/2/")]
    assert ["data-pagefind-body" in m.attrib for m in mains] == [True, False]
    assert not [
        s
        for s in html(root, "/products/page/2/").iter("script")
        if not s.get("src") and s.get("type") != "application/ld+json"
    ]


def test_the_segment_and_the_digits_follow_the_language(tmp_path: Path) -> None:
    root = build(tmp_path, shop(5), pagination="pagination: {size: 2}\n")
    german = html(root, "/de/produkte/seite/3/")
    assert head_link(german, "canonical") == f"{BASE}/de/produkte/seite/3/"
    assert text_of(german.find(".//title")) == "Laden – Seite 3 von 3 · Testladen"
    arabic_url = "/ar/products/صفحة/2/"
    arabic = html(root, arabic_url)
    assert text_of(arabic.find(".//title")) == "المتجر – الصفحة ٢ من ٣ · متجر"
    nav = pager_nav(arabic)
    assert nav is not None and nav.get("aria-label") == "ترقيم الصفحات"
    numbers = [text_of(a) for a in nav.iter("a") if a.get("rel") is None]
    assert numbers == ["١", "٢", "٣"]


def test_hreflang_links_the_same_page_number_where_it_exists(tmp_path: Path) -> None:
    files = shop(4)
    files["content/products/salt-05.md"] = product(5, markets="[us]")  # not sold in de, eg
    root = build(tmp_path, files, pagination="pagination: {size: 2}\n")
    assert hreflangs(html(root, "/products/page/2/")) == {
        "en": f"{BASE}/products/page/2/",
        "de": f"{BASE}/de/produkte/seite/2/",
        "ar": f"{BASE}/ar/products/%D8%B5%D9%81%D8%AD%D8%A9/2/",
        "x-default": f"{BASE}/products/page/2/",
    }
    # five products in en (three pages), four in de and ar (two)
    assert [u for u, _ in walk(root, "/de/produkte/")] == ["/de/produkte/", "/de/produkte/seite/2/"]
    assert not (root / "public/de/produkte/seite/3").exists()
    assert hreflangs(html(root, "/products/page/3/")) == {
        "en": f"{BASE}/products/page/3/",
        "x-default": f"{BASE}/products/page/3/",
    }


def test_every_page_is_in_the_sitemap_and_check_passes(tmp_path: Path) -> None:
    files = shop(5)
    root = build(tmp_path, files, pagination="pagination: {size: 2}\n")
    urls = sitemap_urls(root)
    expected = {
        f"{BASE}/products/page/2/",
        f"{BASE}/products/page/3/",
        f"{BASE}/de/produkte/seite/2/",
        f"{BASE}/de/produkte/seite/3/",
        f"{BASE}/products/category/pantry/page/2/",
        f"{BASE}/products/category/pantry/page/3/",
    }
    assert expected <= set(urls)
    assert len(urls) == len(set(urls))
    site, _ = load_site(root, BuildOptions(), Reporter())
    errors = [f for f in run_checks(site, root / "public") if f.level == ERROR]
    assert errors == []


def test_category_pages_are_paginated_below_their_own_url(tmp_path: Path) -> None:
    root = build(tmp_path, shop(5), pagination="pagination: {size: 10, category: 2}\n")
    assert not (root / "public/products/page").exists()  # the catalog: one page of 10
    pages = walk(root, "/products/category/pantry/")
    assert [u for u, _ in pages][1:] == [
        "/products/category/pantry/page/2/",
        "/products/category/pantry/page/3/",
    ]
    assert sum((cards(doc) for _, doc in pages), []) == [f"S-{n:02d}" for n in range(1, 6)]
    german = [u for u, _ in walk(root, "/de/produkte/kategorie/vorrat/")]
    assert german[-1] == "/de/produkte/kategorie/vorrat/seite/3/"


def _breadcrumbs(doc: ET.Element) -> list[tuple[str, str]]:
    scripts = [s for s in doc.iter("script") if s.get("type") == "application/ld+json"]
    found = [json.loads(s.text) for s in scripts]
    [crumbs] = [b for b in found if b["@type"] == "BreadcrumbList"]
    return [(item["name"], item["item"]) for item in crumbs["itemListElement"]]


def test_a_category_s_later_pages_have_its_breadcrumbs_then_their_own(tmp_path: Path) -> None:
    root = build(tmp_path, shop(5), pagination="pagination: {size: 10, category: 2}\n")
    first = _breadcrumbs(html(root, "/products/category/pantry/"))
    for number in (2, 3):
        url = f"/products/category/pantry/page/{number}/"
        doc = html(root, url)
        trail = _breadcrumbs(doc)
        assert trail[:-1] == first  # home ... the category's first page
        assert trail[-1] == (f"Page {number} of 3", BASE + url)
        assert text_of(doc.find(".//title")).startswith(f"Pantry – Page {number} of 3")
    german = _breadcrumbs(html(root, "/de/produkte/kategorie/vorrat/seite/2/"))
    assert german[-2] == ("Vorrat", f"{BASE}/de/produkte/kategorie/vorrat/")
    assert german[-1] == ("Seite 2 von 3", f"{BASE}/de/produkte/kategorie/vorrat/seite/2/")


def test_a_site_sets_the_segment(tmp_path: Path) -> None:
    root = build(tmp_path, shop(3), pagination="pagination: {size: 2, segment: {de: s, ar: p}}\n")
    assert (root / "public/products/page/2/index.html").is_file()  # en: the UI string
    assert (root / "public/de/produkte/s/2/index.html").is_file()
    assert (root / "public/ar/products/p/2/index.html").is_file()


def test_the_default_size_keeps_short_lists_on_one_page(tmp_path: Path) -> None:
    root = build(tmp_path, shop(5))
    doc = html(root, "/products/")
    assert pager_nav(doc) is None and head_link(doc, "next") is None
    assert not any("/page/" in url for url in sitemap_urls(root))


def test_the_demo_stays_one_page(demo_built: Path) -> None:
    assert not any(
        p.name in ("page", "seite", "pagina") for p in demo_built.rglob("*") if p.is_dir()
    )


# -- series, tags ------------------------------------------------------------------------


def series_files(parts: int) -> dict:
    files = {
        "content/_index.md": page("Home"),
        "content/series/_index.md": page("Interviews"),
        "content/series/talks/_index.md": page("Talks", "About the talks."),
    }
    for n in range(1, parts + 1):
        files[f"content/series/talks/{n:02d}-part.md"] = page(
            f"Talk {n}",
            "Text.",
            part=str(n),
            date=f"2026-01-{n:02d}",
            author="Amira",
            tags="[team]" if n % 2 else "[team, money]",
        )
    return files


SERIES_CONFIG = """\
title: Talks
base_url: https://shop.example/
default_language: en
languages:
  en: {locale: en_US}
"""


def part_titles(doc: ET.Element) -> list[str]:
    return [text_of(h) for h in doc.iter("h2") if h.get("class") == "card-title"]


def test_a_series_index_and_tag_pages_are_paginated(tmp_path: Path) -> None:
    root = build(tmp_path, series_files(5), SERIES_CONFIG, "pagination: {series: 2, tag: 3}\n")
    pages = walk(root, "/series/talks/")
    assert [u for u, _ in pages] == [
        "/series/talks/",
        "/series/talks/page/2/",
        "/series/talks/page/3/",
    ]
    assert [part_titles(d) for _, d in pages] == [
        ["Talk 1", "Talk 2"],
        ["Talk 3", "Talk 4"],
        ["Talk 5"],
    ]
    ordered = [ol for ol in pages[1][1].iter("ol") if "series-parts" in (ol.get("class") or "")]
    assert ordered[0].get("start") == "3"
    tags = walk(root, "/tags/team/")
    assert [u for u, _ in tags] == ["/tags/team/", "/tags/team/page/2/"]
    assert sorted(sum((part_titles(d) for _, d in tags), [])) == [f"Talk {n}" for n in range(1, 6)]
    back = [a.get("href") for a in tags[1][1].iter("a") if a.get("class") == "all-tags"]
    assert back == ["../../../"]  # the tag index: /tags/, from /tags/team/page/2/
    assert [a.get("href") for a in tags[0][1].iter("a") if a.get("class") == "all-tags"] == ["../"]
    site, _ = load_site(root, BuildOptions(), Reporter())
    assert [f for f in run_checks(site, root / "public") if f.level == ERROR] == []


# -- mistakes in site.yaml ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "message", "hint"),
    [
        ("pagination: {sise: 2}", "pagination.sise: unknown key", "did you mean 'size'?"),
        ("pagination: {size: 0}", "pagination.size: must be a whole number", "size: 24"),
        ("pagination: {catalog: two}", "pagination.catalog: must be a whole number", "size: 24"),
        ("pagination: {segment: {de: Seite 2}}", "'Seite 2' must be one URL-safe word", "seite"),
        ("pagination: {segment: {de: Seite}}", "'Seite' must be lowercase", "seite"),
        ("pagination: {segment: {de: '42'}}", "must not be a number", "seite"),
        ("pagination: {segment: {fr: page}}", "pagination.segment.fr: unknown key", "ar, de, en"),
    ],
)
def test_mistakes_name_the_key_and_line(
    tmp_path: Path, setting: str, message: str, hint: str
) -> None:
    root = write_site(tmp_path / "site", shop(1), CONFIG + setting + "\n")
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    error = caught.value
    assert message in str(error)
    assert error.line == CONFIG.count("\n") + 1
    assert hint in (error.hint or "")


def test_a_bad_segment_in_the_ui_strings_is_an_error(tmp_path: Path) -> None:
    files = shop(3, **{"i18n/de.yaml": "pager_segment: seite/2\n"})
    root = write_site(tmp_path / "site", files, CONFIG + "pagination: {size: 2}\n")
    with pytest.raises(MmsiteError, match=r"pager_segment in 'de' \('seite/2'\)"):
        build_site(root)


# -- properties ---------------------------------------------------------------------------


@given(items=st.integers(0, 200), size=st.integers(1, 30))
def test_pages_hold_every_item_once(items: int, size: int) -> None:
    total = page_count(items, size)
    assert total == max(1, math.ceil(items / size))
    things = list(range(items))
    pages = [page_slice(things, n, total, size) for n in range(1, total + 1)]
    assert [x for p in pages for x in p] == things
    assert all(len(p) == size for p in pages[:-1])
    assert 0 < len(pages[-1]) <= size or items == 0


@given(total=st.integers(1, 500), data=st.data())
def test_the_window_links_first_last_and_neighbours(total: int, data: st.DataObject) -> None:
    number = data.draw(st.integers(1, total))
    window = page_window(number, total)
    numbers = [n for n in window if n]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1 and numbers[-1] == total
    assert set(range(max(1, number - 2), min(total, number + 2) + 1)) <= set(numbers)
    for a, b in itertools.pairwise(window):
        assert a or b  # no two gaps in a row
        if a and b:
            assert b == a + 1
    assert len(window) <= 9


@given(st.text(max_size=12))
def test_a_segment_is_one_url_safe_word(text: str) -> None:
    if check_segment_text(text) is None:
        assert text and "/" not in text and "." not in text and not text.isdigit()
        assert text == text.lower() and not any(c.isspace() for c in text)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(count=st.integers(1, 7), size=st.integers(1, 4))
def test_built_pages_and_urls(tmp_path_factory, count: int, size: int) -> None:
    tmp = tmp_path_factory.mktemp("paged")
    root = build(tmp, shop(count), pagination=f"pagination: {{size: {size}}}\n")
    for start in ("/products/", "/de/produkte/", "/ar/products/"):
        pages = walk(root, start)
        assert len(pages) == page_count(count, size)
        assert sum((cards(d) for _, d in pages), []) == [f"S-{n:02d}" for n in range(1, count + 1)]
    urls = sitemap_urls(root)
    assert len(urls) == len(set(urls))
    assert sum("/products/page/" in u for u in urls) == page_count(count, size) - 1
