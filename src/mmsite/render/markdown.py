"""Markdown to HTML with markdown-it-py: CommonMark + tables, strikethrough, footnotes,
heading anchors, and typographic quotes in each language's own style.

One parser per language is built once and reused. Links and image sources go through a
``link`` callback supplied by the caller (see :mod:`mmsite.links`), so the Markdown stage
stays free of routing.

markdown-it-py is the reference engine. Documents that use only what the Rust port of the
same parser (markdown-it-pyrs) renders identically take a fast path, chosen by a cheap
pre-scan (:func:`engine_for`); see docs/performance.md for the exact rules.
"""

from __future__ import annotations

import functools
import html
import os
import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # markdown-it-py is imported when a document needs it (~50 ms)
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

try:
    import markdown_it_pyrs
except ImportError:  # optional: without it every document takes the reference engine
    markdown_it_pyrs = None

from mmsite.errors import MmsiteError
from mmsite.features.registry import MarkdownRule
from mmsite.i18n.editions import quotes_for
from mmsite.i18n.typography import Spacing, space_punctuation, space_punctuation_html, spacing_for

# link(href, kind, line) -> new href; kind is "link" or "image"; line is 1-based in the body.
LinkCallback = Callable[[str, str, int | None], str]

# image(src, alt, title) -> HTML, or None for the default <img>; src is as written.
ImageCallback = Callable[[str, str, str | None], str | None]

# The features' core rules (mmsite.features.registry.MarkdownRule) come in as ``rules``:
# each runs after inline parsing, and a document takes the fast engine only when every
# rule's ``may_apply`` says no (a rule without one sends every document to markdown-it-py).
Rules = tuple[MarkdownRule, ...]

REFERENCE, FAST = "markdown-it-py", "markdown-it-pyrs"


def _rewrite_links(state: StateCore) -> None:
    link: LinkCallback | None = state.env.get("link")
    if link is None:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        line = block.map[0] + 1 if block.map else None
        for token in block.children:
            if token.type == "link_open":
                href = token.attrGet("href")
                if isinstance(href, str):
                    token.attrSet("href", link(href, "link", line))
            elif token.type == "image":
                src = token.attrGet("src")
                if isinstance(src, str):
                    token.meta["source"] = src
                    token.attrSet("src", link(src, "image", line))


def _heading_anchors(state: StateCore) -> None:
    """Ids on h2-h4 as ``mdit_py_plugins.anchors`` gives them (its rule, with a linear
    :func:`_unique_slug`: the plugin's asks from ``-1`` up for every repeat)."""
    slugs: dict[str, int] = {}
    tokens = state.tokens
    for number, token in enumerate(tokens):
        if token.type != "heading_open" or token.tag not in ("h2", "h3", "h4"):
            continue
        children = tokens[number + 1].children or []
        title = "".join(c.content for c in children if c.type in ("text", "code_inline"))
        token.attrSet("id", _unique_slug(_slugify(title), slugs))


# Table alignment as classes, not the engines' ``style="text-align:..."`` (the theme's
# Content-Security-Policy blocks inline styles). A delimiter row's colons say where a
# column's text sits in the writing direction: ``:--`` at its start, ``--:`` at its end,
# ``:-:`` centred (in an Arabic table the start is on the right); the theme's CSS says
# ``text-align: start / end / center``.
ALIGN_CLASSES = {"left": "align-start", "right": "align-end", "center": "align-center"}
# (cell, text-align) -> the cell's opening tag with the class instead of the style
_ALIGNED_CELLS = {
    (tag, align): f'<{tag} class="{name}">'
    for tag in ("th", "td")
    for align, name in ALIGN_CLASSES.items()
}


