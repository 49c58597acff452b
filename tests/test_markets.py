"""Markets, regions and locales: a language sold in several markets gets one edition per
market, each its own canonical page with its country's locale; a market that needs a
country names a real one; every language that shows products has a currency (or says
its catalog has no prices). Asserted on parsed HTML and XML of built sites."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel import Locale, localedata
from hypothesis import given
from hypothesis import strategies as st

from helpers import build_site, hreflangs, page, parse_html, text_of
from mmsite.commands.checks import run_checks
from mmsite.config.options import countries
from mmsite.engine.build import BuildOptions, load_site
from mmsite.errors import MmsiteError, Reporter
from mmsite.features.checking import ERROR, WARNING, Finding
from mmsite.i18n.editions import market_locale
from mmsite.i18n.routing import quote_path

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DEMO = "https://kernow-salt.example"

GERMAN = """\
title: Salz
base_url: https://shop.example/
default_language: en
languages:
  en: {locale: en_US}
  de: {locale: de_DE}
markets:
  us: {currency: USD, languages: [en]}
  at: {currency: EUR, languages: [de], tax: included}
  ch: {currency: CHF, languages: [de], tax: included}
"""
SALT = """\
---
title: Smoked salt
sku: SALT-1
date: 2026-01-15
price: {USD: 12, EUR: 11.5, CHF: 12.9}
category: pantry
checkout: {stripe: https://buy.stripe.com/4gw5kJ}
---
Smoky.
"""
SITE = {
    "content/_index.md": page("Home"),
    "content/_index.de.md": page("Startseite"),
    "content/about.md": page("About", date="2026-01-15"),
    "content/about.de.md": page("Über uns", slug="ueber-uns", date="2026-01-15"),
    "content/products/_index.md": page("Shop"),
    "content/products/salt.md": SALT,
}


def sitemap_urls(public: Path) -> set[str]:
    root = ET.parse(public / "sitemap.xml").getroot()
    return {loc.text or "" for loc in root.iter(f"{SM}loc")}


def canonical(doc: ET.Element) -> str | None:
    links = [link.get("href") for link in doc.iter("link") if link.get("rel") == "canonical"]
    assert len(links) <= 1
    return links[0] if links else None


def meta(doc: ET.Element, prop: str) -> str | None:
    return next((m.get("content") for m in doc.iter("meta") if m.get("property") == prop), None)


def is_fallback(doc: ET.Element) -> bool:
    return any("notice-fallback" in (div.get("class") or "") for div in doc.iter("div"))


def errors_of(root: Path) -> str:
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    return str(caught.value)


# -- defect 1: each edition's page is its own canonical --------------------------------


def test_demo_every_canonical_is_in_the_sitemap_and_its_own_unless_a_fallback(
    demo_built: Path,
) -> None:
    public = demo_built / "public"
    listed = sitemap_urls(public)
    seen = {"own": 0, "fallback": 0, "en-gb": 0}
    for path in sorted(public.rglob("index.html")):
        doc = parse_html(path)
        if any(
            m.get("name") == "robots" and "noindex" in (m.get("content") or "")
            for m in doc.iter("meta")
        ):
            continue
        rel = path.relative_to(public).parent.as_posix()
        own = f"{DEMO}/" if rel == "." else f"{DEMO}/{rel}/"
        found = canonical(doc)
        assert found is not None, rel
        assert found in listed, (rel, found)  # quoted like the sitemap's <loc>
        assert meta(doc, "og:url") == found, rel
        if is_fallback(doc):
            assert urlsplit(found).path != urlsplit(own).path, rel
            seen["fallback"] += 1
        else:
            assert urlsplit(found).path.encode() == _quoted(urlsplit(own).path), rel
            seen["own"] += 1
            seen["en-gb"] += rel.startswith("en-gb")
    assert seen["own"] > 50 and seen["fallback"] > 0 and seen["en-gb"] > 20, seen


def _quoted(path: str) -> bytes:
    return quote_path(path).encode()


def test_market_editions_are_their_own_canonicals_and_each_others_alternates(make_site) -> None:
    root = make_site(SITE, GERMAN)
    build_site(root)
    public = root / "public"
    at = parse_html(public / "de-at/products/salt/index.html")
    assert canonical(at) == "https://shop.example/products/salt/"  # a fallback: English
    about_at = parse_html(public / "de-at/ueber-uns/index.html")
    about_ch = parse_html(public / "de-ch/ueber-uns/index.html")
    assert canonical(about_at) == "https://shop.example/de-at/ueber-uns/"
    assert canonical(about_ch) == "https://shop.example/de-ch/ueber-uns/"
    expected = {
        "en": "https://shop.example/about/",
        "de-AT": "https://shop.example/de-at/ueber-uns/",
        "de-CH": "https://shop.example/de-ch/ueber-uns/",
        "x-default": "https://shop.example/about/",
    }
    assert hreflangs(about_at) == hreflangs(about_ch) == expected
    assert {"https://shop.example/de-at/ueber-uns/", "https://shop.example/de-ch/ueber-uns/"} <= (
        sitemap_urls(public)
    )
    assert about_at.get("lang") == "de-AT" and about_ch.get("lang") == "de-CH"


# -- defect 2: an edition's locale is language + its market's country ------------------


def test_demo_en_gb_writes_british_dates_and_feed_language(demo_built: Path) -> None:
    public = demo_built / "public"
    article = "series/micro-multinationals/01-global-from-day-one/index.html"
    gb, us = parse_html(public / "en-gb" / article), parse_html(public / article)
    assert text_of(gb.find(".//time")) == "15 January 2026"
    assert text_of(us.find(".//time")) == "January 15, 2026"
    assert meta(gb, "og:locale") == "en_GB" and meta(us, "og:locale") == "en_US"
    feed = ET.parse(public / "en-gb/products/merchant-feed.xml").getroot()
    assert "en-GB" in (feed.findtext("channel/description") or "")
    assert "en-US" in (
        ET.parse(public / "products/merchant-feed.xml").findtext("channel/description") or ""
    )


def test_german_editions_use_austrian_and_swiss_locales(make_site) -> None:
    root = make_site(SITE, GERMAN)
    build_site(root)
    public = root / "public"
    at = parse_html(public / "de-at/ueber-uns/index.html")
    ch = parse_html(public / "de-ch/ueber-uns/index.html")
    assert text_of(at.find(".//time")) == "15. Jänner 2026"  # CLDR de_AT
    assert text_of(ch.find(".//time")) == "15. Januar 2026"
    assert meta(at, "og:locale") == "de_AT" and meta(ch, "og:locale") == "de_CH"
    # the switcher names each edition in its language, then its market's currency
    labels = {a.get("hreflang"): text_of(a) for a in at.iter("a") if a.get("hreflang")}
    assert labels["de-AT"] == "Deutsch (Österreich) € EUR"
    assert labels["de-CH"] == "Deutsch (Schweiz) CHF"  # no symbol but the code


@given(
    st.sampled_from(["en_US", "de_DE", "fr_FR", "es_ES", "ar_EG", "pt_BR", "zh_Hant_TW"]),
    st.sampled_from(sorted(countries())),
)
def test_market_locale_is_the_country_variant_when_cldr_has_it(locale: str, region: str) -> None:
    found = market_locale(locale, region)
    base, moved = Locale.parse(locale), Locale.parse(found)
    assert moved.language == base.language and moved.script == base.script
    candidate = "_".join(p for p in (base.language, base.script, region) if p)
    assert found == (candidate if localedata.exists(candidate) else locale)


# -- defect 3: a market that needs a country names a real one --------------------------

GERMAN_MARKETS = GERMAN[GERMAN.index("  at:") :]
EU_AND_CH = GERMAN.replace(
    GERMAN_MARKETS,
    "  eu: {currency: EUR, languages: [de]}\n  ch: {currency: CHF, languages: [de]}\n",
)


def test_a_language_in_two_markets_needs_a_country_for_each(make_site) -> None:
    root = make_site({"content/_index.md": page("Home")}, EU_AND_CH)
    text = errors_of(root)
    assert "site.yaml:9: markets.eu: 'de' is sold here and in ch" in text
    assert "hint: add region:" in text and "region: DE" in text
    assert not (root / "public").exists()


def test_with_a_country_region_the_editions_are_valid_hreflang(make_site) -> None:
    config = EU_AND_CH.replace("languages: [de]}\n  ch", "languages: [de], region: DE}\n  ch")
    root = make_site(
        {"content/_index.md": page("Home"), "content/_index.de.md": page("Start")}, config
    )
    build_site(root)
    doc = parse_html(root / "public/de-de/index.html")
    assert set(hreflangs(doc)) == {"en", "de-DE", "de-CH", "x-default"}
    labels = {
        a.text.strip() for a in doc.iter("a") if a.get("hreflang", "").startswith("de")
    }  # the language's name (the currency follows in its own span)
    assert labels == {"Deutsch (Deutschland)", "Deutsch (Schweiz)"}
    assert not (root / "public/de-eu").exists()


@pytest.mark.parametrize("region", ["EU", "XX", "419", "gb"])
def test_a_region_must_be_an_iso_country(make_site, region: str) -> None:
    config = EU_AND_CH.replace(
        "languages: [de]}\n  ch", f"languages: [de], region: '{region}'}}\n  ch"
    )
    text = errors_of(make_site({"content/_index.md": page("Home")}, config))
    assert f"site.yaml:9: markets.eu.region: '{region}' is not an ISO 3166-1 country code" in text


def test_a_language_in_one_market_needs_no_region(make_site) -> None:
    config = EU_AND_CH.replace("  ch: {currency: CHF, languages: [de]}\n", "")
    root = make_site(
        {"content/_index.md": page("Home"), "content/_index.de.md": page("Start")}, config
    )
    build_site(root)
    doc = parse_html(root / "public/de/index.html")
    assert doc.get("lang") == "de" and set(hreflangs(doc)) == {"en", "de", "x-default"}


def test_two_markets_of_one_language_need_two_countries(make_site) -> None:
    config = EU_AND_CH.replace("languages: [de]}\n  ch", "languages: [de], region: CH}\n  ch")
    text = errors_of(make_site({"content/_index.md": page("Home")}, config))
    assert "'de' is sold in eu and ch, both with region CH" in text


# -- defect 4: every language that shows products has a currency -----------------------

NO_MARKET = GERMAN.replace(GERMAN_MARKETS, "").replace("de: {locale: de_DE}", "ja: {locale: ja_JP}")


def test_a_language_in_no_market_showing_products_is_an_error(make_site) -> None:
    root = make_site(
        {"content/_index.md": page("Home"), "content/products/salt.md": SALT}, NO_MARKET
    )
    text = errors_of(root)
    assert "site.yaml:6: languages.ja: products are shown in 'ja', but no market" in text
    assert "commerce: {prices: {ja: false}}" in text


def test_a_catalog_without_prices_shows_no_buy_button(make_site) -> None:
    config = NO_MARKET + "commerce: {prices: {ja: false}}\n"
    root = make_site({"content/_index.md": page("Home"), "content/products/salt.md": SALT}, config)
    build_site(root)
    ja = parse_html(root / "public/ja/products/salt/index.html")
    en = parse_html(root / "public/products/salt/index.html")
    assert [a for a in en.iter("a") if "buy" in (a.get("class") or "")]
    assert not [a for a in ja.iter("a") if "buy" in (a.get("class") or "")]
    assert not [p for p in ja.iter("p") if "price" in (p.get("class") or "").split()]


def test_a_language_without_products_needs_no_market(make_site) -> None:
    config = NO_MARKET + "missing_translation: skip\n"
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/_index.ja.md": page("ホーム"),
            "content/products/salt.md": SALT,
        },
        config,
    )
    build_site(root)
    assert (root / "public/ja/index.html").is_file()


@pytest.mark.parametrize(
    ("prices", "message"),
    [
        ("{ja: true}", "commerce.prices.ja: 'ja' is in no market, so it has no currency"),
        ("{en: false}", "commerce.prices.en: 'en' is sold in a market"),
        ("{xx: false}", "commerce.prices.xx: is not one of the site's languages"),
    ],
)
def test_prices_option_mistakes(make_site, prices: str, message: str) -> None:
    config = NO_MARKET + f"commerce: {{prices: {prices}}}\n"
    assert message in errors_of(make_site({"content/_index.md": page("Home")}, config))


# -- checks: canonical <-> sitemap <-> hreflang, category names -------------------------


def check(root: Path, only: list[str]) -> list[Finding]:
    site, _ = load_site(root, BuildOptions(), Reporter())
    return run_checks(site, root / "public", only)


def test_check_finds_a_market_page_canonical_to_another_market(
    demo_built: Path, tmp_path: Path
) -> None:
    root = tmp_path / "demo"
    shutil.copytree(demo_built, root, symlinks=True)
    assert check(root, ["canonical"]) == []
    page_path = root / "public/en-gb/about/index.html"
    html = page_path.read_text()
    page_path.write_text(
        html.replace(
            f'rel="canonical" href="{DEMO}/en-gb/about/"', f'rel="canonical" href="{DEMO}/about/"'
        ).replace('hreflang="en-GB"', 'hreflang="en-EU"', 1)
    )
    found = {(f.level, f.message) for f in check(root, ["canonical"])}
    where = "en-gb/about/index.html (content/about.md)"
    assert (
        ERROR,
        f"the sitemap lists {DEMO}/en-gb/about/, whose canonical is {DEMO}/about/",
    ) in found
    assert (
        ERROR,
        "hreflang 'en-EU' names 'EU', which is no ISO 3166-1 country (set region: on the market)",
    ) in found
    assert all(f.where == where for f in check(root, ["canonical"]) if "en-EU" in f.message)


def test_check_warns_about_untranslated_category_names(make_site) -> None:
    config = GERMAN + "commerce:\n  categories:\n    pantry: {en: Pantry}\n"
    root = make_site(SITE, config)
    build_site(root)
    assert check(root, ["categories"]) == [
        Finding(
            WARNING,
            "categories",
            "site.yaml",
            "category 'pantry' has no 'de' name in commerce.categories (shown as 'Pantry')",
        )
    ]
