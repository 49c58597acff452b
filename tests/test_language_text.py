"""Language-aware text: Q&A labels in each language (and a site's own), reading time by
characters where words are not separated by spaces, menus in the same order everywhere."""

from __future__ import annotations

import pytest

from helpers import build_site, page, parse_html, text_of
from mmsite.errors import MmsiteError

CONFIG = """\
title: Test Shop
base_url: https://shop.example/
default_language: en
languages:
  en: {locale: en_US}
  fr: {locale: fr_FR}
  es: {locale: es_ES}
  de: {locale: de_DE}
  ja: {locale: ja_JP}
  nl: {locale: nl_NL}
qa_labels:
  nl: {question: [V], answer: [A, Antw]}
"""
SERIES = "content/series/talks"
INTERVIEWS = {
    "en": "**Q:** Why?\n\n**A:** Because.\n\nAnd more.",
    "fr": "**Q :** Pourquoi ?\n\n**R :** Parce que.\n\nEt plus.",
    "es": "**P:** ¿Por qué?\n\n**R:** Porque.\n\nY más.",
    "de": "**F:** Warum?\n\n**A:** Darum.\n\nUnd mehr.",
    "ja": "**問：** なぜ？\n\n**答：** だから。\n\nそして。",
    "nl": "**V:** Waarom?\n\n**Antw:** Daarom.\n\nEn meer.",
}


def _classes_and_labels(root, lang: str) -> tuple[list[str | None], list[str]]:
    prefix = "" if lang == "en" else f"{lang}/"
    doc = parse_html(root / f"public/{prefix}series/talks/one/index.html")
    body = next(e for e in doc.iter("div") if "article-body" in (e.get("class") or ""))
    labels = [text_of(s) for s in body.iter("strong") if s.get("class") == "qa-label"]
    return [p.get("class") for p in body.iter("p")], labels


def _site(make_site, extra: dict[str, str] | None = None, config: str = CONFIG):
    files = {"content/_index.md": page("Home"), f"{SERIES}/_index.md": page("Talks")}
    for lang, body in INTERVIEWS.items():
        suffix = "" if lang == "en" else f".{lang}"
        files[f"{SERIES}/one{suffix}.md"] = page(f"One {lang}", body, date="2026-01-05")
    return make_site({**files, **(extra or {})}, config)


def test_qa_labels_are_recognised_in_each_language(make_site) -> None:
    root = _site(make_site)
    result = build_site(root)
    assert result.warnings == []
    words = {
        "en": ["Question", "Answer"],
        "fr": ["Question", "Réponse"],
        "es": ["Pregunta", "Respuesta"],
        "de": ["Frage", "Antwort"],
        "ja": ["質問", "回答"],
        "nl": ["Vraag", "Antwoord"],
    }
    for lang, labels in words.items():
        classes, shown = _classes_and_labels(root, lang)
        assert classes == ["qa qa-q", "qa qa-a", "qa qa-a qa-more"], lang
        assert shown == labels, lang


def test_a_language_s_own_words_are_labels_too(make_site) -> None:
    body = "**Question :** Pourquoi ?\n\n**Réponse :** Parce que."
    root = _site(make_site, {f"{SERIES}/one.fr.md": page("Un", body)})
    build_site(root)
    classes, _labels = _classes_and_labels(root, "fr")
    assert classes == ["qa qa-q", "qa qa-a"]


def test_a_letter_is_a_label_only_in_its_language(make_site) -> None:
    # "R:" answers in French, but is nothing in English; "P:" asks only in Spanish
    body = "**P:** Pourquoi?\n\n**R:** Because."
    root = _site(make_site, {f"{SERIES}/one.md": page("One", body, date="2026-01-05")})
    build_site(root)
    classes, labels = _classes_and_labels(root, "en")
    assert classes == [None, None]
    assert labels == []


def test_qa_labels_for_an_unknown_language_is_an_error(make_site) -> None:
    config = CONFIG.replace("  nl: {question", "  sv: {question")
    root = _site(make_site, config=config)
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    assert "qa_labels" in str(caught.value)
    assert "sv" in str(caught.value)


def test_japanese_reading_time_counts_characters(make_site) -> None:
    text = "日本語の文章です。" * 420  # 3,360 letters (and 420 full stops)
    root = _site(make_site, {f"{SERIES}/one.ja.md": page("一", text)})
    build_site(root)
    doc = parse_html(root / "public/ja/series/talks/one/index.html")
    shown = [text_of(e) for e in doc.iter() if "reading-time" in (e.get("class") or "")]
    assert shown == ["7分で読めます"]