def _table_alignment(state: StateCore) -> None:
    """``class="align-..."`` for the ``style`` markdown-it's table rule puts on cells."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", None)
            if isinstance(style, str) and style.startswith("text-align:"):
                token.attrSet("class", ALIGN_CLASSES[style.removeprefix("text-align:")])


def _align_classes(rendered: str) -> str:
    """:func:`_table_alignment` for the fast engine's HTML (where ``<`` only opens tags)."""
    if ' style="text-align:' not in rendered:
        return rendered
    for (tag, align), cell in _ALIGNED_CELLS.items():
        rendered = rendered.replace(f'<{tag} style="text-align:{align}">', cell)
    return rendered


def _space_text(state: StateCore, spacing: Spacing) -> None:
    """The language's spaces around punctuation (:mod:`mmsite.i18n.typography`) in the
    text of inline content: never in code spans, raw HTML, link targets or attributes
    (image alt text included, as the fast engine's output keeps it as written)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        for token in block.children:
            if token.type == "text":
                token.content = space_punctuation(token.content, spacing)


def _render_image(self, tokens, idx, options, env) -> str:  # noqa: ANN001 (markdown-it API)
    """Images beside the page become ``<picture>`` via the ``image`` callback."""
    token = tokens[idx]
    image: ImageCallback | None = env.get("image")
    source = token.meta.get("source", token.attrGet("src"))
    if image is not None and isinstance(source, str):
        alt = self.renderInlineAsText(token.children or [], options, env)
        title = token.attrGet("title")
        html = image(source, alt, title if isinstance(title, str) else None)
        if html is not None:
            return html
    return self.image(tokens, idx, options, env)


@cache
def parser(
    locale: str, unsafe_html: bool, rules: Rules = (), typography: bool = True
) -> MarkdownIt:
    """The configured parser for one locale (quotes and spacing differ per language);
    ``typography``: the language's spaces around punctuation (French ``\u202f!``)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt(
        "commonmark",
        {"typographer": True, "html": unsafe_html, "quotes": "".join(quotes_for(locale))},
    )
    md.options["quotes"] = list(quotes_for(locale))
    md.enable(["replacements", "smartquotes", "table", "strikethrough"])
    md.use(footnote_plugin)
    md.core.ruler.push("anchor", _heading_anchors)
    md.core.ruler.push("table_alignment", _table_alignment)
    md.core.ruler.push("mmsite_links", _rewrite_links)
    md.add_render_rule("image", _render_image)
    for rule in rules:
        md.core.ruler.push(rule.name, rule.rule)
    spacing = spacing_for(locale) if typography else None
    if spacing is not None:  # last: the features' rules read the text as written
        md.core.ruler.push("punctuation_spacing", functools.partial(_space_text, spacing=spacing))
    return md


def render_markdown(
    text: str,
    locale: str,
    unsafe_html: bool = False,
    link: LinkCallback | None = None,
    env: dict[str, Any] | None = None,
    image: ImageCallback | None = None,
    prepared: str | None = None,
    rules: Rules = (),
    typography: bool = True,
) -> str:
    """Render with the fast engine when it gives identical HTML, else markdown-it-py.
    ``env`` reaches core rules as ``state.env`` (e.g. ``t`` for localized labels);
    ``image`` renders images beside the page (``<picture>``); ``prepared`` is what
    :func:`prepare` made of ``text`` for ``locale`` ahead of time, if anything (with
    the same ``typography``: the language's spaces around punctuation, or none)."""
    if prepared is None:
        prepared = prepare(text, locale, rules, typography)
    if prepared is not None:
        try:
            return render_fast(prepared, link)
        except MmsiteError:  # a link the callback rejects: the reference engine reports
            pass  # it with its line number
    return render_reference(text, locale, unsafe_html, link, env, image, rules, typography)


def prepare(text: str, locale: str, rules: Rules = (), typography: bool = True) -> str | None:
    """The fast engine's HTML for ``text`` with heading ids and links as written, or None
    when only markdown-it-py renders it right: all the work that needs no site, so it
    can be done ahead (:func:`mmsite.render.warm_bodies`)."""
    source = fast_source(text, locale, rules)
    if source is None:
        return None
    try:
        rendered = fast_parser("'" in source).render(source, xhtml=True)
    except BaseException as exc:  # noqa: BLE001
        # pyo3's PanicException (a bug in the Rust engine) is a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        return None
    if ">" in source and _EMPTY_QUOTE in rendered:
        return None  # markdown-it-py writes <blockquote></blockquote>
    rendered = _add_heading_ids(_align_classes(rendered))
    if typography:  # after the ids: they are slugs of the text as written
        rendered = space_punctuation_html(rendered, spacing_for(locale))
    return rendered


