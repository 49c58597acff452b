"""Split a Markdown file into YAML front matter and body."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mmsite.config.yamlutil import MAX_BYTES, Scalars, load_yaml
from mmsite.content import fastyaml
from mmsite.errors import MmsiteError

FENCE = "---"
TOP_KEY = re.compile(r"^([^\s#:][^:]*?)\s*:(\s|$)")


@dataclass
class Document:
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the body's first line in the file
    key_lines: dict[str, int]  # top-level front matter key -> its line in the file
    # text as written and line of the scalars inside top-level values:
    # ("price", "USD") -> ("12.10", 9); prices are read from this text, never from floats
    scalars: Scalars = field(default_factory=dict)

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key)


def read_source(path: Path | str) -> str:
    """A UTF-8 text file as ``Path.read_text(encoding="utf-8")`` reads it (universal
    newlines), in one ``read`` call: about 2.5x faster on the small files content is made
    of (no text layer, no buffer). Raises ``OSError`` and ``UnicodeDecodeError`` as
    ``read_text`` does."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        size = os.fstat(fd).st_size + 1
        data = os.read(fd, size)
        while len(data) >= size:  # the file grew since fstat: read to its end
            more = os.read(fd, 1 << 16)
            if not more:
                break
            data += more
    finally:
        os.close(fd)
    text = data.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


class StoredDocument(Document):
    """A document whose body (and, if asked for, scalar texts) stay in its file,
    ``source``, until first used: read from the file as it is then. Caches keep parsed
    front matter without bodies (a snapshot, the saved document cache, what a prefill
    child sends back); pages then read their bodies where they render."""

    def __getattr__(self, name: str) -> Any:
        if name not in ("body", "scalars"):  # also what pickle asks for (__setstate__)
            raise AttributeError(name)
        source = self.__dict__["source"]
        try:
            if name == "body":
                value: Any = read_body(source, self.body_line)
            else:
                value = split_front_matter(read_source(source), Path(source)).scalars
        except (OSError, UnicodeDecodeError) as exc:
            raise MmsiteError(
                f"cannot read this file again ({exc}): it changed while the build ran",
                Path(source),
                hint="build again",
            ) from None
        self.__dict__[name] = value
        return value

    @classmethod
    def of(
        cls,
        source: str,
        meta: dict[str, Any],
        body_line: int,
        key_lines: dict[str, int],
        scalars: Scalars,
    ) -> StoredDocument:
        doc = cls.__new__(cls)
        doc.__dict__.update(
            meta=meta, body_line=body_line, key_lines=key_lines, scalars=scalars, source=source
        )
        return doc


def read_body(path: str, body_line: int) -> str:
    """The body of a content file, as :func:`split_front_matter` cut it (``body_line``
    is where it starts): caches keep the parsed front matter and read bodies again."""
    text = read_source(path)
    if text.startswith("\ufeff"):
        text = text[1:]
    if body_line == 1:
        return text
    return "\n".join(text.split("\n")[body_line - 1 :])


def split_front_matter(text: str, path: Path) -> Document:
    """Parse front matter; a file without a leading ``---`` line has none."""
    if text.startswith("\ufeff"):
        text = text[1:]
    first = text.find("\n")
    if text[: first if first >= 0 else len(text)].rstrip() != FENCE:
        return Document({}, text, 1, {})
    # the lines up to the closing fence only: the body is not split into lines
    front: list[str] = []
    start = first + 1
    while first >= 0:
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if line.rstrip() in (FENCE, "..."):
            break
        front.append(line)
        first, start = end, end + 1
    else:
        raise MmsiteError(
            "front matter is not closed", path, 1, hint="end the front matter with a --- line"
        )
    body = "" if end < 0 else text[end + 1 :]
    index = len(front) + 1  # the closing fence's line, counting from 0
    # one-line ``key: value`` entries are read directly (same values, exactly);
    # anything else, or anything wrong, goes through the YAML parser
    fast = fastyaml.try_parse(front, 2) if sum(map(len, front)) < MAX_BYTES // 2 else None
    if fast is not None:
        return Document(fast[0], body, index + 2, fast[1], fast[2])
    scalars: Scalars = {}
    meta = load_yaml("\n".join(front), path, line_offset=1, scalars=scalars)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise MmsiteError(
            "front matter must be a mapping of key: value", path, 2, hint="e.g. title: My page"
        )
    for key in meta:
        if not isinstance(key, str):
            raise MmsiteError(f"front matter key {key!r} must be text", path, 2)
    key_lines = {}
    for number, line in enumerate(front, start=2):
        match = TOP_KEY.match(line)
        if match:
            key_lines.setdefault(match.group(1).strip("'\""), number)
    return Document(meta, body, index + 2, key_lines, scalars)
