"""sitemap.xml, robots.txt and head tags."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from helpers import build_site, hreflangs, page, parse_html, tiny_jpeg
from mmsite.features import seo

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}

SITE = {
    "content/_index.md": page("Home", "Welcome."),
    "content/_index.fr.md": page("Accueil", "Bienvenue."),
    "content/about.md": page("About", summary="Who we are.", updated="2026-02-03"),
    "content/about.fr.md": page("À propos", slug="a-propos", date="2025-12-01"),
    "content/products/_index.md": page("Shop"),
    "content/products/_index.fr.md": page("Boutique", slug="boutique"),
    "content/products/salt.md": page(
        "Salt", summary="Flaky.", images="[salt.jpg]", date="2026-01-05"
    ),
    "content/products/salt.jpg": tiny_jpeg(),
    "content/products/only-english.md": page("Only English", date="2026-01-06"),
    "content/contact.md": page("Contact"),
}


def sitemap(public: Path) -> dict[str, dict]:
    """loc -> {"lastmod": str | None, "alternates": {hreflang: href}}"""
    root = ET.parse(public / "sitemap.xml").getroot()
    out = {}
    for url in root.findall("s:url", NS):
        links = url.findall("x:link", NS)
        out[url.findtext("s:loc", namespaces=NS)] = {
            "lastmod": url.findtext("s:lastmod", namespaces=NS),
            "alternates": {link.get("hreflang"): link.get("href") for link in links},
        }
    return out


def test_sitemap_lists_every_page_with_reciprocal_absolute_hreflang(make_site) -> None:
    root = make_site(SITE)
    build_site(root)
    entries = sitemap(root / "public")
    assert set(entries) == {
        "https://shop.example/",
        "https://shop.example/fr/",
        "https://shop.example/about/",
        "https://shop.example/fr/a-propos/",
        "https://shop.example/products/",
        "https://shop.example/fr/boutique/",
        "https://shop.example/products/salt/",
        "https://shop.example/products/only-english/",
        "https://shop.example/contact/",
    }  # fallback copies (fr/boutique/salt/, ar/...) are not canonical: left out
    for loc, entry in entries.items():
        alternates = entry["alternates"]
        assert all(href.startswith("https://shop.example/") for href in alternates.values())
        assert "x-default" in alternates
        own = [lang for lang, href in alternates.items() if href == loc and lang != "x-default"]
        assert own, f"{loc} does not list itself"
        for lang, href in alternates.items():
            if lang != "x-default":  # reciprocal: the alternate lists this page back
                assert loc in entries[href]["alternates"].values()
    assert entries["https://shop.example/about/"]["alternates"] == {
        "en": "https://shop.example/about/",
        "fr": "https://shop.example/fr/a-propos/",
        "x-default": "https://shop.example/about/",
    }


def test_lastmod_from_front_matter_and_sections_take_their_newest_child(make_site) -> None:
    root = make_site(SITE)
    build_site(root)
    entries = sitemap(root / "public")
    assert entries["https://shop.example/about/"]["lastmod"] == "2026-02-03"
    assert entries["https://shop.example/fr/a-propos/"]["lastmod"] == "2025-12-01"
    assert entries["https://shop.example/products/"]["lastmod"] == "2026-01-06"
    assert entries["https://shop.example/"]["lastmod"] == "2026-02-03"
    # not in git and no date: no lastmod rather than the build time
    assert entries["https://shop.example/contact/"]["lastmod"] is None


def _git(root: Path, *args: str, when: str | None = None) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "HOME": str(root)}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_lastmod_from_last_git_commit_of_each_file(make_site, monkeypatch) -> None:
    root = make_site(SITE)
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "one", when="2026-01-10T08:00:00+00:00")
    (root / "content/_index.fr.md").write_text(page("Accueil", "Bonjour."), encoding="utf-8")
    _git(root, "commit", "-qam", "two", when="2026-03-01T12:30:00+00:00")
    calls = []
    real_run = subprocess.run
    monkeypatch.setattr(seo.subprocess, "run", lambda *a, **k: calls.append(a) or real_run(*a, **k))
    build_site(root)
    entries = sitemap(root / "public")
    assert entries["https://shop.example/contact/"]["lastmod"] == "2026-01-10T08:00:00+00:00"
    assert entries["https://shop.example/fr/"]["lastmod"] == "2026-03-01T12:30:00+00:00"
    assert entries["https://shop.example/fr/boutique/"]["lastmod"] == "2026-01-10T08:00:00+00:00"
    assert entries["https://shop.example/about/"]["lastmod"] == "2026-02-03"  # front matter wins
    logs = [call for call in calls if "log" in call[0]]
    assert len(logs) == 1  # one git log per build, not one per file


def test_sitemap_index_over_the_limit(make_site, monkeypatch) -> None:
    monkeypatch.setattr(seo, "SITEMAP_LIMIT", 3)
    root = make_site(SITE)
    build_site(root)
    public = root / "public"
    index = ET.parse(public / "sitemap.xml").getroot()
    assert index.tag == SM + "sitemapindex"
    locs = [loc.text for loc in index.iter(SM + "loc")]
    assert locs == [f"https://shop.example/sitemap-{n}.xml" for n in (1, 2, 3)]
    urls = []
    for n in (1, 2, 3):
        part = ET.parse(public / f"sitemap-{n}.xml").getroot()
        urls += [u.text for u in part.iter(SM + "loc")]
    assert len(urls) == 9 == len(set(urls))


def test_robots_points_at_sitemap(make_site) -> None:
    config = "title: T\nbase_url: https://a.example/shop/\nlanguages: {en: {}}\n"
    config += "seo: {robots_disallow: [/drafts/]}\n"
    root = make_site({"content/_index.md": page("Home")}, config=config)
    build_site(root)
    assert (root / "public/robots.txt").read_text() == (
        "User-agent: *\nDisallow: /shop/drafts/\nSitemap: https://a.example/shop/sitemap.xml\n"
    )


def _meta(doc, key: str) -> list[str]:
    return [
        m.get("content")
        for m in doc.iter("meta")
        if m.get("property") == key or m.get("name") == key
    ]


def test_head_tags_open_graph_twitter_canonical(make_site) -> None:
    root = make_site(SITE, config=None)
    (root / "site.yaml").write_text(
        "title: Test Shop\nbase_url: https://shop.example/\nlanguages:\n"
        "  en: {locale: en_US}\n  fr: {locale: fr_FR}\n"
        "markets:\n  us: {currency: USD, languages: [en]}\n  uk: {currency: GBP, languages: [en]}\n"
        "seo: {twitter: '@testshop'}\n",
        encoding="utf-8",
    )
    build_site(root)
    doc = parse_html(root / "public/products/salt/index.html")
    assert _meta(doc, "description") == ["Flaky."]
    assert _meta(doc, "og:title") == ["Salt"]
    assert _meta(doc, "og:description") == ["Flaky."]
    # the Open Graph crop from docs/images.md (a 64x48 photo is not upscaled)
    assert [u.rsplit(".", 2)[0] for u in _meta(doc, "og:image")] == [
        "https://shop.example/products/salt-og"
    ]
    assert _meta(doc, "og:image:width") == ["64"] and _meta(doc, "og:image:height") == ["34"]
    assert _meta(doc, "og:url") == ["https://shop.example/products/salt/"]
    assert _meta(doc, "og:locale") == ["en_US"]
    assert _meta(doc, "og:locale:alternate") == ["en_GB"]
    assert _meta(doc, "og:type") == ["article"]
    assert _meta(doc, "twitter:card") == ["summary_large_image"]
    assert _meta(doc, "twitter:site") == ["@testshop"]
    canonical = [x.get("href") for x in doc.iter("link") if x.get("rel") == "canonical"]
    assert canonical == ["https://shop.example/products/salt/"]
    fr = parse_html(root / "public/fr/a-propos/index.html")
    assert _meta(fr, "og:locale") == ["fr_FR"]
    assert _meta(fr, "og:locale:alternate") == ["en_GB", "en_US"]
    assert _meta(fr, "twitter:card") == ["summary"]
    # a fallback page points search engines at the original
    fallback = parse_html(root / "public/fr/boutique/salt/index.html")
    canonical = [x.get("href") for x in fallback.iter("link") if x.get("rel") == "canonical"]
    assert canonical == ["https://shop.example/products/salt/"]


SUBDIR = """\
title: Test Shop
base_url: https://shop.example/
default_language: en
default_language_in_subdir: true
languages:
  en: {locale: en_US}
  fr: {locale: fr_FR}
  ar: {locale: ar_EG}
