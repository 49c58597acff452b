"""_headers, _redirects from aliases, localized 404 pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import build_site, page, parse_html, text_of
from mmsite.errors import MmsiteError

SITE = {
    "content/_index.md": page("Home"),
    "content/_index.fr.md": page("Accueil"),
    "content/about.md": page("About", aliases="[/about-us/, /team.html]"),
    "content/about.fr.md": page("À propos", slug="a-propos", aliases="[/fr/qui/]"),
}


def parse_headers(text: str) -> dict[str, dict[str, str]]:
    """Netlify/Cloudflare ``_headers``: path lines, then indented ``Name: value`` lines."""
    rules: dict[str, dict[str, str]] = {}
    current = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith((" ", "\t")):
            name, _, value = line.strip().partition(":")
            rules[current][name] = value.strip()
        else:
            current = line.strip()
            rules[current] = {}
    return rules


def test_headers_security_for_all_long_cache_for_fingerprints(make_site) -> None:
    root = make_site(SITE)
    build_site(root)
    rules = parse_headers((root / "public/_headers").read_text())
    everything = rules.pop("/*")
    assert everything["X-Content-Type-Options"] == "nosniff"
    assert everything["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "script-src 'self'" in everything["Content-Security-Policy"]
    assert "Cache-Control" not in everything  # hosts join repeated headers: keep it per file
    assert sorted(rules) == sorted(
        "/" + p.relative_to(root / "public").as_posix()
        for p in (root / "public").glob("*/*.*.*")
        if p.suffix in (".css", ".js")
    )
    assert len(rules) >= 2  # the stylesheet and the theme's scripts, each fingerprinted
    immutable = {"Cache-Control": "public, max-age=31536000, immutable"}
    assert all(rule == immutable for rule in rules.values())


def test_site_headers_override_and_remove(make_site) -> None:
    config = """\
    title: T
    base_url: https://a.example/
    languages: {en: {}}
    headers:
      Content-Security-Policy: "default-src 'self'; script-src 'self' https://cdn.paddle.com"
      X-Frame-Options: ""
      Strict-Transport-Security: max-age=63072000
    """
    root = make_site({"content/_index.md": page("Home")}, config=config)
    build_site(root)
    everything = parse_headers((root / "public/_headers").read_text())["/*"]
    assert everything["Content-Security-Policy"].endswith("https://cdn.paddle.com")
    assert "X-Frame-Options" not in everything
    assert everything["Strict-Transport-Security"] == "max-age=63072000"


def test_redirects_and_stub_pages_from_aliases(make_site) -> None:
    root = make_site(SITE)
    build_site(root, base_url="https://a.example/shop/")
    public = root / "public"
    lines = [
        line.split()
        for line in (public / "_redirects").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines == [
        ["/shop/about-us/", "/shop/about/", "301"],
        ["/shop/fr/qui/", "/shop/fr/a-propos/", "301"],
        ["/shop/team.html", "/shop/about/", "301"],
    ]
    stub = parse_html(public / "about-us/index.html")
    refresh = [m.get("content") for m in stub.iter("meta") if m.get("http-equiv") == "refresh"]
    assert refresh == ["0; url=https://a.example/shop/about/"]
    assert (public / "team.html").is_file() and (public / "fr/qui/index.html").is_file()


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ("[old/]", "alias 'old/' is not a site path"),
        ("[/a/../b/]", "is not a site path"),
        ("[https://x.example/]", "is not a site path"),
        ("[/fr/a-propos/]", "alias /fr/a-propos/ is taken: it is the page content/about.fr.md"),
        ("[/about/x/, /about/x/]", "alias /about/x/ is taken: content/other.md also lists it"),
        ("3", "aliases must be a list of old paths"),
    ],
)
def test_bad_aliases_are_errors(make_site, aliases: str, message: str) -> None:
    root = make_site({**SITE, "content/other.md": page("Other", aliases=aliases)})
    with pytest.raises(MmsiteError) as info:
        build_site(root)
    assert message in str(info.value)
    assert "content/other.md:" in str(info.value)
    assert not (root / "public").exists()


def test_localized_404_pages(make_site) -> None:
    root = make_site(SITE)
    build_site(root)
    public = root / "public"
    for rel, lang, title in (
        ("404.html", "en", "Page not found"),
        ("fr/404.html", "fr", "Page introuvable"),
        ("ar/404.html", "ar", "الصفحة غير موجودة"),
    ):
        doc = parse_html(public / rel)
        assert doc.get("lang") == lang
        assert text_of(doc.find(".//h1")) == title
        robots = [m.get("content") for m in doc.iter("meta") if m.get("name") == "robots"]
        assert robots == ["noindex"]
        assert not [x for x in doc.iter("link") if x.get("rel") == "canonical"]
    ar = parse_html(public / "ar/404.html")
    assert ar.get("dir") == "rtl"
    switcher = [a.get("href") for a in ar.iter("a") if a.get("hreflang")]
    assert switcher == ["/", "/fr/", "/ar/"]  # every edition's home
    assert "404" not in (public / "sitemap.xml").read_text()


def test_root_404_when_default_language_in_subdir(make_site, tmp_path: Path) -> None:
    config = """\
    title: T
    base_url: https://a.example/
    default_language_in_subdir: true
    languages: {en: {}, fr: {locale: fr_FR}}
    """
    root = make_site(SITE, config=config)
    build_site(root)
    public = root / "public"
    assert {"404.html", "en/404.html", "fr/404.html"} <= {
        p.relative_to(public).as_posix() for p in public.rglob("404.html")
    }
    assert parse_html(public / "404.html").get("lang") == "en"


def test_alias_of_a_page_shown_in_two_market_editions(make_site) -> None:
    config = """\
    title: T
    base_url: https://a.example/
    languages: {en: {locale: en_US}}
    markets:
      us: {currency: USD, languages: [en]}
      uk: {currency: GBP, languages: [en]}
    """
    root = make_site(
        {"content/_index.md": page("Home"), "content/about.md": page("About", aliases="[/old/]")},
        config=config,
    )
    build_site(root)
    rules = (root / "public/_redirects").read_text().splitlines()[1:]
    assert rules == ["/old/ /about/ 301"]  # the root (first) edition


def test_site_static_host_files_are_kept(make_site) -> None:
    root = make_site(
        {
            **SITE,
            "static/_redirects": "/shop/* https://kernow.myshopify.com/:splat 302\n",
            "static/_headers": "/feed.xml\n  Access-Control-Allow-Origin: *\n",
            "static/robots.txt": "User-agent: *\nDisallow: /\n",
        }
    )
    build_site(root)
    public = root / "public"
    redirects = (public / "_redirects").read_text()
    assert redirects.index("/about-us/ /about/ 301") < redirects.index("/shop/* https://")
    rules = parse_headers((public / "_headers").read_text())
    assert rules["/feed.xml"] == {"Access-Control-Allow-Origin": "*"} and "/*" in rules
    assert (public / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
