"""Interview series: ordering, per-language counts and fallback, article page, tags, JSON-LD."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import build_site, page, parse_html, text_of, tiny_jpeg
from mmsite.errors import MmsiteError

CONFIG = """\
title: Test Shop
base_url: https://shop.example/
default_language: en
missing_translation: {policy}
languages:
  en: {{locale: en_US}}
  fr: {{locale: fr_FR}}
  es: {{locale: es_ES}}
  ar: {{locale: ar_EG}}
"""

SERIES = "content/series/founders"
WHO = "{name: Ana Ruiz, company: Tela, country: ES}"


def article(title: str, body: str = "Some words.", **meta: str) -> str:
    defaults = {"date": "2026-03-14", "author": "Elowen Rowe", "interviewee": WHO}
    return page(title, body, **{**defaults, **meta})


def series_files() -> dict[str, str | bytes]:
    """Three parts; ``part:`` reverses the file-name order of b and c; c is not in ar."""
    files: dict[str, str | bytes] = {
        "content/_index.md": page("Home"),
        f"{SERIES}/_index.md": page("Founders", summary="Five talks.", image="cover.jpg"),
        f"{SERIES}/_index.fr.md": page("Fondateurs", slug="fondateurs"),
        f"{SERIES}/_index.es.md": page("Fundadores"),
        f"{SERIES}/_index.ar.md": page("المؤسسون"),
        f"{SERIES}/cover.jpg": tiny_jpeg(),
        f"{SERIES}/a.md": article(
            "First", "**Q:** Why?\n\n**A:** Because.\n\nAnd more.", part="1", tags="[exporting]"
        ),
        f"{SERIES}/c.md": article("Second", date="2026-04-01", part="2", tags="[tax, exporting]"),
        f"{SERIES}/b.md": article("Third", date="2026-05-01", part="3", updated="2026-06-01"),
    }
    for lang in ("fr", "es", "ar"):
        files[f"{SERIES}/a.{lang}.md"] = page(f"First {lang}", "**Q:** Pourquoi ?\n\n**A:** Oui.")
        files[f"{SERIES}/c.{lang}.md"] = page(f"Second {lang}")
    for lang in ("fr", "es"):
        files[f"{SERIES}/b.{lang}.md"] = page(f"Third {lang}")
    return files


@pytest.fixture
def site(make_site):
    def make(policy: str = "fallback", **extra: str | bytes) -> Path:
        root = make_site({**series_files(), **extra}, config=CONFIG.format(policy=policy))
        result = build_site(root)
        assert result.warnings == []
        return root / "public"

    return make


def doc(public: Path, path: str):
    return parse_html(public / path / "index.html")


def by_class(tree, cls: str):
    return [e for e in tree.iter() if cls in (e.get("class") or "").split()]


def toc_titles(tree) -> list[str]:
    titles = []
    for li in by_class(tree, "series-part"):
        link = li.find("a")
        titles.append(text_of(link if link is not None else li.find("span")))
    return titles


def rel_link(tree, rel: str) -> str | None:
    found = [a.get("href") for a in tree.iter("a") if a.get("rel") == rel]
    return found[0] if found else None


def test_parts_follow_part_numbers_not_file_names(site) -> None:
    public = site()
    tree = doc(public, "series/founders/a")
    assert toc_titles(tree) == ["First", "Second", "Third"]
    index = doc(public, "series/founders")
    titles = [text_of(h.find("a")) for h in by_class(index, "card-title")]
    assert titles == ["First", "Second", "Third"]


def test_file_name_order_without_part_numbers(make_site) -> None:
    files = {
        "content/_index.md": page("Home"),
        f"{SERIES}/_index.md": page("Founders"),
        f"{SERIES}/02-b.md": article("B"),
        f"{SERIES}/01-a.md": article("A"),
        f"{SERIES}/03-c.md": article("C"),
    }
    root = make_site(files)
    build_site(root)
    assert toc_titles(doc(root / "public", "series/founders/01-a")) == ["A", "B", "C"]


def test_prev_next_stop_at_the_ends(site) -> None:
    public = site()
    first, middle, last = (doc(public, f"series/founders/{n}") for n in ("a", "c", "b"))
    assert rel_link(first, "prev") is None and rel_link(first, "next") == "/series/founders/c/"
    assert rel_link(middle, "prev") == "/series/founders/a/"
    assert rel_link(middle, "next") == "/series/founders/b/"
    assert rel_link(last, "next") is None and rel_link(last, "prev") == "/series/founders/c/"
    fr = doc(public, "fr/series/fondateurs/c")
    assert rel_link(fr, "next") == "/fr/series/fondateurs/b/"


def part_of(tree) -> str:
    return text_of(by_class(tree, "part-of")[0])


def test_counts_per_language_with_fallback_marked(site) -> None:
    public = site("fallback")
    assert part_of(doc(public, "series/founders/c")) == "Part 2 of 3"
    assert part_of(doc(public, "fr/series/fondateurs/c")) == "Partie 2 sur 3"
    ar_last = doc(public, "ar/series/founders/b")
    assert part_of(ar_last) == "الجزء ٣ من ٣ · جزء واحد لم يُترجم بعد"
    assert by_class(ar_last, "notice-fallback"), "fallback page carries the notice"
    ar_first = doc(public, "ar/series/founders/a")
    parts = by_class(ar_first, "series-part")
    assert [p.get("data-fallback") is not None for p in parts] == [False, False, True]
    assert by_class(parts[2], "badge-fallback")
    assert rel_link(ar_first, "next") is not None


def test_skip_policy_drops_untranslated_parts_and_says_so(site) -> None:
    public = site("skip")
    ar_second = doc(public, "ar/series/founders/c")
    assert part_of(ar_second) == "الجزء ٢ من ٢ · جزء آخر متاح بلغات أخرى فقط"
    assert rel_link(ar_second, "next") is None
    assert not (public / "ar/series/founders/b").exists()
    assert toc_titles(ar_second) == ["First ar", "Second ar"]


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("", "March 14, 2026"),
        ("fr/", "14 mars 2026"),
        ("es/", "14 de marzo de 2026"),
        ("ar/", "١٤ مارس ٢٠٢٦"),
    ],
)
def test_dates_are_localized(site, prefix: str, expected: str) -> None:
    public = site()
    section = {"fr/": "fondateurs", "ar/": "founders", "es/": "founders", "": "founders"}[prefix]
    tree = doc(public, f"{prefix}series/{section}/a")
    time = next(e for e in by_class(tree, "article-meta")[0].iter("time"))
    assert time.get("datetime") == "2026-03-14"
    assert text_of(time) == expected


def test_article_page_shows_author_interviewee_reading_time(site) -> None:
    public = site()
    en = doc(public, "series/founders/a")
    assert text_of(by_class(en, "author")[0]) == "By Elowen Rowe"
    assert text_of(by_class(en, "reading-time")[0]) == "1 min read"
    assert text_of(by_class(en, "interviewee-name")[0]) == "Ana Ruiz"
    assert text_of(by_class(en, "interviewee-country")[0]) == "Spain"
    fr = doc(public, "fr/series/fondateurs/a")
    assert text_of(by_class(fr, "interviewee-country")[0]) == "Espagne"
    ar = doc(public, "ar/series/founders/a")
    assert text_of(by_class(ar, "interviewee-country")[0]) == "إسبانيا"
    assert text_of(by_class(ar, "reading-time")[0]) == "دقيقة قراءة واحدة"


def test_reading_time_counts_words(site) -> None:
    long = article("Long", " ".join(["word"] * 1000), part="4")
    public = site(**{f"{SERIES}/d.md": long})
    assert text_of(by_class(doc(public, "series/founders/d"), "reading-time")[0]) == "5 min read"


def test_qa_paragraphs_get_classes_and_localized_labels(site) -> None:
    public = site()
    en = doc(public, "series/founders/a")
    body = by_class(en, "article-body")[0]
    classes = [p.get("class") for p in body.iter("p")]
    assert classes == ["qa qa-q", "qa qa-a", "qa qa-a qa-more"]
    labels = [text_of(s) for s in by_class(body, "qa-label")]
    assert labels == ["Question", "Answer"]
    fr = by_class(doc(public, "fr/series/fondateurs/a"), "article-body")[0]
    assert [text_of(s) for s in by_class(fr, "qa-label")] == ["Question", "Réponse"]
    ar = by_class(doc(public, "ar/series/founders/a"), "article-body")[0]
    assert [text_of(s) for s in by_class(ar, "qa-label")] == ["سؤال", "جواب"]


def test_fallback_article_keeps_labels_in_its_own_language(site) -> None:
    public = site()
    body = by_class(doc(public, "ar/series/founders/b"), "article-body")[0]
    assert body.get("lang") == "en" and body.get("dir") == "ltr"


def jsonld(tree) -> dict:
    """The page's one JSON-LD block besides its breadcrumbs (tests/test_structured_data.py)."""
    scripts = [s for s in tree.iter("script") if s.get("type") == "application/ld+json"]
    found = [json.loads(s.text) for s in scripts]
    found = [d for d in found if d["@type"] != "BreadcrumbList"]
    assert len(found) == 1
    return found[0]


