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
is always ElementTree's: the same bytes or the same exception, but for the characters
XML 1.0 forbids (:data:`FORBIDDEN`), which ElementTree writes as they are (the file then
no longer parses) and which are dropped here.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET

DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
SPACE = "  "
# The live prefix registry ``ET.register_namespace`` edits, read at each call so later
# registrations are honoured. ElementTree offers no public lookup (asking it through
# ``ET.tostring`` costs a serialization per namespace): this is the one place mmsite
# reads a private standard-library name, and where a Python lacks it, namespaced names
# go to ElementTree's own serializer (same bytes, slower).
_REGISTRY: dict[str, str] | None = getattr(ET.register_namespace, "_namespace_map", None)


# What XML 1.0 forbids in a document, even escaped: C0 controls but tab, newline and CR
# (a vertical tab pasted from Word), lone surrogates, U+FFFE and U+FFFF. One of them makes
# the whole file unreadable to feed readers and Merchant Center; they are dropped.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def forbidden(text: str) -> re.Match[str] | None:
    """The first character of ``text`` XML 1.0 forbids, if any (``str.isprintable``
    first: true for nearly every title, and ten times quicker than the search)."""
    return None if text.isprintable() else FORBIDDEN.search(text)


def describe(char: str) -> str:
    """``U+000B``: how a warning names a forbidden character."""
    return f"U+{ord(char):04X}"


class Unsupported(Exception):
    """The tree holds something outside the subset: ElementTree serializes it."""


def tostring(element: ET.Element, *, xml_declaration: bool = False, indent: bool = False) -> bytes:
    """``ET.tostring(element, encoding="utf-8", xml_declaration=...)``, after
    ``ET.indent(element)`` when ``indent`` (applied to a copy: ``element`` is left as it is)."""
    try:
        text = _serialize(element, SPACE if indent else None)
    except Exception:  # noqa: BLE001 - whatever went wrong, ElementTree has the last word
        text = _elementtree(element, xml_declaration, indent).decode("utf-8", "surrogatepass")
        return FORBIDDEN.sub("", text).encode("utf-8", "xmlcharrefreplace")
    if xml_declaration:
        text = DECLARATION + text
    return text.encode("utf-8", "xmlcharrefreplace")


def _elementtree(element: ET.Element, xml_declaration: bool, indent: bool) -> bytes:
    if indent:
        element = copy.deepcopy(element)
        ET.indent(element, space=SPACE)
    return ET.tostring(element, encoding="utf-8", xml_declaration=xml_declaration)


def escape(text: str) -> str:
    """XML character data: ``&``, ``<`` and ``>`` escaped (``xml.sax.saxutils.escape``),
    characters XML forbids (:data:`FORBIDDEN`) dropped."""
    if not text.isprintable():
        text = FORBIDDEN.sub("", text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


# After escape's three, in ElementTree's order (``&#09;``, not ``&#9;``: its bytes).
_ATTRIBUTE_ESCAPES = (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;"))


def _attribute(text: str) -> str:
    if type(text) is not str:
        raise Unsupported(text)
    text = escape(text)
    for char, entity in _ATTRIBUTE_ESCAPES:
        if char in text:
            text = text.replace(char, entity)
    return text


def clean(text: object) -> str | None:
    """A text or tail as written: ``None``, or a ``str`` without the characters XML
    forbids (dropped before indenting, so a tail of only those is indented as empty)."""
    if text is None:
        return None
    if type(text) is not str:
        raise Unsupported(text)
    return text if text.isprintable() else FORBIDDEN.sub("", text)


def _serialize(root: ET.Element, space: str | None) -> str:
    """The document as text; raises (any exception) where ElementTree must decide."""
    if not isinstance(root, ET.Element):
        raise Unsupported(root)
    if space is not None:
        # ET.indent edits the tree in place: an element placed twice ends with the text and
        # tail of its last place, which indenting each place as it is written cannot mimic.
        everything = list(root.iter())
        if len(set(map(id, everything))) != len(everything):
            raise Unsupported(root)
    parts: list[str] = []
    append = parts.append
    qnames: dict[str, str] = {}
    known = qnames.get
    namespaces: dict[str, str] = {}  # uri -> prefix, in order of first use
    indents = ["\n"]
    cdata, attribute, Str = escape, _attribute, str

    def qname(name: object) -> str:
        """ElementTree's ``_namespaces.add_qname`` for one tag or attribute name."""
        if type(name) is not Str:
            raise Unsupported(name)
        if name[:1] == "{":
            uri, local = name[1:].rsplit("}", 1)
            prefix = namespaces.get(uri)
            if prefix is None:
                if _REGISTRY is None:
                    raise Unsupported(name)
                prefix = _REGISTRY.get(uri)
                if prefix is None:
                    prefix = f"ns{len(namespaces)}"
                if prefix != "xml":
                    namespaces[uri] = prefix
            found = f"{prefix}:{local}" if prefix else local
        else:
            found = name
        qnames[name] = found
        return found

    def start(element: ET.Element) -> str:
        """Write ``<name attr="..."``; return the name."""
        tag = element.tag
        name = known(tag) or qname(tag)
        append("<" + name)
        if element is root:
            append("")  # parts[1]: the root's xmlns declarations, known only at the end
        if element.keys():
            for key, value in element.items():
                append(f' {known(key) or qname(key)}="{attribute(value)}"')
        return name

    def content(element: ET.Element, name: str, depth: int) -> None:
        """Text, children and end tag of an element whose start tag is written."""
        text = clean(element.text)
        if not len(element):
            append(">" + cdata(text) + "</" + name + ">" if text else " />")
            return
        if space is None:
            append(">" + cdata(text) if text else ">")
            inner = outer = None
        else:
            depth += 1
            while len(indents) <= depth:
                indents.append(indents[-1] + space)
            inner, outer = indents[depth], indents[depth - 1]
            append(">" + cdata(text) if text and text.strip() else ">" + inner)
        last = element[-1]
        for child in element:
            child_name = start(child)
            if len(child):
                content(child, child_name, depth)
            else:  # a leaf, inline: most elements of a feed
                text = clean(child.text)
                if text is None or text == "":
                    append(" />")
                else:
                    append(">" + cdata(text) + "</" + child_name + ">")
            tail = clean(child.tail)
            if inner is not None and (not tail or not tail.strip()):
                tail = outer if child is last else inner
            if tail:
                append(cdata(tail))
        append("</" + name + ">")

    tail = clean(root.tail)
    content(root, start(root), 0)
    if tail:
        append(cdata(tail))
    parts[1] = "".join(
        f' xmlns{":" + prefix if prefix else ""}="{attribute(uri)}"'
        for uri, prefix in sorted(namespaces.items(), key=lambda item: item[1])
    )
    return "".join(parts)
