"""The demo site in the repository root is our best end-to-end test."""

from __future__ import annotations

from pathlib import Path

from helpers import BuildResult, hreflangs, parse_html, text_of


def test_demo_site_builds_without_warnings(
    demo_built: Path, demo_build_result: BuildResult
) -> None:
    assert demo_build_result.warnings == []  # the session's one (cold) build of the demo
    public = demo_built / "public"
    for home in ("index.html", "fr/index.html", "es/index.html", "ar/index.html", "ja/index.html"):
        assert (public / home).is_file(), home
    ar = parse_html(public / "ar/index.html")
    assert ar.get("dir") == "rtl" and ar.get("lang") == "ar"
    fr = parse_html(public / "fr/index.html")
    links = hreflangs(fr)
    assert {"fr", "es", "ar", "x-default"} <= set(links)
    assert links["fr"] == "https://kernow-salt.example/fr/"


def test_demo_home_shows_the_shop_and_the_interviews(demo_built: Path) -> None:
    for home, catalog in (("index.html", "/products/"), ("fr/index.html", "/fr/produits/")):
        doc = parse_html(demo_built / "public" / home)
        shop = next(s for s in doc.iter("section") if "home-shop" in s.get("class", ""))
        cards = [li for li in shop.iter("li") if li.get("class") == "product-card"]
        assert len(cards) == 4
        assert all(li.get("data-sku") for li in cards)
        assert catalog in [a.get("href") for a in shop.iter("a")]
        series = next(s for s in doc.iter("section") if "home-series" in s.get("class", ""))
        titles = [h for h in series.iter("h3") if "card-title" in h.get("class", "")]
        assert len(titles) == 1


def _classed(root, name: str) -> list:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def test_demo_japanese_edition_sells_in_yen_with_from_after_the_price(demo_built: Path) -> None:
    """The Japanese edition: yen without decimals, the tax note, and "From" written the
    Japanese way, after the price (price_from: "{price}〜"), as English writes it before."""
    public = demo_built / "public"
    ja = parse_html(public / "ja/products/index.html")
    assert ja.get("lang") == "ja"
    prices = {text_of(p) for p in _classed(ja, "price")}
    assert "￥1,800〜 税込" in prices, prices  # the smoked salt's two sizes
    assert "￥1,500 税込" in prices, prices
    en = parse_html(public / "products/index.html")
    assert "From $12.00 plus sales tax" in {text_of(p) for p in _classed(en, "price")}
    product = parse_html(public / "ja/products/smoked-salt/index.html")
    assert text_of(next(iter(product.iter("h1")))) == "オーク燻製の海塩"
    buy = [a for a in _classed(product, "buy") if a.tag == "a"]
    assert buy and all(a.get("href", "").startswith("https://buy.stripe.com/") for a in buy)
