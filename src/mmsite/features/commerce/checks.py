"""``mmsite check`` for the storefront: prices in every market, checkout links."""

from __future__ import annotations

from collections.abc import Iterator

from mmsite.errors import relpath
from mmsite.features.checking import ERROR, WARNING, CheckContext, Finding
from mmsite.features.commerce.options import commerce_options
from mmsite.features.commerce.product import product_of, products_missing_prices
from mmsite.features.commerce.providers import validate_checkout


def check_prices(ctx: CheckContext) -> Iterator[Finding]:
    """A product without a price in a market's currency cannot be sold there.

    With ``commerce: {missing_price: error}`` the build already refuses such a product;
    with ``hide`` it is left out of that market, which check reports as a warning.
    """
    config = ctx.site.config
    level = ERROR if commerce_options(config).missing_price == "error" else WARNING
    for missing in products_missing_prices(config, ctx.site.model):
        source = relpath(missing.page.source, config.root).as_posix()
        message = f"no price in {missing.market.currency} for market {missing.market.key}"
        yield Finding(level, "prices", source, f"{message} (sku {missing.sku})")


def check_checkout(ctx: CheckContext) -> Iterator[Finding]:
    """Every checkout link (products and variants) passes its provider's validation."""
    config = ctx.site.config
    for group in ctx.site.model.groups.values():
        for page in group.pages.values():
            product = product_of(page)
            if product is None:
                continue
            links = [*product.checkout, *(c for v in product.variants for c in v.checkout)]
            for link in links:
                hosts = commerce_options(config).hosts.get(link.provider, ())
                problem = validate_checkout(link.provider, link.url, hosts)
                if problem:
                    source = relpath(page.source, config.root).as_posix()
                    yield Finding(ERROR, "checkout", source, f"{link.provider}: {problem}")
