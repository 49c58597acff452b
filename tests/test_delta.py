"""Fast rebuilds: "nothing changed" from stamps alone, and delta builds for edits of
page text. Every result is compared byte for byte with a clean build."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import REPO, build_site, page, parse_html, text_of
from mmsite.commands.cli import main
from mmsite.config import signing
from mmsite.content.frontmatter import read_body, split_front_matter
from mmsite.engine import build as pipeline
from mmsite.engine import stamps
from mmsite.errors import MmsiteError
from mmsite.features.builtin import builtin_registry
from mmsite.features.registry import Feature
from test_incremental import FILES, assert_same_as_clean, changed, edit, snapshot

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def site(make_site) -> Path:
    root = make_site(FILES)
    assert build_site(root).kind == "full"
    return root


@pytest.fixture
def demo(demo_built: Path, tmp_path: Path) -> Path:
    """A copy of the demo site (series, feeds, storefront, four markets) as the session's
    one full build of it left it (conftest.demo_built)."""
    root = tmp_path / "demo"
    shutil.copytree(demo_built, root, symlinks=True)
    # copytree gives new inodes and mtimes: a first build there re-records the output.
    build_site(root)
    assert build_site(root).kind == "unchanged"
    return root


# -- nothing changed -------------------------------------------------------------


def test_nothing_changed_reads_and_writes_nothing(site: Path) -> None:
    before = snapshot(site / "public")
    result = build_site(site)
    assert result.kind == "unchanged"
    assert (result.rendered, result.reused) == (0, result.pages)
    assert result.pages == 18 and result.languages == 3  # 6 groups x 3 languages
    assert changed(before, snapshot(site / "public")) == set()


def test_nothing_changed_reports_the_same_warnings(make_site) -> None:
    root = make_site({"content/_index.md": page("Home"), "templates/page.html": "x"})
    (root / "templates/home.html").write_text("{{ t('no_such_string') }}")
    first = build_site(root)
    assert first.warnings
    again = build_site(root)
    assert again.kind == "unchanged"
    assert again.warnings == first.warnings


def test_cli_answers_without_loading_the_pipeline(site: Path) -> None:
    """`mmsite build` with nothing to do never imports Jinja, Babel or Markdown."""
    code = (
        "import sys; from mmsite.commands.cli import main; "
        f"assert main(['build', '--site', {str(site)!r}]) == 0; "
        "heavy = {'jinja2', 'babel', 'markdown_it', 'yaml', 'mmsite.engine.build'}; "
        "heavy &= set(sys.modules); "
        "print('HEAVY', sorted(heavy))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "(unchanged: 0 rendered, 18 unchanged" in done.stdout
    assert "HEAVY []" in done.stdout


@pytest.mark.parametrize(
    "change",
    [
        "touch_content",
        "add_page",
        "remove_page",
        "template",
        "config",
        "strings",
        "output_edited",
        "output_added",
        "output_removed",
    ],
)
def test_any_input_or_output_change_is_noticed(site: Path, tmp_path: Path, change: str) -> None:
    content, public = site / "content", site / "public"
    if change == "touch_content":  # same bytes, new stamp: rebuilt, output identical
        (content / "about.md").write_bytes((content / "about.md").read_bytes())
    elif change == "add_page":
        (content / "journal/salt2.md").write_text(page("Salt 2", "More."), encoding="utf-8")
    elif change == "remove_page":
        (content / "journal/pepper.md").unlink()
    elif change == "template":
        (site / "templates").mkdir()
        (site / "templates/page.html").write_text("<p>{{ page.title }}</p>", encoding="utf-8")
    elif change == "config":
        edit(site / "site.yaml", "Test Shop", "Test Shop Two")
    elif change == "strings":
        (site / "i18n").mkdir()
        (site / "i18n/en.yaml").write_text("skip_to_content: Skip ahead\n", encoding="utf-8")
    elif change == "output_edited":
        (public / "about/index.html").write_text("tampered", encoding="utf-8")
    elif change == "output_added":  # refused, by name (docs/trust.md, the output folder)
        (public / "journal/stray.html").write_text("not ours", encoding="utf-8")
        with pytest.raises(MmsiteError, match="did not write: journal/stray.html"):
            build_site(site)
        (public / "journal/stray.html").unlink()
    else:
        (public / "journal/salt/index.html").unlink()
    result = build_site(site)
    assert result.kind != "unchanged"
    assert_same_as_clean(site, tmp_path)


def test_editor_backup_and_lock_files_are_not_inputs(site: Path) -> None:
    (site / "content/about.md~").write_text("backup", encoding="utf-8")
    (site / "content/.#about.md").write_text("lock", encoding="utf-8")
    (site / "content/journal/.salt.md.swp").write_bytes(b"\0swap")
    assert build_site(site).kind == "unchanged"


def test_other_options_are_another_build(site: Path, tmp_path: Path) -> None:
    assert build_site(site, drafts=True).kind != "unchanged"
    assert build_site(site, drafts=True).kind == "unchanged"
    assert build_site(site, base_url="https://preview.example/").kind != "unchanged"
    assert build_site(site).kind != "unchanged"  # public/ holds the preview build now
    assert_same_as_clean(site, tmp_path)


def test_a_new_git_commit_rebuilds(site: Path) -> None:
    """Sitemaps take lastmod from git: a commit is an input although no file changed."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    env = {"HOME": str(site), "PATH": os.environ["PATH"], "GIT_AUTHOR_NAME": "t"}
    env |= {"GIT_AUTHOR_EMAIL": "t@e.x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e.x"}

    def run(*args: str) -> None:
        subprocess.run([git, *args], cwd=site, env=env, check=True, capture_output=True)

    run("init", "-q")
    (site / ".gitignore").write_text("public/\n.mmsite-cache/\n", encoding="utf-8")
    run("add", ".")
    run("commit", "-qm", "one")
    assert build_site(site).kind != "unchanged"
    assert build_site(site).kind == "unchanged"
    run("commit", "-q", "--allow-empty", "-m", "two")
    assert build_site(site).kind != "unchanged"


