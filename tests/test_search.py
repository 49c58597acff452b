"""Search (features/search.py): Pagefind indexes the built pages, one index per language,
with product filters; outputs: {search: false} turns it off; without Pagefind the build
warns once; the same pages give the same bytes; an unchanged site is not indexed again.
What a reader finds is tested in a real browser (tests/browser/test_search_browser.py)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

from helpers import build_site, parse_html, text_of, write_site
from search_site import CONFIG, FILES

pytest.importorskip("pagefind", reason="Pagefind is not installed (pip install 'mmsite[search]')")
from pagefind.service import get_executable  # noqa: E402

PAGEFIND = get_executable()


def _site(root: Path, config: str = CONFIG) -> Path:
    return write_site(root, FILES, config)


def _bundle(output: Path) -> dict[str, bytes]:
    folder = output / "pagefind"
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _entry(output: Path) -> dict:
    return json.loads((output / "pagefind" / "pagefind-entry.json").read_bytes())


def _csp(output: Path) -> str:
    for line in (output / "_headers").read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("Content-Security-Policy:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("no Content-Security-Policy in _headers")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _site(tmp_path_factory.mktemp("search") / "site")
    result = build_site(root)
    assert result.warnings == []
    return root / "public"


def test_one_index_per_language_with_every_page(built: Path) -> None:
    languages = _entry(built)["languages"]
    assert sorted(languages) == ["en", "fr", "ja"]
    for lang, prefix in (("en", ""), ("fr", "fr/"), ("ja", "ja/")):
        pages = [
            p
            for p in (built / prefix).rglob("index.html")
            if p.relative_to(built).parts[0] not in {"fr", "ja", "pagefind"} or prefix
        ]
        assert languages[lang]["page_count"] == len(pages), lang
        meta = [n for n in _bundle(built) if n.startswith(f"pagefind.{lang}_")]
        assert meta == [f"pagefind.{languages[lang]['hash']}.pf_meta"]


def test_pages_mark_their_content_for_the_index(built: Path) -> None:
    doc = parse_html(built / "fr" / "products" / "sel-fume" / "index.html")
    main = doc.find(".//main")
    assert main is not None and main.get("data-pagefind-body") is not None
    header = doc.find(".//header")
    assert header is not None and header.find(".//*[@data-pagefind-body]") is None


def test_products_carry_category_and_price_filters(built: Path) -> None:
    doc = parse_html(built / "fr" / "products" / "sel-fume" / "index.html")
    filters = {
        e.get("data-pagefind-filter"): text_of(e)
        for e in doc.iter()
        if e.get("data-pagefind-filter")
    }
    assert filters == {"category": "Épicerie fine", "price": "11,90\u00a0€"}
    sorts = [e.get("data-pagefind-sort") for e in doc.iter() if e.get("data-pagefind-sort")]
    assert sorts == ["price:11.90"]
    # and the index holds them: one filter file per filter and language, naming the values
    filters_fr = [
        gzip.decompress(data)
        for name, data in _bundle(built).items()
        if name.startswith("filter/fr_")
    ]
    assert len(filters_fr) == 2
    joined = b"".join(filters_fr)
    for value in ("Épicerie fine", "Cadeaux", "11,90\u00a0€", "36,00\u00a0€"):
        assert value.encode() in joined, value


def test_search_box_is_labelled_and_hidden_without_javascript(built: Path) -> None:
    doc = parse_html(built / "ja" / "index.html")
    form = doc.find(".//form[@role='search']")
    assert form is not None and form.get("hidden") is not None
    field = form.find(".//input[@type='search']")
    label = form.find(f".//label[@for='{field.get('id')}']")
    assert text_of(label) == "検索"
    status = form.find(".//*[@role='status']")
    assert status is not None and status.get("aria-live") == "polite"
    assert form.find(".//ol") is not None
    assert form.get("data-bundle") == "/pagefind/pagefind.js"
    assert json.loads(form.get("data-results")) == {"other": "{count} 件"}
    script = [s.get("src") for s in doc.iter("script") if "search" in (s.get("src") or "")]
    assert len(script) == 1 and script[0].startswith("/js/search")


def test_csp_allows_webassembly_and_nothing_more(built: Path) -> None:
    directives = {d.split()[0]: d.split()[1:] for d in _csp(built).split(";") if d.strip()}
    assert directives["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert "'unsafe-eval'" not in _csp(built) and "'unsafe-inline'" not in _csp(built)


def test_check_passes_with_search(built: Path) -> None:
    from mmsite.commands.cli import main

    assert main(["check", "--site", str(built.parent)]) == 0  # no error (csp, xml)


def test_search_false_turns_it_off(tmp_path: Path) -> None:
    root = _site(tmp_path / "site", CONFIG + "outputs: {search: false}\n")
    result = build_site(root)
    out = root / "public"
    assert result.warnings == []
    assert not (out / "pagefind").exists()
    assert parse_html(out / "index.html").find(".//form[@role='search']") is None
    assert "wasm-unsafe-eval" not in _csp(out)


def test_without_pagefind_one_warning_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m == "pagefind" or m.startswith("pagefind.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pagefind", None)  # import pagefind raises ImportError
    root = _site(tmp_path / "site")
    result = build_site(root, jobs=1)
    search = [w for w in result.warnings if "search" in w]
    assert len(search) == 1
    assert "mmsite[search]" in search[0] and "search: false" in search[0]
    assert not (root / "public" / "pagefind").exists()
    assert (root / "public" / "fr" / "products" / "sel-fume" / "index.html").is_file()


def test_same_pages_same_bytes(tmp_path: Path) -> None:
    bundles = []
    for name in ("one", "two"):
        root = _site(tmp_path / name)
        build_site(root, cache=False)
        bundles.append(_bundle(root / "public"))
    assert bundles[0] == bundles[1]
    assert len(bundles[0]) > 10


@pytest.fixture
def counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PAGEFIND_BINARY_PATH: a wrapper that logs each run of the real binary."""
    assert PAGEFIND is not None
    log = tmp_path / "runs.log"
    wrapper = tmp_path / "pagefind-wrapper"
    wrapper.write_text(f'#!/bin/sh\necho run >> "{log}"\nexec "{PAGEFIND}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    return log


def _runs(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_unchanged_pages_are_not_indexed_again(tmp_path: Path, counted: Path) -> None:
    root = _site(tmp_path / "site")
    build_site(root)
    first = _bundle(root / "public")
    assert _runs(counted) == 1
    # a full build (site.yaml changed) whose pages are the same bytes: no indexing
    with (root / "site.yaml").open("a") as file:
        file.write("# a comment\n")
    result = build_site(root)
    assert result.kind == "full"
    assert _runs(counted) == 1
    assert _bundle(root / "public") == first
    # a page edited: indexed again, and equal to a clean build's index
    page = root / "content" / "products" / "smoked-salt.fr.md"
    page.write_text(page.read_text() + "\nUn goût de noisette.\n", encoding="utf-8")
    build_site(root)
    assert _runs(counted) == 2
    assert _bundle(root / "public") != first
    clean = tmp_path / "clean"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("public", ".mmsite-cache"))
    build_site(clean, cache=False)
    assert _bundle(root / "public") == _bundle(clean / "public")


def test_edited_index_is_rebuilt_not_trusted(tmp_path: Path, counted: Path) -> None:
    root = _site(tmp_path / "site")
    build_site(root)
    first = _bundle(root / "public")
    meta = next((root / "public" / "pagefind").glob("pagefind.fr_*.pf_meta"))
    os.chmod(meta, 0o644)
    meta.write_bytes(b"tampered")
    with (root / "site.yaml").open("a") as file:
        file.write("# a comment\n")
    build_site(root)
    assert _runs(counted) == 2
    assert _bundle(root / "public") == first


def test_nothing_is_written_outside_the_output(tmp_path: Path, monkeypatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # Pagefind's default output folder is relative to it
    root = _site(tmp_path / "site")
    build_site(root)
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in root.iterdir()) == [
        ".mmsite-cache",
        "content",
        "public",
        "site.yaml",
    ]
