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

NBSP = "\u00a0"  # no-break space
NNBSP = "\u202f"  # narrow no-break space
_SPACES = " \u00a0\u202f"


@dataclass(frozen=True)
class Spacing:
    """``before``: mark -> the space written before it; ``after``: mark -> after it."""

    before: tuple[tuple[str, str], ...] = ()
    after: tuple[tuple[str, str], ...] = ()


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


Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]
_RULES: dict[int, tuple[Spacing, Rule]] = {}  # by identity: hashing a Spacing costs more


def _rule(spacing: Spacing) -> Rule:
    found = _RULES.get(id(spacing))
    if found is None or found[0] is not spacing:
        found = _RULES[id(spacing)] = (spacing, _compile(spacing))
    return found[1]


def _compile(spacing: Spacing) -> Rule:
    before, after = dict(spacing.before), dict(spacing.after)
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


def space_punctuation(text: str, spacing: Spacing | None) -> str:
    """``text`` with the spaces around punctuation the language's (see the module)."""
    if spacing is None or not text:
        return text
    pattern, space = _rule(spacing)
    return pattern.sub(space, text)


# Tags, and the content of <code> and <pre> (never re-spaced), in HTML whose "<" only
# opens tags (the fast Markdown engine's output: no raw HTML, no comments).
_SKIP = re.compile(r"<(code|pre)[\s>].*?</\1>|<[^>]*>", re.DOTALL)


def space_punctuation_html(html: str, spacing: Spacing | None) -> str:
    """:func:`space_punctuation` on each text between tags, code and pre left as they are."""
    if spacing is None:
        return html
    pieces: list[str] = []
    done = 0
    for match in _SKIP.finditer(html):
        pieces += [space_punctuation(html[done : match.start()], spacing), match.group(0)]
        done = match.end()
    pieces.append(space_punctuation(html[done:], spacing))
    return "".join(pieces)
