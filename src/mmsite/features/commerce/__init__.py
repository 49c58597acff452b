"""The storefront: products, market prices, hosted checkout links, JSON-LD, merchant feeds.

What it registers is in :mod:`mmsite.features.commerce.feature`. Public helpers for other
commands (``mmsite check``): :func:`~mmsite.features.commerce.providers.validate_checkout`
and :func:`~mmsite.features.commerce.product.products_missing_prices`.
"""
