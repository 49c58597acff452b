"""A fast path for simple front matter, exact or nothing.

Most front matter is a handful of one-line ``key: value`` entries. PyYAML spends most
of its time composing and constructing nodes in Python for them; this module reads
such documents directly, and gives up (returns ``None``) on anything else, which then
goes through :func:`mmsite.yamlutil.load_yaml` as before.

Accepted, line by line (nothing else: no tabs, no carriage returns, no control or
line-separator characters anywhere):

* blank lines and comment lines;
* ``key: value`` at column 0, ``key`` a plain word (letters, digits, ``_``, ``-``) that
  YAML reads as text, each key once;
* ``value``: nothing, a one-line plain scalar, a single-quoted scalar, a double-quoted
  scalar whose only escapes are ``\\"`` and ``\\\\``, or a one-line flow sequence
  ``[a, b]`` / flow mapping ``{USD: 12.00, EUR: 11.50}`` of plain scalars (no quotes,
  no ``#``); then an optional `` # comment``.

Plain scalars are typed exactly as PyYAML's safe loader types them: the tag comes from
the same resolver (:class:`mmsite.yamlutil.MemoResolver`) and the value from
``SafeConstructor``'s own constructors; a tag other than str, int, float, bool, null
and timestamp, or a value Python cannot build (``2026-02-30``), or a duplicate key,
sends the document to PyYAML, which reports it as before.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from mmsite.config.yamlutil import MemoResolver

Scalars = dict[tuple[Any, ...], tuple[str, int]]


class _Resolver(MemoResolver, Resolver):  # type: ignore[misc]
    """The resolver of the C safe loader (``yaml.resolver.Resolver``), memoised."""


_RESOLVER = _Resolver()
_CONSTRUCTOR = SafeConstructor()
_TAG = "tag:yaml.org,2002:"
_BUILD = {
    f"{_TAG}{name}": getattr(SafeConstructor, f"construct_yaml_{name}")
    for name in ("str", "int", "float", "bool", "null", "timestamp")
}
_STR = f"{_TAG}str"
_TIMESTAMP = f"{_TAG}timestamp"

# Characters outside YAML's printable set, line breaks other than \n, tabs, BOM.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
_ENTRY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?")
_SINGLE = re.compile(r"'([^']*(?:''[^']*)*)'(.*)")
_DOUBLE = re.compile(r'"([^"\\]*(?:\\["\\][^"\\]*)*)"(.*)')
_UNESCAPE = re.compile(r"\\([\"\\])")
_FLOW = re.compile(r"([\[{])([^\[\]{}#'\"]*)([\]}])(.*)")
_PAIR = re.compile(r"([^:]+?): +(.+)")
# A plain scalar may not start with an indicator; "-" only when a non-space follows.
_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_CHARS = frozenset(",[]{}#")

_PLAIN: dict[str, Any] = {}  # plain scalar text -> value, or a marker:
_NO = object()  # not for the fast path
_STR_VALUE = object()  # the text itself
_DATE = object()  # a timestamp, built each time


class _Unsupported(Exception):
    """The document is not in the fast path's subset."""


def parse(lines: list[str], first_line: int) -> tuple[dict[str, Any], dict[str, int], Scalars]:
    """``(meta, key_lines, scalars)`` of front matter ``lines`` (the first one is line
    ``first_line`` of the file), exactly as :func:`mmsite.yamlutil.load_yaml` and
    :func:`mmsite.frontmatter.split_front_matter` make them; raises ``_Unsupported`` when
    the document is outside the subset."""
    meta: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    scalars: Scalars = {}
    for number, line in enumerate(lines, start=first_line):
        if not line or line[0] == "#":
            continue
        match = _ENTRY.fullmatch(line)
        if match is None:
            if line.lstrip(" ")[:1] in ("", "#"):
                continue
            raise _Unsupported
        key, text = match.groups()
        if key in meta or type(_scalar(key)) is not str:
            raise _Unsupported  # a repeated key, or one YAML reads as a bool, null ...
        meta[key] = _value(text.rstrip(" ") if text else "", key, number, scalars)
        key_lines[key] = number
    return meta, key_lines, scalars


def try_parse(
    lines: list[str], first_line: int
) -> tuple[dict[str, Any], dict[str, int], Scalars] | None:
    """:func:`parse`, or ``None`` when the document needs the full YAML parser."""
    for line in lines:
        if _UNSAFE.search(line):
            return None
    try:
        return parse(lines, first_line)
    except _Unsupported:
        return None


