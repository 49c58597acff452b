"""``mmsite check`` for the storefront: prices in every market, currencies no market
uses, checkout links (shape, test mode, one link shown with several prices)."""

from __future__ import annotations

from collections.abc import Iterator

from mmsite.errors import relpath
from mmsite.features.checking import ERROR, WARNING, CheckContext, Finding
from mmsite.features.commerce.money import plain
from mmsite.features.commerce.options import commerce_options
from mmsite.features.commerce.product import (
    Product,
    product_of,
    products_missing_prices,
)
from mmsite.features.commerce.providers import (
    PROVIDERS,
    is_placeholder,
    is_test_link,
    validate_checkout,
)


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


OWN = ("price", "compare_at", "checkout")  # a translation writing one has its own findings


def _products(ctx: CheckContext) -> Iterator[tuple[str, Product]]:
    """Each product with the file that writes its prices and links: the default-language
    file, and a translation only where it writes its own (one finding per mistake)."""
    config = ctx.site.config
    for group in ctx.site.model.groups.values():
        for page in group.pages.values():
            product = product_of(page)
            if product is None:
                continue
            if page is group.default or any(key in page.doc.meta for key in OWN):
                yield relpath(page.source, config.root).as_posix(), product


def check_unused_currencies(ctx: CheckContext) -> Iterator[Finding]:
    """A price in a currency no market uses is never shown: a typo, or a market missing."""
    markets = ctx.site.config.markets
    used = {m.currency for m in markets.values()}
    if not used:
        return
    for source, product in _products(ctx):
        written = {*product.prices, *product.compare_at}
        for variant in product.variants:
            written |= {*variant.prices, *variant.compare_at}
        for currency in sorted(written - used):
            yield Finding(
                WARNING,
                "currencies",
                source,
                f"{product.sku}: price in {currency}, which no market uses "
                f"(markets use {', '.join(sorted(used))}); add a market or remove it",
            )


def check_checkout(ctx: CheckContext) -> Iterator[Finding]:
    """Every checkout link (products and variants) passes its provider's validation (an
    error); the placeholder ``mmsite new`` writes and test-mode or sandbox links are
    warnings: a new site's first build and check pass, ``--strict`` fails on them."""
    config = ctx.site.config
    for source, product in _products(ctx):
        seen = set()
        for link in [*product.checkout, *(c for v in product.variants for c in v.checkout)]:
            if link in seen:
                continue
            seen.add(link)
            hosts = commerce_options(config).hosts.get(link.provider, ())
            problem = validate_checkout(link.provider, link.url, hosts)
            name = PROVIDERS[link.provider].name if link.provider in PROVIDERS else ""
            if problem:
                yield Finding(ERROR, "checkout", source, f"{link.provider}: {problem}")
            elif is_placeholder(link.url):
                yield Finding(
                    WARNING,
                    "checkout",
                    source,
                    f"{link.url} is a placeholder: buyers cannot pay; "
                    f"paste your product's {name} link",
                )
            elif is_test_link(link.provider, link.url):
                yield Finding(
                    WARNING,
                    "checkout",
                    source,
                    f"{link.url} is a {name} test-mode link: buyers cannot pay; "
                    "replace it with the live link",
                )


def check_market_links(ctx: CheckContext) -> Iterator[Finding]:
    """A product with checkout links per market but none for a market it is sold in
    shows no Buy button there."""
    markets = ctx.site.config.markets.values()
    for source, product in _products(ctx):
        links = [*product.checkout, *(c for v in product.variants for c in v.checkout)]
        if not any(link.market for link in links):
            continue
        for market in markets:
            if not product.sold_in(market):
                continue
            for offer in product.offers(market.currency, market.key):
                if not offer.checkout:
                    yield Finding(
                        WARNING,
                        "market-links",
                        source,
                        f"{offer.sku}: no checkout link for market {market.key}: no Buy button "
                        f"there; add one (checkout: {{stripe: {{{market.key}: https://...}}}}) "
                        "or list the product's markets",
                    )


def check_link_prices(ctx: CheckContext) -> Iterator[Finding]:
    """One checkout link charges one amount in one currency: a link shown beside several
    prices (variants, markets) charges some buyers a price they were not shown."""
    markets = ctx.site.config.markets.values()
    for source, product in _products(ctx):
        shown: dict[str, set[tuple[str, str]]] = {}
        for market in markets:
            if not product.sold_in(market):
                continue
            for offer in product.offers(market.currency, market.key):
                amount = (offer.currency, plain(offer.price, offer.currency))
                for link in offer.checkout:
                    shown.setdefault(link.url, set()).add(amount)
        for url, amounts in shown.items():
            if len(amounts) > 1:
                prices = ", ".join(f"{cur} {value}" for cur, value in sorted(amounts))
                yield Finding(
                    WARNING,
                    "link-prices",
                    source,
                    f"{product.sku}: one checkout link {url} is shown with different prices "
                    f"({prices}); give each variant or market its own link "
                    "(checkout: {stripe: {us: ..., uk: ...}})",
                )
