"""Related articles under an article: the same series first, then the most shared tags,
never the previous/next part nor an article with nothing in common."""

from __future__ import annotations

from helpers import BASIC_CONFIG, build_site, page, parse_html, text_of


def _article(title: str, part: int, tags: str, date: str) -> str:
    return page(title, "Words.", date=date, part=str(part), tags=tags)


def _related(root, rel: str) -> list[str]:
    doc = parse_html(root / "public" / rel / "index.html")
    sections = [s for s in doc.iter("section") if s.get("class") == "related"]
    if not sections:
        return []
    return [text_of(h) for h in sections[0].iter("h3")]


def test_related_articles(make_site) -> None:
    files = {
        "content/_index.md": page("Home"),
        "content/series/a/_index.md": page("Series A"),
        "content/series/b/_index.md": page("Series B"),
        "content/series/a/p1.md": _article("A1", 1, "[tea, export]", "2026-01-01"),
        "content/series/a/p2.md": _article("A2", 2, "[]", "2026-01-02"),
        "content/series/a/p3.md": _article("A3", 3, "[]", "2026-01-03"),
        "content/series/b/p1.md": _article("B1", 1, "[tea]", "2026-02-01"),
        "content/series/b/p2.md": _article("B2", 2, "[tea, export]", "2026-01-15"),
        "content/series/b/p3.md": _article("B3", 3, "[salt]", "2026-03-01"),
    }
    root = make_site(files, BASIC_CONFIG)
    build_site(root)
    # A1: next is A2 (linked already); A3 (same series), then B2 (two tags), B1 (one)
    assert _related(root, "series/a/p1") == ["A3", "B2", "B1"]
    # A2: A1 and A3 are its previous and next parts; no tags: nothing else in common
    assert _related(root, "series/a/p2") == []
    # B3 shares nothing with series A: B1 only (B2 is its previous part)
    assert _related(root, "series/b/p3") == ["B1"]
    # the cards' titles are h3 under the section's h2
    doc = parse_html(root / "public/series/a/p1/index.html")
    section = next(s for s in doc.iter("section") if s.get("class") == "related")
    assert [child.tag for child in section if child.tag.startswith("h")] == ["h2"]
