"""Spacing around punctuation, per language: French writes a no-break space before
``; : ! ?`` and inside « », so the mark never starts a line.

CLDR (and so Babel) has no data for this: its French delimiters are bare « », only its
number formats use U+202F. The table below follows the printed references: France's
Imprimerie nationale (narrow no-break space U+202F before ``; ! ?`` and inside « »,
no-break space U+00A0 before ``:``), Quebec's Office québécois de la langue française
(``fr_CA``: U+00A0 before ``:`` and inside « », nothing before ``; ! ?``) and Swiss
usage (``fr_CH``: guillemets without spaces, as :func:`mmsite.i18n.editions.quotes_for`
writes them; narrow spaces before ``; ! ?``, U+00A0 before ``:``). A language is
added with one line.

Only spaces already written are changed: one or more spaces (ordinary, U+00A0 or
U+202F) before such a mark, or after « , become the one the language writes there. A
missing space is not added (``« Bonjour»`` stays as it is): ``12:30``, ``https://``,
``«Bonjour»`` in Swiss usage and a ``?`` inside a word are not sentence punctuation, and
guessing would break them. So applying it twice changes nothing more than once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

NBSP = "\u00a0"  # no-break space
NNBSP = "\u202f"  # narrow no-break space
_SPACES = " \u00a0\u202f"


Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]
Respace = Callable[[str], str]


@dataclass(frozen=True)
class Spacing:
    """``before``: mark -> the space written before it; ``after``: mark -> after it. Its
    rule and its spacer are made on first use and kept on it (the table's entries live
    as long as the process)."""

    before: tuple[tuple[str, str], ...] = ()
    after: tuple[tuple[str, str], ...] = ()

    @cached_property
    def rule(self) -> Rule:
        """The pattern of every space to change, and what each match becomes."""
        before, after = dict(self.before), dict(self.after)
        parts = []
        if before:
            parts.append(f"[{_SPACES}]+(?P<before>[{re.escape(''.join(before))}])")
        if after:
            parts.append(f"(?P<after>[{re.escape(''.join(after))}])[{_SPACES}]+")

        def space(match: re.Match[str]) -> str:
            if match.lastgroup == "before":
                return before[match["before"]] + match["before"]
            return match["after"] + after[match["after"]]

        return re.compile("|".join(parts)), space

    @cached_property
    def respace(self) -> Respace:
        """:func:`space_punctuation` as a function of the text alone: templates print
        thousands of values per page (see :func:`mmsite.render.templates.context_for`).
        Text without a space or without one of the marks is returned unscanned."""
        pattern, space = self.rule
        sub = pattern.sub
        marks = "".join(mark for mark, _ in (*self.before, *self.after))
        has_mark = re.compile(f"[{re.escape(marks)}]").search

        def respace(text: str) -> str:
            # every rule needs a space and a mark: most printed text has no mark
            if (" " in text or NBSP in text or NNBSP in text) and has_mark(text):
                return sub(space, text)
            return text

        return respace


# Locale or language -> its spacing; a locale's own entry (fr_CA) wins over its language's.
SPACING: dict[str, Spacing] = {
    "fr": Spacing(
        before=((";", NNBSP), ("!", NNBSP), ("?", NNBSP), (":", NBSP), ("\u00bb", NNBSP)),
        after=(("\u00ab", NNBSP),),
    ),
    "fr_CA": Spacing(before=((":", NBSP), ("\u00bb", NBSP)), after=(("\u00ab", NBSP),)),
    "fr_CH": Spacing(before=((";", NNBSP), ("!", NNBSP), ("?", NNBSP), (":", NBSP))),
}


def spacing_for(locale: str) -> Spacing | None:
    """The spacing rules of a locale (``fr_BE`` takes French's), None for most languages."""
    return SPACING.get(locale) or SPACING.get(locale.split("_")[0])


def space_punctuation(text: str, spacing: Spacing | None) -> str:
    """``text`` with the spaces around punctuation the language's (see the module)."""
    if spacing is None or not text:
        return text
    pattern, space = spacing.rule
    return pattern.sub(space, text)


# In HTML whose "<" only opens tags (the fast Markdown engine's output: no raw HTML, no
# comments), the elements whose text is never re-spaced.
_VERBATIM = ("code", "pre")


def space_punctuation_html(html: str, spacing: Spacing | None) -> str:
    """:func:`space_punctuation` on the text between tags, the content of ``<code>`` and
    ``<pre>`` left as it is. A match is spaces and marks only, so it never crosses a
    tag: each is kept unless it lies inside a tag or a verbatim element (most bodies
    have no match at all, and the text is scanned once)."""
    if spacing is None or not _has_candidate(html, spacing):
        return html
    pattern, space = spacing.rule

    def respace(match: re.Match[str]) -> str:
        if _verbatim(html, match.start()):
            return match.group(0)
        return space(match)

    return pattern.sub(respace, html)


def _has_candidate(text: str, spacing: Spacing) -> bool:
    """Does ``text`` hold a space before a ``before`` mark or after an ``after`` one?
    Each mark is looked for alone (a one-character search is the quickest there is, and
    the marks are rare next to the spaces every match of the rule could start at)."""
    for mark, _ in spacing.before:
        at = text.find(mark, 1)
        while at != -1:
            if text[at - 1] in _SPACES:
                return True
            at = text.find(mark, at + 1)
    for mark, _ in spacing.after:
        at = text.find(mark)
        while at != -1 and at + 1 < len(text):
            if text[at + 1] in _SPACES:
                return True
            at = text.find(mark, at + 1)
    return False


def _verbatim(html: str, at: int) -> bool:
    """Is ``at`` inside a tag, or inside a ``<code>`` or ``<pre>`` element?"""
    if html.rfind("<", 0, at) > html.rfind(">", 0, at):
        return True
    for name in _VERBATIM:
        opened = max(html.rfind(f"<{name}>", 0, at), html.rfind(f"<{name} ", 0, at))
        if opened > html.rfind(f"</{name}>", 0, at):
            return True
    return False
