"""``{% cached key %}...{% endcached %}``: a block rendered once per build, edition and
key, its HTML reused (the default theme's product and article cards)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers import REPO, build_site, page, parse_html, text_of
from mmsite.errors import MmsiteError

CARDS = ("partials/product-card.html", "series/part-card.html")
CACHED_TAG = re.compile(r"^\{% (?:cached .*|endcached) %\}\n", re.M)


def _html_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.html"))}


def test_the_demo_is_the_same_when_cards_are_rendered_every_time(
    demo_site: Path, tmp_path: Path
) -> None:
    """The cached cards give the same bytes as the same templates without the tag."""
    build_site(demo_site, clean=True)
    uncached = tmp_path / "uncached"
    shutil.copytree(demo_site, uncached, symlinks=True, ignore=shutil.ignore_patterns("public"))
    shutil.rmtree(uncached / ".mmsite-cache" / "build", ignore_errors=True)
    for name in CARDS:
        text = (REPO / "themes/default/templates" / name).read_text(encoding="utf-8")
        assert CACHED_TAG.search(text), f"{name} no longer caches: update this test"
        override = uncached / "templates" / name
        override.parent.mkdir(parents=True, exist_ok=True)
        override.write_text(CACHED_TAG.sub("", text), encoding="utf-8")
    build_site(uncached, clean=True)
    cached, every_time = _html_files(demo_site / "public"), _html_files(uncached / "public")
    assert cached.keys() == every_time.keys()
    assert [name for name in cached if cached[name] != every_time[name]] == []


GREETING = """\
{% cached "greeting" %}<p id="once">{{ page.title }}</p>{% endcached %}
<p id="always">{{ page.title }}</p>
"""


def test_a_block_is_rendered_once_per_edition_and_key(make_site) -> None:
    """Keyed by where the block is (its template and line), the edition and the keys:
    two templates including one partial share its cached block."""
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/_index.fr.md": page("Accueil"),
            "content/a.md": page("Alpha"),
            "content/a.fr.md": page("Alpha FR"),
            "templates/greeting.html": GREETING,
            "templates/page.html": '{% include "greeting.html" %}',
            "templates/home.html": '{% include "greeting.html" %}',
        }
    )
    build_site(root)
    public = root / "public"
    onces = {}
    titles = {"index.html": "Home", "a/index.html": "Alpha"}
    titles.update({"fr/index.html": "Accueil", "fr/a/index.html": "Alpha FR"})
    for rel, title in titles.items():
        doc = parse_html(public / rel)
        onces[rel] = text_of(doc.find(".//p[@id='once']"))
        assert text_of(doc.find(".//p[@id='always']")) == title  # outside: every page's own
    # one rendering per edition, whichever page came first: the same text on its pages
    assert onces["index.html"] == onces["a/index.html"]
    assert onces["fr/index.html"] == onces["fr/a/index.html"]
    assert onces["index.html"] != onces["fr/index.html"]


@pytest.mark.parametrize("key", ["page", "[1, 2]", "{'a': 1}"])
def test_a_key_that_is_not_a_plain_value_is_an_error_with_its_line(make_site, key: str) -> None:
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "templates/home.html": f"<p>top</p>\n{{% cached {key} %}}x{{% endcached %}}\n",
        }
    )
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    text = str(caught.value)
    assert "cached key must be text, a number" in text
    assert "home.html" in text and ":2" in text


def test_an_incremental_build_shows_a_renamed_product_in_every_cached_card(
    demo_site: Path,
) -> None:
    """The cards of a product on other pages (the catalog, related products) follow an
    edit of it, whichever page rendered the card first."""
    build_site(demo_site)
    product = demo_site / "content/products/seaweed-salt.md"
    text = product.read_text(encoding="utf-8")
    product.write_text(re.sub(r"^title: .*$", "title: Kelp Salt", text, count=1, flags=re.M))
    build_site(demo_site)
    incremental = _html_files(demo_site / "public")
    shown = [name for name, data in incremental.items() if b"Kelp Salt" in data]
    others = [name for name in shown if "seaweed" not in name]  # its card elsewhere
    assert any(name.count("/") > 1 for name in others)  # on another product's page
    build_site(demo_site, clean=True, cache=False)
    assert _html_files(demo_site / "public") == incremental
