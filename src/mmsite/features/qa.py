"""Q&A markup for interviews: a paragraph that starts with a bold question label
(``**Q:**``) is a question, one that starts with an answer label (``**A:**``) an answer.
Unlabelled paragraphs right after an answer continue it. The literal label becomes a
localized one (UI strings ``qa_question`` and ``qa_answer``).

Labels are recognised in the page's language: ``Q``/``A`` everywhere, each language's own
letters (:data:`LABELS`: ``Q :``/``R :`` in French, ``P:``/``R:`` in Spanish, ``F:``/``A:``
in German, ``س:``/``ج:`` in Arabic, ``問：``/``答：`` in Japanese ...), the language's own
words for them (its ``qa_question``/``qa_answer`` strings: ``**Réponse :**``) and what
``qa_labels:`` in site.yaml adds::

    qa_labels:
      nl: {question: [V, Vraag], answer: [A, Antwoord]}

``**Q:** Why Cornwall?`` -> ``<p class="qa qa-q"><strong class="qa-label">Question</strong>
Why Cornwall?</p>``
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mmsite.config.options import ConfigSection, SectionContext, mapping, only
from mmsite.features.registry import Feature, MarkdownRule

if TYPE_CHECKING:
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

# A bold run that ends with a colon (ASCII or full-width), the label before it.
LABEL = re.compile(r"^\s*(\S(?:.{0,38}\S)?)\s*[:\uff1a]\s*$")
KEYS = {"q": "qa_question", "a": "qa_answer"}
# Each language's own letters (question, answer), beyond Q and A (FORMAT.md).
LABELS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "fr": (("Q",), ("R",)),
    "es": (("P",), ("R",)),
    "pt": (("P",), ("R",)),
    "it": (("D",), ("R",)),
    "de": (("F",), ("A",)),
    "nl": (("V",), ("A",)),
    "pl": (("P",), ("O",)),
    "ru": (("В",), ("О",)),
    "tr": (("S",), ("C",)),
    "ar": (("س",), ("ج",)),
    "fa": (("س",), ("ج",)),
    "ja": (("問",), ("答",)),
    "zh": (("问", "問"), ("答",)),
}


def _opening(inline: Token) -> list[Token]:
    """The inline children without the empty text tokens markdown-it leaves in front."""
    children = inline.children or []
    start = 0
    while start < len(children) and children[start].type == "text" and not children[start].content:
        start += 1
    return children[start:]


def _label(inline: Token, labels: dict[str, str]) -> str | None:
    """``q`` or ``a`` when the paragraph opens with a bold label of the page's language."""
    children = _opening(inline)
    if len(children) < 3 or children[0].type != "strong_open":
        return None
    if children[1].type != "text" or children[2].type != "strong_close":
        return None
    match = LABEL.match(children[1].content.replace("\u00a0", " ").replace("\u202f", " "))
    return labels.get(match.group(1).casefold()) if match else None


def _mark(inline: Token, kind: str, translate: Callable[[str], str] | None) -> None:
    children = _opening(inline)
    children[0].attrSet("class", "qa-label")
    if translate is not None:
        children[1].content = translate(KEYS[kind])


# Could a paragraph in this text open with a bold label? (fast Markdown path check: a
# superset, any bold run ending with a colon). One pattern per marker: a literal prefix
# lets the regex engine skip ahead to each "**".
_BOLD_LABEL = re.compile(r"\*\*[^*\n]{0,40}[:\uff1a]")
_UNDERSCORE_LABEL = re.compile(r"__[^_\n]{0,40}[:\uff1a]")


def may_apply(text: str) -> bool:
    return ("**" in text and _BOLD_LABEL.search(text) is not None) or (
        "__" in text and _UNDERSCORE_LABEL.search(text) is not None
    )


def qa_rule(state: StateCore) -> None:
    translate = state.env.get("t")
    labels = state.env.get("qa_labels") or DEFAULT_LABELS
    tokens = state.tokens
    in_answer = False
    for index, token in enumerate(tokens):
        if token.level != 0 or token.type.endswith("_close") or token.type == "inline":
            continue
        if token.type != "paragraph_open" or index + 1 >= len(tokens):
            in_answer = False
            continue
        inline = tokens[index + 1]
        kind = _label(inline, labels)
        if kind is None:
            if in_answer:
                token.attrSet("class", "qa qa-a qa-more")
            continue
        token.attrSet("class", f"qa qa-{kind}")
        _mark(inline, kind, translate)
        in_answer = kind == "a"


DEFAULT_LABELS = {"q": "q", "a": "a"}


def labels_for(lang: str, words: tuple[str, str], extra: dict[str, Any]) -> dict[str, str]:
    """Label (casefolded) -> ``q`` or ``a`` for one language: Q and A, the language's own
    letters, its words for question and answer (``words``), then the site's (``extra``)."""
    question, answer = LABELS.get(lang.split("-")[0], ((), ()))
    table = dict(DEFAULT_LABELS)
    for kind, names in (
        ("q", (*question, words[0], *extra.get("question", ()))),
        ("a", (*answer, words[1], *extra.get("answer", ()))),
    ):
        table.update((name.casefold(), kind) for name in names)
    return table


def _env(site: Any, route: Any) -> dict[str, Any]:
    lang = route.page.lang

    def make() -> dict[str, str]:
        words = (
            site.strings.translate(lang, "qa_question"),
            site.strings.translate(lang, "qa_answer"),
        )
        return labels_for(lang, words, site.config.section("qa_labels").get(lang, {}))

    return {"qa_labels": site.memo("qa-labels", lang, make)}


def _parse_labels(data: Any, ctx: SectionContext) -> dict[str, dict[str, tuple[str, ...]]]:
    """``qa_labels: {LANG: {question: [...], answer: [...]}}``."""
    if data is None:
        return {}
    raw = mapping(data, ("qa_labels",), ctx.lines)
    only(raw, set(ctx.languages), ("qa_labels",), ctx.lines)
    result = {}
    for lang, value in raw.items():
        keys = ("qa_labels", lang)
        entry = mapping(value, keys, ctx.lines)
        only(entry, {"question", "answer"}, keys, ctx.lines)
        result[lang] = {
            kind: _label_list(entry.get(kind, []), (*keys, kind), ctx) for kind in entry
        }
    return result


def _label_list(value: Any, keys: tuple[str, ...], ctx: SectionContext) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(v, str) and LABEL.match(v + ":") and "*" not in v and "_" not in v for v in value
    ):
        raise ctx.lines.error(
            keys, "must be a list of labels as written before the colon", hint="[V, Vraag]"
        )
    return tuple(v.strip() for v in value)


FEATURE = Feature(
    "qa",
    config=(ConfigSection("qa_labels", _parse_labels),),
    markdown=(MarkdownRule("mmsite_qa", qa_rule, may_apply, env=_env),),
)
