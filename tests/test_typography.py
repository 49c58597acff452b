"""French (and any listed language's) spaces around punctuation: U+202F before ; ! ?
and inside « », U+00A0 before :, in Markdown text and in what templates print; never
in code, link targets, attributes or raw HTML; the same from both Markdown engines."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import build_site, page, parse_html, text_of
from mmsite.errors import MmsiteError
from mmsite.i18n.typography import (
    NBSP,
    NNBSP,
    SPACING,
    space_punctuation,
    space_punctuation_html,
    spacing_for,
)
from mmsite.render.markdown import prepare, render_fast, render_reference

LOCALES = ["fr_FR", "fr_BE", "fr_CA", "fr_CH"]
SPACES = re.compile(f"[ {NBSP}{NNBSP}]")
TEXT = st.text(alphabet=st.sampled_from(list(" \u00a0\u202f;:!?«»abé.,'\"\n1")), max_size=60)


@given(TEXT, st.sampled_from(LOCALES))
def test_spacing_twice_is_spacing_once(text: str, locale: str) -> None:
    once = space_punctuation(text, spacing_for(locale))
    assert space_punctuation(once, spacing_for(locale)) == once


@given(TEXT, st.sampled_from(LOCALES))
def test_only_spaces_change(text: str, locale: str) -> None:
    """Removing every space gives the same text: marks and letters are never touched,
    and no space is added where none was (``«Bonjour»`` stays)."""
    spaced = space_punctuation(text, spacing_for(locale))
    assert SPACES.sub("", spaced) == SPACES.sub("", text)
    assert len(SPACES.findall(spaced)) <= len(SPACES.findall(text))


@given(TEXT, st.sampled_from(LOCALES))
def test_what_templates_print_is_spaced_alike(text: str, locale: str) -> None:
    """The per-language function templates' output goes through (its shortcut for text
    with no space at all included) spaces as space_punctuation does."""
    spacing = spacing_for(locale)
    assert spacing is not None
    assert spacing.respace(text) == space_punctuation(text, spacing)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "fr_FR",
            f"Dans cette série{NBSP}: «{NNBSP}oui{NNBSP}»{NNBSP}! Vraiment{NNBSP}? Oui{NNBSP}; non",
        ),
        ("fr_CA", f"Dans cette série{NBSP}: «{NBSP}oui{NBSP}» ! Vraiment ? Oui ; non"),
        ("fr_CH", f"Dans cette série{NBSP}: « oui »{NNBSP}! Vraiment{NNBSP}? Oui{NNBSP}; non"),
        ("en_US", "Dans cette série : « oui » ! Vraiment ? Oui ; non"),
    ],
)
def test_each_locale_spaces_its_own_way(locale: str, expected: str) -> None:
    assert (
        space_punctuation("Dans cette série : « oui » ! Vraiment ? Oui ; non", spacing_for(locale))
        == expected
    )


def test_missing_spaces_are_not_added() -> None:
    fr = spacing_for("fr_FR")
    for text in ["« Bonjour»", "«Bonjour»", "12:30", "https://a.example/?q=1", "Quoi?!", "a;b"]:
        assert space_punctuation(text, fr) == text.replace("« ", f"«{NNBSP}")


def test_the_rule_table_is_per_language() -> None:
    assert spacing_for("fr_BE") is SPACING["fr"]
    assert spacing_for("fr_CA") is SPACING["fr_CA"]
    assert spacing_for("de_DE") is None and spacing_for("en_US") is None


# -- Markdown: both engines, code untouched ----------------------------------------------

WORDS = st.sampled_from(
    ["Bonjour", "« oui »", "vraiment ?", "non !", "ceci ;", "série :", "a", "'x'"]
)
CODE = st.sampled_from(["a ; b", "x : y", "« q »", "f() !", "what ?"])


@given(st.lists(st.one_of(WORDS, CODE.map(lambda c: f"`{c}`")), min_size=1, max_size=12))
def test_code_spans_are_untouched_and_the_engines_agree(pieces: list[str]) -> None:
    text = " ".join(pieces) + "\n"
    reference = render_reference(text, "fr_FR")
    codes = [p[1:-1] for p in pieces if p.startswith("`")]
    assert re.findall(r"<code>(.*?)</code>", reference) == codes
    prepared = prepare(text, "fr_FR")
    if prepared is not None:
        assert render_fast(prepared) == reference


# HTML as the fast engine writes it: "<" only opens tags; code and pre kept verbatim.
HTML_PIECES = st.one_of(
    TEXT.map(lambda t: t.replace("<", "").replace(">", "")),
    st.sampled_from(
        [
            '<a href="https://a.example/x ?y">',
            "</a>",
            '<img src="a.png" alt="Quoi ? oui !" />',
            "<p>",
            "</p>",
            "<code>a ; b ?</code>",
            '<pre><code class="language-py">x : y\n« z »</code></pre>',
            "<pre>f() !</pre>",
            '<h2 id="pourquoi">',
            "</h2>",
        ]
    ),
)


def _spaced_between_tags(html: str, locale: str) -> str:
    """The obvious way: split at tags and verbatim elements, space each text between."""
    skip = re.compile(r"<(code|pre)[\s>].*?</\1>|<[^>]*>", re.DOTALL)
    spacing, pieces, done = spacing_for(locale), [], 0
    for match in skip.finditer(html):
        pieces += [space_punctuation(html[done : match.start()], spacing), match.group(0)]
        done = match.end()
    return "".join([*pieces, space_punctuation(html[done:], spacing)])


@given(st.lists(HTML_PIECES, max_size=14), st.sampled_from(LOCALES))
def test_html_is_spaced_between_tags_only(pieces: list[str], locale: str) -> None:
    html = "".join(pieces)
    assert space_punctuation_html(html, spacing_for(locale)) == _spaced_between_tags(html, locale)


@given(TEXT, st.sampled_from(LOCALES))
def test_text_between_tags_is_spaced_as_plain_text(text: str, locale: str) -> None:
    """Without tags, the HTML function (its quick look for a space beside a mark first)
    spaces exactly as the plain-text one."""
    text = text.replace("<", "").replace(">", "")
    spacing = spacing_for(locale)
    assert space_punctuation_html(text, spacing) == space_punctuation(text, spacing)


SAMPLES = [
    "Dans cette série : « Bonjour » ! Et `a ; b` ?\n",
    "## Pourquoi ?\n\nVoir [le lien !](https://a.example/x?y) ; fin.\n",
    "```\ncode ; here ? « x »\n```\n\nTexte : ici.\n",
    "    indented ; code ?\n\nTexte ?\n",
    "| a ? | b : |\n|:--|--:|\n| « c » | d ! |\n",
    "- un ;\n- deux :\n  - trois ?\n",
    "> Citation : « oui » !\n",
    "*Bonjour* ! **Quoi** ? _oui_ :\n",
]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("text", SAMPLES)
def test_both_engines_space_french_text_identically(text: str, locale: str) -> None:
    reference = render_reference(text, locale)
    prepared = prepare(text, locale)
    if prepared is not None:
        assert render_fast(prepared) == reference
    plain = render_reference(text, locale, typography=False)
    assert NBSP not in plain and NNBSP not in plain  # the samples have no straight quotes
    assert SPACES.sub(" ", reference) == plain


def test_headings_keep_their_ids_and_code_blocks_their_spaces() -> None:
    html = render_reference("## Pourquoi ?\n\n```\na ; b ?\n```\n", "fr_FR")
    assert html == f'<h2 id="pourquoi-">Pourquoi{NNBSP}?</h2>\n<pre><code>a ; b ?\n</code></pre>\n'


# -- a built French site -----------------------------------------------------------------

CONFIG = """\
title: Test Shop
base_url: https://shop.example/
default_language: en
markdown: {unsafe_html: true}
languages:
  en: {locale: en_US}
  fr: {locale: fr_FR}
  ca: {locale: fr_CA, title: Boutique}
