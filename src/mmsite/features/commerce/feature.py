"""What the storefront registers: the ``commerce:`` section, products and category
pages (model step), the template context of product and list pages, merchant feeds."""

from mmsite.features.commerce import options
from mmsite.features.commerce.catalog import load_products
from mmsite.features.commerce.checks import (
    check_checkout,
    check_link_prices,
    check_market_links,
    check_prices,
    check_unused_currencies,
)
from mmsite.features.commerce.feed import check_merchant_feeds, write_merchant_feeds
from mmsite.features.commerce.keys import PRODUCT
from mmsite.features.commerce.languages import check_category_names, require_currencies
from mmsite.features.commerce.views import storefront_context
from mmsite.features.registry import Check, Feature, Output

FEATURE = Feature(
    "commerce",
    config=(options.SECTION,),
    model=(load_products, require_currencies),
    context=(storefront_context,),
    outputs=(Output("merchant_feeds", write_merchant_feeds, switch="merchant_feeds"),),
    checks=(
        Check("prices", check_prices),
        Check("currencies", check_unused_currencies),
        Check("checkout", check_checkout),
        Check("link-prices", check_link_prices),
        Check("market-links", check_market_links),
        Check("categories", check_category_names),
        Check("merchant-feed", check_merchant_feeds),
    ),
    front_matter=(PRODUCT,),
)
