"""Markdown to HTML with markdown-it-py: CommonMark + tables, strikethrough, footnotes,
heading anchors, and typographic quotes in each language's own style.

One parser per language is built once and reused. Links and image sources go through a
``link`` callback supplied by the caller (see :mod:`mmsite.links`), so the Markdown stage
stays free of routing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .i18n import quotes_for

# link(href, kind, line) -> new href; kind is "link" or "image"; line is 1-based in the body.
LinkCallback = Callable[[str, str, int | None], str]

# image(src, alt, title) -> HTML, or None for the default <img>; src is as written.
ImageCallback = Callable[[str, str, str | None], str | None]

# Extensions add core rules here: (name, rule) pairs, run after inline parsing.
EXTRA_RULES: list[tuple[str, Callable[[StateCore], None]]] = []


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
) -> str:
    """``env`` reaches core rules as ``state.env`` (e.g. ``t`` for localized labels);
    ``image`` renders images beside the page (``<picture>``)."""
    env = dict(env or {})
    if link:
        env["link"] = link
    if image:
        env["image"] = image
    return parser(locale, unsafe_html).render(text, env)
