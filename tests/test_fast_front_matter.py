"""The fast front matter path (mmsite.content.fastyaml) gives exactly what PyYAML gives, or
nothing: values and their types, key order, key lines, raw scalar text, errors."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mmsite.content import fastyaml
from mmsite.content.frontmatter import Document, read_source, split_front_matter
from mmsite.content.model import HIDDEN, discover
from mmsite.engine.pipeline import site_config
from mmsite.errors import MmsiteError

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "generate.py"


@contextmanager
def yaml_only():
    """split_front_matter as it was before the fast path: every document through PyYAML."""
    with mock.patch.object(fastyaml, "try_parse", lambda lines, first: None):
        yield


def typed(value: Any) -> Any:
    """``value`` with every type spelled out (1 != 1.0 != True here) and dict order kept."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, repr(value))


def snapshot(doc: Document) -> tuple:
    return (
        typed(doc.meta),
        list(doc.key_lines.items()),
        sorted(doc.scalars.items(), key=repr),
        doc.body,
        doc.body_line,
    )


def both(front: str) -> tuple[Any, Any, bool]:
    """(fast path's result, PyYAML's, whether the fast path took the document); a result
    is a snapshot of the Document or the error (message, line) raised."""
    text = f"---\n{front}\n---\nbody line\n"
    lines = front.split("\n")
    accepted = fastyaml.try_parse(lines, 2) is not None
    return parse(text), _slow(text), accepted


def _slow(text: str) -> Any:
    with yaml_only():
        return parse(text)


def parse(text: str) -> Any:
    try:
        return snapshot(split_front_matter(text, Path("p.md")))
    except MmsiteError as exc:
        return ("error", exc.message, exc.line)


# -- generated front matter: the subset and its near misses --------------------

ALPHABET = "abcXYZ019._+/~é\u00a0ü😀:#'\"{}[],&*!|>%@\\`- \t\r\u2028<=?$"
WORDS = [
    "yes", "no", "Yes", "NO", "on", "off", "On", "y", "n", "true", "False", "null", "Null",
    "~", "", "-", "--", "---", "...", "=", "<<", ".inf", "-.Inf", ".nan", ".NaN", "1:20",
    "-1:20:30", "190:20:30", "0o12", "012", "09", "0x1F", "0b101", "1_000", "+12", "-0",
    ".5", "5.", "1e3", "1.0e+3", "1.0e3", "6.8523015e+5", "685.230_15e+03", "12.10",
    "12.00", "0.1", "-1.5", "+.5", "2024-01-01", "2026-02-30", "2024-1-1",
    "2024-01-01 10:00:00", "2024-01-01T10:00:00Z", "2001-12-14t21:59:43.10-05:00",
    "2024-13-01", "SKU-001", "https://buy.stripe.com/test_7sI4gB", "a:b", "a: b", "a:",
    "C#", "a #b", "a#b", "it's", "in_stock", "Kernow Salt Co.", "١٢٣", "  x  ",
]  # fmt: skip
KEYS = ["title", "summary", "price", "date", "draft", "weight", "yes", "null", "on", "a-b",
        "_x", "1", "Title", "key_2", "ä", "two words", "x?", "<<"]  # fmt: skip


SAFE = "abcXYZ019._+/~é\u00a0ü😀-'\" "  # mostly inside the subset


def _plain_like(alphabet: str = ALPHABET) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(WORDS),
        st.text(alphabet, max_size=12),
        st.integers(-(10**20), 10**20).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.dates().map(str),
        st.datetimes().map(lambda d: d.isoformat(sep=" ")),
        st.text("0123456789-_:.+eE", min_size=1, max_size=10),
    )


def _quoted(alphabet: str = ALPHABET) -> st.SearchStrategy[str]:
    inner = st.one_of(st.text(alphabet, max_size=12), st.sampled_from(WORDS))
    return st.one_of(
        inner.map(lambda s: "'" + s.replace("'", "''") + "'"),
        inner.map(lambda s: "'" + s + "'"),
        inner.map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
        inner.map(lambda s: '"' + s + '"'),
    )


def _flow(alphabet: str = ALPHABET) -> st.SearchStrategy[str]:
    item = st.one_of(_plain_like(alphabet), _plain_like(alphabet), _quoted(alphabet))
    pair = st.tuples(st.one_of(st.sampled_from(["USD", "EUR", "GBP", "1", "yes"]), item), item)
    seps = st.sampled_from([", ", ",", " , ", ",  "])
    colons = st.sampled_from([": ", ": ", ":", " : ", ":  "])
    return st.one_of(
        st.tuples(st.lists(item, max_size=4), seps).map(lambda t: "[" + t[1].join(t[0]) + "]"),
        st.tuples(st.lists(pair, max_size=4), seps, colons).map(
            lambda t: "{" + t[1].join(k + t[2] + v for k, v in t[0]) + "}"
        ),
    )


