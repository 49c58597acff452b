"""Incremental builds: unchanged pages are reused (same inode and mtime), changed inputs
re-render exactly what depends on them, and the result equals a clean build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import REPO, build_site, card_titles, page, parse_html, text_of
from mmsite.engine.incremental import CACHE_DIR

FILES = {
    "content/_index.md": page("Home", "Welcome."),
    "content/_index.fr.md": page("Accueil", "Bienvenue."),
    "content/about.md": page("About", "Who we are."),
    "content/about.fr.md": page("À propos", "Qui nous sommes."),
    "content/journal/_index.md": page("Shop"),
    "content/journal/_index.fr.md": page("Boutique", slug="carnet"),
    "content/journal/salt.md": page("Salt", "Plain salt.", summary="'Flaky'"),
    "content/journal/salt.fr.md": page("Sel", "Sel nature."),
    "content/journal/pepper.md": page("Pepper", "Black pepper."),
    "content/journal/oil.md": page("Oil", "Olive oil."),
    "content/journal/oil.fr.md": page("Huile", "Huile d'olive."),
}


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """rel path -> (bytes, inode, mtime_ns) of every file."""
    out = {}
    for path in folder.rglob("*"):
        if path.is_file():
            st = path.stat()
            out[path.relative_to(folder).as_posix()] = (
                path.read_bytes(),
                st.st_ino,
                st.st_mtime_ns,
            )
    return out


def changed(before: dict, after: dict) -> set[str]:
    """Files whose bytes, inode or mtime differ (or that appeared / went)."""
    return {rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)}


def page_files(rels: set[str]) -> set[str]:
    """``rels`` without the search index (pagefind/: it follows the pages' text, see
    tests/test_search.py) and the output's marker (it lists the index's files, whose
    names follow their bytes)."""
    return {rel for rel in rels if not rel.startswith("pagefind/") and rel != ".mmsite-output"}


def assert_same_as_clean(root: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build_site(root, output=clean, cache=False)
    built = {k: v[0] for k, v in snapshot(root / "public").items()}
    assert built == {k: v[0] for k, v in snapshot(clean).items()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def site(make_site) -> Path:
    root = make_site(FILES)
    first = build_site(root)
    assert first.rendered == first.pages and first.reused == 0
    return root


def test_unchanged_rebuild_renders_nothing_and_rewrites_nothing(site: Path) -> None:
    before = snapshot(site / "public")
    result = build_site(site)
    assert (result.rendered, result.reused) == (0, result.pages)
    assert result.changed == set()
    assert changed(before, snapshot(site / "public")) == set()
    assert (site / CACHE_DIR / "build").is_dir()
    assert not any((site / "public").rglob(f"*{CACHE_DIR}*"))


def test_body_edit_rerenders_the_page_and_its_fallbacks_only(site: Path, tmp_path: Path) -> None:
    before = snapshot(site / "public")
    edit(site / "content/journal/pepper.md", "Black pepper.", "Tellicherry black pepper.")
    result = build_site(site)
    # pepper has no translation: /fr/ and /ar/ show the English text as a fallback
    pages = {"journal/pepper/index.html", "fr/carnet/pepper/index.html"}
    pages.add("ar/journal/pepper/index.html")
    assert page_files(changed(before, snapshot(site / "public"))) == pages
    assert result.rendered == 3
    assert page_files({p.as_posix() for p in result.changed}) == pages
    assert "Tellicherry" in text_of(parse_html(site / "public/fr/carnet/pepper/index.html"))
    assert_same_as_clean(site, tmp_path)


def test_title_edit_updates_translations_and_section_list(site: Path, tmp_path: Path) -> None:
    before = snapshot(site / "public")
    edit(site / "content/journal/salt.md", "title: 'Salt'", "title: 'Sea salt'")
    edit(site / "content/journal/salt.md", "summary: 'Flaky'", "summary: 'Crunchy'")
    build_site(site)
    diff = page_files(changed(before, snapshot(site / "public")))
    # the English page and its list; the French translation inherits the new summary
    assert {
        "journal/salt/index.html",
        "journal/index.html",
        "fr/carnet/salt/index.html",
        "fr/carnet/index.html",
        "ar/journal/salt/index.html",  # a fallback to the English page
        "ar/journal/index.html",
    } == diff
    assert "Sea salt" in card_titles(parse_html(site / "public/journal/index.html"))
    assert_same_as_clean(site, tmp_path)


def test_menu_title_change_reaches_every_page_showing_it(site: Path, tmp_path: Path) -> None:
    before = snapshot(site / "public")
    edit(site / "content/about.md", "title: 'About'", "title: 'Our story'")
    build_site(site)
    diff = changed(before, snapshot(site / "public"))
    english = {rel for rel in before if rel.endswith(".html") and not rel.startswith("fr/")}
    assert english <= diff  # the main menu shows it on every English page
    assert "fr/carnet/salt/index.html" not in diff  # French menu shows "À propos"
    assert_same_as_clean(site, tmp_path)


def test_template_edit_rerenders_only_pages_using_it(site: Path, tmp_path: Path) -> None:
    before = snapshot(site / "public")
    templates = site / "templates"
    templates.mkdir()
    theme_section = REPO / "themes/default/templates/section.html"
    text = theme_section.read_text(encoding="utf-8")
    (templates / "section.html").write_text(
        text.replace('<div class="wrap">', '<div class="wrap shop">')
    )
    result = build_site(site)
    diff = page_files(changed(before, snapshot(site / "public")))
    assert diff == {"journal/index.html", "fr/carnet/index.html", "ar/journal/index.html"}
    assert result.rendered == 3
    main = next(parse_html(site / "public/journal/index.html").iter("main"))
    assert [d.get("class") for d in main.iter("div")][0] == "wrap shop"
    # a partial every page includes
    (templates / "partials").mkdir()
    footer = (REPO / "themes/default/templates/partials/footer.html").read_text(encoding="utf-8")
    (templates / "partials/footer.html").write_text(footer.replace("<p>", "<p class='f'>"))
    result = build_site(site)
    assert result.rendered == result.pages
    assert_same_as_clean(site, tmp_path)


def test_config_and_strings_changes_rebuild_all(site: Path, tmp_path: Path) -> None:
    (site / "i18n").mkdir()
    (site / "i18n/fr.yaml").write_text("footer_tagline: Fait main.\n", encoding="utf-8")
    result = build_site(site)
    assert result.rendered == result.pages
    edit(site / "site.yaml", "title: Test Shop", "title: Test Shop Two")
    result = build_site(site)
    assert result.rendered == result.pages
    assert_same_as_clean(site, tmp_path)


def test_new_and_deleted_pages_update_lists(site: Path, tmp_path: Path) -> None:
    (site / "content/journal/honey.md").write_text(page("Honey", "Heather honey."))
    build_site(site)
    titles = card_titles(parse_html(site / "public/journal/index.html"))
    assert "Honey" in titles
    assert_same_as_clean(site, tmp_path)
    (site / "content/journal/oil.fr.md").unlink()
    build_site(site)
    assert_same_as_clean(site, tmp_path)
    (site / "content/journal/oil.md").unlink()
    build_site(site)
    assert not (site / "public/journal/oil").exists()
    assert_same_as_clean(site, tmp_path)


def test_output_edited_by_hand_is_rendered_again(site: Path) -> None:
    target = site / "public/journal/salt/index.html"
    good = target.read_bytes()
    target.write_text("tampered", encoding="utf-8")
    result = build_site(site)
    assert result.rendered == 1
    assert target.read_bytes() == good


def test_damaged_cache_only_costs_time(site: Path, tmp_path: Path) -> None:
    files = list((site / CACHE_DIR / "build").iterdir())
    assert {p.suffix for p in files} == {".documents", ".pickle", ".site", ".state"}
    for path in files:
        path.write_bytes(b"not a pickle")
    result = build_site(site)
    assert result.kind == "full"
    assert result.rendered == result.pages
    assert_same_as_clean(site, tmp_path)


def test_warnings_of_reused_pages_are_reported_again(make_site) -> None:
    root = make_site({"content/_index.md": page("Home"), "templates/page.html": "x"})
    (root / "templates/home.html").write_text("{{ t('no_such_string') }}")
    first = build_site(root).warnings
    assert any("no_such_string" in w for w in first)
    again = build_site(root)
    assert again.reused == again.pages and again.warnings == first


def test_unchanged_static_and_generated_files_keep_their_inode(site: Path) -> None:
    css = next((site / "public/css").glob("*.css"))  # fingerprinted name
    before = css.stat()
    build_site(site, cache=False)  # even a full render keeps identical files
    after = css.stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    page_file = site / "public/journal/salt/index.html"
    assert page_file.stat().st_nlink == 1  # the old tree is gone, no stray links


def test_failed_incremental_build_keeps_previous_output_and_cache(site: Path) -> None:
    before = snapshot(site / "public")
    (site / "content/journal/salt.md").write_text("---\ntitle: [broken\n---\n")
    with pytest.raises(Exception, match="salt.md"):
        build_site(site)
    assert changed(before, snapshot(site / "public")) == set()
    (site / "content/journal/salt.md").write_text(FILES["content/journal/salt.md"])
    result = build_site(site)  # same text again: nothing to render
    assert (result.rendered, result.changed) == (0, set())
    assert changed(before, snapshot(site / "public")) == set()


def test_documents_saved_while_pages_render_serve_the_next_build(
    site: Path, tmp_path: Path
) -> None:
    """Parsed documents are saved before pages render (they are final once the site is
    loaded): a build that then fails still leaves them, and they are only used for files
    whose stamp is unchanged. Counted by the document cache's hits: a file not taken
    from the cache is parsed again."""
    from mmsite.engine.incremental import BuildCache

    salt = site / "content/journal/salt.md"
    edit(salt, "Plain salt.", "Plain {{ salt.")
    (site / "templates").mkdir()
    (site / "templates/page.html").write_text("{{ page.content }} {{ nope() }}")
    with pytest.raises(Exception, match="nope"):
        build_site(site)
    (site / "templates/page.html").unlink()
    cache = BuildCache.for_site(site, site / "public")
    assert build_site(site, build_cache=cache).kind == "full"
    # every file parsed by the failed build, the edited one too: none parsed again
    assert cache.documents.hits == len(FILES)
    assert "Plain {{ salt." in text_of(parse_html(site / "public/journal/salt/index.html"))
    edit(salt, "'Salt'", "'Sea salt'")  # front matter: a full build, not a delta
    cache = BuildCache.for_site(site, site / "public")
    assert build_site(site, build_cache=cache).kind == "full"
    assert cache.documents.hits == len(FILES) - 1  # the edited file only is parsed again
    assert text_of(parse_html(site / "public/journal/salt/index.html").find(".//h1")) == "Sea salt"
    assert_same_as_clean(site, tmp_path)


def test_document_cache_on_disk_leaves_bodies_in_their_files(site: Path) -> None:
    """Bodies are most of a content file: the saved cache keeps the parsed front matter
    only, and a hit reads the body again, equal to a fresh parse."""
    from mmsite.content.frontmatter import split_front_matter
    from mmsite.engine.incremental import BuildCache

    cache = BuildCache.for_site(site, site / "public")
    cache.load()
    keys = sorted(cache.documents.fronts())
    assert keys == sorted(str((site / rel).resolve()) for rel in FILES)
    saved = cache.documents_path.read_bytes()  # (a pickle: its texts are there as UTF-8)
    bodies = [split_front_matter(text, Path(rel)).body.strip() for rel, text in FILES.items()]
    bodies = [body for body in bodies if body]
    assert len(bodies) == 9 and not [body for body in bodies if body.encode() in saved]
    for key in keys:
        doc = cache.documents.load(Path(key), lambda: pytest.fail("parsed again"))
        fresh = split_front_matter(Path(key).read_text(encoding="utf-8"), Path(key))
        assert (doc.meta, doc.body, doc.body_line, doc.key_lines, doc.scalars) == (
            fresh.meta,
            fresh.body,
            fresh.body_line,
            fresh.key_lines,
            fresh.scalars,
        )
    assert cache.documents.hits == len(FILES)


def test_drafts_hidden_in_build_shown_with_badge(make_site) -> None:
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/news.md": page("News", "Soon.", draft="true"),
            "content/news.fr.md": page("Nouvelles", "Bientôt.", draft="true"),
            "content/ar-only.md": page("Published", "Here."),
        }
    )
    build_site(root)
    assert not (root / "public/news").exists()
    assert not list((root / "public").rglob("*badge-draft*"))
    for html in (root / "public").rglob("*.html"):
        assert not [e for e in parse_html(html).iter() if "badge-draft" in (e.get("class") or "")]
    build_site(root, drafts=True, output=root / "preview")
    badges = {
        lang: [
            text_of(e)
            for e in parse_html(root / f"preview/{prefix}news/index.html").iter()
            if "badge-draft" in (e.get("class") or "")
        ]
        for lang, prefix in (("en", ""), ("fr", "fr/"), ("ar", "ar/"))
    }
    assert badges == {"en": ["Draft"], "fr": ["Brouillon"], "ar": ["مسودة"]}
    published = parse_html(root / "preview/ar-only/index.html")
    assert not [e for e in published.iter() if "badge-draft" in (e.get("class") or "")]


def test_incremental_demo_site_equals_clean_build(demo_site: Path, tmp_path: Path) -> None:
    root = demo_site  # content/, site.yaml (and static/, i18n/, templates/ if any)
    build_site(root)
    before = snapshot(root / "public")
    product = root / "content/products/smoked-salt.md"
    edit(product, "title: Oak-smoked sea salt", "title: Oak-smoked flakes")
    edit(product, "USD: 12.00, GBP: 8.50", "USD: 13.00, GBP: 8.50")
    result = build_site(root)
    diff = changed(before, snapshot(root / "public"))
    # the product and its catalog, category page and merchant feed in both USD/GBP
    # editions; French pages show EUR and their own title, so they stay as they were
    for prefix in ("", "en-gb/"):
        for rel in ("smoked-salt/index.html", "index.html", "merchant-feed.xml"):
            assert f"{prefix}products/{rel}" in diff
    assert not [rel for rel in diff if rel.startswith("fr/")]
    assert "about/index.html" not in diff
    assert 0 < result.rendered < result.pages
    assert_same_as_clean(root, tmp_path)


def test_an_article_dated_newest_enters_the_feeds(demo_site: Path, tmp_path: Path) -> None:
    """A feed shows the newest articles: which ones depends on every article's date, not
    only on those it shows. Re-dating an article the feed left out puts it in."""
    import xml.etree.ElementTree as ET

    root = demo_site
    config = (REPO / "site.yaml").read_text(encoding="utf-8")
    assert config.count("\nseo: {") == 1
    (root / "site.yaml").write_text(config.replace("\nseo: {", "\nseo: {feed_limit: 1, "), "utf-8")
    build_site(root)
    atom = "{http://www.w3.org/2005/Atom}"

    def newest(feed: str) -> list[str]:
        doc = ET.parse(root / "public" / feed)
        return [e.findtext(f"{atom}title") for e in doc.getroot().iter(f"{atom}entry")]

    feeds = ("series/atom.xml", "series/micro-multinationals/atom.xml")
    first = root / "content/series/micro-multinationals/01-global-from-day-one.md"
    title = "Southerly Wool: global from day one"
    assert all(newest(feed) != [title] for feed in feeds)
    edit(first, "date: 2026-01-15", "date: 2026-12-01")
    assert build_site(root).kind == "full"
    assert all(newest(feed) == [title] for feed in feeds)
    assert_same_as_clean(root, tmp_path)


def test_content_files_are_stamped_once_by_the_input_scan(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The document cache takes each content file's stamp from the build's input scan
    (taken before anything is read), not from a second stat; an edit made after the
    scan is still seen by the next build."""
    from mmsite.engine.incremental import DocumentCache

    def no_second_stat(path: Path) -> tuple[int, ...]:
        raise AssertionError(f"{path} stat-ed again")

    monkeypatch.setattr(DocumentCache, "stamp", staticmethod(no_second_stat))
    build_site(site, clean=True)
    edit(site / "content/journal/salt.md", "title: 'Salt'", "title: 'Sea salt'")
    assert build_site(site).kind == "full"
    assert text_of(parse_html(site / "public/journal/salt/index.html").find(".//h1")) == "Sea salt"
    monkeypatch.undo()  # a build without the cache has no input scan
    assert_same_as_clean(site, tmp_path)