"""


def test_root_picker_when_default_language_in_subdir(make_site) -> None:
    root = make_site(SITE, config=SUBDIR)
    build_site(root)
    public = root / "public"
    picker = parse_html(public / "index.html")
    links = [a.get("href") for a in picker.iter("a")]
    assert links == ["/en/", "/fr/", "/ar/"]
    scripts = [s.get("src") for s in picker.iter("script")]
    assert len(scripts) == 1 and scripts[0].startswith("/js/language-picker.")
    assert (public / scripts[0].lstrip("/")).is_file()
    assert all(s.text is None for s in picker.iter("script"))  # no inline script (CSP)
    assert hreflangs(picker)["x-default"] == "https://shop.example/"
    assert hreflangs(parse_html(public / "fr/index.html"))["x-default"] == "https://shop.example/"
    entries = sitemap(public)
    assert entries["https://shop.example/"]["alternates"]["en"] == "https://shop.example/en/"
    assert "https://shop.example/en/about/" in entries


@pytest.mark.parametrize("bad", ["twitter: testshop", "robots_disallow: [drafts]", "colour: 1"])
def test_seo_options_are_validated(make_site, bad: str) -> None:
    from mmsite.errors import MmsiteError

    config = f"title: T\nbase_url: https://a.example/\nlanguages: {{en: {{}}}}\nseo: {{{bad}}}\n"
    root = make_site({"content/_index.md": page("Home")}, config=config)
    with pytest.raises(MmsiteError, match=r"seo\."):
        build_site(root)


def test_noindex_pages_stay_out_of_the_sitemap(make_site) -> None:
    root = make_site({**SITE, "content/thanks.md": page("Thank you", noindex="true")})
    build_site(root)
    assert "https://shop.example/thanks/" not in sitemap(root / "public")
    doc = parse_html(root / "public/thanks/index.html")
    assert _meta(doc, "robots") == ["noindex"]
    assert not [x for x in doc.iter("link") if x.get("rel") == "canonical"]
