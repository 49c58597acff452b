"""xmlout gives exactly the bytes of ``ET.indent`` + ``ET.tostring``: for random trees
(namespaces, xml:lang, escapes, None vs "" text and tails, nesting), for what ElementTree
alone handles (comments, QNames, non-str values: handed over), and for every feed the demo
site and a bench corpus build."""

from __future__ import annotations

import copy
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import REPO, build_site
from mmsite.features import xmlout
from mmsite.features.commerce.feed import G

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402

ATOM = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"


def reference(element: ET.Element, xml_declaration: bool, indent: bool) -> bytes:
    """ElementTree's bytes for the tree with the characters XML 1.0 forbids dropped
    (xmlout drops them: ElementTree writes them, and the file no longer parses)."""
    element = copy.deepcopy(element)  # ET.indent edits the tree it is given
    for node in element.iter():
        for name in ("text", "tail"):
            value = getattr(node, name)
            if isinstance(value, str):
                setattr(node, name, xmlout.FORBIDDEN.sub("", value))
        for key, value in node.items():
            if isinstance(value, str):
                node.set(key, xmlout.FORBIDDEN.sub("", value))
    if indent:
        ET.indent(element)
    return ET.tostring(element, encoding="utf-8", xml_declaration=xml_declaration)


def handed_over(*args, **kwargs) -> None:
    raise AssertionError("the fast path gave up on a tree it should handle")


@contextmanager
def fast_path_only() -> Iterator[None]:
    """No ElementTree serializer meanwhile (``ET.tostring`` writes through
    ``ElementTree.write``): what xmlout hands over to ElementTree fails."""
    saved, ET.ElementTree.write = ET.ElementTree.write, handed_over
    try:
        yield
    finally:
        ET.ElementTree.write = saved


def assert_same(element: ET.Element, fast: bool = False) -> None:
    before = ET.tostring(element)
    for indent in (False, True):
        for declaration in (False, True):
            expected = reference(element, declaration, indent)
            with fast_path_only() if fast else nullcontext():
                got = xmlout.tostring(element, xml_declaration=declaration, indent=indent)
            assert got == expected, (indent, declaration)
    assert ET.tostring(element) == before, "the caller's tree is left as it was"


# Escapes, whitespace ET.indent strips (incl. unicode spaces), non-ASCII, lone surrogates.
ALPHABET = st.sampled_from(list("ab &<>\"'\n\r\t\x0b\x1c\u00a0\u3000é€ب😀") + ["\ud800"])
TEXT = st.one_of(st.none(), st.just(""), st.text(ALPHABET, max_size=8))
LOCAL = st.sampled_from(["item", "title", "link", "a", "b-c", "x_1"])
URIS = [G, ATOM, XML_NS, "urn:one", "urn:two", "http://purl.org/dc/elements/1.1/"]
QUALIFIED = st.builds(lambda uri, local: f"{{{uri}}}{local}", st.sampled_from(URIS), LOCAL)
NAME = st.one_of(LOCAL, QUALIFIED)
ATTRS = st.dictionaries(
    st.one_of(
        st.sampled_from(["version", "rel", "href", "xmlns", "type", "term"]),
        st.sampled_from([f"{{{XML_NS}}}lang", f"{{{G}}}label", "{urn:attr}x"]),
    ),
    st.text(ALPHABET, max_size=6),
    max_size=3,
)


@st.composite
def trees(draw, depth: int = 0) -> ET.Element:
    element = ET.Element(draw(NAME), draw(ATTRS))
    element.text = draw(TEXT)
    element.tail = draw(TEXT)
    if depth < 3:
        for _ in range(draw(st.integers(0, 3))):
            element.append(draw(trees(depth + 1)))
    return element


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_random_trees_give_elementtree_bytes(tree: ET.Element) -> None:
    assert_same(tree, fast=True)


def test_prefixes_follow_the_live_registry() -> None:
    tree = ET.Element("{urn:late}root")
    ET.SubElement(tree, "{urn:other}child").text = "x"
    assert_same(tree, fast=True)  # ns0, ns1
    ET.register_namespace("late", "urn:late")
    try:
        assert xmlout.tostring(tree).startswith(b'<late:root xmlns:late="urn:late"')
        assert_same(tree, fast=True)
    finally:
        del ET.register_namespace._namespace_map["urn:late"]


def odd_trees() -> list[ET.Element]:
    """Outside the fast subset: ElementTree serializes them, with the same result."""
    comment = ET.Element("feed")
    comment.append(ET.Comment(" a & b "))
    comment.append(ET.ProcessingInstruction("pi", "data"))
    qname = ET.Element(ET.QName(ATOM, "feed"), {"type": ET.QName(ATOM, "html")})
    numbers = ET.Element("a")
    ET.SubElement(numbers, "b").tail = 0
    numbers.text = 0
    shared = ET.Element("root")
    twice = ET.SubElement(shared, "twice")
    ET.SubElement(twice, "leaf")
    ET.SubElement(shared, "box").append(twice)  # one element in two places
    leaf = ET.SubElement(twice, "shared-leaf")
    ET.SubElement(shared, "deep").append(leaf)
    nameless = ET.Element(None)  # ElementTree writes only its text and children
    nameless.text = "t"
    ET.SubElement(nameless, "b").text = "&"
    return [comment, qname, numbers, shared, nameless]


@pytest.mark.parametrize("tree", odd_trees())
def test_outside_the_subset_elementtree_answers(tree: ET.Element) -> None:
    assert_same(tree)


def test_elementtree_errors_stay_elementtree_errors() -> None:
    for bad in (ET.Element("a", {"k": 1}), ET.Element("a", {2: "v"})):
        bad.append(ET.Element("b"))
        for indent in (False, True):
            with pytest.raises(TypeError) as theirs:
                reference(bad, False, indent)
            with pytest.raises(TypeError) as ours:
                xmlout.tostring(bad, indent=indent)
            assert str(ours.value) == str(theirs.value)


def feed_files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*.xml"))
        if path.name in ("atom.xml", "merchant-feed.xml")
    }


def elementtree_only(element: ET.Element, *, xml_declaration: bool = False, indent: bool = False):
    return reference(element, xml_declaration, indent)


def test_built_feeds_equal_elementtree_output(demo_site: Path, tmp_path: Path, monkeypatch) -> None:
    demo = demo_site
    bench = generate(tmp_path / "bench", 60, 3)["mmsite-full"]
    for site in (demo, bench):
        with fast_path_only():
            build_site(site, output=tmp_path / f"{site.name}-fast", jobs=1, cache=False)
        fast = feed_files(tmp_path / f"{site.name}-fast")
        assert any(name.endswith("atom.xml") for name in fast)
        assert any(name.endswith("merchant-feed.xml") for name in fast)
        for name, data in fast.items():
            root = ET.fromstring(data)
            assert root.tag in (f"{{{ATOM}}}feed", "rss"), name
        with monkeypatch.context() as patch:
            patch.setattr(xmlout, "tostring", elementtree_only)
            build_site(site, output=tmp_path / f"{site.name}-et", jobs=1, cache=False)
        assert feed_files(tmp_path / f"{site.name}-et") == fast
