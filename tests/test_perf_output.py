"""Output tree speed work: lexical path checks, old output deleted in the background
(marker last), leftovers of a cut-short deletion removed by the next build."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import build_site, page
from mmsite.commands.cli import main
from mmsite.errors import MmsiteError
from mmsite.output.tree import (
    MARKER,
    OutputTree,
    delete_marked,
    marker_text,
    wait_for_cleanup,
)


@pytest.mark.parametrize(
    "rel", ["/etc/passwd", "../escape.html", "a/../../b.html", "a/\0/b.html", "", "."]
)
def test_target_refuses_paths_that_leave_the_staging_folder(tmp_path: Path, rel: str) -> None:
    (tmp_path / "site.yaml").write_text("x: 1\n")
    tree = OutputTree(tmp_path / "public", tmp_path)
    try:
        with pytest.raises(MmsiteError, match="outside the output folder"):
            tree.write(rel, "x")
    finally:
        tree.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.yaml"]


def test_target_is_inside_staging_for_nested_paths(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("x: 1\n")
    tree = OutputTree(tmp_path / "public", tmp_path)
    tree.write("fr/produits/sel/index.html", "<p>sel</p>")
    assert tree.target("fr/produits/sel/index.html").is_relative_to(tree.staging)
    tree.commit()
    assert (tmp_path / "public/fr/produits/sel/index.html").read_text() == "<p>sel</p>"


def test_delete_marked_removes_the_marker_last(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / ".public.old-1-2"
    (folder / "a" / "b").mkdir(parents=True)
    (folder / "a" / "b" / "index.html").write_text("x")
    (folder / "z.html").write_text("x")
    (folder / MARKER).write_text("")
    seen: list[bool] = []
    import shutil

    real = shutil.rmtree

    def spy(path, *args, **kwargs):
        seen.append((folder / MARKER).exists())
        return real(path, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", spy)
    delete_marked(folder)
    assert not folder.exists()
    assert seen and all(seen)  # the marker was there during every deletion step


def test_cli_build_replaces_output_and_next_build_removes_leftovers(make_site) -> None:
    root = make_site({"content/_index.md": page("Home"), "content/a.md": page("A")})
    assert main(["build", "--site", str(root)]) == 0
    assert main(["build", "--site", str(root)]) == 0
    assert wait_for_cleanup(30)
    # A deletion cut short by the process exiting: a marked old folder stays behind.
    left = root / ".public.old-424242-1"
    (left / "en").mkdir(parents=True)
    (left / "en" / "index.html").write_text("old")
    (left / MARKER).write_text(marker_text(None))
    unmarked = root / ".public.old-525252-1"
    unmarked.mkdir()
    (unmarked / "keep.txt").write_text("not ours")
    build_site(root)
    assert wait_for_cleanup(30)
    assert not left.exists()
    assert (unmarked / "keep.txt").read_text() == "not ours"
    assert (root / "public" / MARKER).is_file()
    assert not list(root.glob(".public.tmp-*"))
