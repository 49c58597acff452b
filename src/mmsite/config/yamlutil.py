"""Safe YAML loading: C loader when available, duplicate keys and alias bombs rejected."""

from __future__ import annotations

import calendar
import re
from pathlib import Path
from typing import Any

import yaml

from mmsite.errors import MmsiteError

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Front matter and site.yaml are small hand-written documents; anything past
# these limits is a mistake or an attack (billion laughs), refused early.
MAX_ALIASES = 100
MAX_BYTES = 1_000_000
MAX_NODES = 100_000  # values after expanding aliases: 90 nested aliases can mean billions


_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


class BadValue(yaml.constructor.ConstructorError):
    """Well-formed YAML whose value cannot be (``2026-02-30``): reported as what it
    is, not as a YAML syntax error."""


def why_not_a_date(text: str) -> str:
    """``2026-02-30`` -> ``February has 28 days in 2026``."""
    match = _DATE.match(text.strip())
    if not match:
        return "not a real date"
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        return f"there is no month {month}: months run from 1 to 12"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{calendar.month_name[month]} has {days} days in {year}"
    return "not a real date"


_RESOLVED: dict[tuple[Any, Any, Any], str] = {}  # (node kind, text, implicit) -> tag


class MemoResolver:
    """The tag of an untagged node, memoised: it depends only on the node kind, the
    scalar text and its style (the safe loader's class-level implicit resolvers; no path
    resolvers), and front matter repeats keys and values on every page."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        key = (kind, value, implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)  # type: ignore[misc]
            if len(_RESOLVED) < 50_000 and (value is None or len(value) <= 100):
                _RESOLVED[key] = tag
        return tag


class Composer(MemoResolver, _Base):  # type: ignore[misc, valid-type]
    """libyaml's parser and composer with the memoised resolver: nodes only."""


class _Loader(MemoResolver, _Base):  # type: ignore[misc, valid-type]
    """SafeLoader that refuses duplicate mapping keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"duplicate key {key!r} (first on line {seen[key] + 1})",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Values YAML's resolver accepts but Python cannot build (``2026-02-30``,
        ``!!timestamp nope``) become marked YAML errors instead of crashes."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            text = str(node.value)[:60]
            if node.tag.endswith(":timestamp"):
                why = f"{text} is not a real date: {why_not_a_date(text)}"
            else:
                why = f"cannot read {text!r}: {exc}"
            raise BadValue(None, None, why, node.start_mark) from None


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)


def _count_aliases(text: str) -> int:
    return sum(1 for token in yaml.scan(text, Loader=_Base) if isinstance(token, yaml.AliasToken))


def _expanded_size(node: yaml.Node, memo: dict[int, int], active: set[int]) -> int:
    """How many values ``node`` stands for once every alias is written out."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in active:
        raise yaml.constructor.ConstructorError(
            None, None, "an alias refers to the value that contains it", node.start_mark
        )
    active.add(key)
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
    else:
        children = []
    total = 1
    for child in children:
        total += _expanded_size(child, memo, active)
        if total > MAX_NODES:
            break
    active.discard(key)
    memo[key] = total
    return total


Scalars = dict[tuple[Any, ...], tuple[str, int]]


def nested_scalars(node: yaml.Node, line_offset: int) -> Scalars:
    """The text as written and the line of every scalar *inside* a top-level value of a
    mapping node: ``("price", "USD")`` -> ``("12.10", 9)``. Top-level scalars are left
    out (their line is the key's; nothing needs their text), keeping documents small."""
    out: Scalars = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if not isinstance(value, yaml.ScalarNode):
                _scalars(value, (key.value,), out, line_offset + 1)
    return out


def _scalars(node: yaml.Node, path: tuple[Any, ...], out: Scalars, offset: int) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _scalars(value, (*path, key.value), out, offset)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            _scalars(value, (*path, index), out, offset)
    elif isinstance(node, yaml.ScalarNode):
        out[path] = (node.value, node.start_mark.line + offset)