def test_article_jsonld(site) -> None:
    public = site()
    data = jsonld(doc(public, "series/founders/b"))
    assert data["@type"] == "Article"
    assert data["headline"] == "Third"
    assert data["datePublished"] == "2026-05-01"
    assert data["dateModified"] == "2026-06-01"
    assert data["author"] == {"@type": "Person", "name": "Elowen Rowe"}
    assert data["inLanguage"] == "en"
    assert data["url"] == "https://shop.example/series/founders/b/"
    assert data["isPartOf"] == {
        "@type": "CreativeWorkSeries",
        "name": "Founders",
        "url": "https://shop.example/series/founders/",
    }
    assert data["about"]["worksFor"]["address"]["addressCountry"] == "ES"
    fr = jsonld(doc(public, "fr/series/fondateurs/a"))
    assert fr["inLanguage"] == "fr" and fr["isPartOf"]["name"] == "Fondateurs"
    assert "dateModified" not in fr


def test_jsonld_cannot_close_the_script(site) -> None:
    public = site(**{f"{SERIES}/e.md": article("</script><b>x</b> & co", part="9")})
    html = (public / "series/founders/e/index.html").read_text()
    script = html[html.index('<script type="application/ld+json">') :]
    script = script[: script.index("</script>")]
    assert "<b>" not in script and "\\u003c/script\\u003e" in script
    assert jsonld(doc(public, "series/founders/e"))["headline"] == "</script><b>x</b> & co"


