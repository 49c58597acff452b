"""Atom feeds in incremental builds: kept (same inode) when no article changed, rebuilt
with the new text when an article's body or title changes, always equal to a clean build."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import build_site
from test_series import CONFIG, SERIES, series_files

FEEDS = ("series/atom.xml", "series/founders/atom.xml", "fr/series/atom.xml")


def stats(public: Path) -> dict[str, tuple[int, int]]:
    return {f: ((public / f).stat().st_ino, (public / f).stat().st_mtime_ns) for f in FEEDS}


def clean_build(root: Path, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "clean"
    shutil.rmtree(out, ignore_errors=True)
    build_site(root, output=out, cache=False)
    return {f: (out / f).read_bytes() for f in FEEDS}


def test_feeds_are_kept_when_unchanged_and_rebuilt_when_an_article_changes(
    make_site, tmp_path: Path
) -> None:
    root = make_site(series_files(), config=CONFIG.format(policy="fallback"))
    public = root / "public"
    build_site(root)
    first = stats(public)
    build_site(root)
    assert stats(public) == first, "unchanged feeds keep their inode and mtime"

    source = root / SERIES / "c.md"
    source.write_text(source.read_text() + "\nA brand new closing paragraph.\n")
    build_site(root)
    assert "brand new closing paragraph" in (public / "series/atom.xml").read_text()
    assert {f: (public / f).read_bytes() for f in FEEDS} == clean_build(root, tmp_path)

    text = source.read_text()
    assert "title: 'Second'" in text
    source.write_text(text.replace("title: 'Second'", "title: 'Renamed part'"))
    build_site(root)
    assert "Renamed part" in (public / "series/founders/atom.xml").read_text()
    assert {f: (public / f).read_bytes() for f in FEEDS} == clean_build(root, tmp_path)