ODD = ["|", ">-", "&a x", "*a", "!!str 1", "!x y", "%x", "@x", "`x`", "? x", "- a",
       "[a, [b]]", "{a: {b: c}}", "[a, b,]", "{a}", "[]", "{}", "[ ]"]  # fmt: skip


def _value(alphabet: str) -> st.SearchStrategy[str]:
    value = st.one_of(
        _plain_like(alphabet), _quoted(alphabet), _flow(alphabet), st.sampled_from(ODD)
    )
    comment = st.sampled_from(["", "", "", " # note", "  #: x", "# x", " #"])
    return st.tuples(value, comment).map("".join)


def _likely_value() -> st.SearchStrategy[str]:
    """Values of the subset, mostly: plain text without quotes, flow collections of it."""
    plain = _plain_like("abcXYZ019._+/~é\u00a0ü😀- ")
    flow = st.lists(plain.filter(lambda s: s.strip() and ":" not in s), max_size=4)
    value = st.one_of(
        plain,
        _quoted(SAFE),
        flow.map(lambda items: "[" + ", ".join(items) + "]"),
        flow.map(lambda items: "{" + ", ".join(f"K{i}: {v}" for i, v in enumerate(items)) + "}"),
    )
    return st.tuples(value, st.sampled_from(["", "", "", " # note"])).map("".join)


GOOD_KEY = st.one_of(
    st.sampled_from(KEYS[:6]), st.from_regex(r"[a-z_][a-z0-9_-]{0,5}", fullmatch=True)
)


def _line() -> st.SearchStrategy[str]:
    key = st.one_of(st.sampled_from(KEYS), st.text(ALPHABET, min_size=1, max_size=6))
    near = st.tuples(key, st.sampled_from([": ", ":", ":  ", " : ", ": \t"]), _value(ALPHABET))
    good = st.tuples(GOOD_KEY, st.sampled_from([": ", ": ", ":  "]), _value(SAFE))
    likely = st.tuples(GOOD_KEY, st.just(": "), _likely_value())
    return st.one_of(
        *[likely.map("".join)] * 8,
        *[good.map("".join)] * 4,
        near.map("".join),
        st.sampled_from(["", "# comment", "  # indented comment", "   ", "  sub: 1", "- a",
                         "  - b", "...x", "--- x", "\t", "key: |", "  block", "key:"]),
    )  # fmt: skip


FRONTS = st.lists(_line(), max_size=8, unique_by=lambda line: line.split(":")[0]).map("\n".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FRONTS)
@example("title: x\ntitle: y")
@example("price: {USD: 1, USD: 2}")
@example("price: {1: a, 1.0: b}")
@example("a: 2026-02-30")
@example("a: 2024-01-01\nb: [on, 0o12, 012, 1_000, .5, 1e3, 1.0e+3, ~, 1:20]")
@example("a: 'x'#c\nb: \"y\" z")
@example("a: -\nb: -1\nc: -x")
@example("a : 1")
@example("{a : 1}")
@example("a: {b : 1}")
def test_fast_path_equals_pyyaml_whenever_it_accepts(front: str):
    fast, slow, accepted = both(front)
    assert fast == slow
    if accepted:
        assert slow[0] != "error"  # the fast path never accepts what YAML refuses


# -- the fast path takes the common cases -------------------------------------


TYPICAL = """title: "Smoked sea salt, 100 g"
summary: Oak-smoked flakes: no, not liquid smoke.
slug: smoked-salt
date: 2026-03-14
updated: 2026-03-20 10:30:00
draft: false
weight: 10
sku: SALT-002
price: {USD: 12.10, EUR: 11.50, GBP: 9.00, JPY: 1800}
images: [smoked-salt.jpg, smoked-salt-2.jpg]
tags: [salt, smoked]
aliases: [/old/smoked/]
availability: in_stock
gtin: "5060712340011"
image_alt: 'A bowl of amber "smoked" salt, on oak'
interviewee: {name: Grace Whitfield, company: Southerly Wool, country: AU}
# a comment

author: Elowen Rowe  # who wrote it"""