def test_menus_have_the_same_order_in_every_language(make_site) -> None:
    files = {
        "content/_index.md": page("Home"),
        "content/_index.fr.md": page("Accueil"),
        "content/about.md": page("About us"),
        "content/about.fr.md": page("À propos"),
        "content/products/_index.md": page("Shop"),
        "content/products/_index.fr.md": page("Boutique"),
        "content/series/_index.md": page("Interviews"),
        "content/series/_index.fr.md": page("Entretiens"),
        "content/zz.md": page("Contact", weight="-1"),
        "content/zz.fr.md": page("Contact"),
    }
    root = make_site(files, CONFIG)
    build_site(root)

    def menu(prefix: str) -> list[str]:
        doc = parse_html(root / f"public/{prefix}index.html")
        nav = next(doc.iter("nav"))
        return [text_of(a) for a in nav.iter("a")]

    assert menu("") == ["Contact", "About us", "Interviews", "Shop"]
    assert menu("fr/") == ["Contact", "À propos", "Entretiens", "Boutique"]


def test_the_series_heading_uses_each_language_s_colon(make_site) -> None:
    root = _site(make_site, {f"{SERIES}/_index.fr.md": page("Entretiens")})
    build_site(root)

    def heading(prefix: str) -> str:
        doc = parse_html(root / f"public/{prefix}series/talks/one/index.html")
        return text_of(next(h for h in doc.iter("h2") if h.get("id") == "series-toc-title"))

    assert heading("") == "In this series: Talks"
    assert heading("fr/") == "Dans cette série\u00a0: Entretiens"  # no break before the colon
    assert heading("ja/").startswith("このシリーズの記事：")


def test_footer_pages_are_linked_in_the_footer_in_every_language(make_site) -> None:
    files = {
        "content/_index.md": page("Home"),
        "content/_index.fr.md": page("Accueil"),
        "content/about.md": page("About us"),
        "content/imprint.md": page("Legal notice", menu="footer", weight="2"),
        "content/imprint.fr.md": page("Mentions légales"),
        "content/shipping.md": page("Shipping and returns", menu="footer", weight="1"),
        "content/shipping.fr.md": page("Livraison et retours"),
    }
    root = make_site(files, CONFIG)
    build_site(root)

    def links(prefix: str, name: str) -> list[str]:
        doc = parse_html(root / f"public/{prefix}about/index.html")
        nav = next(n for n in doc.iter("nav") if name in (n.get("class") or ""))
        return [text_of(a) for a in nav.iter("a")]

    assert links("", "main-nav") == ["About us"]  # footer pages leave the main menu
    assert links("", "footer-nav") == ["Shipping and returns", "Legal notice"]
    assert links("fr/", "footer-nav") == ["Livraison et retours", "Mentions légales"]


def test_long_articles_get_a_table_of_contents(make_site) -> None:
    body = "Intro.\n\n## Early days\n\nText.\n\n### In Cornwall\n\nText.\n\n"
    body += "## Tom & Jerry `<b>`\n\nEnd."
    short = "Intro.\n\n## Only\n\nText.\n\n## Two\n\nText."
    root = _site(
        make_site,
        {
            f"{SERIES}/one.md": page("One", body, date="2026-01-05"),
            f"{SERIES}/two.md": page("Two", short, date="2026-01-06"),
        },
    )
    build_site(root)
    doc = parse_html(root / "public/series/talks/one/index.html")
    toc = next(n for n in doc.iter("nav") if "article-toc" in (n.get("class") or ""))
    links = [(a.get("href"), text_of(a)) for a in toc.iter("a")]
    assert [text for _, text in links] == ["Early days", "In Cornwall", "Tom & Jerry <b>"]
    body_ids = {
        h.get("id")
        for h in doc.iter()
        if h.tag in ("h2", "h3") and h.get("id") and h.get("id") != "article-toc-title"
    }
    assert {href.removeprefix("#") for href, _ in links} <= body_ids
    assert len(body_ids) == 3 + 1  # the three headings and the series contents heading
    doc = parse_html(root / "public/series/talks/two/index.html")
    assert not [n for n in doc.iter("nav") if "article-toc" in (n.get("class") or "")]
