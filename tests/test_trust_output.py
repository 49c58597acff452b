"""The output folder stays safe (issue 28; docs/trust.md, "The output folder"): a failed
build leaves it byte for byte as it was, a kill at any step of the swap leaves the old
site or the new one, and nothing mmsite did not write is ever deleted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import REPO, build_site, page, write_site
from mmsite.commands.cli import main
from mmsite.errors import MmsiteError
from mmsite.output.tree import MARKER, OutputTree, output_lock
from test_incremental import FILES

CONFIG = "title: Big\nbase_url: https://big.example/\nlanguages:\n  en: {locale: en_US}\n"
PAGES = 260  # above engine/parallel.py MIN_ITEMS: pages render in several processes


def files_of(folder: Path) -> dict[str, tuple[bytes, int]]:
    """rel path -> (bytes, inode) of every file and link below ``folder``."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file() or path.is_symlink():
            found[path.relative_to(folder).as_posix()] = (path.read_bytes(), path.stat().st_ino)
    return found


def big_site(root: Path) -> Path:
    files = {f"content/p/page-{n:05d}.md": page(f"Page {n}", f"Text {n}.") for n in range(PAGES)}
    files["content/_index.md"] = page("Home", "Welcome.")
    return write_site(root, files, CONFIG)


# -- High 1: a failed build leaves public/ byte for byte as it was ------------------


