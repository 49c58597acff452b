"""The Python around the fast Markdown engine is written for speed (str.find instead of line
loops, one regex over the text). Each helper must give exactly what the plain line-by-line
version below gives: those are the previous implementations, kept here as the reference."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.anchors.index import slugify, unique_slug

from mmsite.features import qa
from mmsite.i18n.editions import quotes_for
from mmsite.render import markdown

# Pieces that matter to the helpers, so that generated text hits their edge cases.
ATOMS = [
    *"\"' \n\ta1é.,;:!?*_[]()`~\\-#=|^&<>",
    *["\u00a0", "\u2003", "    ", "```", "~~~", "](", "**", "__", "Q:", "a :", "'s", "l'"],
    *["## ", "### ", "#### ", "\n\n", "[a](b.md)", "&amp;", "İ", "ß", "漢", "_x_", "*y*"],
]
texts = st.lists(st.sampled_from(ATOMS), max_size=60).map("".join)
# Mostly words, spaces and quotes: lines where the quotes do pair up.
PROSE = [" ", '"', " word", "é1", ".", ",", "!", ":", "\n", "*", "`", "](", "    ", "```"]
PROSE += [' "word"', ' "é1 w."', ' "a *b*"', ' "`c`"', " `x`", ' "a,"', "\n\n"] * 2
prose = st.lists(st.sampled_from(PROSE), max_size=40).map("".join)
LOCALES = ["en_US", "fr_FR", "de_DE"]


# -- the reference versions ------------------------------------------------------------

OLD_FENCE = re.compile(r"(`{3,}|~{3,})")
OLD_QUOTE = re.compile('"')
OLD_INSIDE_PAIR = frozenset("*_[]~\\`")


def old_outside_fences(text: str) -> str | None:
    if "```" not in text and "~~~" not in text:
        return text
    kept: list[str] = []
    fence = ""
    for line in text.split("\n"):
        if fence:
            if line.startswith(fence) and not line.strip().strip(fence[0]):
                fence = ""
            continue
        opening = OLD_FENCE.match(line)
        if opening:
            fence = opening.group(1)
            if fence[0] == "`" and "`" in line[len(fence) :]:
                return None
            continue
        if "```" in line or "~~~" in line:
            return None
        kept.append(line)
    return None if fence else "\n".join(kept)


def old_curl_double_quotes(text: str, quotes: tuple[str, ...]) -> str | None:
    lines = text.split("\n")
    fenced = False
    for number, line in enumerate(lines):
        fenced = fenced or "```" in line or "~~~" in line
        if '"' not in line:
            continue
        if fenced or "](" in line or "    " in line[: line.index('"')]:
            return None
        if "`" in line and not markdown._quotes_outside_code_spans(line):
            return None
        curled = old_curl_line(line, quotes[0], quotes[1])
        if curled is None:
            return None
        lines[number] = curled
    return "\n".join(lines)


def old_curl_line(line: str, opening: str, closing: str) -> str | None:
    parts: list[str] = []
    pos = 0
    opened = -1
    for match in OLD_QUOTE.finditer(line):
        at = match.start()
        before = line[at - 1] if at else " "
        after = line[at + 1] if at + 1 < len(line) else " "
        if opened < 0:
            if not (before.isspace() and after.isalnum()):
                return None
            opened, quote = at, opening
        else:
            closes = (before.isalnum() or before in ".,!?") and (
                after.isspace() or after in ".,;:!?"
            )
            if not closes or not OLD_INSIDE_PAIR.isdisjoint(line[opened:at]):
                return None
            opened, quote = -1, closing
        parts += [line[pos:at], quote]
        pos = at + 1
    if opened >= 0:
        return None
    parts.append(line[pos:])
    return "".join(parts)


def old_add_heading_ids(rendered: str) -> str:
    slugs: set[str] = set()
    out: list[str] = []
    pos = 0
    for match in re.finditer(r"<h([234])>", rendered):
        level = match.group(1)
        start = match.end()
        end = rendered.index(f"</h{level}>", start)
        title = html.unescape(re.sub(r"<[^>]*>", "", rendered[start:end]))
        slug = unique_slug(slugify(title), slugs)
        out += [rendered[pos : match.start()], f'<h{level} id="{html.escape(slug)}">']
        pos = start
    out.append(rendered[pos:])
    return "".join(out)


def old_rewrite_hrefs(rendered: str, link: markdown.LinkCallback) -> str:
    def rewrite(match: re.Match[str]) -> str:
        return f'<a href="{escapeHtml(link(html.unescape(match.group(1)), "link", None))}"'

    return re.sub(r'<a href="([^"]*)"', rewrite, rendered)


def fake_link(href: str, kind: str, line: int | None) -> str:
    return f'../{href.upper()}/?a=1&b="<2>"'


# -- the properties ----------------------------------------------------------------------


# Every label some language knows, so that generated text hits them all.
LABEL_ATOMS = ["**", "__", ":", "\uff1a", " :", "Q", "R", "A", "問", "ج", "Réponse", "x"]
ALL_LABELS = {
    label.casefold(): kind
    for question, answer in qa.LABELS.values()
    for kind, labels in (("q", question), ("a", answer))
    for label in labels
} | {"q": "q", "a": "a", "réponse": "a"}
QA_RULES = (qa.FEATURE.markdown[0],)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(ATOMS + LABEL_ATOMS), max_size=40).map("".join))
def test_may_apply_sees_every_text_the_qa_rule_changes(text: str) -> None:
    env = {"qa_labels": ALL_LABELS}
    plain = markdown.render_reference(text, "fr_FR", env=dict(env))
    ruled = markdown.render_reference(text, "fr_FR", env=dict(env), rules=QA_RULES)
    if ruled != plain:
        assert qa.may_apply(text)


@settings(max_examples=1500, deadline=None)
@given(texts, st.sampled_from(["```", "~~~", "](", "**", "'", "é"]), st.integers(0, 70))
def test_find_is_str_find(text: str, mark: str, start: int) -> None:
    assert markdown._find(text, mark, start) == text.find(mark, start)


@settings(max_examples=1500, deadline=None)
@given(texts)
def test_prose_outside_fences_matches_the_line_scan(text: str) -> None:
    expected = old_outside_fences(text)
    prose = markdown._prose(text)
    if expected is None:
        assert prose is None
    else:  # a closing fence at the very end leaves the line break before it
        assert prose in (expected, expected + "\n")


@settings(max_examples=2000, deadline=None)
@given(st.one_of(texts, prose), st.sampled_from(LOCALES))
def test_curled_quotes_match_the_line_scan(text: str, locale: str) -> None:
    quotes = quotes_for(locale)
    assert markdown._curl_double_quotes(text, quotes) == old_curl_double_quotes(text, quotes)


def test_curled_quotes_on_simple_lines() -> None:
    """The generated texts rarely curl: these do, line by line and across lines."""
    quotes = quotes_for("fr_FR")
    for text in ['He said "hi".', 'a "b c" d "e!"\n\n"f" g, "h1".\nno quotes', '"x"']:
        curled = markdown._curl_double_quotes(text, quotes)
        assert curled is not None and '"' not in curled
        assert curled == old_curl_double_quotes(text, quotes)


def fast_output(text: str, locale: str = "en_US") -> tuple[str, str] | None:
    """What :func:`markdown.prepare` made of ``text`` (heading ids added), and the fast
    engine's own HTML for it; None when the reference engine renders ``text``."""
    prepared = markdown.prepare(text, locale)
    if prepared is None:
        return None
    source = markdown.fast_source(text, locale) or ""
    # the smartquotes rule only when a straight quote is left (see markdown.fast_parser)
    return prepared, markdown.fast_parser("'" in source).render(source, xhtml=True)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"aZ9 _-.&'\"<>é", "İ", "ß", "漢", "\u00a0", "\u0301"])))
