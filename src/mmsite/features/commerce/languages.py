"""The storefront in every language: each language that shows products shows them with
prices, and with category names of its own.

A language shows prices when it is in a market (which gives the currency), unless
``commerce: {prices: {LANG: false}}`` says its catalog has none; without either, its
product pages would offer a Buy button and no price: an error. A category without a
name in a language that shows it is listed under the default language's name (or its
key): ``mmsite check`` warns.
"""

from __future__ import annotations

from collections.abc import Iterator

from mmsite.config.options import Config
from mmsite.content.model import ContentModel, Group
from mmsite.errors import BuildErrors, MmsiteError, relpath
from mmsite.features.checking import WARNING, CheckContext, Finding
from mmsite.features.commerce.catalog import category_name, is_product_page
from mmsite.features.commerce.options import commerce_options
from mmsite.features.registry import ModelContext


def showing_products(config: Config, model: ContentModel) -> dict[str, list[Group]]:
    """Language -> the product groups its editions show (a translation, or the
    default-language page with ``missing_translation: fallback``)."""
    shown: dict[str, list[Group]] = {}
    fallback = config.missing_translation == "fallback"
    for group in model.groups.values():
        if not any(is_product_page(page) for page in group.pages.values()):
            continue
        for lang in config.languages:
            if lang in group.pages or (fallback and config.default_language in group.pages):
                shown.setdefault(lang, []).append(group)
    return shown


def require_currencies(ctx: ModelContext) -> None:
    """Model step: a language without a currency that shows a product is an error
    naming the language, at its line in site.yaml."""
    config = ctx.config
    missing = dict(commerce_options(config).no_currency)
    if not missing:
        return
    shown = showing_products(config, ctx.model)
    errors = [
        MmsiteError(
            f"languages.{lang}: products are shown in {lang!r}, but no market sells in "
            f"{lang!r}: they would have a Buy button and no price",
            config.path,
            line,
            hint=f"add {lang} to the languages of a market, or show its catalog without "
            f"prices: commerce: {{prices: {{{lang}: false}}}}",
        )
        for lang, line in missing.items()
        if lang in shown
    ]
    if errors:
        raise BuildErrors(errors)


def check_category_names(ctx: CheckContext) -> Iterator[Finding]:
    """``commerce.categories`` names every category in every language that shows it."""
    config = ctx.site.config
    names = commerce_options(config).categories
    where = relpath(config.path, config.root).as_posix()
    for lang, groups in showing_products(config, ctx.site.model).items():
        used = set()
        for group in groups:
            page = group.pages.get(lang) or group.default
            category = page.meta.get("category")
            if isinstance(category, str) and category:
                used.add(category)
        for key in sorted(used):
            if lang not in names.get(key, {}):
                shown = category_name(config, key, lang)
                message = (
                    f"category {key!r} has no {lang!r} name in commerce.categories "
                    f"(shown as {shown!r})"
                )
                yield Finding(WARNING, "categories", where, message)