def test_article_image_is_absolute_in_jsonld(site) -> None:
    public = site(**{f"{SERIES}/e.md": article("Pic", part="9", image="cover.jpg")})
    assert jsonld(doc(public, "series/founders/e"))["image"] == (
        "https://shop.example/series/founders/cover.jpg"
    )
    img = by_class(doc(public, "series/founders/e"), "article-image")[0]
    assert img.get("src").startswith("/series/founders/cover-64w.")  # docs/images.md


def test_series_index_and_list_pages(site) -> None:
    public = site()
    index = doc(public, "fr/series/fondateurs")
    assert text_of(index.find(".//h1")) == "Fondateurs"
    assert text_of(by_class(index, "series-count")[0]) == "3 parties"
    assert by_class(index, "series-image")[0].get("src").startswith("/series/founders/cover-64w.")
    listing = doc(public, "ar/series")
    cards = by_class(listing, "series-card")
    assert len(cards) == 1
    assert text_of(cards[0].find(".//h2")) == "المؤسسون"
    assert "ثلاثة" not in text_of(cards[0])  # counts use plural forms with digits
    assert text_of(by_class(cards[0], "card-meta")[0]).startswith("٣ أجزاء")


def test_tag_pages_per_language_and_tags_index(site) -> None:
    public = site()
    tag = doc(public, "tags/exporting")
    titles = [text_of(h.find("a")) for h in by_class(tag, "card-title")]
    assert titles == ["Second", "First"]  # newest first
    assert text_of(by_class(tag, "count")[0]) == "2 articles"
    fr = doc(public, "fr/etiquettes/exporting")
    assert [text_of(h.find("a")) for h in by_class(fr, "card-title")] == ["Second fr", "First fr"]
    ar = doc(public, "ar/وسوم/tax")
    assert text_of(by_class(ar, "count")[0]) == "مقال واحد"
    index = doc(public, "es/etiquetas")
    links = {text_of(a): a.get("href") for a in index.iter("a") if a.get("rel") == "tag"}
    assert links == {"exporting": "/es/etiquetas/exporting/", "tax": "/es/etiquetas/tax/"}
    article_tags = doc(public, "series/founders/c")
    assert [a.get("href") for a in article_tags.iter("a") if a.get("rel") == "tag"] == [
        "/tags/tax/",
        "/tags/exporting/",
    ]
    home = doc(public, "")
    assert not [a for a in home.iter("a") if (a.get("href") or "").startswith("/tags/")]


