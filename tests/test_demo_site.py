"""The demo site in the repository root is our best end-to-end test."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import REPO, build_site, hreflangs, parse_html


def test_demo_site_builds_without_warnings(tmp_path: Path) -> None:
    site = tmp_path / "demo"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    result = build_site(site)
    assert result.warnings == []
    public = site / "public"
    for home in ("index.html", "fr/index.html", "es/index.html", "ar/index.html"):
        assert (public / home).is_file(), home
    ar = parse_html(public / "ar/index.html")
    assert ar.get("dir") == "rtl" and ar.get("lang") == "ar"
    fr = parse_html(public / "fr/index.html")
    links = hreflangs(fr)
    assert {"fr", "es", "ar", "x-default"} <= set(links)
    assert links["fr"] == "https://kernow-salt.example/fr/"