"""

BODY = (
    "Dans cette série : « Bonjour » ! Le code `a ; b ?` reste.\n\n"
    "Voir [ce lien !](https://a.example/x?y=1) ; fin.\n\n"
    '<span title="raw ; html ?">brut ?</span>\n\n'
    '<div title="block ; html ?">bloc ?</div>\n'
)


def french_site(make_site, config: str = CONFIG):
    files = {
        "content/_index.md": page("Home"),
        "content/_index.fr.md": page("Accueil"),
        "content/_index.ca.md": page("Accueil"),
        "content/about.md": page("About?", "Text ; here !"),
        "content/about.fr.md": page("Pourquoi ?", BODY, summary="'Un résumé : court !'"),
        "content/about.ca.md": page("Pourquoi ?", BODY),
    }
    root = make_site(files, config=config)
    build_site(root)
    return root


def test_a_french_page_has_no_break_spaces_in_text_only(make_site) -> None:
    root = french_site(make_site)
    doc = parse_html(root / "public/fr/about/index.html")
    main = doc.find(".//main")
    paragraphs = [text_of(p) for p in main.iter("p")]
    assert (
        f"Dans cette série{NBSP}: «{NNBSP}Bonjour{NNBSP}»{NNBSP}! Le code a ; b ? reste."
        in paragraphs
    )
    assert f"Voir ce lien{NNBSP}!{NNBSP}; fin." in paragraphs
    assert [c.text for c in main.iter("code")] == ["a ; b ?"]
    link = next(a for a in main.iter("a") if a.get("href", "").startswith("https://a."))
    assert link.get("href") == "https://a.example/x?y=1"
    # raw HTML is the author's: its attributes and an HTML block as written; Markdown
    # text between two inline tags is text
    raw = next(s for s in main.iter("span") if s.get("title"))
    assert (raw.get("title"), raw.text) == ("raw ; html ?", f"brut{NNBSP}?")
    block = next(d for d in main.iter("div") if d.get("title"))
    assert (block.get("title"), block.text) == ("block ; html ?", "bloc ?")
    # what the templates print: the title (h1, <title>), the summary
    assert text_of(main.find(".//h1")) == f"Pourquoi{NNBSP}?"
    assert text_of(doc.find(".//title")).startswith(f"Pourquoi{NNBSP}?")
    assert f"Un résumé{NBSP}: court{NNBSP}!" in [text_of(p) for p in doc.iter("p")]
    # English is left alone
    english = parse_html(root / "public/about/index.html").find(".//main")
    assert "Text ; here !" in [text_of(p) for p in english.iter("p")]
    assert text_of(english.find(".//h1")) == "About?"


def test_canadian_french_spaces_its_own_way(make_site) -> None:
    root = french_site(make_site)
    main = parse_html(root / "public/ca/about/index.html").find(".//main")
    assert f"Dans cette série{NBSP}: «{NBSP}Bonjour{NBSP}» ! Le code a ; b ? reste." in [
        text_of(p) for p in main.iter("p")
    ]


def test_typography_false_keeps_ordinary_spaces(make_site) -> None:
    root = french_site(
        make_site, CONFIG.replace("fr: {locale: fr_FR}", "fr: {locale: fr_FR, typography: false}")
    )
    main = parse_html(root / "public/fr/about/index.html").find(".//main")
    assert "Dans cette série : « Bonjour » ! Le code a ; b ? reste." in [
        text_of(p) for p in main.iter("p")
    ]
    assert text_of(main.find(".//h1")) == "Pourquoi ?"


def test_typography_must_be_true_or_false(make_site) -> None:
    with pytest.raises(MmsiteError) as info:
        french_site(
            make_site,
            CONFIG.replace("fr: {locale: fr_FR}", "fr: {locale: fr_FR, typography: maybe}"),
        )
    assert "languages.fr.typography" in str(info.value) and "true or false" in str(info.value)


def test_the_demo_s_french_series_heading(demo_built) -> None:
    """ "Dans cette série :" in the demo's French series pages, and Q&A questions end
    with a narrow no-break space before "?"."""
    article = next((demo_built / "public/fr").glob("entretiens/*/03-*/index.html"))
    doc = parse_html(article)
    heading = next(h for h in doc.iter("h2") if h.get("id") == "series-toc-title")
    assert text_of(heading).startswith(f"Dans cette série{NBSP}: ")
    questions = [text_of(p) for p in doc.iter("p") if "qa-q" in (p.get("class") or "")]
    assert questions and all(q.endswith(f"{NNBSP}?") for q in questions)
