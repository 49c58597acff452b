"""Content model and rendering: inheritance, drafts, Markdown, UI strings, theme lookup."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

from helpers import build_site, page, parse_html, text_of


def inline_scripts(doc) -> list:
    """Scripts but the theme's own files (search.js: src=, no text)."""
    return [s for s in doc.iter("script") if not s.get("src") or (s.text or "").strip()]


def article(doc):
    return next(doc.iter("article"))


def test_translation_inherits_fields_from_default_language(make_site) -> None:
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/post.md": page("Post", "Body", date="2026-03-14", summary="English summary"),
            "content/post.fr.md": page("Billet", "Corps"),
        }
    )
    build_site(root)
    fr = parse_html(root / "public/fr/post/index.html")
    times = list(fr.iter("time"))
    assert times[0].get("datetime") == "2026-03-14"
    assert text_of(times[0]) == format_date(dt.date(2026, 3, 14), "long", locale="fr_FR")
    meta = {m.get("name"): m.get("content") for m in fr.iter("meta")}
    assert meta["description"] == "English summary"  # inherited, not translated yet


def test_drafts_are_left_out(make_site) -> None:
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/secret.md": page("Secret", draft="true"),
        }
    )
    build_site(root)
    assert not (root / "public/secret").exists()
    build_site(root, drafts=True)
    assert (root / "public/secret/index.html").is_file()


def test_script_in_title_is_escaped(make_site) -> None:
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/x.md": page('<script>alert("x")</script>', summary="'\"><b>bold</b>'"),
        }
    )
    build_site(root)
    doc = parse_html(root / "public/x/index.html")
    assert inline_scripts(doc) == []
    assert list(doc.iter("b")) == []
    assert text_of(next(doc.iter("h1"))) == '<script>alert("x")</script>'


def test_raw_html_is_escaped_unless_the_site_allows_it(make_site) -> None:
    files = {
        "content/_index.md": page("Home"),
        "content/x.md": page("X", "<div class='raw'>hi</div>\n\n<script>alert(1)</script>"),
    }
    root = make_site(files)
    build_site(root)
    doc = parse_html(root / "public/x/index.html")
    assert inline_scripts(doc) == [] and "raw" not in {d.get("class") for d in doc.iter("div")}
    config = "title: T\nbase_url: https://x.example/\nlanguages: {en: {}}\n"
    root2 = make_site(files, config=config + "markdown: {unsafe_html: true}\n")
    build_site(root2)
    doc = parse_html(root2 / "public/x/index.html")
    assert "raw" in {d.get("class") for d in doc.iter("div")}


def test_markdown_features_and_quotes_per_language(make_site) -> None:
    body = (
        '## Our "salt"\n\nShe said "hello" -- twice.[^1]\n\n'
        "| g | price |\n|---|---|\n| 250 | 12 |\n\n[^1]: A footnote.\n"
    )
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/x.md": page("X", body),
            "content/x.fr.md": page("X", body),
            "content/x.ar.md": page("X", body),
        }
    )
    build_site(root)
    en = article(parse_html(root / "public/x/index.html"))
    fr = article(parse_html(root / "public/fr/x/index.html"))
    ar = article(parse_html(root / "public/ar/x/index.html"))
    h2 = next(en.iter("h2"))
    assert h2.get("id") == "our-salt" and text_of(h2) == "Our \u201csalt\u201d"
    assert "\u00ab\u202fhello\u202f\u00bb" in text_of(fr)
    assert "\u201dhello\u201c" in text_of(ar)
    assert "\u2013 twice" in text_of(en)
    assert [text_of(td) for td in en.iter("td")] == ["250", "12"]
    assert any("footnotes" in (s.get("class") or "") for s in en.iter("section"))


def test_page_resources_are_published_and_linked(make_site) -> None:
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/products/salt.md": page("Salt", "![A jar](salt.txt)"),
            "content/products/salt.txt": "not really an image\n",
        }
    )
    build_site(root)
    assert (root / "public/products/salt.txt").read_text() == "not really an image\n"
    img = next(parse_html(root / "public/products/salt/index.html").iter("img"))
    assert img.get("src") == "/products/salt.txt" and img.get("alt") == "A jar"


