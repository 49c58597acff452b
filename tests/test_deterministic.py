"""Same input, same bytes; --base-url for preview deploys."""

from __future__ import annotations

from pathlib import Path

from helpers import build_site, hreflangs, parse_html
from mmsite.commands.cli import main


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_two_builds_are_byte_identical(demo_site: Path, tmp_path: Path) -> None:
    site = demo_site
    build_site(site, output=tmp_path / "one")
    build_site(site, output=tmp_path / "two")
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert len(one) > 50
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []


def test_base_url_override_for_preview_deploys(demo_site: Path, capsys) -> None:
    site = demo_site
    preview = "https://preview-42.kernow.pages.dev/"
    assert main(["build", "--site", str(site), "--base-url", preview]) == 0
    public = site / "public"
    fr = parse_html(public / "fr/index.html")
    assert hreflangs(fr)["fr"] == preview + "fr/"
    sitemap = (public / "sitemap.xml").read_text()
    assert "kernow-salt.example" not in sitemap and preview + "fr/" in sitemap
    assert f"Sitemap: {preview}sitemap.xml" in (public / "robots.txt").read_text()
    assert main(["check", "--site", str(site), "--base-url", preview]) == 0
    assert "0 error(s)" in capsys.readouterr().out