def render_reference(
    text: str,
    locale: str,
    unsafe_html: bool = False,
    link: LinkCallback | None = None,
    env: dict[str, Any] | None = None,
    image: ImageCallback | None = None,
    rules: Rules = (),
    typography: bool = True,
) -> str:
    env = dict(env or {})
    if link:
        env["link"] = link
    if image:
        env["image"] = image
    try:
        return parser(locale, unsafe_html, rules, typography).render(text, env)
    except RecursionError as exc:  # the engine names no file: the page's is added by the
        raise MmsiteError(  # build (render errors without a path name the page)
            "the Markdown is nested too deeply to render",
            hint="fewer nested quotes, lists or emphasis (at most 20 levels show)",
        ) from exc


# -- fast path ---------------------------------------------------------------------------

# What sends a document to markdown-it-py: raw HTML / autolinks (<), footnotes ([^),
# reference definitions (]:), images (![), tabs, CR and NUL (the engines normalize them
# differently), and entities (&name; / &#..), checked by _ENTITY when "&" occurs.
_SLOW_CHARS = ("<", "\t", "\r", "\0")
_SLOW_PAIRS = ("[^", "]:", "![")
_ENTITY = re.compile(r"&[#A-Za-z]")
# The engines also part ways on an empty list item (it may end a table or a quote's lazy
# line in one and not the other), on what a line like a table's delimiter row makes (see
# _block_lines_agree) and on lines after a quote without ">" (lazy continuation).
# _BLOCK_LINE finds both kinds of line: an empty item, or (group 1) a delimiter-like row;
# and (group 2) the start of a line that may nest deeply (see _nesting_weight).
_BLOCK_LINE = re.compile(
    r"\n(?:(?=[ >|:+*0-9-])[ >]*(?:(?:[-+*]|[0-9]{1,9}[.)]) *|([|:]?[-:][-|: ]*))(?=\n|$)"
    r"|([ >*+\-.)0-9]{10,}))"
)
# Every <a href> in fast output is an inline link (raw HTML, autolinks, footnotes and
# images take the reference engine), so hrefs are rewritten in the HTML afterwards.
_HREF = '<a href="'
_EMPTY_QUOTE = "<blockquote>\n</blockquote>"
# Apostrophes between two letters or digits: the typographer makes them U+2019 in every
# language. Any other straight single quote becomes a locale-specific quote.
_APOSTROPHE = re.compile(r"(?<=[^\W_])'(?=[^\W_])")
# A backslash ends the fast engine's text before the next character: an apostrophe after
# "\\é" is not seen as inside a word there.
_ESCAPE_APOSTROPHE = re.compile(r"\\[^\W_]'")
# A pair of double quotes the typographer curls (see _curl_double_quotes): the opening one
# after a space and before a letter or digit, the closing one after a letter, digit or
# .,!? and before a space or .,;:!?, neither emphasis, link, code nor escape between.
_QUOTE_PAIR = re.compile(r'"(?<!\S")([^\W_][^"\n*_\[\]~\\`]*)(?<=[^\W_]|[.,!?])"(?![^\s.,;:!?])')
_FENCE = re.compile(r"(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.*?)(?<!`)\1(?!`)")
# What markdown-it-pyrs 0.4's typographer may change in a text (a superset): quotes, and
# the replacements rule's +- .. ?? !! ,, -- (c) (r) (tm). Unlike markdown-it-py it runs
# inside code spans too (`--flag` became `–flag`), so a code span must hold none of these;
# nor "|", which splits a table cell before code spans are found.
_TYPOGRAPHIC = re.compile(r"['\"|]|\+-|\.\.|[?!]{2}|,,|--|\((?:c|r|tm)\)", re.IGNORECASE)
# A heading and its content (in fast output, "<" only occurs in tags: a document with "<"
# takes the reference engine). Its id is what slugify makes of the text; _NOT_SLUG is what
# slugify drops.
_HEADING = re.compile(r"<h([234])>(.*?)</h\1>", re.DOTALL)
_NOT_SLUG = re.compile(r"[^\w\u4e00-\u9fff\- ]")
_TAG = re.compile(r"<[^>]*>")
# Deep nesting. The fast engine recurses once per level: ~100 KB of "> - " or "*a "
# overflowed its stack and killed the process (a segfault, not an exception); past 20
# levels (markdown-it-py's maxNesting) its HTML differs anyway. A line whose start may
# nest 20 levels (see _nesting_weight), or a text with more than _EMPHASIS_LIMIT emphasis
# marks (it crashed past ~60,000 nested, and slows down quadratically on long runs of
# pairs) takes the reference engine.
_DEPTH_LIMIT = 20
_EMPHASIS_LIMIT = 10_000
# Unicode spaces (U+00A0, U+202F, U+3000 ...): markdown-it-py strips them from the ends
# of a paragraph, heading, list item or table cell (Python's str.strip), the fast engine
# keeps them. One at a line's or cell's edge (or after a space or ">": a list or quote
# marker) takes the reference engine; inside a line (French "Bonjour\u00a0!") is the same.
_UNICODE_SPACE = re.compile(r"[\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_UNICODE_SPACE_AT_EDGE = re.compile(
    r"(?:^|[\n |>])" + _UNICODE_SPACE.pattern + "|" + _UNICODE_SPACE.pattern + r"(?:$|[\n |])"
)


