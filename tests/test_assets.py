"""Fingerprinted CSS/JS: names follow content, references are rewritten everywhere."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import REPO, build_site, page, parse_html
from mmsite.errors import MmsiteError
from mmsite.features.assets import _normalize, _relative

FILES = {
    "content/_index.md": page("Home"),
    "content/about.md": page("About"),
    "static/css/extra.css": '@import "base.css";\nbody { background: url("../img/bg.png"); }\n',
    "static/css/base.css": "@font-face { src: url(/fonts/a.woff2?v=1#x) format('woff2'); }\n",
    "static/img/bg.png": b"\x89PNG one",
    "static/fonts/a.woff2": b"wOF2 one",
    "static/favicon.ico": b"ico",
}
HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{8})\.(?P<ext>\w+)$")


def published(public: Path) -> set[str]:
    return {p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()}


def stylesheets(public: Path, rel: str) -> list[str]:
    doc = parse_html(public / rel)
    return [x.get("href") for x in doc.iter("link") if x.get("rel") == "stylesheet"]


def test_css_is_fingerprinted_and_every_page_links_the_hashed_name(make_site) -> None:
    root = make_site(FILES)
    build_site(root)
    public = root / "public"
    files = published(public)
    theme_css = [f for f in files if f.startswith("css/style.")]
    assert len(theme_css) == 1 and HASHED.match(theme_css[0])
    assert "css/style.css" not in files
    for rel in ("index.html", "about/index.html", "fr/index.html", "404.html", "fr/404.html"):
        assert stylesheets(public, rel) == ["/" + theme_css[0]]
    assert "favicon.ico" in files  # files nothing references keep their name


def test_css_references_are_rewritten_to_hashed_names(make_site) -> None:
    root = make_site(FILES)
    build_site(root)
    public = root / "public"
    files = published(public)
    (extra,) = [f for f in files if f.startswith("css/extra.")]
    (base,) = [f for f in files if f.startswith("css/base.")]
    (bg,) = [f for f in files if re.match(r"img/bg\.[0-9a-f]{8}\.png$", f)]
    (font,) = [f for f in files if re.match(r"fonts/a\.[0-9a-f]{8}\.woff2$", f)]
    text = (public / extra).read_text()
    assert f'@import "{base.split("/")[1]}";' in text
    assert f'url("../{bg}")' in text
    assert f"url(/{font}?v=1#x)" in (public / base).read_text()
    assert "img/bg.png" in files  # referenced files also keep their plain name


def test_hash_changes_when_a_referenced_file_changes(make_site) -> None:
    root = make_site(FILES)
    build_site(root)
    before = published(root / "public")
    (root / "static/fonts/a.woff2").write_bytes(b"wOF2 two")
    build_site(root)
    after = published(root / "public")
    changed = {f.split(".")[0] for f in before ^ after}
    # the font, base.css (its url) and extra.css (imports base.css) change; the theme css and
    # the image do not
    assert changed == {"fonts/a", "css/base", "css/extra"}


def test_hash_changes_with_content_and_headers_list_hashed_files(make_site) -> None:
    root = make_site(FILES)
    build_site(root)
    old = stylesheets(root / "public", "index.html")
    (root / "static/css/style.css").write_text(
        (REPO / "themes/default/static/css/style.css").read_text() + "\n.x { color: red; }\n"
    )
    build_site(root)
    new = stylesheets(root / "public", "index.html")
    assert old != new and HASHED.match(new[0].lstrip("/"))
    headers = (root / "public/_headers").read_text()
    assert f"\n{new[0]}\n  Cache-Control: public, max-age=31536000, immutable\n" in headers


def test_minify_option(make_site) -> None:
    config = "title: T\nbase_url: https://a.example/\nlanguages: {en: {}}\nassets: {minify: true}\n"
    root = make_site(FILES, config=config)
    build_site(root)
    public = root / "public"
    (style,) = [f for f in published(public) if f.startswith("css/style.")]
    text = (public / style).read_text()
    assert "/*" not in text and "\n  " not in text
    assert len(text) < len((REPO / "themes/default/static/css/style.css").read_text()) * 0.9
    (js,) = [f for f in published(public) if f.startswith("js/language-picker.")]
    assert "navigator.languages" in (public / js).read_text()


def test_missing_css_reference_is_a_warning(make_site) -> None:
    root = make_site({**FILES, "static/css/bad.css": "a { background: url(nope.png); }\n"})
    result = build_site(root)
    assert result.warnings == ["css/bad.css: nope.png is not a static file; left as written"]


def test_css_import_loop_is_an_error(make_site) -> None:
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "static/css/a.css": '@import "b.css";',
            "static/css/b.css": '@import "a.css";',
        }
    )
    with pytest.raises(MmsiteError, match="import each other in a loop: css/a.css -> css/b.css"):
        build_site(root)


def test_assets_option_is_validated(make_site) -> None:
    config = "title: T\nbase_url: https://a.example/\nlanguages: {en: {}}\nassets: {minify: 1}\n"
    root = make_site({"content/_index.md": page("Home")}, config=config)
    with pytest.raises(MmsiteError, match="assets.minify: must be true or false"):
        build_site(root)


SEGMENT = st.text(alphabet="abcz-_0", min_size=1, max_size=5)


@given(st.lists(SEGMENT, max_size=4), st.lists(SEGMENT, min_size=1, max_size=4))
def test_relative_reference_resolves_back_to_the_target(base: list[str], target: list[str]) -> None:
    base_dir = PurePosixPath(*base) if base else PurePosixPath(".")
    target_path = "/".join(target)
    rel = _relative(target_path, base_dir)
    assert posixpath.normpath(posixpath.join(str(base_dir), rel)) == target_path
    assert _normalize(f"{base_dir}/{rel}") == target_path


@given(st.lists(st.sampled_from(["a", "b", "..", ".", ""]), max_size=8))
def test_normalize_never_climbs_out(parts: list[str]) -> None:
    result = _normalize("/".join(parts))
    if result is not None:
        assert ".." not in result.split("/") and not result.startswith("/")


def test_every_page_of_the_demo_references_only_hashed_existing_assets(demo_site: Path) -> None:
    site = demo_site
    config = (
        (REPO / "site.yaml")
        .read_text()
        .replace("default_language_in_subdir: false", "default_language_in_subdir: true")
    )
    (site / "site.yaml").write_text(config)
    build_site(site)
    public = site / "public"
    seen = set()
    for html in public.rglob("*.html"):
        doc = parse_html(html)
        refs = [x.get("href") for x in doc.iter("link") if x.get("rel") == "stylesheet"]
        refs += [x.get("src") for x in doc.iter("script") if x.get("src")]
        for ref in refs:
            name = ref.lstrip("/")
            assert HASHED.match(name) and (public / name).is_file(), (html, ref)
            seen.add(name.split("/")[0])
    assert seen == {"css", "js"}
