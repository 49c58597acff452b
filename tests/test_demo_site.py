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


def test_demo_home_shows_the_shop_and_the_interviews(tmp_path: Path) -> None:
    site = tmp_path / "demo"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    build_site(site)
    for home, catalog in (("index.html", "/products/"), ("fr/index.html", "/fr/produits/")):
        doc = parse_html(site / "public" / home)
        shop = next(s for s in doc.iter("section") if "home-shop" in s.get("class", ""))
        cards = [li for li in shop.iter("li") if li.get("class") == "product-card"]
        assert len(cards) == 4
        assert all(li.get("data-sku") for li in cards)
        assert catalog in [a.get("href") for a in shop.iter("a")]
        series = next(s for s in doc.iter("section") if "home-series" in s.get("class", ""))
        titles = [h for h in series.iter("h3") if "card-title" in h.get("class", "")]
        assert len(titles) == 1
