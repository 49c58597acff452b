"""Test helpers: write a site, build it, parse its HTML."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib

from mmsite.engine.build import BuildOptions, BuildResult, build

REPO = Path(__file__).resolve().parents[1]

BASIC_CONFIG = """\
title: Test Shop
base_url: https://shop.example/
default_language: en
languages:
  en: {locale: en_US}
  fr: {locale: fr_FR}
  ar: {locale: ar_EG}
"""


def write_site(root: Path, files: dict[str, str | bytes], config: str | None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (root / "site.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data).lstrip("\n"), encoding="utf-8")
    return root


def page(title: str, body: str = "", **meta: str) -> str:
    """Front matter + body; ``meta`` values are written as YAML as given."""
    lines = ["---", f"title: {title!r}"] + [f"{k}: {v}" for k, v in meta.items()] + ["---", body]
    return "\n".join(lines) + "\n"


def build_site(root: Path, *, build_cache=None, **options) -> BuildResult:
    """Build ``root`` with ``BuildOptions(**options)``. ``build_cache``: a
    ``mmsite.incremental.BuildCache`` to build with (its counters, such as
    ``build_cache.documents.hits``, then tell what the build reused)."""
    return build(root, BuildOptions(**options), build_cache)


def parse_html(path: Path) -> ET.Element:
    """Parse a built page with html5lib into an ElementTree without namespaces."""
    return html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)


def hreflangs(doc: ET.Element) -> dict[str, str]:
    return {
        link.get("hreflang"): link.get("href")
        for link in doc.iter("link")
        if link.get("rel") == "alternate" and link.get("hreflang")
    }


def text_of(element: ET.Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def tiny_jpeg(width: int = 64, height: int = 48, color: tuple[int, int, int] = (200, 120, 40)):
    """A real (small) JPEG: photos below content/ are decoded and resized by the build."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG")
    return out.getvalue()


def card_titles(doc: ET.Element) -> list[str]:
    """The titles of a listing's cards (``.card-title``, ``.product-card-title``), at
    whatever heading level the page gives them."""
    wanted = {"card-title", "product-card-title"}
    return [text_of(e) for e in doc.iter() if wanted & set(e.get("class", "").split())]