def test_alias_clash_on_a_parallel_site_names_both_files_and_keeps_public(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("MMSITE_JOBS", "2")
    root = big_site(tmp_path / "site")
    build_site(root)
    before = files_of(root / "public")
    (root / "content/p/page-00250.md").write_text(
        page("Page 250", "Moved.", aliases="[/p/page-00001/]"), encoding="utf-8"
    )
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    message = str(caught.value)
    assert "content/p/page-00250.md" in message and "content/p/page-00001.md" in message
    assert files_of(root / "public") == before  # bytes and inodes: nothing written through


def test_a_file_already_in_staging_is_never_written_through(tmp_path: Path) -> None:
    """Another process linked the previous page into the staging folder: writing the
    same path again is a clash, and the live file (same inode) keeps its bytes."""
    site = tmp_path / "site"
    site.mkdir()
    first = OutputTree(site / "public", site)
    first.write("a/index.html", "<p>live</p>")
    first.copy("b.txt", _file(tmp_path / "b.txt", b"live b"))
    first.commit()
    live = files_of(site / "public")
    tree = OutputTree(site / "public", site)
    for rel in ("a/index.html", "b.txt"):  # what a child process did
        (tree.staging / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(site / "public" / rel, tree.staging / rel)
    with pytest.raises(MmsiteError, match="two outputs write a/index.html"):
        tree.write("a/index.html", "<p>redirect stub</p>")
    with pytest.raises(MmsiteError, match="two outputs write b.txt"):
        tree.copy("b.txt", _file(tmp_path / "new-b.txt", b"other bytes"))
    tree.abort()
    assert files_of(site / "public") == live


def _file(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_step_writing_a_pages_file_is_an_error_naming_both(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    tree = OutputTree(site / "public", site)
    from pathlib import PurePosixPath

    tree.plan(PurePosixPath("a/index.html"), site / "content/a.md")
    assert tree.exists("a/index.html")  # promised: an alias there is refused
    tree.step = "feeds"
    with pytest.raises(MmsiteError, match=r"a/index.html: the page .*a\.md and the build step"):
        tree.write("a/index.html", "x")
    tree.abort()


# -- High 2: a symlinked output folder ----------------------------------------------


def test_symlinked_output_is_refused_and_its_target_untouched(make_site, tmp_path: Path) -> None:
    root = make_site({"content/_index.md": page("Home"), "content/a.md": page("A")})
    build_site(root)
    www = tmp_path / "www"
    (root / "public").rename(www)
    (root / "public").symlink_to(www)
    (www / "other-app").mkdir()
    (www / "other-app/index.php").write_text("<?php")
    (www / "notes.txt").write_text("mine")
    before = files_of(www)
    with pytest.raises(MmsiteError, match="symbolic link") as caught:
        build_site(root)
    assert "output_dir" in (caught.value.hint or "")
    assert files_of(www) == before
    assert main(["build", "--site", str(root)]) == 1
    assert main(["clean", "--site", str(root)]) == 1
    assert files_of(www) == before


def test_output_folder_that_is_a_mount_point_gets_a_hint(make_site, monkeypatch) -> None:
    root = make_site({"content/_index.md": page("Home")})
    build_site(root)
    public = (root / "public").resolve()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda path: Path(path) == public or real(path))
    with pytest.raises(MmsiteError, match="mount point") as caught:
        build_site(root, cache=False)
    assert "output_dir" in (caught.value.hint or "")


# -- Medium 9: the marker belongs to the output it lists ----------------------------


def test_copied_marker_does_not_authorise_deleting_a_folder(make_site, tmp_path: Path) -> None:
    root = make_site({"content/_index.md": page("Home")})
    build_site(root)
    docs = tmp_path / "docs"
    (docs / ".git").mkdir(parents=True)
    (docs / ".git/config").write_text("[core]\n")
    (docs / "index.html").write_text("hand written")
    (docs / MARKER).write_bytes((root / "public" / MARKER).read_bytes())
    before = files_of(docs)
    with pytest.raises(MmsiteError, match=r"did not write: \.git/config"):
        build_site(root, output=docs)
    assert main(["clean", "--site", str(root), "--output", str(docs)]) == 1
    assert files_of(docs) == before


def test_files_added_to_the_output_are_refused_by_name(make_site) -> None:
    root = make_site({"content/_index.md": page("Home")})
    build_site(root)
    (root / "public/CNAME").write_text("shop.example\n")
    (root / "public/google1234.html").write_text("google-site-verification")
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    assert "CNAME, google1234.html" in str(caught.value)
    assert "static/" in (caught.value.hint or "")
    assert (root / "public/CNAME").read_text() == "shop.example\n"
    assert main(["clean", "--site", str(root)]) == 1  # clean keeps them too
    assert (root / "public/CNAME").is_file()
    # the documented way: static/ files are published on every build
    (root / "public/CNAME").rename(
        root / "static/CNAME" if (root / "static").is_dir() else _mkdir(root / "static") / "CNAME"
    )
    (root / "public/google1234.html").unlink()
    build_site(root)
    assert (root / "public/CNAME").read_text() == "shop.example\n"
    assert "CNAME" in json.loads((root / "public" / MARKER).read_text().partition("\n")[2])["files"]


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def test_marker_of_an_older_mmsite_is_refused_with_a_hint(make_site) -> None:
    root = make_site({"content/_index.md": page("Home")})
    build_site(root)
    (root / "public" / MARKER).write_text("built by mmsite; safe to delete\n")
    with pytest.raises(MmsiteError, match="names no folder"):
        build_site(root, cache=False)


# -- Low: two builds at once ---------------------------------------------------------


def test_second_build_of_the_same_output_stops_with_a_clear_message(make_site) -> None:
    root = make_site({"content/_index.md": page("Home")})
    build_site(root)
    before = files_of(root / "public")
    with output_lock(root / "public"):
        with pytest.raises(MmsiteError, match="another mmsite build"):
            build_site(root, cache=False)
        assert main(["clean", "--site", str(root)]) == 1
    assert files_of(root / "public") == before
    build_site(root, cache=False)  # the lock went with its holder


# -- Medium 7: a kill at any step of the swap ---------------------------------------

KILLER = """
import os, sys
from pathlib import Path
from mmsite.output import tree
from mmsite.engine.build import BuildOptions, build

kind, at = sys.argv[2], sys.argv[3]
if kind == "step":
    tree.checkpoint = lambda name: os._exit(137) if name == at else None
else:  # the N-th rename of any kind (files and folders) in this process
    count = [0]
    for name in ("rename", "replace"):
        real = getattr(os, name)
        def counted(*args, _real=real, **kwargs):
            count[0] += 1
            if count[0] == int(at):
                os._exit(137)
            return _real(*args, **kwargs)
        setattr(os, name, counted)
    found = getattr(tree, "exchange", None)
    def exchange(first, second):
        count[0] += 1
        if count[0] == int(at):
            os._exit(137)
        return found(first, second)
    if found is not None:
        tree.exchange = exchange
if sys.argv[4] == "no-exchange":
    tree.exchange = lambda first, second: False
build(Path(sys.argv[1]), BuildOptions(jobs=1, cache=sys.argv[5] == "delta"))
"""

# the named steps of the swap (mmsite.output.tree.at_step): a full build deletes the
# replaced output, a delta build keeps it as the next one's spare
STEPS = {
    (True, True): ["staged", "exchanged", "swapped", "spared"],
    (True, False): ["staged", "moved-away", "swapped", "spared"],
    (False, True): ["staged", "exchanged", "swapped", "deleted"],
    (False, False): ["staged", "moved-away", "swapped", "deleted"],
}


def killed_build(root: Path, kind: str, at: str, exchange: bool = True, delta: bool = True) -> int:
    """Build ``root`` in another process, killed (``os._exit``: no clean-up runs) at
    the swap step named ``at`` (``kind`` "step") or at its ``at``-th rename."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    mode = "exchange" if exchange else "no-exchange"
    args = [sys.executable, "-c", textwrap.dedent(KILLER), str(root), kind, at, mode]
    args.append("delta" if delta else "full")
    return subprocess.run(args, env=env, capture_output=True, timeout=120).returncode


def contents(folder: Path) -> dict[str, bytes]:
    return {rel: data for rel, (data, _) in files_of(folder).items()}


def edit_salt(root: Path, text: str) -> None:
    (root / "content/journal/salt.md").write_text(page("Salt", text, summary="'Flaky'"))


def both_sites(make_site, tmp_path: Path) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A built site, its output's contents, and the contents after a body edit (a
    delta build: the page and the feeds that show it)."""
    root = make_site(FILES)
    build_site(root)
    old = contents(root / "public")
    edit_salt(root, "Smoked salt.")
    reference = tmp_path / "reference"
    build_site(root, output=reference, cache=False)
    new = contents(reference)
    changed = {rel for rel in new if new[rel] != old.get(rel)}
    assert len(changed) >= 2, changed  # else a kill cannot mix old and new files
    edit_salt(root, "Plain salt.")
    return root, old, new


def assert_old_or_new(root: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    now = contents(root / "public")
    leftovers = [rel for rel in now if ".mmsite-" in rel and rel != MARKER]
    assert not leftovers, f"temporary files inside the output: {leftovers}"
    assert now in (old, new), "the output is neither the old site nor the new one"
    return "old" if now == old else "new"


@pytest.mark.parametrize("exchange", [True, False])
@pytest.mark.parametrize("delta", [True, False], ids=["delta", "full"])
def test_kill_at_every_step_of_the_swap(make_site, tmp_path, delta, exchange) -> None:
    root, old, new = both_sites(make_site, tmp_path)
    seen = []
    for step in STEPS[delta, exchange]:
        edit_salt(root, "Smoked salt.")
        code = killed_build(root, "step", step, exchange, delta)
        assert code == 137, f"the kill at {step!r} did not land"
        if not exchange and step == "moved-away":
            assert not (root / "public").exists()  # the fallback's gap: put back next time
        else:
            seen.append(assert_old_or_new(root, old, new))
        build_site(root)  # the next build finishes the job
        assert assert_old_or_new(root, old, new) == "new"
        assert not list(root.glob(".public.tmp-*"))
        edit_salt(root, "Plain salt.")
        build_site(root)
        assert contents(root / "public") == old
    assert "old" in seen and "new" in seen


def test_kill_at_every_rename_of_a_delta_build(make_site, tmp_path) -> None:
    """Every rename the build makes (files and folders, found by counting, not by
    name): killed before each, the output is a complete old or new site."""
    root, old, new = both_sites(make_site, tmp_path)
    for nth in range(1, 40):
        edit_salt(root, "Smoked salt.")
        code = killed_build(root, "rename", str(nth))
        assert_old_or_new(root, old, new)
        if code == 0:  # the build made fewer renames: every one was tried
            break
        assert code == 137
        build_site(root)
        assert assert_old_or_new(root, old, new) == "new"
        edit_salt(root, "Plain salt.")
        build_site(root)
    else:
        pytest.fail("the build never finished")
    assert nth > 1


def test_delta_builds_in_a_row_and_between_full_builds_equal_clean_builds(
    make_site, tmp_path
) -> None:
    """The replaced output is kept as the next delta build's starting point (only the
    files that differ re-linked); a full build in between makes it unusable."""
    root = make_site(FILES)
    build_site(root)
    edits = [("Salt", "One."), ("Salt", "Two."), ("Salty", "Three."), ("Salty", "Four.")]
    for n, (title, text) in enumerate(edits):
        (root / "content/journal/salt.md").write_text(page(title, text, summary="'Flaky'"))
        if n == 2:  # a page and its folders go: the spare must lose them too
            for name in ("oil.md", "oil.fr.md"):
                (root / "content/journal" / name).unlink()
        result = build_site(root)
        assert result.kind == ("full" if n == 2 else "delta")  # a new title: a full build
        clean = tmp_path / f"clean-{n}"
        build_site(root, output=clean, cache=False)
        assert contents(root / "public") == contents(clean)
        assert folders(root / "public") == folders(clean)
        assert_old_or_new(root, contents(clean), contents(clean))


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}