def _load(text: str, scalars: Scalars | None = None, line_offset: int = 0) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        # Without an alias (no "*") the values are the nodes, at most two per character
        # (``- ``, ``a:``): a text under MAX_NODES / 2 characters cannot pass the limit.
        if ("*" in text or len(text) * 2 >= MAX_NODES) and _expanded_size(
            node, {}, set()
        ) > MAX_NODES:
            raise yaml.constructor.ConstructorError(
                None, None, f"expands to more than {MAX_NODES} values", node.start_mark
            )
        value = loader.construct_document(node)
        if scalars is not None:
            scalars.update(nested_scalars(node, line_offset))
        return value
    finally:
        loader.dispose()


_OPENERS = {"flow sequence": "[", "flow mapping": "{", "quoted scalar": "quote"}
_HINTS = (
    (
        "mapping values are not allowed",
        "a value with ': ' in it must be in quotes "
        '(title: "Salt: the story"), or this line is indented more than the key above it',
    ),
    ("found character '\\t'", "indent with spaces, not tabs"),
    ("could not find expected ':'", "each line needs 'key: value', with a space after ':'"),
    ("expected <block end>", "this line is indented differently from the keys around it"),
    ("found undefined alias", "'*' starts an alias in YAML: put the value in quotes"),
    ("found character that cannot start any token", "put the value in quotes"),
)


def describe(exc: yaml.MarkedYAMLError, text: str = "") -> tuple[str, int | None, str | None]:
    """The message, 1-based line (in the text parsed) and hint for a YAML error. An
    unclosed ``[``, ``{`` or quote is reported where it opens, not where YAML gave up
    (often the end of the file)."""
    problem = exc.problem or exc.context or "invalid YAML"
    context = exc.context or ""
    opener = next((o for what, o in _OPENERS.items() if context.endswith(f"a {what}")), None)
    if opener is not None and exc.context_mark is not None:
        closer = {"[": "]", "{": "}"}.get(opener, "closing quote")
        return (
            f"invalid YAML: the {opener} opened here is not closed",
            exc.context_mark.line + 1,
            f"add the {closer} on this line, or put the whole value in quotes",
        )
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    if line is not None and text:  # on a blank line or past the end: the last line written
        lines = text.split("\n")
        while line > 1 and (line > len(lines) or not lines[line - 1].strip()):
            line -= 1
    hint = next((h for key, h in _HINTS if key in problem), None)
    return f"invalid YAML: {problem}", line, hint


def decode_utf8(data: bytes, path: Path | str) -> str:
    """``data`` as UTF-8 text; other bytes are an error naming the file and the line of
    the first byte that is not UTF-8 (a file saved as Latin-1 or UTF-16 by an editor)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise MmsiteError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            path,
            line,
            hint="save the file as UTF-8 in your editor",
        ) from None


def read_text_file(path: Path) -> str:
    """A text file the site holds (site.yaml, UI strings, theme CSS), decoded as UTF-8
    with :func:`decode_utf8`; newlines as ``Path.read_text`` gives them."""
    text = decode_utf8(path.read_bytes(), path)
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def load_yaml(
    text: str, path: Path | str, line_offset: int = 0, scalars: Scalars | None = None
) -> Any:
    """Parse ``text`` safely; errors name ``path`` and the line in that file. With
    ``scalars`` (a dict), :func:`nested_scalars` of the document are added to it."""
    if len(text) > MAX_BYTES:
        raise MmsiteError(f"YAML is larger than {MAX_BYTES} bytes", path)
    try:
        if "*" in text and _count_aliases(text) > MAX_ALIASES:
            raise MmsiteError(
                f"YAML uses more than {MAX_ALIASES} aliases (*name)",
                path,
                hint="write the values out; alias-heavy YAML is refused for safety",
            )
        return _load(text, scalars, line_offset)
    except BadValue as exc:
        line = exc.problem_mark.line + 1 + line_offset if exc.problem_mark else None
        raise MmsiteError(str(exc.problem), path, line) from None
    except yaml.MarkedYAMLError as exc:
        message, line, hint = describe(exc, text)
        raise MmsiteError(message, path, line + line_offset if line else None, hint) from None
    except yaml.YAMLError as exc:
        raise MmsiteError(f"invalid YAML: {exc}", path) from None
    except RecursionError:
        raise MmsiteError("YAML is nested too deeply", path) from None