def engine_for(text: str, locale: str, rules: Rules = ()) -> str:
    """The engine that renders ``text`` for ``locale``: FAST only when its HTML is identical."""
    return REFERENCE if fast_source(text, locale, rules) is None else FAST


def fast_source(text: str, locale: str, rules: Rules = ()) -> str | None:
    """``text`` prepared for the fast engine, or None when only markdown-it-py renders it
    right. Cheap: a few substring tests, and a look at the lines with quotes."""
    if markdown_it_pyrs is None or os.environ.get("MMSITE_MARKDOWN_ENGINE") == REFERENCE:
        return None
    for rule in rules:
        if rule.may_apply is None or rule.may_apply(text):
            return None
    if any(mark in text for mark in _SLOW_CHARS) or any(_find(text, m) >= 0 for m in _SLOW_PAIRS):
        return None
    if len(text) > _EMPHASIS_LIMIT and text.count("*") + text.count("_") > _EMPHASIS_LIMIT:
        return None  # see _EMPHASIS_LIMIT
    if "&" in text and _ENTITY.search(text):
        return None
    if not text.isascii() and _UNICODE_SPACE.search(text) and _UNICODE_SPACE_AT_EDGE.search(text):
        return None
    if not _block_lines_agree(text):
        return None
    if ">" in text and not _quotes_end_on_blank_lines(text):
        return None
    if "`" in text or "'" in text or "~~~" in text:
        spans = _outside_fences(text)
        if spans is None:
            return None
        prose = text if len(spans) == 1 else "".join(text[start:end] for start, end in spans)
        if "`" in prose and not _plain_code_spans(prose):
            return None
        # Single quotes other than apostrophes inside words (code blocks aside): pairing
        # them is where the engines differ, and the fast one only knows English quotes.
        if "'" in prose:
            if not _only_apostrophes(prose) or ("\\" in prose and _ESCAPE_APOSTROPHE.search(prose)):
                return None
            text = _curl_apostrophes(text, spans)
    if '"' in text:
        return _curl_double_quotes(text, quotes_for(locale))
    return text


