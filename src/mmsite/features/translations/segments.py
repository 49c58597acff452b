"""A Markdown body cut into blocks for translators, with inline Markdown protected.

Each block (paragraph, heading, list, quote, table) is one segment; fenced code is kept
as it is and not offered for translation. Inside a segment, what a translator must not
change (emphasis markers, link targets, code spans, HTML tags, line-leading markers,
line breaks) becomes a placeholder: a list of pieces, text (``str``) or code
(:class:`Code`). Joining the pieces gives the block back exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
INLINE = re.compile(
    r"""
      ^[ \t]*(?:\#{1,6}[ \t]+|[-*+][ \t]+|\d+[.)][ \t]+|>[ \t]?|\|)+   # line-leading markers
    | `+[^`]*?`+                          # code span
    | \]\([^)\s]*(?:[ \t]+"[^"]*")?\)     # ](url "title")
    | \]\[[^\]]*\]                        # ][reference]
    | !?\[ | \]                           # link and image brackets
    | <[^>\n]+>                           # HTML tag, autolink
    | \*\*|__|~~|\*|(?<!\w)_|_(?!\w)      # emphasis
    | \\.                                 # escapes
    | [ \t]*\|[ \t]* | (?<=\|):?-{3,}:?(?=\|)   # table cells and rules
    | \n                                  # line breaks inside a block
    """,
    re.M | re.X,
)
WORDY = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class Code:
    """Markdown a translator keeps as it is."""

    text: str


Piece = str | Code


@dataclass(frozen=True)
class Block:
    pieces: tuple[Piece, ...]
    translate: bool  # False: fenced code, or a block with no words

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.pieces)


def protect(text: str) -> tuple[Piece, ...]:
    """``**Bold** [link](a.md)`` -> Code("**"), "Bold", Code("** ["), ... (neighbouring
    codes merged into one placeholder)."""
    pieces: list[Piece] = []
    pos = 0
    for match in INLINE.finditer(text):
        if match.start() > pos:
            pieces.append(text[pos : match.start()])
        if match.group():
            if pieces and isinstance(pieces[-1], Code):
                pieces[-1] = Code(pieces[-1].text + match.group())
            else:
                pieces.append(Code(match.group()))
        pos = match.end()
    if pos < len(text):
        pieces.append(text[pos:])
    return tuple(pieces)


def _raw_blocks(body: str) -> list[tuple[str, bool]]:
    blocks: list[tuple[str, bool]] = []
    current: list[str] = []
    fence: str | None = None
    for line in body.strip("\n").split("\n"):
        if fence is not None:
            current.append(line)
            if line.strip().startswith(fence):
                blocks.append(("\n".join(current), False))
                current, fence = [], None
            continue
        opening = FENCE.match(line)
        if opening or not line.strip():
            if current:
                blocks.append(("\n".join(current), True))
                current = []
            if opening:
                fence = opening.group(1)
                current = [line]
            continue
        current.append(line)
    if current:
        blocks.append(("\n".join(current), fence is None))
    return blocks


def split_body(body: str) -> list[Block]:
    """The body's blocks, in order (blank lines between them are not kept)."""
    result = []
    for text, prose in _raw_blocks(body):
        if prose and WORDY.search(text):
            result.append(Block(protect(text), True))
        else:
            result.append(Block((Code(text),), False))
    return result


def join_blocks(texts: list[str]) -> str:
    return "\n\n".join(texts) + "\n"