# -- delta builds ----------------------------------------------------------------


def test_body_edit_rewrites_only_what_shows_that_text(demo: Path, tmp_path: Path) -> None:
    article = demo / "content/series/micro-multinationals/02-working-with-freelancers.md"
    before = snapshot(demo / "public")
    text = article.read_text(encoding="utf-8")
    article.write_text(text + "\nA sentence added by the delta test.\n", encoding="utf-8")
    result = build_site(demo)
    assert result.kind == "delta"
    assert 1 <= result.rendered <= 4, result.rendered
    rewritten = changed(before, snapshot(demo / "public"))
    assert rewritten == {str(rel) for rel in result.changed}
    assert all(rel.endswith(("index.html", "atom.xml")) for rel in rewritten)
    pages = [rel for rel in rewritten if rel.endswith(".html")]
    assert len(pages) == result.rendered
    # the page shows the new text, and so do the feeds that carry the article
    for rel in pages:
        assert "A sentence added" in text_of(parse_html(demo / "public" / rel)), rel
    feeds = [rel for rel in rewritten if rel.endswith("atom.xml")]
    assert feeds
    for rel in feeds:
        root = ET.parse(demo / "public" / rel).getroot()
        contents = [e.findtext(f"{ATOM}content") or "" for e in root.iter(f"{ATOM}entry")]
        assert any("A sentence added" in c for c in contents), rel
    assert_same_as_clean(demo, tmp_path)


def test_front_matter_edit_is_a_full_build(demo: Path, tmp_path: Path) -> None:
    article = demo / "content/series/micro-multinationals/02-working-with-freelancers.md"
    text = article.read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "')
    article.write_text(text.replace('title: "', 'title: "New: ', 1), encoding="utf-8")
    result = build_site(demo)
    assert result.kind == "full"
    assert_same_as_clean(demo, tmp_path)