def _nesting_weight(prefix: str) -> int:
    """An upper bound of the levels a line's start (its run of ``>``, list markers,
    digits and spaces) opens: every block container opens at a line's start, ``>`` and
    each space of indentation count 1, each list marker 2 (a list and its item)."""
    markers = sum(prefix.count(mark) for mark in "-+*.)")
    return prefix.count(">") + prefix.count(" ") + 2 * markers


def _find(text: str, mark: str, start: int = 0) -> int:
    """``text.find(mark, start)``, quicker for a mark of two or three characters: CPython
    finds one character several times faster than a longer string in non-ASCII text."""
    at = text.find(mark[0], start)
    while at >= 0 and not text.startswith(mark[1:], at + 1):
        at = text.find(mark[0], at + 1)
    return at


def _block_lines_agree(text: str) -> bool:
    """No line is an empty list item, and each line made of ``-``, ``:``, ``|`` and spaces
    (in a quote or not) means the same to both engines:
    with a pipe (a table's ``|---|:-:|``), it follows a line with a pipe and no ``>``
    (markdown-it-py makes no table of a header without a pipe, and one of a quoted
    header line; the fast engine the other way round), and no escaped pipe (``\\|``)
    is in the text (the engines count cells differently); without a pipe (``---``, a rule
    or a heading's underline), it follows a line without one (``| x |`` then ``--`` is a
    table to markdown-it-py, a heading to the fast engine) and has no colon (``:-`` under
    a line is a one-column table to the fast engine only). And no line starts with
    more nesting than the fast engine renders like markdown-it-py (``_DEPTH_LIMIT``)."""
    for match in _BLOCK_LINE.finditer("\n" + text):
        deep = match.group(2)
        if deep is not None:
            if _nesting_weight(deep) >= _DEPTH_LIMIT:
                return False
            continue
        row = match.group(1)
        if row is None:
            return False
        start = match.start()
        header = text[text.rfind("\n", 0, start - 1) + 1 : start] if start else ""
        if "|" in row:
            if "|" not in header or ">" in header or "\\|" in text:
                return False
        elif "|" in header or ":" in row:  # ".\n :-" is a one-column table to the fast engine
            return False
    return True


def _quotes_end_on_blank_lines(text: str) -> bool:
    """A line with ``>`` (maybe a block quote) is followed by another with ``>`` or a blank
    line: the engines differ on which lines after a quote continue its paragraph."""
    at = text.find(">")
    while at >= 0:
        end = text.find("\n", at)
        if end < 0:
            return True
        following = text.find("\n", end + 1)
        line = text[end + 1 :] if following < 0 else text[end + 1 : following]
        if line.strip() and ">" not in line:
            return False
        at = text.find(">", end + 1)
    return True


def _find_fence(text: str, start: int = 0) -> int:
    """Where the next ```` ``` ```` or ``~~~`` is, -1 when there is none."""
    found = [at for at in (_find(text, "```", start), _find(text, "~~~", start)) if at >= 0]
    return min(found, default=-1)


def _only_apostrophes(text: str) -> bool:
    """Every ``'`` is between two letters or digits (what ``_APOSTROPHE`` matches:
    ``[^\\W_]`` is ``str.isalnum``), found with ``str.find``: no regex scan of the text."""
    last = len(text) - 1
    at = text.find("'")
    while at >= 0:
        if at == 0 or at == last or not (text[at - 1].isalnum() and text[at + 1].isalnum()):
            return False
        at = text.find("'", at + 1)
    return True


def _outside_fences(text: str) -> list[tuple[int, int]] | None:
    """The (start, end) spans of ``text`` outside fenced code blocks whose fences start at
    column 0 (where a fence cannot belong to a list or quote); None when a fence is
    unclosed or unusual. Only the lines with ```` ``` ```` or ``~~~`` open or close one."""
    spans: list[tuple[int, int]] = []
    fence = ""
    done = 0  # text[:done] is in spans or inside a fence
    at = _find_fence(text)
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        line = text[start:end]
        if not fence:
            opening = _FENCE.match(line)
            if opening is None:
                return None
            fence = opening.group(1)
            if fence[0] == "`" and "`" in line[len(fence) :]:
                return None
            spans.append((done, start))
        elif line.startswith(fence) and not line.strip().strip(fence[0]):
            fence = ""
            done = end + 1
        at = _find_fence(text, end)
    spans.append((done, len(text)))
    return None if fence else spans


