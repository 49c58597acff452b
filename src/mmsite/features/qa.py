"""Q&A markup for interviews: a paragraph that starts with ``**Q:**`` is a question, one
that starts with ``**A:**`` an answer. Unlabelled paragraphs right after an answer
continue it. The literal label becomes a localized one (UI strings ``qa_question`` and
``qa_answer``) when the renderer passes a ``t`` function in the Markdown env.

``**Q:** Why Cornwall?`` -> ``<p class="qa qa-q"><strong class="qa-label">Question</strong>
Why Cornwall?</p>``
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from mmsite.features.registry import Feature, MarkdownRule

if TYPE_CHECKING:
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

LABEL = re.compile(r"^\s*([QqAa])\s*:\s*$")
KEYS = {"q": "qa_question", "a": "qa_answer"}


def _opening(inline: Token) -> list[Token]:
    """The inline children without the empty text tokens markdown-it leaves in front."""
    children = inline.children or []
    start = 0
    while start < len(children) and children[start].type == "text" and not children[start].content:
        start += 1
    return children[start:]


def _label(inline: Token) -> str | None:
    """``q`` or ``a`` when the paragraph opens with a bold ``Q:``/``A:``."""
    children = _opening(inline)
    if len(children) < 3 or children[0].type != "strong_open":
        return None
    if children[1].type != "text" or children[2].type != "strong_close":
        return None
    match = LABEL.match(children[1].content.replace("\u00a0", " "))
    return match.group(1).lower() if match else None


def _mark(inline: Token, kind: str, translate: Callable[[str], str] | None) -> None:
    children = _opening(inline)
    children[0].attrSet("class", "qa-label")
    if translate is not None:
        children[1].content = translate(KEYS[kind])


# Could a paragraph in this text open with a bold Q:/A: label? (fast Markdown path check)
# One pattern per marker: a literal prefix lets the regex engine skip ahead to each "**"
# (an alternation of the two made it try every position: three times slower).
_BOLD_LABEL = re.compile(r"\*\*\s*[QqAa]\s*:")
_UNDERSCORE_LABEL = re.compile(r"__\s*[QqAa]\s*:")


def may_apply(text: str) -> bool:
    return ("**" in text and _BOLD_LABEL.search(text) is not None) or (
        "__" in text and _UNDERSCORE_LABEL.search(text) is not None
    )


def qa_rule(state: StateCore) -> None:
    translate = state.env.get("t")
    tokens = state.tokens
    in_answer = False
    for index, token in enumerate(tokens):
        if token.level != 0 or token.type.endswith("_close") or token.type == "inline":
            continue
        if token.type != "paragraph_open" or index + 1 >= len(tokens):
            in_answer = False
            continue
        inline = tokens[index + 1]
        kind = _label(inline)
        if kind is None:
            if in_answer:
                token.attrSet("class", "qa qa-a qa-more")
            continue
        token.attrSet("class", f"qa qa-{kind}")
        _mark(inline, kind, translate)
        in_answer = kind == "a"


FEATURE = Feature("qa", markdown=(MarkdownRule("mmsite_qa", qa_rule, may_apply),))