def _value(text: str, key: str, number: int, scalars: Scalars) -> Any:
    if not text or text[0] == "#":
        return None
    first = text[0]
    if first == "'" or first == '"':
        value, rest = _quoted(text)
        _comment_only(rest)
        return value
    if first == "[" or first == "{":
        match = _FLOW.fullmatch(text)
        if match is None or "[]{}".index(match[1]) + 1 != "[]{}".index(match[3]):
            raise _Unsupported
        _comment_only(match[4])
        if match[1] == "[":
            return _sequence(match[2], key, number, scalars)
        return _mapping(match[2], key, number, scalars)
    if " #" in text:
        text = text[: text.index(" #")].rstrip(" ")
    if ": " in text or text.endswith(":"):
        raise _Unsupported
    return _scalar(text)


def _comment_only(rest: str) -> None:
    """What follows a quoted scalar or a flow collection: nothing, or `` # comment``."""
    if rest and (rest[0] != " " or rest.lstrip(" ")[:1] not in ("", "#")):
        raise _Unsupported


def _quoted(text: str) -> tuple[str, str]:
    """A single- or double-quoted scalar at the start of ``text``: (value, the rest)."""
    if text[0] == "'":
        match = _SINGLE.fullmatch(text)
        if match is None:
            raise _Unsupported
        return match[1].replace("''", "'"), match[2]
    match = _DOUBLE.fullmatch(text)
    if match is None:
        raise _Unsupported
    value = match[1]
    return (_UNESCAPE.sub(r"\1", value) if "\\" in value else value), match[2]


def _items(inner: str) -> list[str]:
    if not inner.strip(" "):
        return []
    items = [item.strip(" ") for item in inner.split(",")]
    if "" in items:
        raise _Unsupported  # [a, , b] is an error, [a, b,] a case we leave to YAML
    return items


def _flow_scalar(text: str) -> Any:
    """A plain scalar inside ``[...]`` or ``{...}`` (quotes there are left to YAML)."""
    if ": " in text or text.endswith(":") or not _FLOW_CHARS.isdisjoint(text):
        raise _Unsupported
    return _scalar(text)


def _sequence(inner: str, key: str, number: int, scalars: Scalars) -> list[Any]:
    values = []
    for index, item in enumerate(_items(inner)):
        value = _flow_scalar(item)
        scalars[(key, index)] = (item, number)
        values.append(value)
    return values


def _mapping(inner: str, key: str, number: int, scalars: Scalars) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for item in _items(inner):
        match = _PAIR.fullmatch(item)
        if match is None or match[1][-1] == " ":
            raise _Unsupported  # {a : 1} or worse
        name, text = match[1], match[2]
        sub = _flow_scalar(name)
        value = _flow_scalar(text)
        try:
            if sub in mapping:
                raise _Unsupported  # duplicate: YAML reports it
        except TypeError:
            raise _Unsupported from None
        mapping[sub] = value
        scalars[(key, name)] = (text, number)
    return mapping


def _scalar(text: str) -> Any:
    """A plain scalar, typed and built as the safe loader does. Text and timestamps are
    new objects each time, as PyYAML makes them: a pickle of the front matter (the
    document cache's digest) then does not depend on which values the memo shared."""
    value = _PLAIN.get(text, _PLAIN)
    if value is _PLAIN:
        value = _kind(text)
        if len(_PLAIN) < 50_000 and len(text) <= 100:
            _PLAIN[text] = value
    if value is _STR_VALUE:
        return text
    if value is _DATE:
        return _BUILD[_TIMESTAMP](_CONSTRUCTOR, ScalarNode(_TIMESTAMP, text))
    if value is _NO:
        raise _Unsupported
    return value


def _kind(text: str) -> Any:
    """The memo entry of a plain scalar: its value, or one of the markers."""
    if text[0] in _PLAIN_START and not (text[0] == "-" and text[1:2] not in ("", " ")):
        return _NO
    tag = _RESOLVER.resolve(ScalarNode, text, (True, False))
    if tag == _STR:
        return _STR_VALUE
    build = _BUILD.get(tag)
    if build is None:
        return _NO
    try:
        value = build(_CONSTRUCTOR, ScalarNode(tag, text))
    except (ValueError, TypeError, AttributeError, OverflowError, yaml.YAMLError):
        return _NO
    return _DATE if tag == _TIMESTAMP else value
