"""Atom feeds: valid XML, entry counts per language and policy, absolute URLs, determinism."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib

from helpers import build_site, page
from mmsite.features.feeds import absolute_html
from test_series import CONFIG, SERIES, series_files

A = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def feed(public: Path, path: str) -> ET.Element:
    return ET.parse(public / path).getroot()


def entries(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{A}entry")


def build(make_site, policy: str = "fallback", **extra: str | bytes) -> Path:
    files = {**series_files(), **extra}
    files[f"{SERIES}/a.md"] = files[f"{SERIES}/a.md"].replace(
        "And more.", "See [part two](c.md) and ![cover](cover.jpg)."
    )
    root = make_site(files, config=CONFIG.format(policy=policy))
    assert build_site(root).warnings == []
    return root / "public"


def test_feeds_per_language_and_series_with_fallback(make_site) -> None:
    public = build(make_site)
    for prefix, series in (("", "founders"), ("fr/", "fondateurs"), ("ar/", "founders")):
        everything = feed(public, f"{prefix}series/atom.xml")
        one = feed(public, f"{prefix}series/{series}/atom.xml")
        assert everything.tag == f"{A}feed"
        assert len(entries(everything)) == 3 and len(entries(one)) == 3
    ar = feed(public, "ar/series/atom.xml")
    assert ar.get(XML_LANG) == "ar"
    langs = [e.get(XML_LANG) for e in entries(ar)]
    assert langs == ["en", None, None], "the untranslated part is marked as English"


def test_skip_policy_leaves_untranslated_parts_out(make_site) -> None:
    public = build(make_site, "skip")
    assert len(entries(feed(public, "ar/series/atom.xml"))) == 2
    assert len(entries(feed(public, "ar/series/founders/atom.xml"))) == 2
    assert len(entries(feed(public, "series/atom.xml"))) == 3


def test_feed_fields_are_absolute_and_dated_from_front_matter(make_site) -> None:
    public = build(make_site)
    root = feed(public, "fr/series/fondateurs/atom.xml")
    self_link = next(link for link in root.findall(f"{A}link") if link.get("rel") == "self")
    assert self_link.get("href") == "https://shop.example/fr/series/fondateurs/atom.xml"
    assert root.findtext(f"{A}updated") == "2026-06-01T00:00:00Z"  # part 3's `updated`
    assert root.findtext(f"{A}title") == "Fondateurs · Test Shop"
    newest, _, oldest = entries(root)
    assert newest.findtext(f"{A}title") == "Third fr"
    assert newest.findtext(f"{A}published") == "2026-05-01T00:00:00Z"
    assert newest.findtext(f"{A}updated") == "2026-06-01T00:00:00Z"
    assert oldest.findtext(f"{A}id") == "https://shop.example/fr/series/fondateurs/a/"
    assert oldest.findtext(f"{A}author/{A}name") == "Elowen Rowe"
    en = entries(feed(public, "series/founders/atom.xml"))[-1]
    content = en.find(f"{A}content")
    assert content is not None and content.get("type") == "html"
    html = html5lib.parse(content.text, namespaceHTMLElements=False)
    hrefs = [a.get("href") for a in html.iter("a")]
    srcs = [img.get("src") for img in html.iter("img")]
    assert hrefs == ["https://shop.example/series/founders/c/"]
    assert [s.split("-")[0] for s in srcs] == ["https://shop.example/series/founders/cover"]
    srcsets = [e.get("srcset") for e in [*html.iter("source"), *html.iter("img")]]
    assert srcsets and all(s.startswith("https://shop.example/series/") for s in srcsets)
    assert [p.get("class") for p in html.iter("p")][:2] == ["qa qa-q", "qa qa-a"]


def test_feeds_are_byte_for_byte_deterministic(make_site, tmp_path: Path) -> None:
    public = build(make_site)
    first = {p: p.read_bytes() for p in public.rglob("*.xml")}
    build_site(public.parent)
    assert {p: p.read_bytes() for p in public.rglob("*.xml")} == first


def test_no_feed_without_articles(make_site) -> None:
    root = make_site({"content/_index.md": page("Home")})
    build_site(root)
    assert not list((root / "public").rglob("atom.xml"))


def test_absolute_html_keeps_absolute_and_fragment_links() -> None:
    html = '<a href="https://x.example/">x</a><a href="#fn1">1</a><img src="/a.jpg" alt="">'
    out = absolute_html(html, "https://shop.example/fr/a/")
    assert 'href="https://x.example/"' in out
    assert 'href="https://shop.example/fr/a/#fn1"' in out
    assert 'src="https://shop.example/a.jpg"' in out


def test_demo_series_feeds_and_fallback(demo_built: Path, demo_build_result) -> None:
    assert demo_build_result.warnings == []  # the session's one build of the demo
    public = demo_built / "public"
    counts = {
        path.relative_to(public).as_posix(): len(
            entries(feed(public, str(path.relative_to(public))))
        )
        for path in public.rglob("atom.xml")
    }
    assert counts["series/atom.xml"] == 5
    assert counts["fr/entretiens/atom.xml"] == 5
    ar_feed = feed(public, "ar/حوارات/atom.xml")
    assert [e.get(XML_LANG) for e in entries(ar_feed)].count("en-US") == 1
