"""What a translator translates in a content file: the translatable front-matter
fields and the body. Prices, SKUs, checkout links, dates and the like are written once
in the default-language file and inherited; a change to them leaves translations
current."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmsite.content.frontmatter import split_front_matter
from mmsite.errors import MmsiteError

# Text fields a translation writes in its own language (FORMAT.md: the rest is inherited).
TEXT_FIELDS = ("title", "summary", "description", "image_alt")
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Translatable:
    """The translatable part of one version of a file: ``fields`` (name -> text, or for
    ``image_alt`` per image ``image_alt.<file>``, for variants ``variants.<sku>``) and
    the body."""

    fields: tuple[tuple[str, str], ...]
    body: str

    def field_dict(self) -> dict[str, str]:
        return dict(self.fields)

    def words(self) -> int:
        return count_words(" ".join(v for _, v in self.fields)) + count_words(self.body)


def count_words(text: str) -> int:
    """Words (runs of letters and digits); a CJK text counts each run as one word."""
    return len(WORD.findall(text))


def translatable_fields(meta: dict[str, Any]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = meta.get(name)
        if isinstance(value, str) and value.strip():
            fields[name] = value
        elif isinstance(value, dict):  # image_alt: {file: text}
            for key, text in value.items():
                if isinstance(text, str):
                    fields[f"{name}.{key}"] = text
    variants = meta.get("variants")
    if isinstance(variants, list):
        for variant in variants:
            if (
                isinstance(variant, dict)
                and variant.get("sku")
                and isinstance(variant.get("name"), str)
            ):
                fields[f"variants.{variant['sku']}"] = variant["name"]
    return fields


def translatable(text: str | None, path: Path) -> Translatable:
    """The translatable part of a file's text (None: the file did not exist). A version
    whose front matter does not parse counts as its whole text."""
    if text is None:
        return Translatable((), "")
    try:
        doc = split_front_matter(text, path)
    except MmsiteError:
        return Translatable((), text)
    return of_page(doc.meta, doc.body)


def of_page(meta: dict[str, Any], body: str) -> Translatable:
    """The translatable part of a parsed file (its own front matter and body)."""
    return Translatable(tuple(sorted(translatable_fields(meta).items())), body.strip())
