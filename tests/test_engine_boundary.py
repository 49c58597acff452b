"""Regression tests for the engine boundary (issue: "features register themselves, the
engine owns dependency tracking"): each case gave wrong output before the registry and
the tracked memo API, and passes now. Every rebuild is compared with a clean build."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import pytest

from helpers import build_site, page, parse_html
from mmsite.errors import BuildErrors, MmsiteError
from mmsite.features.builtin import builtin_registry
from mmsite.features.registry import Feature, Inputs


def _differences(left: Path, right: Path) -> list[str]:
    found: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        found.extend(prefix + n for n in cmp.left_only + cmp.right_only + cmp.funny_files)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, False)
        found.extend(prefix + n for n in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right), "")
    return sorted(found)


def _clean_copy(site: Path, tmp: Path, **options) -> Path:
    clean = tmp / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns("public", "build", "jinja"))
    build_site(clean, cache=False, **options)
    return clean / "public"


def test_moving_a_product_to_another_category_updates_every_edition(
    demo_site: Path, tmp_path: Path
) -> None:
    site = demo_site
    build_site(site)
    product = site / "content/products/smoked-salt.md"
    text = product.read_text(encoding="utf-8")
    assert "category: pantry" in text
    product.write_text(text.replace("category: pantry", "category: gifts"), encoding="utf-8")
    build_site(site)
    assert _differences(site / "public", _clean_copy(site, tmp_path)) == []


MARKETS = """\
title: Shop
base_url: https://shop.example/
default_language: en
languages:
  en: {locale: en_US}
markets:
  us: {currency: USD, languages: [en]}
  uk: {currency: GBP, languages: [en]}
"""


def test_a_link_to_a_product_not_sold_in_a_market_is_not_a_404_there(make_site, tmp_path) -> None:
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/about.md": page("About", "See [the cellar](products/cellar.md)."),
            "content/products/_index.md": page("Products"),
            "content/products/cellar.md": page(
                "Cellar", "Oak.", sku="C-1", price="{USD: 40}", markets="[us]"
            ),
        },
        config=MARKETS,
    )
    build_site(root)
    public = root / "public"
    for about in (public / "about/index.html", public / "en-gb/about/index.html"):
        doc = parse_html(about)
        for link in doc.iter("a"):
            href = link.get("href") or ""
            if href.startswith(("http", "#", "mailto:")) or not href:
                continue
            path = href.split("#")[0]
            base = public if path.startswith("/") else about.parent
            target = (base / path.lstrip("/")).resolve()
            target = target / "index.html" if target.is_dir() or not target.suffix else target
            assert target.is_file(), f"{about.relative_to(public)} links to {href}, not written"
    us = parse_html(public / "about/index.html")
    assert any("cellar" in (a.get("href") or "") for a in us.iter("a"))
    assert _differences(public, _clean_copy(root, tmp_path)) == []


def _data_feature(root: Path) -> Feature:
    def prices_note(view) -> dict[str, str]:
        return {"note": (root / "data/note.txt").read_text(encoding="utf-8").strip()}

    return Feature(
        "note",
        context=(prices_note,),
        inputs=(Inputs(lambda config: [Path("data/note.txt")]),),
    )


def test_editing_a_declared_data_input_rebuilds_the_pages_that_show_it(make_site) -> None:
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/a.md": page("A"),
            "templates/page.html": "<p id=note>{{ note }}</p>\n",
            "data/note.txt": "first\n",
        },
        config="title: T\nbase_url: https://t.example/\nlanguages:\n  en: {locale: en_US}\n",
    )
    registry = builtin_registry(_data_feature(root))
    build_site(root, registry=registry)
    (root / "data/note.txt").write_text("second\n", encoding="utf-8")
    again = build_site(root, registry=registry)
    assert again.kind != "unchanged"
    assert parse_html(root / "public/a/index.html").find(".//p").text == "second"


def _closure_step(ctx) -> None:
    def shout(text: str) -> str:  # a local function: cannot be pickled
        return text.upper()

    for each in ctx.model.pages:
        each.data["shout"] = shout


def test_a_model_step_storing_a_closure_still_builds_with_the_cache(make_site, tmp_path) -> None:
    root = make_site(
        {"content/_index.md": page("Home"), "content/a.md": page("A", "Body one.")},
        config="title: T\nbase_url: https://t.example/\nlanguages:\n  en: {locale: en_US}\n",
    )
    registry = builtin_registry(Feature("closures", model=(_closure_step,)))
    build_site(root, registry=registry)
    (root / "content/a.md").write_text(page("A", "Body two."), encoding="utf-8")
    build_site(root, registry=registry)  # a body edit: no snapshot to start from
    build_site(root, registry=registry, jobs=2)
    assert "Body two." in (root / "public/a/index.html").read_text(encoding="utf-8")
    assert _differences(root / "public", _clean_copy(root, tmp_path)) == []


def test_every_command_reads_the_features_sections(demo_site: Path, capsys) -> None:
    """site.yaml sections belong to features (commerce:, images:, seo:, assets:): the
    commands that read site.yaml without building accept them too."""
    from mmsite.commands.cli import main

    site = demo_site
    text = (site / "site.yaml").read_text(encoding="utf-8")
    assert "commerce:" in text and "seo:" in text
    assert main(["new", "product", "Sea salt flakes", "--site", str(site)]) == 0
    assert (site / "content/products/sea-salt-flakes.md").is_file()
    assert main(["clean", "--site", str(site)]) == 0
    capsys.readouterr()


def test_an_unknown_section_names_the_known_ones(make_site) -> None:
    root = make_site(
        {"content/_index.md": page("Home")},
        config="title: T\nbase_url: https://t.example/\nlanguages:\n  en: {locale: en_US}\n"
        "comerce: {brand: X}\n",
    )
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    error = caught.value
    assert error.line == 5 and "comerce: unknown key" in str(error)
    assert "commerce" in (error.hint or "") and "seo" in (error.hint or "")


def test_every_features_mistakes_in_one_run(make_site) -> None:
    """A photo mistake (images feature) and a price mistake (storefront) in one build:
    both reported (before, the first feature's errors stopped the build), each once."""
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/about.md": page("About", image="missing.jpg"),
            "content/products/_index.md": page("Products"),
            "content/products/salt.md": page("Salt", sku="S-1", price="{USD: -3}"),
        },
        config=MARKETS,
    )
    with pytest.raises(BuildErrors) as caught:
        build_site(root)
    errors = caught.value.errors
    assert {Path(error.path).name for error in errors} == {"about.md", "salt.md"}
    assert len({str(error) for error in errors}) == len(errors)  # each once
