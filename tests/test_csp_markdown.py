"""Markdown output works under the theme's own Content-Security-Policy: table alignment
is a class (``align-start``, ``align-end``, ``align-center``), never a ``style``
attribute, from both Markdown engines; raw HTML an author writes stays theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import BASIC_CONFIG, build_site, page, parse_html
from mmsite.commands.checks import run_checks
from mmsite.commands.cli import main
from mmsite.engine.build import BuildOptions, load_site
from mmsite.errors import Reporter
from mmsite.features.checking import ERROR
from mmsite.render.markdown import prepare, render_fast, render_reference

TABLE = """\
| Item | Weight | Price | Note |
|:-----|-------:|:-----:|------|
| Flakes | 250 g | 9.50 | *best* |
| Smoked | 500 g | 14.00 | `SALT-001` |
"""

EXPECTED = ["align-start", "align-end", "align-center", None]


@pytest.mark.parametrize("locale", ["en_US", "fr_FR", "ar_EG", "de_DE"])
@pytest.mark.parametrize(
    "text",
    [
        TABLE,
        "> " + TABLE.replace("\n", "\n> ").rstrip("> ") + "\n",
        "- item\n\n  | a | b |\n  |--:|:-:|\n  | 1 | 2 |\n",
        "| a |\n|:-:|\n",  # a header row only
    ],
)
def test_both_engines_write_alignment_as_classes(text: str, locale: str) -> None:
    reference = render_reference(text, locale)
    assert "style=" not in reference
    assert 'class="align-' in reference
    prepared = prepare(text, locale)
    if prepared is not None:
        assert render_fast(prepared) == reference


def test_the_fast_engine_renders_aligned_tables() -> None:
    """The table above takes the fast path (so the class rewrite there is exercised)."""
    assert prepare(TABLE, "en_US") is not None


def cells(doc) -> list[list[str | None]]:
    table = doc.find(".//main//table")
    assert table is not None
    return [[cell.get("class") for cell in row] for row in table.iter("tr")]


def site_with_tables(make_site, config: str = BASIC_CONFIG, extra: str = "") -> Path:
    return make_site(
        {
            "content/_index.md": page("Home"),
            "content/_index.fr.md": page("Accueil"),
            "content/_index.ar.md": page("الرئيسية"),
            "content/prices.md": page("Prices", TABLE + extra),
            "content/prices.fr.md": page("Prix", "Un texte : « bonjour » !\n\n" + TABLE),
            "content/prices.ar.md": page("الأسعار", "[x](https://a.example/)\n\n" + TABLE),
        },
        config=config,
    )


def test_a_site_with_aligned_tables_has_classes_and_no_style_and_passes_check(
    make_site,
) -> None:
    root = site_with_tables(make_site)
    build_site(root)
    for rel in ("prices/index.html", "fr/prices/index.html", "ar/prices/index.html"):
        doc = parse_html(root / "public" / rel)
        assert cells(doc) == [EXPECTED] * 3, rel
        assert [el.tag for el in doc.iter() if el.get("style") is not None] == [], rel
    styles = [
        p.relative_to(root / "public").as_posix()
        for p in (root / "public").rglob("*.html")
        if any(el.get("style") is not None for el in parse_html(p).iter())
    ]
    assert styles == []
    site, _ = load_site(root, BuildOptions(), Reporter())
    assert [f for f in run_checks(site, root / "public") if f.check == "csp"] == []
    assert main(["check", "--site", str(root)]) == 0


def test_theme_css_aligns_by_writing_direction() -> None:
    from mmsite.config.theme import builtin_themes

    css = (builtin_themes() / "default" / "static" / "css" / "style.css").read_text("utf-8")
    for name, value in (("start", "start"), ("end", "end"), ("center", "center")):
        assert f"td.align-{name} {{ text-align: {value}; }}" in css


def test_raw_html_with_a_style_attribute_stays_the_authors_and_check_reports_it(
    make_site,
) -> None:
    """With ``unsafe_html`` the author's own ``style=`` is kept as written; ``check``
    says the CSP blocks it and where (the table beside it is clean)."""
    config = BASIC_CONFIG + "markdown: {unsafe_html: true}\n"
    root = site_with_tables(make_site, config, '\n<p style="color:red">red</p>\n')
    build_site(root)
    doc = parse_html(root / "public" / "prices" / "index.html")
    assert cells(doc) == [EXPECTED] * 3
    assert [el.get("style") for el in doc.iter() if el.get("style")] == ["color:red"]
    site, _ = load_site(root, BuildOptions(), Reporter())
    csp = [f for f in run_checks(site, root / "public") if f.check == "csp"]
    assert [(f.level, f.message.split(" is blocked")[0]) for f in csp] == [
        (ERROR, "style attribute on <p>")
    ]
    assert main(["check", "--site", str(root)]) == 1
