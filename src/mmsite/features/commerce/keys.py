"""The front-matter keys the storefront reads on product pages (front matter is strict,
see :mod:`mmsite.content.strict`): a key the storefront starts to read is added here,
in the same change. The product parser (``product.py``) checks their values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mmsite.content.model import Page
from mmsite.content.strict import FrontMatter
from mmsite.errors import MmsiteError
from mmsite.features.commerce.catalog import is_product_page

PRODUCT_KEYS = frozenset(
    {
        "sku",
        "price",
        "availability",
        "availability_date",
        "category",
        "images",
        "image_alt",
        "checkout",
        "variants",
        "brand",
        "gtin",
        "mpn",
        "markets",
        "compare_at",
        "sale_ends",
        "unit_price",
        "featured",
        "tags",
        "free",
    }
)
VARIANT_KEYS = frozenset(
    {
        "name",
        "sku",
        "price",
        "compare_at",
        "checkout",
        "availability",
        "options",
        "image",
        "unit_price",
    }
)


def _variant_skus(page: Page, value: Any) -> Iterable[MmsiteError]:
    """Each variant has its own sku, not another variant's nor the product's (feeds and
    JSON-LD identify variants by it)."""
    if not isinstance(value, list) or (page.group and page is not page.group.default):
        return  # a translation's variants name the default file's skus (product.py)
    seen = {page.meta.get("sku"): "the product"}
    for index, item in enumerate(value):
        sku = item.get("sku") if isinstance(item, dict) else None
        if not isinstance(sku, str):
            continue
        if sku in seen:
            line = page.doc.scalars.get(("variants", index, "sku"), ("", None))[1]
            yield MmsiteError(
                f"variant {index + 1} has the sku {sku!r} of {seen[sku]}",
                page.source,
                line or page.line_of("variants"),
                hint="give each variant its own sku, e.g. SALT-001-250",
            )
        seen.setdefault(sku, f"variant {index + 1}")


PRODUCT = FrontMatter(
    PRODUCT_KEYS,
    kind="product",
    applies=is_product_page,
    items={"variants": VARIANT_KEYS},
    values={"variants": _variant_skus},
)
