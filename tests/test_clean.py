"""``mmsite clean`` and ``mmsite build --clean`` delete only what mmsite made."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import build_site, page
from mmsite.commands.cli import main
from mmsite.output.tree import CACHE_DIR, MARKER, marker_text

SITE = {"content/_index.md": page("Home", "Hello."), "content/about.md": page("About")}


def run(*argv: str) -> int:
    return main(list(argv))


def test_clean_deletes_output_cache_and_leftovers(make_site, capsys) -> None:
    root = make_site(SITE)
    build_site(root)
    (root / CACHE_DIR / "images").mkdir(parents=True)
    (root / CACHE_DIR / "images" / "x.webp").write_bytes(b"x")
    stale = root / ".public.tmp-99999"
    stale.mkdir()
    (stale / MARKER).write_text(marker_text(None))
    assert run("clean", "--site", str(root)) == 0
    assert not (root / "public").exists()
    assert not (root / CACHE_DIR).exists()
    assert not stale.exists()
    assert (root / "content" / "about.md").is_file() and (root / "site.yaml").is_file()
    assert "deleted" in capsys.readouterr().out


def test_clean_with_nothing_built_says_so(make_site, capsys) -> None:
    root = make_site(SITE)
    assert run("clean", "--site", str(root)) == 0
    assert "nothing to clean" in capsys.readouterr().out


def test_clean_refuses_folder_without_marker(make_site, capsys) -> None:
    root = make_site(SITE)
    mine = root / "public"
    mine.mkdir()
    (mine / "notes.txt").write_text("my work")
    assert run("clean", "--site", str(root)) == 1
    assert (mine / "notes.txt").read_text() == "my work"
    assert "marker" in capsys.readouterr().err


def test_clean_refuses_empty_folder_without_marker(make_site) -> None:
    root = make_site(SITE)
    (root / "public").mkdir()
    assert run("clean", "--site", str(root)) == 1
    assert (root / "public").is_dir()


@pytest.mark.parametrize("target", [".", "..", "content", "/"])
def test_clean_refuses_the_site_and_its_parents(make_site, target: str) -> None:
    root = make_site(SITE)
    output = root / target if target != "/" else Path("/")
    (root / "content" / MARKER).write_text("")  # even a marker does not make content/ output
    assert run("clean", "--site", str(root), "--output", str(output)) == 1
    assert (root / "content" / "_index.md").is_file()
    assert (root / "site.yaml").is_file()


def test_clean_refuses_a_folder_holding_a_site(make_site, tmp_path: Path) -> None:
    root = make_site(SITE)
    other = tmp_path / "other-site"
    (other / "content").mkdir(parents=True)
    (other / MARKER).write_text("")
    assert run("clean", "--site", str(root), "--output", str(other)) == 1
    assert (other / "content").is_dir()
    other_yaml = tmp_path / "third"
    other_yaml.mkdir()
    (other_yaml / "site.yaml").write_text("title: x\n")
    (other_yaml / MARKER).write_text("")
    assert run("clean", "--site", str(root), "--output", str(other_yaml)) == 1
    assert (other_yaml / "site.yaml").is_file()


def test_clean_refuses_a_symlink_to_an_output(make_site, tmp_path: Path) -> None:
    root = make_site(SITE)
    build_site(root, output=tmp_path / "real")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert run("clean", "--site", str(root), "--output", str(tmp_path / "link")) == 1
    assert (tmp_path / "real" / "index.html").is_file()


def test_cache_symlink_is_not_followed(make_site, tmp_path: Path) -> None:
    root = make_site(SITE)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep")
    (root / CACHE_DIR).symlink_to(precious)
    build_site(root)
    assert run("clean", "--site", str(root)) == 0
    assert (precious / "keep.txt").read_text() == "keep"


def test_build_clean_drops_cache_and_keeps_output_on_failure(make_site) -> None:
    root = make_site(SITE)
    build_site(root)
    before = (root / "public" / "about" / "index.html").read_bytes()
    (root / CACHE_DIR).mkdir(exist_ok=True)
    (root / CACHE_DIR / "stale").write_text("x")
    (root / "content" / "broken.md").write_text("---\ntitle: [unclosed\n---\n")
    assert run("build", "--clean", "--site", str(root)) == 1
    assert (root / "public" / "about" / "index.html").read_bytes() == before
    (root / "content" / "broken.md").unlink()
    assert run("build", "--clean", "--site", str(root)) == 0
    assert not (root / CACHE_DIR / "stale").exists()
    assert (root / "public" / MARKER).is_file()


@pytest.mark.parametrize("inside", ["content", "content/sub", "static", "themes/x"])
def test_build_refuses_output_inside_the_sources(make_site, inside: str) -> None:
    root = make_site({**SITE, "static/robots.txt": "User-agent: *\n"})
    (root / inside).mkdir(parents=True, exist_ok=True)
    (root / inside / MARKER).write_text("")
    assert run("build", "--site", str(root), "--output", str(root / inside)) == 1
    assert (root / "content" / "_index.md").is_file()
    assert (root / "static" / "robots.txt").is_file()
