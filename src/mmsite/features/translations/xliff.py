"""The translator hand-off: XLIFF 1.2 files written and read with translate-toolkit
(the optional extra ``mmsite[translate]``), which memoQ, Trados, Weblate and OmegaT open.

One ``<file original="content/...md">`` per source file; its units are the translatable
front-matter fields (``field/title``, ``field/image_alt.salt.jpg``,
``field/variants.SKU``) and the body's blocks (``body/0001`` ...), inline Markdown as
``<ph>`` placeholders. Import writes ``*.LANG.md`` beside each source: the translated
fields and body over the translation's own front matter (``slug`` ...), everything
else still inherited from the default-language file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mmsite.config.options import Config
from mmsite.content.frontmatter import read_source, split_front_matter
from mmsite.errors import MmsiteError
from mmsite.features.translations.fields import translatable_fields
from mmsite.features.translations.segments import Block, Code, join_blocks, split_body
from mmsite.features.translations.status import translation_name

XLIFF_12 = "urn:oasis:names:tc:xliff:document:1.2"
BODY_ID = re.compile(r"^body/(\d+)$")
INSTALL = "install the extra: pip install 'mmsite[translate]' (translate-toolkit)"


def _toolkit() -> Any:
    try:
        from translate.storage import xliff
    except ImportError as exc:  # the optional extra
        raise MmsiteError("XLIFF needs translate-toolkit", hint=INSTALL) from exc

    class Xliff12(xliff.xlifffile):
        XMLskeleton = (
            f'<?xml version="1.0" ?>\n<xliff version="1.2" xmlns="{XLIFF_12}">\n'
            '<file original="NoName" source-language="en" datatype="plaintext">\n'
            "<body>\n</body>\n</file>\n</xliff>"
        )
        namespace = XLIFF_12

    return Xliff12


def _rich(pieces: tuple[Any, ...]) -> list[Any]:
    from translate.storage.placeables import StringElem
    from translate.storage.placeables import xliff as placeables

    parts: list[Any] = []
    number = 0
    for piece in pieces:
        if isinstance(piece, Code):
            number += 1
            parts.append(placeables.Ph(id=str(number), sub=[piece.text]))
        else:
            parts.append(piece)
    return [StringElem(parts)]


def export_xliff(config: Config, lang: str, sources: list[str]) -> bytes:
    """XLIFF for translating ``sources`` (files relative to the site folder) into ``lang``."""
    store = _toolkit()(
        sourcelanguage=config.default.bcp47, targetlanguage=config.languages[lang].bcp47
    )
    for source in sources:
        path = config.root / source
        doc = split_front_matter(read_source(path), path)
        store.switchfile(source, createifmissing=True)
        for name, text in translatable_fields(doc.meta).items():
            unit = store.UnitClass(text)
            unit.setid(f"field/{name}")
            store.addunit(unit)
        for number, block in enumerate(split_body(doc.body), start=1):
            _add_block(store, number, block)
    return bytes(store)


def _add_block(store: Any, number: int, block: Block) -> None:
    unit = store.UnitClass("")
    unit.rich_source = _rich(block.pieces)
    unit.setid(f"body/{number:04d}")
    if not block.translate:
        unit.xmlelement.set("translate", "no")
    store.addunit(unit)


# -- import ------------------------------------------------------------------


@dataclass
class Imported:
    """What one XLIFF file held for one source file."""

    source: str
    fields: dict[str, str] = field(default_factory=dict)
    blocks: list[str] = field(default_factory=list)
    untranslated: int = 0


def _language(config: Config, tag: str | None, where: Path) -> str:
    for code, language in config.languages.items():
        if tag and tag.lower() in (code.lower(), language.bcp47.lower()):
            return code
    raise MmsiteError(
        f"target-language {tag!r} is not one of the site's languages",
        where,
        hint="languages: " + ", ".join(config.languages),
    )


def read_xliff(config: Config, path: Path) -> tuple[str, list[Imported]]:
    """The target language and the translated units of ``path``, by source file."""
    try:
        store = _toolkit().parsestring(path.read_bytes())
    except MmsiteError:
        raise
    except Exception as exc:  # lxml and the toolkit raise their own kinds
        raise MmsiteError(f"not an XLIFF file: {exc}", path) from exc
    lang = _language(config, store.gettargetlanguage(), path)
    files: dict[str, Imported] = {}
    for unit in store.unit_iter():
        source, _, unit_id = unit.getid().rpartition("\x04")
        entry = files.setdefault(source, Imported(source))
        untranslatable = unit.xmlelement.get("translate") == "no"
        text = unit.source if untranslatable else (unit.target or "")
        if not text.strip() and not untranslatable:
            entry.untranslated += 1
        if unit_id.startswith("field/"):
            entry.fields[unit_id[len("field/") :]] = text
        elif BODY_ID.match(unit_id):
            entry.blocks.append(text)
    return lang, list(files.values())


def _merged_meta(own: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    meta = dict(own)
    for name, text in fields.items():
        key, _, sub = name.partition(".")
        if key == "variants":
            variants = [v for v in meta.get("variants") or [] if v.get("sku") != sub]
            meta["variants"] = [*variants, {"sku": sub, "name": text}]
        elif sub:
            table = meta.get(key) if isinstance(meta.get(key), dict) else {}
            meta[key] = {**table, sub: text}
        else:
            meta[key] = text
    return meta


def _safe_source(config: Config, source: str, where: Path) -> Path:
    path = (config.root / source).resolve()
    content = config.content_dir.resolve()
    if not source.endswith(".md") or content not in path.parents or not path.is_file():
        raise MmsiteError(
            f"file original={source!r} is not a Markdown file of this site's content/",
            where,
            hint="import XLIFF written by `mmsite translations export` for this site",
        )
    return path


def write_translation(config: Config, lang: str, entry: Imported, where: Path) -> Path:
    """Write or update the ``lang`` translation of ``entry.source``; returns its path."""
    _safe_source(config, entry.source, where)
    target = config.root / translation_name(entry.source, lang)
    own: dict[str, Any] = {}
    if target.is_file():
        own = split_front_matter(read_source(target), target).meta
    meta = _merged_meta(own, entry.fields)
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    body = join_blocks(entry.blocks) if entry.blocks else ""
    target.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return target
