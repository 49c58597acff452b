"""The storefront: products, market prices, hosted checkout links, JSON-LD, merchant feeds.

Importing this package registers its pipeline stages (``mmsite.build`` does it).
Public helpers for other commands (``mmsite check``):
:func:`~mmsite.commerce.providers.validate_checkout` and
:func:`~mmsite.commerce.product.products_missing_prices`.
"""

from __future__ import annotations

from ..build import MODEL_STEPS, STEPS, render_pages
from ..render import CONTEXT_PROCESSORS
from .catalog import load_products
from .feed import write_merchant_feeds
from .product import products_missing_prices
from .providers import PROVIDERS, validate_checkout
from .views import storefront_context

__all__ = ["PROVIDERS", "products_missing_prices", "validate_checkout"]

if load_products not in MODEL_STEPS:
    MODEL_STEPS.append(load_products)
    CONTEXT_PROCESSORS.append(storefront_context)
    STEPS.insert(STEPS.index(render_pages) + 1, write_merchant_feeds)
