"""Property tests for the parsers and URL building."""

from __future__ import annotations

import posixpath
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from mmsite.content.frontmatter import split_front_matter
from mmsite.content.model import check_segment
from mmsite.errors import MmsiteError
from mmsite.i18n.routing import quote_path
from mmsite.render.links import relative_path, relative_url

segment = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
LETTERS = "a-z0-9\u00e0-\u00ff\u0600-\u06ff"
safe_segment = st.from_regex(rf"[{LETTERS}][{LETTERS}\-]{{0,10}}", fullmatch=True)


@given(segment)
def test_accepted_segments_never_escape(value: str) -> None:
    try:
        check_segment(value, Path("x.md"))
    except MmsiteError:
        return
    joined = posixpath.normpath(posixpath.join("/out", value))
    assert joined.startswith("/out/") and joined.count("/") == 2


@given(st.lists(safe_segment, max_size=4), st.lists(safe_segment, max_size=4))
def test_relative_urls_resolve_back(a: list[str], b: list[str]) -> None:
    src = "".join(f"{s}/" for s in a)
    dst = "".join(f"{s}/" for s in b)
    rel = relative_url(src, dst)
    from urllib.parse import unquote, urljoin

    resolved = unquote(urljoin("https://x.example/" + quote_path(src), rel))
    assert resolved == "https://x.example/" + dst


@given(
    st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), st.text(max_size=30)),
    st.text(max_size=200),
)
def test_front_matter_round_trip(meta: dict[str, str], body: str) -> None:
    import yaml

    dumped = yaml.safe_dump(meta, allow_unicode=True)
    text = "---\n" + dumped + "---\n" + body
    doc = split_front_matter(text, Path("p.md"))
    assert doc.meta == yaml.safe_load(dumped)  # YAML itself folds some characters (\x85)
    assert doc.body == body.replace("\r\n", "\n") or doc.body == body
    for key in meta:
        line = text.split("\n")[doc.line_of(key) - 1]
        assert line.startswith(key) or line.startswith(f"'{key}'")


@given(st.text(max_size=300))
def test_front_matter_never_crashes(text: str) -> None:
    try:
        split_front_matter("---\n" + text + "\n---\nbody", Path("p.md"))
    except MmsiteError as exc:
        assert exc.path == Path("p.md")


_path_segment = st.sampled_from(["a", "b", "é", ".", "..", "", "a b", "%20"])


@given(st.lists(_path_segment, max_size=6), st.lists(_path_segment, max_size=6))
def test_relative_path_is_posixpaths(a: list[str], b: list[str]) -> None:
    path, start = "/".join(a), "/".join(b)
    assert relative_path(path, start) == posixpath.relpath("/" + path, "/" + start)
