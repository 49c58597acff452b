"""Routing: prefixes, translated slugs, fallback/skip, hreflang, editions per market."""

from __future__ import annotations

import pytest

from helpers import build_site, card_titles, hreflangs, page, parse_html, text_of

SHOP = {
    "content/_index.md": page("Home"),
    "content/_index.fr.md": page("Accueil"),
    "content/_index.ar.md": page("الرئيسية"),
    "content/about.md": page("About us", "We make salt."),
    "content/about.fr.md": page("À propos", "Nous faisons du sel.", slug="a-propos"),
    "content/products/_index.md": page("Shop"),
    "content/products/_index.fr.md": page("Boutique", slug="produits"),
    "content/products/smoked-salt.md": page("Smoked salt", "Oak smoked.", summary="Smoky"),
    "content/products/smoked-salt.fr.md": page("Sel fumé", "Fumé au chêne.", slug="sel-fume"),
    "content/products/flakes.md": page("Flakes", "Only in English so far."),
}


def test_prefixes_and_translated_slugs(make_site) -> None:
    root = make_site(SHOP)
    build_site(root)
    public = root / "public"
    for path in (
        "index.html",
        "fr/index.html",
        "ar/index.html",
        "about/index.html",
        "fr/a-propos/index.html",
        "products/smoked-salt/index.html",
        "fr/produits/sel-fume/index.html",
        "fr/produits/index.html",
    ):
        assert (public / path).is_file(), path
    # the section slug is translated for pages inside it, even untranslated ones
    assert (public / "fr/produits/flakes/index.html").is_file()
    assert not (public / "fr/products").exists()


def test_hreflang_is_reciprocal_and_absolute(make_site) -> None:
    root = make_site(SHOP)
    build_site(root)
    public = root / "public"
    en = hreflangs(parse_html(public / "products/smoked-salt/index.html"))
    fr = hreflangs(parse_html(public / "fr/produits/sel-fume/index.html"))
    assert en == fr
    assert en == {
        "en": "https://shop.example/products/smoked-salt/",
        "fr": "https://shop.example/fr/produits/sel-fume/",
        "x-default": "https://shop.example/products/smoked-salt/",
    }
    # ar has no translation: the Arabic URL is a fallback, so not an hreflang alternate
    assert "ar" not in en


def test_fallback_page_is_marked_and_canonical_to_original(make_site) -> None:
    root = make_site(SHOP)
    build_site(root)
    doc = parse_html(root / "public/fr/produits/flakes/index.html")
    assert doc.get("lang") == "fr"
    canonical = [ln.get("href") for ln in doc.iter("link") if ln.get("rel") == "canonical"]
    assert canonical == ["https://shop.example/products/flakes/"]
    notice = [d for d in doc.iter("div") if "notice-fallback" in (d.get("class") or "")]
    assert len(notice) == 1 and "anglais" in text_of(notice[0])  # language named in French
    article = next(doc.iter("article"))
    assert article.get("lang") == "en"  # the content itself is marked as English
    assert "Only in English so far." in text_of(article)
    # switcher marks the fallback language as untranslated
    switcher = next(n for n in doc.iter("nav") if "language-switcher" in n.get("class", ""))
    links = {a.get("hreflang"): a for a in switcher.iter("a")}
    assert links["ar"].get("class") == "untranslated"


def test_skip_policy_omits_missing_translations(make_site) -> None:
    config = """\
    title: Shop
    base_url: https://shop.example/
    missing_translation: skip
    languages:
      en: {locale: en_US}
      fr: {locale: fr_FR}
    """
    root = make_site({k: v for k, v in SHOP.items() if ".ar." not in k}, config=config)
    build_site(root)
    public = root / "public"
    assert not (public / "fr/produits/flakes").exists()
    doc = parse_html(public / "products/flakes/index.html")
    switcher = [n for n in doc.iter("nav") if "language-switcher" in n.get("class", "")]
    assert switcher == []  # only one language has this page: no switcher at all
    listing = parse_html(public / "fr/produits/index.html")
    titles = card_titles(listing)
    assert titles == ["Sel fumé"]


def test_default_language_in_subdir_gets_a_picker_at_root(make_site) -> None:
    config = """\
    title: Shop
    base_url: https://shop.example/sub/
    default_language_in_subdir: true
    languages:
      en: {locale: en_US}
      fr: {locale: fr_FR}
    """
    root = make_site({k: v for k, v in SHOP.items() if ".ar." not in k}, config=config)
    build_site(root)
    public = root / "public"
    assert (public / "en/index.html").is_file()
    assert (public / "en/products/smoked-salt/index.html").is_file()
    picker = parse_html(public / "index.html")
    hrefs = sorted(a.get("href") for a in picker.iter("a"))
    assert hrefs == ["/sub/en/", "/sub/fr/"]
    doc = parse_html(public / "fr/produits/sel-fume/index.html")
    assert hreflangs(doc)["en"] == "https://shop.example/sub/en/products/smoked-salt/"


def test_language_in_two_markets_gets_two_editions(make_site) -> None:
    config = """\
    title: Shop
    base_url: https://shop.example/
    languages:
      en: {locale: en_US}
      fr: {locale: fr_FR}
    markets:
      us: {currency: USD, languages: [en]}
      uk: {currency: GBP, languages: [en]}
      eu: {currency: EUR, languages: [fr]}
    """
    root = make_site({k: v for k, v in SHOP.items() if ".ar." not in k}, config=config)
    build_site(root)
    public = root / "public"
    assert (public / "about/index.html").is_file()
    assert (public / "en-gb/about/index.html").is_file()
    links = hreflangs(parse_html(public / "en-gb/about/index.html"))
    assert links == {
        "en-US": "https://shop.example/about/",
        "en-GB": "https://shop.example/en-gb/about/",
        "fr": "https://shop.example/fr/a-propos/",
        "x-default": "https://shop.example/about/",
    }
    assert parse_html(public / "en-gb/about/index.html").get("lang") == "en-GB"


def test_translation_key_joins_differently_named_files(make_site) -> None:
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/shipping.md": page("Shipping", translation_key="shipping"),
            "content/livraison.fr.md": page("Livraison", translation_key="shipping"),
        }
    )
    build_site(root)
    links = hreflangs(parse_html(root / "public/shipping/index.html"))
    assert links["fr"] == "https://shop.example/fr/livraison/"


def test_two_pages_on_one_path_is_an_error_naming_both(make_site) -> None:
    from mmsite.errors import MmsiteError

    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/a.md": page("A", slug="same"),
            "content/b.md": page("B", slug="same"),
        }
    )
    with pytest.raises(MmsiteError) as info:
        build_site(root)
    text = str(info.value)
    assert "a.md" in text and "b.md" in text and "/same/" in text


def test_md_links_resolve_to_the_translated_url(make_site) -> None:
    root = make_site(
        SHOP
        | {
            "content/about.md": page("About", "See [salt](products/smoked-salt.md#taste)."),
            "content/about.fr.md": page(
                "À propos", "Voir [le sel](products/smoked-salt.md).", slug="a-propos"
            ),
        }
    )
    build_site(root)
    en = parse_html(root / "public/about/index.html")
    fr = parse_html(root / "public/fr/a-propos/index.html")
    en_links = [a.get("href") for a in next(en.iter("article")).iter("a")]
    fr_links = [a.get("href") for a in next(fr.iter("article")).iter("a")]
    assert "../products/smoked-salt/#taste" in en_links
    assert "../produits/sel-fume/" in fr_links
