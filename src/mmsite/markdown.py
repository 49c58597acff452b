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

from .errors import MmsiteError
from .i18n import quotes_for

# link(href, kind, line) -> new href; kind is "link" or "image"; line is 1-based in the body.
LinkCallback = Callable[[str, str, int | None], str]

# image(src, alt, title) -> HTML, or None for the default <img>; src is as written.
ImageCallback = Callable[[str, str, str | None], str | None]

# Extensions add core rules here: (name, rule) pairs, run after inline parsing.
EXTRA_RULES: list[tuple[str, Callable[[StateCore], None]]] = []

# For each extra rule, a cheap test "could this rule change this Markdown text?". A document
# takes the fast engine only when every rule in EXTRA_RULES has a check here saying no: a
# rule without a check sends every document to markdown-it-py.
FAST_PATH_CHECKS: dict[str, Callable[[str], bool]] = {}

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
def parser(locale: str, unsafe_html: bool) -> MarkdownIt:
    """The configured parser for one locale (quotes differ per language)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.anchors import anchors_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt(
        "commonmark",
        {"typographer": True, "html": unsafe_html, "quotes": "".join(quotes_for(locale))},
    )
    md.options["quotes"] = list(quotes_for(locale))
    md.enable(["replacements", "smartquotes", "table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4)
    md.core.ruler.push("mmsite_links", _rewrite_links)
    md.add_render_rule("image", _render_image)
    for name, rule in EXTRA_RULES:
        md.core.ruler.push(name, rule)
    return md


def render_markdown(
    text: str,
    locale: str,
    unsafe_html: bool = False,
    link: LinkCallback | None = None,
    env: dict[str, Any] | None = None,
    image: ImageCallback | None = None,
    prepared: str | None = None,
) -> str:
    """Render with the fast engine when it gives identical HTML, else markdown-it-py.
    ``env`` reaches core rules as ``state.env`` (e.g. ``t`` for localized labels);
    ``image`` renders images beside the page (``<picture>``); ``prepared`` is what
    :func:`prepare` made of ``text`` for ``locale`` ahead of time, if anything."""
    if prepared is None:
        prepared = prepare(text, locale)
    if prepared is not None:
        try:
            return render_fast(prepared, link)
        except MmsiteError:  # a link the callback rejects: the reference engine reports
            pass  # it with its line number
    return render_reference(text, locale, unsafe_html, link, env, image)


def prepare(text: str, locale: str) -> str | None:
    """The fast engine's HTML for ``text`` with heading ids and links as written, or None
    when only markdown-it-py renders it right: all the work that needs no site, so it
    can be done ahead (:func:`mmsite.render.warm_bodies`)."""
    source = fast_source(text, locale)
    if source is None:
        return None
    try:
        return _add_heading_ids(fast_parser().render(source, xhtml=True))
    except BaseException as exc:  # noqa: BLE001
        # pyo3's PanicException (a bug in the Rust engine) is a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        return None


def render_reference(
    text: str,
    locale: str,
    unsafe_html: bool = False,
    link: LinkCallback | None = None,
    env: dict[str, Any] | None = None,
    image: ImageCallback | None = None,
) -> str:
    env = dict(env or {})
    if link:
        env["link"] = link
    if image:
        env["image"] = image
    return parser(locale, unsafe_html).render(text, env)


# -- fast path ---------------------------------------------------------------------------

# What sends a document to markdown-it-py: raw HTML / autolinks (<), footnotes ([^),
# reference definitions (]:), images (![), tabs, CR and NUL (the engines normalize them
# differently), and entities (&name; / &#..), checked by _ENTITY when "&" occurs.
_SLOW_CHARS = ("<", "\t", "\r", "\0")
_SLOW_PAIRS = ("[^", "]:", "![")
_ENTITY = re.compile(r"&[#A-Za-z]")
# Every <a href> in fast output is an inline link (raw HTML, autolinks, footnotes and
# images take the reference engine), so hrefs are rewritten in the HTML afterwards.
_HREF = '<a href="'
# Apostrophes between two letters or digits: the typographer makes them U+2019 in every
# language. Any other straight single quote becomes a locale-specific quote.
_APOSTROPHE = re.compile(r"(?<=[^\W_])'(?=[^\W_])")
# A pair of double quotes the typographer curls (see _curl_double_quotes): the opening one
# after a space and before a letter or digit, the closing one after a letter, digit or
# .,!? and before a space or .,;:!?, neither emphasis, link, code nor escape between.
_QUOTE_PAIR = re.compile(r'"(?<!\S")([^\W_][^"\n*_\[\]~\\`]*)(?<=[^\W_]|[.,!?])"(?![^\s.,;:!?])')
_FENCE = re.compile(r"(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?!`)(.*?)(?<!`)\1(?!`)")
# A heading and its content (in fast output, "<" only occurs in tags: a document with "<"
# takes the reference engine). Its id is what slugify makes of the text; _NOT_SLUG is what
# slugify drops.
_HEADING = re.compile(r"<h([234])>(.*?)</h\1>", re.DOTALL)
_NOT_SLUG = re.compile(r"[^\w\u4e00-\u9fff\- ]")
_TAG = re.compile(r"<[^>]*>")


def engine_for(text: str, locale: str) -> str:
    """The engine that renders ``text`` for ``locale``: FAST only when its HTML is identical."""
    return REFERENCE if fast_source(text, locale) is None else FAST


def fast_source(text: str, locale: str) -> str | None:
    """``text`` prepared for the fast engine, or None when only markdown-it-py renders it
    right. Cheap: a few substring tests, and a look at the lines with quotes."""
    if markdown_it_pyrs is None or os.environ.get("MMSITE_MARKDOWN_ENGINE") == REFERENCE:
        return None
    for name, _ in EXTRA_RULES:
        check = FAST_PATH_CHECKS.get(name)
        if check is None or check(text):
            return None
    if any(mark in text for mark in _SLOW_CHARS) or any(_find(text, m) >= 0 for m in _SLOW_PAIRS):
        return None
    if "&" in text and _ENTITY.search(text):
        return None
    # Single quotes other than apostrophes inside words (code blocks aside): pairing them
    # is where the engines differ, and the fast one only knows English quotes.
    if "'" in text and not _prose_apostrophes_only(text):
        return None
    if '"' in text:
        return _curl_double_quotes(text, quotes_for(locale))
    return text


def _find(text: str, mark: str, start: int = 0) -> int:
    """``text.find(mark, start)``, quicker for a mark of two or three characters: CPython
    finds one character several times faster than a longer string in non-ASCII text."""
    at = text.find(mark[0], start)
    while at >= 0 and not text.startswith(mark[1:], at + 1):
        at = text.find(mark[0], at + 1)
    return at


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


def _prose_apostrophes_only(text: str) -> bool:
    """:func:`_only_apostrophes` for the text outside fenced code blocks whose fences start
    at column 0 (where a fence cannot belong to a list or quote); False when a fence is
    unclosed or unusual. Only the lines with ```` ``` ```` or ``~~~`` open or close one."""
    prose: list[str] = []
    fence = ""
    done = 0  # text[:done] is in prose or inside a fence
    at = _find_fence(text)
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        line = text[start:end]
        if not fence:
            opening = _FENCE.match(line)
            if opening is None:
                return False
            fence = opening.group(1)
            if fence[0] == "`" and "`" in line[len(fence) :]:
                return False
            prose.append(text[done:start])
        elif line.startswith(fence) and not line.strip().strip(fence[0]):
            fence = ""
            done = end + 1
        at = _find_fence(text, end)
    prose.append(text[done:])
    return not fence and _only_apostrophes("".join(prose))


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
    # _QUOTE_PAIR matches two consecutive quotes on one line. When it pairs every quote,
    # the pairs are the 1st and 2nd quote of each line, the 3rd and 4th, ...: the quotes
    # of the text alternate between opening and closing.
    if 2 * len(_QUOTE_PAIR.findall(text)) != text.count('"'):
        return None
    at = text.find('"')
    while at >= 0:  # only the lines with quotes: most lines have none
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        line = text[start:] if end < 0 else text[start:end]
        if "](" in line or "    " in line[: at - start]:
            return None
        if "`" in line and not _quotes_outside_code_spans(line):
            return None
        at = -1 if end < 0 else text.find('"', end)
    parts: list[str] = []
    done = 0  # text[:done] is in parts
    at = text.find('"')
    while at >= 0:
        close = text.find('"', at + 1)
        parts += [text[done:at], quotes[0], text[at + 1 : close], quotes[1]]
        done = close + 1
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
def fast_parser() -> markdown_it_pyrs.MarkdownIt:
    md = markdown_it_pyrs.MarkdownIt("zero")
    md.enable_many(
        ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph"]
        + ["reference", "autolink", "backticks", "emphasis", "entity", "escape", "image"]
        + ["link", "newline", "replacements", "smartquotes", "table", "strikethrough"]
    )
    return md


def _add_heading_ids(rendered: str) -> str:
    """Heading ids as the anchors plugin gives them: h2-h4, slug of the heading's text."""
    slugs: set[str] = set()

    def heading(match: re.Match[str]) -> str:
        level, inner = match.groups()
        title = _TAG.sub("", inner) if "<" in inner else inner
        slug = _unique_slug(_slugify(html.unescape(title)), slugs)
        return f'<h{level} id="{slug}">{inner}</h{level}>'

    return _HEADING.sub(heading, rendered)


def _unique_slug(slug: str, slugs: set[str]) -> str:
    """``mdit_py_plugins.anchors.index.unique_slug``: ``slug``, else ``slug-1``, ..."""
    unique, number = slug, 1
    while unique in slugs:
        unique = f"{slug}-{number}"
        number += 1
    slugs.add(unique)
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
