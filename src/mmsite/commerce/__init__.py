"""The storefront: products, market prices, hosted checkout links, JSON-LD, merchant feeds.

Its pipeline stages are listed in :mod:`mmsite.build`. Public helpers for other commands
(``mmsite check``): :func:`~mmsite.commerce.providers.validate_checkout` and
:func:`~mmsite.commerce.product.products_missing_prices`.
"""

from __future__ import annotations

from .product import products_missing_prices
from .providers import PROVIDERS, validate_checkout

__all__ = ["PROVIDERS", "products_missing_prices", "validate_checkout"]
