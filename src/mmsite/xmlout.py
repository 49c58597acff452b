"""Serialize an ``xml.etree`` tree to the exact bytes ``ET.indent`` + ``ET.tostring`` give,
without ElementTree's pure-Python serializer (one ``write`` call per piece into a
TextIOWrapper, a separate pass to find namespaces, another to indent).

One walk builds a list of strings: qualified names are resolved as ElementTree's
``_namespaces`` does (registered prefixes such as ``g``, ``xml:`` never declared, ``ns0``-style
generated ones, declared on the root sorted by prefix), indentation is applied on the fly as
``ET.indent(tree, space="  ")`` would (the caller's tree is never changed) and text/attributes
are escaped with the same replace chains. The subset handled is ``str`` tags, attribute keys,
attribute values, text and tails (or ``None``); anything else (comments, processing
instructions, ``QName`` objects, numbers...) is handed to ElementTree itself, so the answer
is always ElementTree's: the same bytes or the same exception.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
SPACE = "  "
# The live prefix registry ``ET.register_namespace`` edits (documented "for tests and
# troubleshooting"); read at each call, so later registrations are honoured.
_REGISTRY: dict[str, str] = ET.register_namespace._namespace_map  # type: ignore[attr-defined]


class Unsupported(Exception):
    """The tree holds something outside the subset: ElementTree serializes it."""


def tostring(element: ET.Element, *, xml_declaration: bool = False, indent: bool = False) -> bytes:
    """``ET.tostring(element, encoding="utf-8", xml_declaration=...)``, after
    ``ET.indent(element)`` when ``indent`` (applied to a copy: ``element`` is left as it is)."""
    try:
        text = _Writer(SPACE if indent else None).document(element)
    except Exception:  # noqa: BLE001 - whatever went wrong, ElementTree has the last word
        return _elementtree(element, xml_declaration, indent)
    if xml_declaration:
        text = DECLARATION + text
    return text.encode("utf-8", "xmlcharrefreplace")


def _elementtree(element: ET.Element, xml_declaration: bool, indent: bool) -> bytes:
    if indent:
        element = copy.deepcopy(element)
        ET.indent(element, space=SPACE)
    return ET.tostring(element, encoding="utf-8", xml_declaration=xml_declaration)


def _cdata(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _attribute(text: str) -> str:
    if type(text) is not str:
        raise Unsupported(text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def _checked(text: object) -> str | None:
    if text is None or type(text) is str:
        return text  # type: ignore[return-value]
    raise Unsupported(text)


def _blank(text: str | None) -> bool:
    """What ``ET.indent`` replaces: no text, or whitespace only (``str.strip``'s idea)."""
    return not text or not text.strip()


class _Writer:
    def __init__(self, space: str | None) -> None:
        self.space = space
        self.indents = ["\n"]
        self.parts: list[str] = []
        self.qnames: dict[str, str] = {}
        self.namespaces: dict[str, str] = {}  # uri -> prefix, in order of first use
        # ET.indent edits the tree in place: an element placed twice ends with the text and
        # tail of its last place, which per-place indentation cannot mimic.
        self.seen: set[int] | None = set() if space is not None else None

    def document(self, root: ET.Element) -> str:
        if not isinstance(root, ET.Element):
            raise Unsupported(root)
        parts = self.parts
        name = self.qname(root.tag)
        parts.append("<" + name)
        slot = len(parts)
        parts.append("")  # the root's xmlns declarations, known only at the end
        self.rest(root, name, _checked(root.tail), 0)
        parts[slot] = "".join(
            f' xmlns{":" + prefix if prefix else ""}="{_attribute(uri)}"'
            for uri, prefix in sorted(self.namespaces.items(), key=lambda item: item[1])
        )
        return "".join(parts)

    def qname(self, name: object) -> str:
        """ElementTree's ``_namespaces.add_qname`` for one tag or attribute name."""
        found = self.qnames.get(name)  # type: ignore[call-overload]
        if found is not None:
            return found
        if type(name) is not str:
            raise Unsupported(name)
        if name[:1] == "{":
            uri, local = name[1:].rsplit("}", 1)
            prefix = self.namespaces.get(uri)
            if prefix is None:
                prefix = _REGISTRY.get(uri)
                if prefix is None:
                    prefix = f"ns{len(self.namespaces)}"
                if prefix != "xml":
                    self.namespaces[uri] = prefix
            found = f"{prefix}:{local}" if prefix else local
        else:
            found = name
        self.qnames[name] = found
        return found

    def element(self, element: ET.Element, tail: str | None, depth: int) -> None:
        seen = self.seen
        if seen is not None:
            if id(element) in seen:
                raise Unsupported(element)
            seen.add(id(element))
        name = self.qname(element.tag)
        self.parts.append("<" + name)
        self.rest(element, name, tail, depth)

    def rest(self, element: ET.Element, name: str, tail: str | None, depth: int) -> None:
        """Attributes, content, end tag and tail of an element whose ``<name`` is written."""
        parts, qname = self.parts, self.qname
        for key, value in element.items():
            parts.append(f' {qname(key)}="{_attribute(value)}"')
        text = _checked(element.text)
        count = len(element)
        if count and self.space is not None and _blank(text):
            text = self.indent(depth + 1)
        if text or count:
            parts.append(">")
            if text:
                parts.append(_cdata(text))
            if count:
                self.children(element, count, depth)
            parts.append("</" + name + ">")
        else:
            parts.append(" />")
        if tail:
            parts.append(_cdata(tail))

    def children(self, element: ET.Element, count: int, depth: int) -> None:
        if self.space is None:
            for child in element:
                self.element(child, _checked(child.tail), depth + 1)
            return
        inner, outer = self.indent(depth + 1), self.indent(depth)
        last = count - 1
        for index, child in enumerate(element):
            tail = _checked(child.tail)
            if _blank(tail):
                tail = outer if index == last else inner
            self.element(child, tail, depth + 1)

    def indent(self, depth: int) -> str:
        indents = self.indents
        while len(indents) <= depth:
            indents.append(indents[-1] + self.space)  # type: ignore[operator]
        return indents[depth]
