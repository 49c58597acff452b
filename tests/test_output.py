"""Atomic output: a failed build leaves the previous site untouched; nothing outside."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import build_site, page, parse_html, text_of
from mmsite.errors import MmsiteError
from mmsite.output.tree import MARKER, OutputTree


def snapshot(folder: Path) -> dict[str, bytes]:
    files = (p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


def test_failed_build_keeps_previous_output(make_site) -> None:
    root = make_site({"content/_index.md": page("Home"), "content/a.md": page("A")})
    build_site(root)
    before = snapshot(root / "public")
    assert "a/index.html" in before and MARKER in before
    (root / "content/b.md").write_text("---\ntitle: [broken\n---\n")
    with pytest.raises(MmsiteError):
        build_site(root)
    assert snapshot(root / "public") == before
    left = sorted(p.name for p in root.iterdir() if p.name != ".mmsite-cache")  # build cache
    assert left == ["content", "public", "site.yaml"]


def test_failure_while_rendering_keeps_previous_output(make_site) -> None:
    root = make_site({"content/_index.md": page("Home"), "content/a.md": page("A")})
    build_site(root)
    before = snapshot(root / "public")
    (root / "templates").mkdir()
    (root / "templates/page.html").write_text("{{ page.missing.attr }}")
    with pytest.raises(MmsiteError):
        build_site(root)
    assert snapshot(root / "public") == before
    assert not any(p.name.startswith(".public") for p in root.iterdir())


def test_successful_build_replaces_stale_files(make_site) -> None:
    root = make_site({"content/_index.md": page("Home"), "content/a.md": page("A")})
    build_site(root)
    (root / "content/a.md").unlink()
    build_site(root)
    assert not (root / "public/a").exists()


def test_refuses_to_replace_a_folder_mmsite_did_not_make(make_site) -> None:
    root = make_site({"content/_index.md": page("Home")})
    (root / "public").mkdir()
    (root / "public/precious.txt").write_text("mine")
    with pytest.raises(MmsiteError, match="was not made by mmsite"):
        build_site(root)
    assert (root / "public/precious.txt").read_text() == "mine"


@pytest.mark.parametrize("output", [".", "..", "content"])
def test_refuses_output_folders_that_hold_the_site(make_site, output: str) -> None:
    root = make_site({"content/_index.md": page("Home")})
    with pytest.raises(MmsiteError):
        build_site(root, output=(root / output))
    assert (root / "content/_index.md").is_file()


def test_resource_with_traversal_name_stays_inside(make_site, tmp_path: Path) -> None:
    root = make_site({"content/_index.md": page("Home"), "content/a.md": page("A", slug="'..'")})
    with pytest.raises(MmsiteError, match="cannot be used in a URL"):
        build_site(root)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_stat_of_a_written_file_is_what_the_file_keeps(tmp_path: Path) -> None:
    """``stat`` answers from the write itself (no second stat), and the answer holds
    after the commit: the incremental cache compares it with the file next time."""
    site = tmp_path / "site"
    site.mkdir()
    tree = OutputTree(site / "public", site)
    tree.write("a/index.html", "<p>one</p>" * 1000)
    tree.write("b.txt", b"two")
    tree.write("b.txt", b"two, again")  # written twice: the second file's stat
    stats = {rel: tree.stat(rel) for rel in ("a/index.html", "b.txt")}
    tree.commit()
    for rel, stat in stats.items():
        st = (site / "public" / rel).stat()
        assert stat == (st.st_ino, st.st_size, st.st_mtime_ns)


def test_failure_after_the_pages_keeps_previous_output_and_state(make_site, monkeypatch) -> None:
    """A failure between the last page and the swap (here: a fork once the new page is
    written in the staging folder, that of the child that writes the delta snapshot)
    leaves the previous output, no staging folder, and no state claiming the output is
    current; the next build goes through."""
    from mmsite.engine import stamps

    root = make_site({"content/_index.md": page("Home"), "content/a.md": page("A")})
    build_site(root)
    before = snapshot(root / "public")
    (root / "content/a.md").write_text(page("A new title", "New text."))  # a full build

    fork = os.fork

    def new_page_staged() -> bool:
        staged = [p for p in root.glob("*/a/index.html") if p.parent.parent.name != "public"]
        return any("A new title" in p.read_text(encoding="utf-8") for p in staged)

    def no_fork() -> int:
        if new_page_staged():
            raise OSError(11, "Resource temporarily unavailable")
        return fork()

    monkeypatch.setattr(os, "fork", no_fork)
    monkeypatch.setenv("MMSITE_JOBS", "2")
    with pytest.raises(OSError, match="temporarily unavailable"):
        build_site(root)
    assert snapshot(root / "public") == before
    assert not any(p.name.startswith(".public") for p in root.iterdir())
    assert not stamps.state_path(root, None).exists()
    monkeypatch.undo()
    assert build_site(root).kind == "full"
    assert text_of(parse_html(root / "public/a/index.html").find(".//h1")) == "A new title"
