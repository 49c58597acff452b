"""Front matter is strict: a key no feature reads is an error with the file, the line
and the nearest known key; free-form data goes under ``params:``. The keys come from
the features' declarations (``Feature.front_matter``), not from one central list."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import BASIC_CONFIG, build_site, parse_html, text_of
from mmsite.content.frontmatter import Document
from mmsite.content.model import Page
from mmsite.content.strict import COMMON, FrontMatter, check_front_matter
from mmsite.errors import BuildErrors
from mmsite.features.builtin import builtin_registry
from mmsite.features.registry import Feature

SHOP = BASIC_CONFIG + "markets:\n  us: {currency: USD, languages: [en, fr, ar]}\n"
HOME = {"content/_index.md": "---\ntitle: Home\n---\n"}
PRODUCT = """\
---
title: Smoked salt
sku: SALT-001
price: {USD: 12.00}
availabilty: out_of_stock
checkout: {stripe: https://buy.stripe.com/4gw5kJ}
---
Smoky.
"""
ARTICLE = """\
---
title: Part one
date: 2026-03-14
author: Ed
tagz: [salt]
---
Q and A.
"""


def mistakes(root: Path, **options) -> list[str]:
    """Each reported mistake as ``file:line: message (hint)``."""
    with pytest.raises(BuildErrors) as caught:
        build_site(root, **options)
    return [str(error) for error in caught.value.errors]


def only(lines: list[str], pattern: str) -> str:
    found = [line for line in lines if re.search(pattern, line)]
    assert len(found) == 1, (pattern, lines)
    return found[0]


def test_a_misspelt_product_key_names_file_line_and_nearest_key(make_site) -> None:
    root = make_site(HOME | {"content/products/salt.md": PRODUCT}, SHOP)
    line = only(mistakes(root), "availabilty")
    assert "content/products/salt.md:5:" in line
    assert "unknown front matter key 'availabilty' for a product" in line
    assert "did you mean availability:?" in line
    assert not (root / "public").exists()  # nothing published with "In stock"


def test_every_mistake_of_a_site_once_in_one_run(make_site) -> None:
    files = HOME | {
        "content/products/salt.md": PRODUCT,
        "content/products/salt.fr.md": "---\ntitle: Sel\nsumary: fumé\n---\n",
        "content/series/talks/_index.md": "---\ntitle: Talks\n---\n",
        "content/series/talks/01-one.md": ARTICLE,
        "content/about.md": "---\ntitle: About\nnoindex: maybe\nmenu: nope\n---\n",
        "content/landing.md": "---\ntitle: Landing\nlayout: nothere\n---\n",
        "content/soon.md": "---\ntitle: Soon\ndate: next tuesday\n---\n",
    }
    lines = mistakes(make_site(files, SHOP))
    assert "content/soon.md:3: date must be a date" in only(lines, "next tuesday")
    assert "content/products/salt.fr.md:3:" in only(lines, "'sumary'")
    assert "did you mean summary:?" in only(lines, "'sumary'")
    assert "content/series/talks/01-one.md:5:" in only(lines, "'tagz'")
    assert "for an article" in only(lines, "'tagz'")
    assert "did you mean tags:?" in only(lines, "'tagz'")
    assert "content/about.md:3: noindex must be true or false" in only(lines, "noindex")
    assert "content/about.md:4: menu must be main, footer or false" in only(lines, "menu")
    assert "content/landing.md:3:" in only(lines, "nothere")
    assert "no template nothere.html" in only(lines, "nothere")
    assert len(lines) == 7, lines


def test_a_key_of_another_kind_of_page_says_where_it_belongs(make_site) -> None:
    root = make_site(HOME | {"content/about.md": "---\ntitle: About\nauthor: Me\n---\n"})
    line = only(mistakes(root), "'author'")
    assert "content/about.md:3:" in line and "author: is read on article pages only" in line


def test_params_are_free_form_and_reach_templates(make_site) -> None:
    template = "<p id=colour>{{ page.params.hero_colour }}</p><p id=n>{{ page.params.n }}</p>"
    root = make_site(
        HOME
        | {
            "content/about.md": "---\ntitle: About\nparams: {hero_colour: teal, n: 3}\n---\n",
            "templates/landing.html": template,
        }
    )
    (root / "content/about.md").write_text(
        "---\ntitle: About\nlayout: landing\nparams: {hero_colour: teal, n: 3}\n---\n"
    )
    build_site(root)
    doc = parse_html(root / "public/about/index.html")
    assert text_of(doc.find(".//p[@id='colour']")) == "teal"
    assert text_of(doc.find(".//p[@id='n']")) == "3"


def test_params_must_be_a_mapping(make_site) -> None:
    root = make_site(HOME | {"content/about.md": "---\ntitle: About\nparams: teal\n---\n"})
    assert "content/about.md:3: params must be a mapping" in only(mistakes(root), "params")


def test_variant_keys_are_strict_and_skus_unique(make_site) -> None:
    product = """\
    ---
    title: Vase
    sku: VASE
    price: {USD: 120}
    checkout: {stripe: https://buy.stripe.com/4gw5kJ}
    variants:
      - {name: Small, sku: VASE-S, price: {USD: 90}, colr: blue}
      - name: Large
        sku: VASE-S
      - {name: Huge, sku: VASE}
    ---
    """
    lines = mistakes(make_site(HOME | {"content/products/vase.md": product}, SHOP))
    unknown = only(lines, "'colr'")
    assert "content/products/vase.md:7: unknown key 'colr' in variants item 1" in unknown
    assert "did you mean color:?" not in unknown  # the declared keys only
    same = only(lines, "variant 2 has")
    assert "content/products/vase.md:9: variant 2 has the sku 'VASE-S' of variant 1" in same
    assert "variant 3 has the sku 'VASE' of the product" in only(lines, "variant 3 has")
    assert len(lines) == 3, lines


def test_a_feature_declares_its_own_keys(make_site) -> None:
    """A site's own feature adds keys (and value checks) through the registry."""

    def positive(page, value):
        if not isinstance(value, int) or value < 1:
            yield page.error("servings must be a whole number from 1", "servings")

    recipes = Feature(
        "recipes",
        front_matter=(
            FrontMatter(
                frozenset({"servings"}),
                kind="recipe",
                applies=lambda page: page.section == "recipes",
                values={"servings": positive},
            ),
        ),
    )
    files = HOME | {
        "content/recipes/soup.md": "---\ntitle: Soup\nservings: 4\n---\n",
        "content/about.md": "---\ntitle: About\nservings: 4\n---\n",
    }
    root = make_site(files)
    line = only(mistakes(root, registry=builtin_registry(recipes)), "servings")
    assert "content/about.md:3:" in line and "read on recipe pages only" in line
    (root / "content/about.md").write_text("---\ntitle: About\n---\n")
    build_site(root, registry=builtin_registry(recipes))
    (root / "content/recipes/soup.md").write_text("---\ntitle: Soup\nservings: 0\n---\n")
    line = only(mistakes(root, registry=builtin_registry(recipes)), "servings")
    assert "content/recipes/soup.md:3: servings must be a whole number from 1" in line
    (root / "content/recipes/soup.md").write_text("---\ntitle: Soup\nservings: 4\n---\n")
    # without the feature, the key is nobody's
    assert "'servings'" in only(mistakes(root), "servings")


def test_the_demo_writes_only_declared_keys(demo_built: Path) -> None:
    assert (demo_built / "public/index.html").is_file()


def test_every_builtin_key_is_declared_once_per_kind() -> None:
    """No two declarations for the same pages claim one key (who reads it is clear)."""
    declarations = (COMMON, *builtin_registry().front_matter)
    by_kind: dict[str, list[str]] = {}
    for declaration in declarations:
        by_kind.setdefault(declaration.kind, []).extend(declaration.keys)
    common = set(COMMON.keys)
    for kind, keys in by_kind.items():
        assert len(keys) == len(set(keys)), kind
        if kind != "page":
            assert not common & set(keys), kind


KEYS = sorted(COMMON.keys)
WORDS = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)


@given(st.lists(st.one_of(st.sampled_from(KEYS), WORDS), unique=True, max_size=8))
def test_each_undeclared_key_is_one_mistake_at_its_line(keys: list[str]) -> None:
    lines = {key: number for number, key in enumerate(keys, start=2)}
    meta = {key: True if key == "listed" else "x" for key in keys}
    if "menu" in meta:
        meta["menu"] = "main"
    if "params" in meta:
        meta["params"] = {"any": 1}
    doc = Document(meta, "", len(keys) + 3, lines)
    page = Page(Path("content/a.md"), PurePosixPath("a.md"), "en", "a", doc, dict(meta))
    found = check_front_matter([page], ())
    unknown = [key for key in keys if key not in COMMON.keys]
    assert [error.line for error in found] == [lines[key] for key in unknown]
    assert all(repr(key) in error.message for key, error in zip(unknown, found, strict=True))