def test_product_body_edit_is_a_delta_with_pictures(demo: Path, tmp_path: Path) -> None:
    """Product pages show photos through ``picture()``, which the image step installs:
    a delta build, which skips that step, must install it too."""
    product = demo / "content/products/smoked-salt.fr.md"
    product.touch()
    assert build_site(demo).kind == "delta"
    edit(product, "\n---\n", "\n---\nUne phrase ajoutée par le test.\n\n")
    result = build_site(demo)
    assert result.kind == "delta"
    shown = [rel for rel in result.changed if str(rel).endswith(".html")]
    assert shown and all(
        parse_html(demo / "public" / rel).find(".//picture") is not None for rel in shown
    )
    assert_same_as_clean(demo, tmp_path)


def test_price_text_edit_is_a_full_build(demo: Path, tmp_path: Path) -> None:
    """YAML reads 12.00 and 12.0 as the same number; prices come from the written text,
    so changing it changes the front matter."""
    product = demo / "content/products/smoked-salt.md"
    edit(product, "price: {USD: 12.00,", "price: {USD: 12.0,")
    assert build_site(demo).kind == "full"
    assert_same_as_clean(demo, tmp_path)


def test_front_matter_comment_only_is_still_a_delta(site: Path, tmp_path: Path) -> None:
    """A YAML comment changes no value, but it moves the lines errors would name."""
    path = site / "content/about.md"
    edit(path, "Who we are.", "Who we really are.")
    assert build_site(site).kind == "delta"
    edit(path, "---\ntitle:", "---\n# a note\ntitle:")
    assert build_site(site).kind == "full"
    assert_same_as_clean(site, tmp_path)


def test_many_edits_in_a_row_stay_identical_to_clean(site: Path, tmp_path: Path) -> None:
    steps = [
        ("content/journal/salt.md", "Plain salt.", "Plain sea salt.", "delta"),
        ("content/journal/oil.fr.md", "Huile d'olive.", "Huile d'olive vierge.", "delta"),
        ("content/journal/salt.md", "Plain sea salt.", "Plain grey sea salt.", "delta"),
        ("content/journal/pepper.md", "title: 'Pepper'", "title: 'Black pepper'", "full"),
        ("content/journal/salt.md", "Plain grey sea salt.", "Salt.", "delta"),
        ("content/about.fr.md", "Qui nous sommes.", "Qui sommes-nous ?", "delta"),
    ]
    for rel, old, new, kind in steps:
        edit(site / rel, old, new)
        assert build_site(site).kind == kind, rel
        assert_same_as_clean(site, tmp_path)
    assert build_site(site).kind == "unchanged"