def test_slugify_is_the_anchor_plugins(title: str) -> None:
    """Heading ids are the anchors plugin's slugs of the heading's text, for every title
    the fast engine renders."""
    pytest.importorskip("markdown_it_pyrs")
    made = fast_output(f"## {title}\n\n### {title}\n")
    if made is not None:
        prepared, rendered = made
        assert prepared == old_add_heading_ids(rendered)


@settings(max_examples=1000, deadline=None)
@given(texts)
def test_heading_ids_and_hrefs_match_on_fast_output(text: str) -> None:
    pytest.importorskip("markdown_it_pyrs")
    made = fast_output(text)
    if made is None:
        return
    prepared, rendered = made
    assert prepared == old_add_heading_ids(rendered)
    assert markdown.render_fast(prepared, fake_link) == old_rewrite_hrefs(prepared, fake_link)


def test_heading_ids_for_repeated_and_marked_up_titles() -> None:
    pytest.importorskip("markdown_it_pyrs")
    text = "## A *b* & c\n\n## A *b* & c\n\n### `x_y` [l](p.md)\n\nSetext\ntitle\n---\n"
    made = fast_output(text)
    assert made is not None
    prepared, rendered = made
    assert prepared == old_add_heading_ids(rendered)
    assert 'id="a-b--c-1"' in prepared