def _prose(text: str) -> str | None:
    """``text`` without its fenced code blocks (see :func:`_outside_fences`)."""
    spans = _outside_fences(text)
    return None if spans is None else "".join(text[start:end] for start, end in spans)


def _plain_code_spans(prose: str) -> bool:
    """Every code span closes on its own line and holds nothing the fast engine's
    typographer would change (``_TYPOGRAPHIC``). A backtick run that does not close on
    its line (a span across lines, or literal backticks) or a line with a backslash (an
    escaped backtick) is not proved plain. Only the lines with a backtick are looked at."""
    at = prose.find("`")
    while at >= 0:
        start = prose.rfind("\n", 0, at) + 1
        end = prose.find("\n", at)
        end = len(prose) if end < 0 else end
        line = prose[start:end]
        if "\\" in line:
            return False
        parts = line.split("`")
        if len(parts) % 2 and all(parts[1:-1]):  # single backticks, paired in order
            if any(_TYPOGRAPHIC.search(code) or not code.strip(" ") for code in parts[1::2]):
                return False
        elif "`" in _CODE_SPAN.sub(_plain_span, line):
            return False
        at = prose.find("`", end)
    return True


def _plain_span(match: re.Match[str]) -> str:
    """ "" for a plain code span; a backtick (not plain) for one the typographer would
    change, or one of spaces only (the fast engine strips a space from each end)."""
    code = match.group(2)
    return "`" if _TYPOGRAPHIC.search(code) or (code and not code.strip(" ")) else ""