def test_ui_strings_plural_forms_and_site_override(make_site) -> None:
    files = {
        "content/_index.md": page("Home"),
        "content/_index.ar.md": page("Home"),
        "content/news/_index.md": page("News"),
        "content/news/_index.ar.md": page("أخبار"),
        "i18n/en.yaml": "items: {one: 'just {count} story', other: '{count} stories'}\n",
    }
    for n in range(3):
        files[f"content/news/p{n}.md"] = page(f"P{n}")
    root = make_site(files)
    build_site(root)
    count = lambda p: text_of(  # noqa: E731
        next(e for e in parse_html(p).iter("p") if e.get("class") == "count")
    )
    assert count(root / "public/news/index.html") == "3 stories"
    # Arabic has a "few" form for 3..10 with Arabic-Indic digits from the locale
    assert count(root / "public/ar/news/index.html") == "٣ عناصر"


def test_missing_ui_string_falls_back_and_is_reported_once(make_site) -> None:
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/_index.fr.md": page("Accueil"),
            "content/a.fr.md": page("A"),
            "content/b.fr.md": page("B"),
            # the site's copy of the theme overrides the built-in strings, key by key
            "themes/default/i18n/fr.yaml": "footer_tagline: Fait main.\n",
        }
    )
    result = build_site(root)
    doc = parse_html(root / "public/fr/a/index.html")
    assert "Fait main." in text_of(next(doc.iter("footer")))
    assert text_of(next(doc.iter("a"))) == "Aller au contenu"  # other keys: built-in
    assert result.warnings == []
    (root / "i18n").mkdir()
    (root / "i18n/en.yaml").write_text("footer_tagline: 'Ships in 2 days.'\n")
    (root / "themes/default/i18n/fr.yaml").unlink()
    (root / "i18n/fr.yaml").write_text("read_original: Lire\n")
    (root / "templates").mkdir()
    (root / "templates/page.html").write_text("{{ t('shipping') }}")
    (root / "i18n/en.yaml").write_text("shipping: 'Ships in 2 days.'\n")
    result = build_site(root)
    assert (root / "public/fr/a/index.html").read_text() == "Ships in 2 days."
    # one line per language that lacks it (ar too: it shows no page using it yet)
    assert [w for w in result.warnings if "shipping" in w] == [
        "1 UI string(s) missing in 'fr': shipping; using 'en' (add them to i18n/fr.yaml)",
        "1 UI string(s) missing in 'ar': shipping; using 'en' (add them to i18n/ar.yaml)",
    ]


def test_site_templates_override_the_theme(make_site) -> None:
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/x.md": page("X", date="2026-01-05"),
            "content/x.ar.md": page("X"),
            "templates/page.html": (
                "<!doctype html><html lang='{{ html_lang }}' dir='{{ dir }}'>"
                "<meta charset=utf-8><title>t</title>"
                "<p id='d'>{{ page.date|format_date('medium') }}</p>"
                "<p id='n'>{{ 1234.5|format_number }}</p></html>"
            ),
        }
    )
    build_site(root)
    doc = parse_html(root / "public/ar/x/index.html")
    assert doc.get("dir") == "rtl"
    by_id = {p.get("id"): text_of(p) for p in doc.iter("p")}
    # CLDR: ar_EG writes numbers in Arabic-Indic digits (Babel alone keeps Latin ones)
    babel_text = format_date(dt.date(2026, 1, 5), "medium", locale="ar_EG")
    assert by_id["d"] == babel_text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert by_id["d"] == "٠٥\u200f/٠١\u200f/٢٠٢٦"
    assert by_id["n"] == "١٬٢٣٤٫٥"


def test_template_error_names_the_template(make_site) -> None:
    import pytest

    from mmsite.errors import MmsiteError

    root = make_site(
        {
            "content/_index.md": page("Home"),
            "templates/page.html": "line one\n{{ page.nope.deeper }}\n",
            "content/x.md": page("X"),
        }
    )
    with pytest.raises(MmsiteError) as info:
        build_site(root)
    assert "templates/page.html:2: template error" in str(info.value)