def test_typical_front_matter_takes_the_fast_path():
    # "summary" holds ": " so it goes to YAML; the rest of the document does not
    front = TYPICAL.replace("summary: Oak-smoked flakes: no,", 'summary: "Oak-smoked flakes: no,')
    front = front.replace("liquid smoke.", 'liquid smoke."')
    parsed = fastyaml.try_parse(front.split("\n"), 2)
    assert parsed is not None
    meta, key_lines, scalars = parsed
    assert meta["price"] == {"USD": 12.1, "EUR": 11.5, "GBP": 9.0, "JPY": 1800}
    assert scalars[("price", "USD")] == ("12.10", 10)
    assert scalars[("images", 1)] == ("smoked-salt-2.jpg", 11)
    assert meta["date"] == dt.date(2026, 3, 14)
    assert meta["updated"] == dt.datetime(2026, 3, 20, 10, 30)
    assert meta["draft"] is False and meta["weight"] == 10 and meta["gtin"] == "5060712340011"
    assert meta["image_alt"] == 'A bowl of amber "smoked" salt, on oak'
    assert meta["author"] == "Elowen Rowe"
    assert key_lines["author"] == 20
    fast, slow, accepted = both(front)
    assert accepted and fast == slow
    # the unquoted ": " is not a plain scalar YAML accepts: the fast path refuses it
    fast, slow, accepted = both(TYPICAL)
    assert not accepted and fast == slow and fast[0] == "error"


@pytest.mark.parametrize(
    "front",
    [
        "title: x\nbody: |\n  text",  # block scalar
        "checkout:\n  stripe: https://buy.stripe.com/x",  # nested block mapping
        "tags:\n- a\n- b",  # block sequence
        "a: &x 1\nb: *x",  # anchors and aliases
        "a: !!str 1",  # tags
        "a: 'multi\n  line'",  # multi-line scalar
        'a: "tab\\tescape"',  # escapes other than \\" and \\\\
        "a: x\r",  # carriage return
        "a:\tx",  # tab
        "yes: 1",  # a key YAML reads as a bool
    ],
)
def test_everything_else_goes_to_yaml(front: str):
    fast, slow, accepted = both(front)
    assert not accepted
    assert fast == slow


def test_errors_are_the_same_as_before():
    for front, line in [("a: 1\nb: 2026-02-30", 3), ("a: 1\na: 2", 3), ("p: {USD: 1, USD: 2}", 2)]:
        with pytest.raises(MmsiteError) as exc:
            split_front_matter(f"---\n{front}\n---\n", Path("p.md"))
        assert exc.value.line == line
        assert parse(f"---\n{front}\n---\n") == _slow(f"---\n{front}\n---\n")


# -- coverage on real sites ---------------------------------------------------


def fronts_of(folder: Path) -> list[list[str]]:
    out = []
    for path in sorted(folder.rglob("*.md")):
        lines = path.read_text(encoding="utf-8").split("\n")
        if lines[0].rstrip() == "---":
            end = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
            out.append(lines[1:end])
    return out


