"""The storefront's model step: parse every product, apply the market price policy,
and add the generated category pages."""

from __future__ import annotations

import re
import unicodedata

from mmsite.config.options import Config
from mmsite.content.model import INDEX, ContentModel, Page, virtual_page
from mmsite.errors import BuildErrors, MmsiteError, Reporter, relpath
from mmsite.features.commerce.options import commerce_options
from mmsite.features.commerce.product import (
    SECTION,
    Product,
    missing_prices,
    parse_product,
    product_of,
)
from mmsite.features.registry import ModelContext

CATEGORY_DIR = f"{SECTION}/category"
# Title and URL segment of the generated "categories" folder page, per language.
CATEGORY_INDEX: dict[str, tuple[str, str]] = {
    "en": ("Categories", "category"),
    "fr": ("Catégories", "categorie"),
    "es": ("Categorías", "categoria"),
    "ar": ("الفئات", "فئة"),
    "de": ("Kategorien", "kategorie"),
    "it": ("Categorie", "categoria"),
    "pt": ("Categorias", "categoria"),
    "nl": ("Categorieën", "categorie"),
}


PRODUCT_FIELDS = frozenset({"sku", "price", "checkout", "variants"})


def is_product_page(page: Page) -> bool:
    """A page in products/ with any product field; others there are plain pages
    (shipping notes, size guides)."""
    if page.section != SECTION or page.is_index or page.virtual:
        return False
    return not PRODUCT_FIELDS.isdisjoint(page.meta)


def slugify(text: str) -> str:
    """``"Épicerie fine"`` -> ``epicerie-fine``; non-Latin scripts are kept (``ملح-بحري``)."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFKD", char)
        latin = parts[:1].isascii()  # é -> e, but Arabic ؤ keeps its hamza
        out.append("".join(c for c in parts if not unicodedata.combining(c)) if latin else char)
    text = "".join(out).lower()
    return re.sub(r"[^\w]+", "-", text).strip("-_") or "category"


def category_name(config: Config, key: str, lang: str) -> str:
    names = commerce_options(config).categories.get(key, {})
    name = names.get(lang) or names.get(config.default_language)
    return name or key.replace("-", " ").capitalize()


def load_products(ctx: ModelContext) -> None:
    """Model step: parse products (collecting every error), then add categories."""
    config, model, reporter = ctx.config, ctx.model, ctx.reporter
    errors: list[MmsiteError] = []
    for group in model.groups.values():
        for page in group.pages.values():
            if not is_product_page(page):
                continue
            result = parse_product(page, config, model)
            if isinstance(result, list):
                errors += result
            else:
                page.data["product"] = result
    if errors:
        raise BuildErrors(_unique(errors))
    _apply_price_policy(config, model, reporter)
    _add_categories(config, model)


def _unique(errors: list[MmsiteError]) -> list[MmsiteError]:
    """A mistake in the default-language file is found once per translation: report once."""
    seen, out = set(), []
    for error in errors:
        key = (error.path, error.line, error.message)
        if key not in seen:
            seen.add(key)
            out.append(error)
    return out


def _apply_price_policy(config: Config, model: ContentModel, reporter: Reporter) -> None:
    errors = []
    for group in model.groups.values():
        product = product_of(group.default)
        if product is None:
            continue
        for market in config.markets.values():
            if not product.sold_in(market):
                for page in group.pages.values():
                    page.hidden_markets.add(market.key)
        for missing in missing_prices(product, config.markets):
            page, market = missing.page, missing.market
            what = "" if missing.sku == product.sku else f" (variant {missing.sku})"
            if commerce_options(config).missing_price == "hide":
                reporter.warn(
                    f"no {market.currency} price{what}: hidden in market {market.key!r}",
                    relpath(page.source, config.root),
                )
                for other in group.pages.values():
                    other.hidden_markets.add(market.key)
                continue
            errors.append(
                MmsiteError(
                    f"no {market.currency} price{what} for market {market.key!r}",
                    page.source,
                    page.line_of("price") or page.line_of("variants"),
                    hint=f"add {market.currency} to price, list the product's markets, or set "
                    "commerce: {missing_price: hide} in site.yaml",
                )
            )
    if errors:
        raise BuildErrors(errors)


def _add_categories(config: Config, model: ContentModel) -> None:
    used: dict[str, Product] = {}
    for group in model.groups.values():
        product = product_of(group.default)
        if product is not None and product.category:
            used.setdefault(product.category, product)
    if not used:
        return
    source = sorted(used.values(), key=lambda p: str(p.page.rel))[0].page.source
    index_pages = []
    for lang in config.languages:
        title, slug = CATEGORY_INDEX.get(lang, CATEGORY_INDEX["en"])
        meta = {"title": title, "slug": slug, "layout": "products/categories", "menu": False}
        index_pages.append(virtual_page(source, f"{CATEGORY_DIR}/{INDEX}.md", lang, meta))
    model.add_virtual(f"{CATEGORY_DIR}/{INDEX}", index_pages, config.default_language)
    for key in sorted(used):
        pages = []
        for lang in config.languages:
            name = category_name(config, key, lang)
            meta = {
                "title": name,
                "slug": slugify(name),
                "layout": "products/category",
                "category": key,
            }
            pages.append(
                virtual_page(used[key].page.source, f"{CATEGORY_DIR}/{key}.md", lang, meta)
            )
        model.add_virtual(f"{CATEGORY_DIR}/{key}", pages, config.default_language)
