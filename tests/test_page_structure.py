"""The structure of every page the demo builds, as Lighthouse's accessibility audits read
it: heading levels that never skip going down (its ``heading-order`` audit; a catalog's
product cards under its h1 are h2, not h3)."""

from __future__ import annotations

from pathlib import Path

from helpers import parse_html

HEADINGS = {f"h{level}": level for level in range(1, 7)}


def _skips(path: Path) -> list[str]:
    """Headings whose level is more than one below the heading before them."""
    skips = []
    previous = 0
    for element in parse_html(path).iter():
        level = HEADINGS.get(element.tag if isinstance(element.tag, str) else "")
        if level is None:
            continue
        if level > previous + 1:
            skips.append(f"h{previous or '-'} then h{level} ({element.get('class', '')})")
        previous = level
    return skips


def test_no_page_skips_a_heading_level(demo_built: Path) -> None:
    public = demo_built / "public"
    found = {
        path.relative_to(public).as_posix(): skips
        for path in sorted(public.rglob("*.html"))
        if (skips := _skips(path))
    }
    assert not found, found


def test_catalog_cards_are_headed_right_under_the_page_title(demo_built: Path) -> None:
    doc = parse_html(demo_built / "public/products/index.html")
    titles = [e for e in doc.iter() if "product-card-title" in e.get("class", "").split()]
    assert titles and {e.tag for e in titles} == {"h2"}
    home = parse_html(demo_built / "public/index.html")  # under the home's "Shop" h2
    titles = [e for e in home.iter() if "product-card-title" in e.get("class", "").split()]
    assert titles and {e.tag for e in titles} == {"h3"}