def test_a_body_the_model_reads_is_never_a_delta(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model step that reads bodies (say, to count words into the front matter) makes
    them structural: editing one needs the full build."""

    def word_counts(ctx) -> None:
        for page_ in ctx.model.pages:
            page_.meta["words"] = len(page_.body.split())

    registry = builtin_registry(Feature("words", model=(word_counts,)))
    build_site(site, clean=True, registry=registry)
    edit(site / "content/journal/salt.md", "Plain salt.", "Plain salt, flaky.")
    assert build_site(site, registry=registry).kind == "full"


def test_a_failed_delta_leaves_the_output_untouched(site: Path, tmp_path: Path) -> None:
    before = snapshot(site / "public")
    edit(site / "content/journal/salt.md", "Plain salt.", "See [the oil](missing.md).")
    with pytest.raises(MmsiteError) as caught:
        build_site(site)
    assert "missing.md" in str(caught.value)
    assert changed(before, snapshot(site / "public")) == set()
    assert not [p for p in (site / "public").rglob(".*.mmsite-*")]  # no new versions left
    edit(site / "content/journal/salt.md", "See [the oil](missing.md).", "See [the oil](oil.md).")
    assert build_site(site).kind == "delta"
    assert_same_as_clean(site, tmp_path)


def test_cli_delta_and_unchanged(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(site / "content/about.md", "Who we are.", "Who we are, briefly.")
    assert main(["build", "--site", str(site)]) == 0
    assert "(delta: 2 rendered" in capsys.readouterr().out  # the page and its ar fallback
    assert main(["build", "--site", str(site)]) == 0
    assert "(unchanged: 0 rendered" in capsys.readouterr().out


def test_state_file_round_trips_as_marshal_or_pickle(tmp_path: Path) -> None:
    """The state is marshal data (quick to write in every delta build); a value marshal
    refuses (an extension's object in the summary) makes it a pickle; a damaged file or
    one from another Python is no state (a full build)."""
    state = stamps.State(
        env="e",
        output="/o",
        folders=["/c"],
        files=["/s.yaml"],
        skip_hidden=["/c"],
        inputs={"/c/a.md": (1, 2, 3, 4)},
        outputs={"a/index.html": (5, 6, 7), "a": (8,)},
        summary={"pages": 1, "build": "x"},
        warnings=["w"],
    )
    path = tmp_path / "site.state"
    stamps.save(path, state)
    payload = bytes(signing.read_verified(path) or b"")  # signed (issue 28)
    assert payload.startswith(stamps.MARSHALLED)
    assert stamps.load(path) == state
    state.summary["when"] = PurePosixPath("a")  # not marshal data
    stamps.save(path, state)
    assert not bytes(signing.read_verified(path) or b"-").startswith(stamps.MARSHALLED)
    assert stamps.load(path) == state
    stamps.save(path, dataclasses.replace(state, summary={}))
    path.write_bytes(path.read_bytes()[:-5])
    assert stamps.load(path) is None
    other = stamps.MARSHALLED.replace(b"marshal 3.", b"marshal 2.")
    path.write_bytes(other + b"\x00" * 20)
    assert stamps.load(path) is None


def test_state_is_dropped_before_a_full_build_touches_the_output(site: Path) -> None:
    edit(site / "content/journal/pepper.md", "title: 'Pepper'", "title: 'Peppercorns'")
    state = stamps.state_path(site, None)
    assert state.is_file()
    real = pipeline.OutputTree.commit
    seen = []

    def commit(self, background_cleanup: bool = False) -> None:
        seen.append(state.exists())
        real(self, background_cleanup)

    pipeline.OutputTree.commit = commit  # type: ignore[method-assign]
    try:
        assert build_site(site).kind == "full"
    finally:
        pipeline.OutputTree.commit = real  # type: ignore[method-assign]
    assert seen == [False]
    assert state.is_file()


# -- the snapshot reads bodies back from the files ---------------------------------

LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"))


@given(
    front=st.lists(st.from_regex(r"[a-z]{1,8}: [a-z0-9 ]{0,12}", fullmatch=True), max_size=4),
    body=st.lists(LINE, max_size=6),
    bom=st.booleans(),
    fenced=st.booleans(),
)
def test_read_body_cuts_where_front_matter_ends(
    tmp_path_factory, front: list[str], body: list[str], bom: bool, fenced: bool
) -> None:
    text = "\n".join(body)
    if fenced:
        text = "---\n" + "".join(f"{line}\n" for line in front) + "---\n" + text
    if bom:
        text = "\ufeff" + text
    path = tmp_path_factory.mktemp("body") / "page.md"
    path.write_text(text, encoding="utf-8")
    try:
        doc = split_front_matter(text, path)
    except MmsiteError:
        return  # e.g. a body line that closes an unclosed front matter: not a page
    assert read_body(str(path), doc.body_line) == doc.body


# -- in place (mmsite serve's own output folder) -------------------------------------


def test_in_place_builds_equal_clean_builds(site: Path, tmp_path: Path) -> None:
    """`mmsite serve` updates its folder file by file: pages removed are deleted (with
    their folders), changed ones replaced, the rest never touched."""
    from mmsite.engine.build import BuildOptions, build
    from mmsite.engine.incremental import BuildCache

    out = tmp_path / "serve-out"
    cache = BuildCache(None)
    options = BuildOptions(output=out, in_place=True)
    assert build(site, options, cache).kind == "full"
    (site / "content/journal/pepper.md").unlink()
    edit(site / "content/journal/salt.md", "title: 'Salt'", "title: 'Sea salt'")
    before = snapshot(out)
    inode = (out / "about/index.html").stat().st_ino
    result = build(site, options, cache)
    assert result.kind == "full"
    assert not (out / "journal/pepper").exists()
    assert (out / "about/index.html").stat().st_ino == inode
    assert str(PurePosixPath("journal/salt/index.html")) in {str(r) for r in result.changed}
    assert changed(before, snapshot(out)) >= {"journal/salt/index.html"}
    edit(site / "content/journal/salt.md", "Plain salt.", "Plain salt, in place.")
    assert build(site, options, cache).kind == "delta"
    clean = tmp_path / "clean"
    build_site(site, output=clean, cache=False)
    assert {k: v[0] for k, v in snapshot(out).items()} == {
        k: v[0] for k, v in snapshot(clean).items()
    }


def test_text_reverted_in_a_full_build_after_a_delta(site: Path, tmp_path: Path) -> None:
    """A delta build renders new text; the next full build (here: a title changed at the
    same time as the text was put back) must see that the page changed again."""
    salt, pepper = site / "content/journal/salt.md", site / "content/journal/pepper.md"
    edit(salt, "Plain salt.", "Smoked salt.")
    assert build_site(site).kind == "delta"
    edit(salt, "Smoked salt.", "Plain salt.")
    edit(pepper, "title: 'Pepper'", "title: 'Long pepper'")
    assert build_site(site).kind == "full"
    assert "Plain salt." in text_of(parse_html(site / "public/journal/salt/index.html"))
    assert_same_as_clean(site, tmp_path)


def test_saved_snapshot_gives_back_what_it_leaves_out(demo: Path) -> None:
    """A snapshot keeps neither bodies, scalar texts nor page memos: each comes back,
    equal to a fresh parse, when asked for. Bodies and scalar texts are read from the
    files then, as they are then: a body written since shows, a file gone is an error."""
    from mmsite.engine.delta import load_snapshot, snapshot_path
    from mmsite.engine.incremental import BuildCache

    cache = BuildCache.for_site(demo, demo / "public")
    snapshot = load_snapshot(snapshot_path(cache.path))
    assert snapshot is not None
    products = [p for p in snapshot.site.model.pages if "product" in p.data]
    assert products
    for one in snapshot.site.model.pages:
        if one.virtual:
            continue
        fresh = split_front_matter(one.source.read_text(encoding="utf-8"), one.source)
        assert (one.doc.body, one.doc.scalars) == (fresh.body, fresh.scalars)
        assert one.doc.key_lines == fresh.key_lines
        assert one.dir == one.rel.parent
    assert any(p.doc.scalars for p in products)  # prices as written

    again = load_snapshot(snapshot_path(cache.path))
    assert again is not None
    pages = [p for p in again.site.model.pages if not p.virtual]
    product = next(p for p in pages if "product" in p.data and p.doc.key_lines)
    article = next(p for p in pages if p.source != product.source and "series" in p.rel.parts)
    article.source.write_text(article.source.read_text(encoding="utf-8") + "\nLater.\n")
    product.source.unlink()
    assert article.doc.body.endswith("\nLater.\n")  # not in the snapshot: read now
    for left_out in ("body", "scalars"):
        with pytest.raises(MmsiteError, match="changed while the build ran") as error:
            getattr(product.doc, left_out)
        assert error.value.path == product.source


def scanned_output(folder: Path) -> stamps.Stamps:
    """Every file and folder below ``folder``, stamped as stamps.output_stamps does."""
    found: stamps.Stamps = {"": (folder.stat().st_mtime_ns,)}
    for path in folder.rglob("*"):
        st = path.stat(follow_symlinks=False)
        rel = path.relative_to(folder).as_posix()
        is_dir = path.is_dir() and not path.is_symlink()
        found[rel] = (st.st_mtime_ns,) if is_dir else (st.st_ino, st.st_size, st.st_mtime_ns)
    return found


@pytest.mark.parametrize("jobs", [1, 2])
def test_recorded_output_stamps_are_those_of_the_folder(
    demo_built: Path, tmp_path: Path, jobs: int
) -> None:
    """The stamps kept for the next build's check come from the writes (page records,
    the files' own fstat), not from listing the output: they must equal a listing."""
    root = tmp_path / "demo"
    shutil.copytree(demo_built, root, symlinks=True)
    for _ in range(2):  # a full build writing every file, then one linking most of them
        result = build_site(root, jobs=jobs)
        assert result.kind == "full"
        state = stamps.load(stamps.state_path(root, None))
        assert state is not None
        assert state.outputs == scanned_output(root / "public")
        article = root / "content/series/micro-multinationals/02-working-with-freelancers.md"
        edit(article, 'title: "', 'title: "New ')  # front matter: a full build reusing pages
    assert result.reused > 0


def test_a_stored_document_whose_file_went_is_a_clear_error(tmp_path: Path) -> None:
    """Cached documents read their body on first use: a file deleted or garbled while
    the build runs gives an error naming it, not a traceback from a render process."""
    from mmsite.content.frontmatter import StoredDocument

    path = tmp_path / "salt.md"
    path.write_text("---\ntitle: Salt\n---\nFlaky.\n", encoding="utf-8")
    doc = StoredDocument.of(str(path), {"title": "Salt"}, 4, {"title": 2}, {})
    assert doc.body == "Flaky.\n"
    for damage in (path.unlink, lambda: path.write_bytes(b"---\ntitle: x\n---\n\xff")):
        damage()  # deleted, then back as bytes that are not UTF-8
        fresh = StoredDocument.of(str(path), {"title": "Salt"}, 4, {"title": 2}, {})
        with pytest.raises(MmsiteError, match="changed while the build ran") as error:
            _ = fresh.body
        assert error.value.path == path


def loaded_pages(monkeypatch: pytest.MonkeyPatch) -> list:
    """The pages of loaded snapshots whose own pickle was loaded (counted by a wrapper
    around :meth:`mmsite.engine.delta.PageStore.fill`, in this process), in order."""
    from mmsite.engine import delta

    filled: list = []
    fill = delta.PageStore.fill

    def counting(self, page, number: int) -> None:
        fill(self, page, number)
        filled.append(page)

    monkeypatch.setattr(delta.PageStore, "fill", counting)
    return filled


def test_snapshot_pages_load_when_first_used(demo: Path, monkeypatch) -> None:
    """A loaded snapshot keeps each page's front matter pickled until the page is used;
    used, it equals a fresh load, and shared objects are shared again."""
    from mmsite.engine.delta import load_snapshot, snapshot_path
    from mmsite.engine.incremental import BuildCache
    from mmsite.errors import Reporter
    from mmsite.features.commerce.product import Product

    filled = loaded_pages(monkeypatch)
    cache = BuildCache.for_site(demo, demo / "public")
    snapshot = load_snapshot(snapshot_path(cache.path))
    assert snapshot is not None
    pages = snapshot.site.model.pages
    pending = [p for p in pages if not p.virtual]
    assert pending and filled == []  # loaded, no page's own pickle read yet
    first = pending[0]
    title = first.title  # kept beside the pending page (Page.listed): still pending
    assert title and filled == []
    assert first.summary is not None  # through Page.meta
    assert filled == [first]
    assert first.meta["title"] == title
    assert filled == [first]  # once

    fresh, _ = pipeline.load_site(demo, pipeline.BuildOptions(), Reporter())
    by_rel = {(p.rel, p.lang): p for p in fresh.model.pages}
    assert len(by_rel) == len(pages)
    others = [f.name for f in dataclasses.fields(Product) if f.name != "page"]
    for one in pages:
        same = by_rel[(one.rel, one.lang)]
        assert (type(one.rel), type(one.source)) == (PurePosixPath, type(same.source))
        assert one.rel.parts == same.rel.parts and str(one.source) == str(same.source)
        assert (one.source, one.stem, one.meta) == (same.source, same.stem, same.meta)
        assert one.doc.meta == same.doc.meta
        assert one.group.pages[one.lang] is one
        product = one.data.get("product")
        assert (product is None) == ("product" not in same.data)
        if product is not None:
            assert product.page is one
            for name in others:
                assert getattr(product, name) == getattr(same.data["product"], name), name
    assert sorted(map(id, filled)) == sorted(map(id, pending))  # each loaded once, when used


def test_snapshot_page_paths_survive_saving_again(demo: Path, tmp_path: Path) -> None:
    """A loaded snapshot's page index (kept, keyed by text) finds every page, and saved
    again untouched, the snapshot gives back the same paths (they are pickled as text)."""
    from mmsite.engine.delta import load_snapshot, save_snapshot, snapshot_path
    from mmsite.engine.incremental import BuildCache

    snapshot = load_snapshot(snapshot_path(BuildCache.for_site(demo, demo / "public").path))
    assert snapshot is not None
    saved = tmp_path / "again.site"
    save_snapshot(saved, snapshot)
    again = load_snapshot(saved)
    assert again is not None
    for loaded in (snapshot, again):
        model = loaded.site.model
        assert model.by_rel == {str(page.rel): page for page in model.pages}
    before = [(page.rel, page.source) for page in snapshot.site.model.pages]
    after = [(page.rel, page.source) for page in again.site.model.pages]
    assert after == before
    assert all(type(rel) is PurePosixPath for rel, _ in after)


@pytest.mark.parametrize(
    ("edited", "in_feed"),
    [("series/micro-multinationals/02-working-with-freelancers.md", True), ("about.md", False)],
)
def test_a_delta_unpickles_only_what_it_uses(
    demo: Path, tmp_path: Path, monkeypatch, edited: str, in_feed: bool
) -> None:
    """Pages not rendered stay pickled; the bodies kept for feeds are unpickled only
    when a feed is written again, and then only those it shows."""
    from mmsite.engine import delta

    filled = loaded_pages(monkeypatch)
    decoded: list = []  # rendered bodies taken from the snapshot, by key
    stored_get = delta.StoredBodies.get

    def get(self, key):
        found = stored_get(self, key)
        if found is not None:
            decoded.append(key)
        return found

    monkeypatch.setattr(delta.StoredBodies, "get", get)
    loaded: list[delta.Snapshot] = []

    def load(path: Path) -> delta.Snapshot | None:
        found = load_snapshot(path)
        loaded.append(found)
        return found

    load_snapshot = delta.load_snapshot
    monkeypatch.setattr(delta, "load_snapshot", load)
    path = demo / "content" / edited
    path.write_text(path.read_text(encoding="utf-8") + "\nA sentence added.\n", "utf-8")
    result = build_site(demo)
    assert result.kind == "delta"
    assert any(str(rel).endswith("atom.xml") for rel in result.changed) == in_feed
    pages = [p for p in loaded[0].site.model.pages if not p.virtual]
    assert 0 < len({id(p) for p in filled}) < len(pages)
    kept = loaded[0].rendered
    assert isinstance(kept, delta.StoredBodies) == in_feed
    if in_feed:  # bodies the rewritten feeds show, decoded one by one; the edited one rendered
        assert len(kept.index) > len(set(decoded)) > 0
        assert not any(str(key[0]).endswith(edited) for key in decoded)
        feeds = [rel for rel in result.changed if str(rel).endswith("atom.xml")]
        assert any("A sentence added." in (demo / "public" / rel).read_text() for rel in feeds)
    else:
        assert decoded == []
    assert_same_as_clean(demo, tmp_path)


def test_a_snapshot_cut_short_means_a_full_build(site: Path, tmp_path: Path) -> None:
    from mmsite.engine.delta import snapshot_path
    from mmsite.engine.incremental import BuildCache

    path = snapshot_path(BuildCache.for_site(site, site / "public").path)
    path.write_bytes(path.read_bytes()[:-10])
    edit(site / "content/journal/salt.md", "Plain salt.", "Plain salt, edited.")
    assert build_site(site).kind == "full"
    assert_same_as_clean(site, tmp_path)


def test_a_body_edit_with_a_touched_output_is_a_full_build(site: Path, tmp_path: Path) -> None:
    """The output is checked (in a second process) while the snapshot loads."""
    edit(site / "content/journal/salt.md", "Plain salt.", "Plain salt, edited.")
    (site / "public/about/index.html").write_text("tampered", encoding="utf-8")
    assert build_site(site).kind == "full"
    assert_same_as_clean(site, tmp_path)


def test_a_damaged_page_in_the_snapshot_means_a_full_build(site: Path, tmp_path: Path) -> None:
    """The pages' own pickles are read when used, in the middle of a delta build: one
    that does not load stops it before anything is written, and a full build runs."""
    import pickle

    from mmsite.engine.delta import snapshot_path
    from mmsite.engine.incremental import BuildCache

    path = snapshot_path(BuildCache.for_site(site, site / "public").path)
    raw = bytearray(signing.read_verified(path) or b"")  # signed (issue 28): damaged
    head = int.from_bytes(raw[:8], "little")  # inside, as a bug would, and signed again
    sizes = pickle.loads(raw[8 : 8 + head])[2]
    start = len(raw) - sizes[-1]  # the pages' pickles come last
    raw[start:] = b"\x00" * sizes[-1]
    signing.write_signed(path, bytes(raw))
    edit(site / "content/journal/salt.md", "Plain salt.", "Plain salt, edited.")
    assert build_site(site).kind == "full"
    assert_same_as_clean(site, tmp_path)


@pytest.mark.parametrize("child_fails", [False, True])
def test_snapshot_written_beside_the_records_by_a_forked_child(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, child_fails: bool
) -> None:
    """A full build's snapshot is made and written by a forked child while the build's own
    process saves the page records; when the child fails midway, the build writes it
    itself. Either way no temporary file is left beside it, and the next body edit is a
    delta identical to a clean build."""
    from mmsite.engine import delta

    parent, writers = os.getpid(), tmp_path / "writers"
    save, replace = delta.save_snapshot, os.replace

    def recording_save(path: Path, snapshot) -> None:
        with writers.open("a") as log:
            log.write(f"{'here' if os.getpid() == parent else 'child'}\n")
        save(path, snapshot)

    def failing_replace(src, dst) -> None:
        if child_fails and os.getpid() != parent and str(dst).endswith(".site"):
            raise OSError("disk full")  # after the temporary file was written
        replace(src, dst)

    monkeypatch.setattr(delta, "save_snapshot", recording_save)
    monkeypatch.setattr(os, "replace", failing_replace)
    monkeypatch.setenv("MMSITE_JOBS", "2")
    build_site(site, clean=True)
    assert writers.read_text().split() == (["child", "here"] if child_fails else ["child"])
    cache = site / ".mmsite-cache" / "build"
    assert [p.name for p in cache.iterdir() if ".tmp-" in p.name] == []
    edit(site / "content/journal/salt.md", "Plain salt.", "Plain flaky salt.")
    assert build_site(site).kind == "delta"
    assert_same_as_clean(site, tmp_path)