def _curl_apostrophes(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the apostrophes of its prose (``spans``; each is between two letters or
    digits, see :func:`_only_apostrophes`) made U+2019, as the typographer makes them in
    every language, so the fast engine needs no smartquotes rule. One stays straight
    (left to the engine) on a line where it may not be text: a line with a link
    destination (``](``), or four spaces before it (maybe indented code)."""
    parts: list[str] = []
    done = 0  # text[:done] is in parts
    for span_start, span_end in spans:
        at = text.find("'", span_start, span_end)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            line = text[start:end]
            if "](" not in line and "    " not in line[: at - start]:
                parts += [text[done:at], "\u2019"]
                done = at + 1
            at = text.find("'", at + 1, span_end)
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def _curl_double_quotes(text: str, quotes: tuple[str, ...]) -> str | None:
    """Typographic double quotes in the locale's style, put into the source the way
    markdown-it's typographer would, for simple cases only (else None): on each line,
    quotes alternate between opening (after a space, before a letter or digit) and closing
    (after a letter, digit or .,!? and before a space or .,;:!?), with no emphasis, link,
    code or escape between the two, on lines that cannot be code (no backticks, no
    4-space indent, nothing after a fence) or a link destination.

    markdown-it-pyrs 0.4's own smartquotes cannot be used: it has English quotes only and
    leaves quotes straight in tight lists, table cells and some headings."""
    last = text.rfind('"')
    if last < 0:
        return text
    end = text.find("\n", last)
    if 0 <= _find_fence(text) < (len(text) if end < 0 else end):
        return None  # a fence on or before the last line with quotes: it may be code
    # _QUOTE_PAIR matches two consecutive quotes on one line; matched from each quote
    # that opens a pair, it must pair every quote of the text (the 1st and 2nd quote of
    # each line, the 3rd and 4th, ...): the quotes alternate between opening and closing.
    parts: list[str] = []
    done = 0  # text[:done] is in parts
    line_end = -1  # the end of the last line checked
    at = text.find('"')
    while at >= 0:
        pair = _QUOTE_PAIR.match(text, at)
        if pair is None:
            return None
        if at > line_end:  # the first quote on its line: is the line prose?
            start = text.rfind("\n", 0, at) + 1
            line_end = text.find("\n", at)
            line_end = len(text) if line_end < 0 else line_end
            line = text[start:line_end]
            if "](" in line or "    " in line[: at - start]:
                return None
            if "`" in line and not _quotes_outside_code_spans(line):
                return None
        parts += [text[done:at], quotes[0], pair.group(1), quotes[1]]
        done = pair.end()
        at = text.find('"', done)
    parts.append(text[done:])
    return "".join(parts)


def _quotes_outside_code_spans(line: str) -> bool:
    """Every backtick run on the line closes on the line and no code span holds a quote."""
    if "\\" in line:
        return False
    rest = _CODE_SPAN.sub(lambda m: "" if '"' in m.group(2) else "\0", line)
    return "`" not in rest and rest.count('"') == line.count('"')


@cache
def fast_parser(smartquotes: bool = True) -> markdown_it_pyrs.MarkdownIt:
    """The fast engine, with its smartquotes rule only when the prepared source still has a
    straight quote (an apostrophe :func:`_curl_apostrophes` left): ~20 % of its time."""
    md = markdown_it_pyrs.MarkdownIt("zero")
    md.enable_many(
        ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph"]
        + ["reference", "autolink", "backticks", "emphasis", "entity", "escape", "image"]
        + ["link", "newline", "replacements", "table", "strikethrough"]
        + (["smartquotes"] if smartquotes else [])
    )
    return md


def _add_heading_ids(rendered: str) -> str:
    """Heading ids as the anchors plugin gives them: h2-h4, slug of the heading's text."""
    slugs: dict[str, int] = {}

    def heading(match: re.Match[str]) -> str:
        level, inner = match.groups()
        title = _TAG.sub("", inner) if "<" in inner else inner
        slug = _unique_slug(_slugify(html.unescape(title)), slugs)
        return f'<h{level} id="{slug}">{inner}</h{level}>'

    return _HEADING.sub(heading, rendered)


def _unique_slug(slug: str, slugs: dict[str, int]) -> str:
    """``mdit_py_plugins.anchors.index.unique_slug``: ``slug``, else ``slug-1``, ...
    ``slugs`` holds every id given and, for each, the number its next repeat tries first
    (ids are only added, so the numbers below it are still taken): linear, where asking
    from 1 each time took 172 s for 20,000 headings with one title."""
    unique, number = slug, slugs.get(slug, 1)
    while unique in slugs:
        unique = f"{slug}-{number}"
        number += 1
    if unique != slug:
        slugs[slug] = number
    slugs.setdefault(unique, 1)
    return unique


def _escape_html(text: str) -> str:
    """``markdown_it.common.utils.escapeHtml``: ``& < > "`` (not ``'``)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;")


def _slugify(title: str) -> str:
    """``mdit_py_plugins.anchors.index.slugify``, quicker: most titles are only letters,
    digits and spaces, and it keeps those. A slug has only word characters and ``-``:
    nothing to escape in an attribute."""
    slug = title.lower().replace(" ", "-")
    return slug if slug.replace("-", "").isalnum() else _NOT_SLUG.sub("", slug)


def _rewrite_hrefs(rendered: str, link: LinkCallback) -> str:
    pieces = rendered.split(_HREF)
    for number in range(1, len(pieces)):
        piece = pieces[number]
        end = piece.index('"')
        href = link(html.unescape(piece[:end]), "link", None)
        pieces[number] = _escape_html(href) + piece[end:]
    return _HREF.join(pieces)


def render_fast(prepared: str, link: LinkCallback | None = None) -> str:
    """The HTML of a body :func:`prepare` made, its links resolved by ``link``. Heading
    ids (added first) and hrefs commute: an id is a slug of the heading's text (tags
    dropped) and an href holds no tag."""
    return prepared if link is None else _rewrite_hrefs(prepared, link)
