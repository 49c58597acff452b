"""Every mistake in one run, each once: a site with mistakes of different stages (front
matter YAML, a product field, a checkout link, a page link, a template) gives them all
from one build, and a template mistake met by many pages is one line with a count."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import build_site, page, write_site
from mmsite.commands.cli import main
from mmsite.errors import BuildErrors

CONFIG = """\
title: Shop
base_url: https://shop.example/
default_language: en
languages: {en: {locale: en_US}, fr: {locale: fr_FR}}
markets: {us: {currency: USD, languages: [en]}, eu: {currency: EUR, languages: [fr]}}
"""
GOOD = "sku: {sku}\nprice: {{USD: 12.00, EUR: 11.00}}\n"


def product(title: str, sku: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\n{GOOD.format(sku=sku)}{extra}---\n{title}.\n"


FOUR = {
    # 1. front matter that is not YAML
    "content/about.md": "---\ntitle: [broken\n---\nAbout.\n",
    # 2. a product field out of its choices
    "content/products/salt.md": product("Salt", "S-1", "availability: in_stok\n"),
    # 3. a checkout link that is not https
    "content/products/pepper.md": product(
        "Pepper", "P-1", "checkout: {stripe: http://buy.stripe.com/abc}\n"
    ),
    # 4. a link to a page that does not exist
    "content/_index.md": page("Home", "See [the story](story.md)."),
    "content/products/_index.md": page("Shop"),
}


def errors_of(root: Path) -> list[str]:
    with pytest.raises(BuildErrors) as caught:
        build_site(root)
    return [str(e) for e in caught.value.errors]


def test_four_mistakes_in_one_run(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", FOUR, CONFIG)
    errors = errors_of(root)
    assert len(errors) == 4, errors
    assert len(set(errors)) == 4
    expected = [
        ("content/about.md:2", "invalid YAML"),  # line 2: where the [ opens
        ("content/products/salt.md:5", "availability must be one of in_stock"),
        ("content/products/pepper.md:5", "checkout links must start with https://"),
        ("content/_index.md:4", "link to 'story.md': no such page"),
    ]
    for where, what in expected:
        assert [e for e in errors if where in e and what in e], (where, errors)


def test_a_template_mistake_joins_the_others(tmp_path: Path) -> None:
    broken = '{% extends "base.html" %}{% block main %}{{ page.title | nosuch }}{% endblock %}'
    files = {**FOUR, "templates/page.html": broken, "content/contact.md": page("Contact")}
    root = write_site(tmp_path / "site", files, CONFIG)
    errors = errors_of(root)
    assert len(errors) == 5, errors
    template = [e for e in errors if "templates/page.html:1" in e]
    assert len(template) == 1 and "No filter named 'nosuch'" in template[0]


def test_a_failed_run_leaves_the_previous_output(tmp_path: Path) -> None:
    good = {k: v for k, v in FOUR.items() if k == "content/products/_index.md"}
    root = write_site(tmp_path / "site", {**good, "content/_index.md": page("Home")}, CONFIG)
    build_site(root)
    before = (root / "public/index.html").read_bytes()
    write_site(root, FOUR, None)
    errors_of(root)
    assert (root / "public/index.html").read_bytes() == before


def test_a_template_error_on_100_pages_is_one_line_with_a_count(tmp_path: Path, capsys) -> None:
    files = {f"content/notes/n{n:03d}.md": page(f"Note {n}", "Text.") for n in range(100)}
    files["content/_index.md"] = page("Home")
    files["templates/page.html"] = (
        '{% extends "base.html" %}{% block main %}{{ page.nosuch.deeper }}{% endblock %}'
    )
    one_language = "title: Notes\nbase_url: https://notes.example/\ndefault_language: en\n"
    root = write_site(tmp_path / "site", files, one_language + "languages: {en: {locale: en_US}}\n")
    assert main(["build", "--site", str(root)]) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines[:5]
    assert "templates/page.html:1: template error" in lines[0]
    assert "(on 100 pages)" in lines[0]


def test_a_page_without_title_is_one_mistake_not_a_template_error_everywhere(tmp_path: Path):
    files = {
        "content/_index.md": page("Home"),
        "content/about.md": "---\nsummary: No title here.\n---\nAbout.\n",
        "content/contact.md": page("Contact"),
        "content/products/_index.md": page("Shop"),
    }
    root = write_site(tmp_path / "site", files, CONFIG)
    errors = errors_of(root)
    assert len(errors) == 1 and "about.md:1: missing title" in errors[0], errors