def test_translated_tag_segment_from_a_content_page(site) -> None:
    public = site(
        **{
            "content/tags/_index.md": page("Topics", slug="topics", menu="false"),
            "content/tags/_index.fr.md": page("Sujets", slug="sujets"),
        }
    )
    assert (public / "topics/exporting/index.html").is_file()
    assert (public / "fr/sujets/exporting/index.html").is_file()


def test_feed_links_in_page_heads(site) -> None:
    public = site()
    tree = doc(public, "fr/series/fondateurs/a")
    feeds = [
        link.get("href")
        for link in tree.iter("link")
        if link.get("rel") == "alternate" and link.get("type") == "application/atom+xml"
    ]
    assert feeds == ["/fr/series/atom.xml", "/fr/series/fondateurs/atom.xml"]
    home = doc(public, "fr")
    assert [
        link.get("href") for link in home.iter("link") if link.get("type") == "application/atom+xml"
    ] == ["/fr/series/atom.xml"]


@pytest.mark.parametrize(
    ("meta", "key", "message"),
    [
        ({"part": "0"}, "part", "part must be a whole number"),
        ({"interviewee": "{name: X, country: XX}"}, "interviewee", "not an ISO 3166"),
        ({"interviewee": "{name: X, town: Y}"}, "interviewee", "unknown key 'town'"),
        ({"tags": "outsourcing"}, "tags", "tags must be a list"),
        ({"image": "missing.jpg"}, "image", "not found beside the page"),
        ({"image": "http://x.example/a.jpg"}, "image", "https://"),
        ({"author": "[1, 2]"}, "author", "author must be text"),
    ],
)
def test_bad_front_matter_names_file_and_line(make_site, meta, key, message) -> None:
    files = series_files()
    text = article("Bad", **{"part": "7", **meta})
    files[f"{SERIES}/bad.md"] = text
    root = make_site(files, config=CONFIG.format(policy="fallback"))
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    error = next(e for e in getattr(caught.value, "errors", [caught.value]) if message in e.message)
    assert error.path == root / SERIES / "bad.md"
    line = text.splitlines().index(next(x for x in text.splitlines() if x.startswith(key))) + 1
    assert error.line == line


def test_missing_date_duplicate_part_and_missing_index(make_site) -> None:
    files = series_files()
    files[f"{SERIES}/nodate.md"] = page("No date", part="8")
    files[f"{SERIES}/twin.md"] = article("Twin", part="2")
    files["content/series/orphans/x.md"] = article("Orphan")
    root = make_site(files, config=CONFIG.format(policy="fallback"))
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    text = str(caught.value)
    assert "nodate.md: an article needs a date" in text
    assert "part 2 is also used by series/founders/c.md" in text
    assert "orphans/_index.md" in text
