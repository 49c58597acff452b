"""The fast paths of issue 9 give exactly what the code they replace gave: the JSON-LD
layout, XML escaping, the apostrophe scan, lexical output paths, YAML tags, and the read
hook that incremental builds rely on."""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import escape as sax_escape
from xml.sax.saxutils import quoteattr as sax_quoteattr

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from mmsite.config.yamlutil import Composer, load_yaml
from mmsite.content import model as content
from mmsite.content.model import Page, virtual_page
from mmsite.errors import MmsiteError
from mmsite.features.seo import escape, json_indented, quoteattr
from mmsite.output.tree import OutputTree
from mmsite.render.markdown import _only_apostrophes

TRICKY = st.text(alphabet="ab é٣²Ⅰ'\"&<>\n\r\t_-\u2028\U0001d7d8", max_size=12)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | TRICKY,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(TRICKY, inner, max_size=4)
        | st.dictionaries(st.integers(), inner, max_size=2)
    ),
    max_leaves=20,
)


@given(JSON, st.sampled_from([1, 2, 4]))
def test_json_indented_is_json_dumps(value: object, indent: int) -> None:
    expected = json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=False)
    assert json_indented(value, indent) == expected


@given(TRICKY)
def test_xml_escaping_is_saxutils(text: str) -> None:
    assert escape(text) == sax_escape(text)
    assert quoteattr(text) == sax_quoteattr(text)


APOSTROPHE = re.compile(r"(?<=[^\W_])'(?=[^\W_])")


@given(TRICKY)
def test_apostrophe_scan_matches_the_regex(text: str) -> None:
    assert _only_apostrophes(text) == (text.count("'") == len(APOSTROPHE.findall(text)))


def test_output_paths_stay_lexically_inside(tmp_path: Path) -> None:
    tree = OutputTree(tmp_path / "public", tmp_path)
    for bad in ["", ".", "/etc/passwd", "../x", "a/../../x", "a/\0/b"]:
        with pytest.raises(MmsiteError):
            tree.write(bad, "x")
    tree.write("a//b/./c.html", "one")  # normalised like PurePosixPath
    tree.write(PurePosixPath("a/b/d.html"), "two")
    tree.write("a/b/c.html", "three")  # written twice: the last bytes win
    assert tree.written == {PurePosixPath("a/b/c.html"), PurePosixPath("a/b/d.html")}
    assert tree.exists("a/b/c.html") and tree.exists(PurePosixPath("a/b/d.html"))
    with pytest.raises(OSError):
        tree.write("a/b/c.html/x.html", "a folder where a file is")
    tree.commit()
    assert (tmp_path / "public/a/b/c.html").read_text() == "three"
    assert (tmp_path / "public/a/b/d.html").read_text() == "two"


@given(st.dictionaries(st.sampled_from(["a", "b", "y", "on", "1"]), TRICKY, max_size=4))
def test_memoised_yaml_tags_are_yamls(data: dict) -> None:
    fixed = "n: 12\nf: 1.50\nd: 2026-01-02\nt: yes\nz: ~\n"
    text = (yaml.safe_dump(data) if data else "") + fixed
    assert load_yaml(text, "x.yaml") == yaml.safe_load(text)
    assert load_yaml(text, "x.yaml") == yaml.safe_load(text)  # again, from the memo
    ours, theirs = yaml.compose(text, Loader=Composer), yaml.compose(text, Loader=yaml.SafeLoader)
    assert [(k.tag, k.value, v.tag, v.value) for k, v in ours.value] == [
        (k.tag, k.value, v.tag, v.value) for k, v in theirs.value
    ]


def _page(name: str) -> Page:
    return virtual_page(Path(f"/site/content/{name}.md"), f"{name}.md", "en", {"title": name}, "b")


def test_read_hook_hears_every_read() -> None:
    """Recordings nest (a step records what all its outputs read), so every read is
    reported, however often the page was read before under the same hook."""
    one, two = _page("one"), _page("two")
    heard: list[tuple[str, str]] = []
    content.set_read_hook(lambda page, kind: heard.append((page.stem, kind)))
    try:
        for _ in range(2):
            assert one.title == "one" and two.body == "b"
    finally:
        content.set_read_hook(None)
    assert one.title == "one"  # no hook: nothing recorded
    assert heard == [("one", "m"), ("two", "b")] * 2