def test_demo_site_mostly_takes_the_fast_path_with_identical_documents():
    fronts = fronts_of(ROOT / "content")
    taken = [f for f in fronts if fastyaml.try_parse(f, 2) is not None]
    # the product pages with a nested checkout: block mapping go to YAML
    assert len(taken) >= 0.85 * len(fronts)
    for path in sorted((ROOT / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        with yaml_only():
            slow = snapshot(split_front_matter(text, path))
        assert snapshot(split_front_matter(text, path)) == slow, path


def test_bench_corpus_takes_the_fast_path_every_time(tmp_path: Path):
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, str(BENCH), "--pages", "40", "--languages", "3", "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    content = tmp_path / "mmsite" / "content"
    fronts = fronts_of(content)
    assert len(fronts) >= 120
    assert all(fastyaml.try_parse(f, 2) is not None for f in fronts)
    for path in sorted(content.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        with yaml_only():
            slow = snapshot(split_front_matter(text, path))
        assert snapshot(split_front_matter(text, path)) == slow, path


# -- the document cache --------------------------------------------------------


def test_document_cache_digest_is_front_digest_and_hits_give_equal_documents(tmp_path: Path):
    from mmsite.engine.incremental import DocumentCache, front_digest

    page = tmp_path / "p.md"
    page.write_text(f"---\n{TYPICAL.replace(': no,', ' no,')}\n---\nThe body.\n", "utf-8")
    cache = DocumentCache()
    parsed = cache.load(page, lambda: split_front_matter(page.read_text("utf-8"), page))
    assert cache.fronts()[str(page)] == front_digest(parsed)
    again = cache.load(page, lambda: pytest.fail("an unchanged file is parsed again"))
    assert cache.hits == 1 and snapshot(again) == snapshot(parsed)
    assert again.meta is not parsed.meta and again.scalars is not parsed.scalars
    # a second parse pickles to the same bytes: the digest does not depend on which
    # values the fast path's memo shared (same dates and texts twice in one document)
    twice = "a: 2024-01-01\nb: 2024-01-01\nc: x\nd: x\ne: [x, x]"
    first = split_front_matter(f"---\n{twice}\n---\n", page)
    second = split_front_matter(f"---\n{twice}\n---\n", page)
    with yaml_only():
        slow = split_front_matter(f"---\n{twice}\n---\n", page)
    assert front_digest(first) == front_digest(second) == front_digest(slow)


def _old_split(text: str) -> tuple[list[str], str, int] | None:
    """How split_front_matter cut a file before it stopped splitting bodies into lines:
    (front matter lines, body, body line), None for no front matter, "open" if unclosed."""
    text = text[1:] if text.startswith("\ufeff") else text
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return lines[1:index], "\n".join(lines[index + 1 :]), index + 2
    return "open"  # type: ignore[return-value]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(["---", "...", "--- ", "---\r", "", " ", "a: 1", "x", "\ufeff---"]),
        max_size=7,
    ).map("\n".join)
)
def test_cutting_the_front_matter_from_the_body_is_unchanged(text: str):
    expected = _old_split(text)
    with yaml_only(), mock.patch("mmsite.content.frontmatter.load_yaml", lambda text, *a, **k: {}):
        try:
            doc = split_front_matter(text, Path("p.md"))
        except MmsiteError as exc:
            assert expected == "open" and exc.message == "front matter is not closed"
            return
    if expected is None:
        assert (doc.meta, doc.body, doc.body_line) == ({}, text.removeprefix("\ufeff"), 1)
    else:
        assert (doc.body, doc.body_line) == expected[1:]


# -- discovery -----------------------------------------------------------------


def _globbed(root: Path) -> tuple[list[Path], list[tuple[PurePosixPath, Path]]]:
    """What discover found before it walked folders itself: a sorted recursive glob."""
    markdown, resources = [], []
    for path in sorted(root.rglob("*")):
        rel = PurePosixPath(path.relative_to(root).as_posix())
        if any(HIDDEN.search(part) for part in rel.parts) or rel.parts[0] == "i18n":
            continue
        if path.is_file():
            (markdown.append(path) if path.suffix == ".md" else resources.append((rel, path)))
    return markdown, resources


def test_discovery_order_and_skips_are_those_of_a_sorted_glob(tmp_path: Path, make_site):
    site = make_site({})
    content = site / "content"
    names = ["a.md", "a-b/x.md", "a/b.md", "a/b/c.md", "a/b.jpg", "a b/ü.md", "Y/z.md",
             "_index.md", "_index.fr.md", "i18n/fr.yaml", "docs/i18n/x.md", ".git/x.md",
             "a/.hidden.md", "a/#lock.md", "a/backup.md~", "b/file.md.txt", "b/x.MD",
             "products/p.md", "products/p-2.jpg", "products/p.jpg", "z/.md"]  # fmt: skip
    for name in names:
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text("---\ntitle: x\n---\n", "utf-8")
    (content / "linked").symlink_to(content / "a", target_is_directory=True)
    (content / "alias.md").symlink_to(content / "a.md")
    markdown, resources = discover(site_config(site))
    assert (markdown, list(resources.items())) == _globbed(content)
    assert content / "a-b" / "x.md" in markdown and content / "alias.md" in markdown
    (content / "out.md").symlink_to(tmp_path / "elsewhere.md")
    with pytest.raises(MmsiteError, match="symbolic link points outside content/"):
        discover(site_config(site))


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.binary(max_size=300) | st.text(alphabet="ab\r\n\ufeffé€ ", max_size=80).map(str.encode)
)
@example(data=b"a\r\nb\rc\n\r\n")
@example(data=b"\xef\xbb\xbf---\r\ntitle: x\r\n---\r\nbody")
@example(data=b"\xff\xfe")
def test_read_source_reads_as_read_text_does(tmp_path: Path, data: bytes) -> None:
    """Same text (universal newlines, BOM kept) or the same error as Path.read_text."""
    path = tmp_path / "page.md"
    path.write_bytes(data)
    try:
        expected: Any = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        expected = ("error", exc.reason, exc.start)
    try:
        got: Any = read_source(path)
    except UnicodeDecodeError as exc:
        got = ("error", exc.reason, exc.start)
    assert got == expected


def test_read_source_reads_a_file_larger_than_one_read(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_text("line\r\n" * 100_000, encoding="utf-8")
    assert read_source(path) == "line\n" * 100_000
