"""schema.org ``Product`` + ``Offer`` JSON-LD for product pages.

https://schema.org/Product, https://schema.org/Offer; Google's merchant listing
structured data reads ``shippingDetails`` and ``hasMerchantReturnPolicy`` on the offer.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from mmsite.features.commerce.options import commerce_options
from mmsite.features.seo import json_indented

# mmsite.features.commerce.views.ProductView (that module imports this one)
ProductView = Any

SCHEMA = "https://schema.org/"
AVAILABILITY = {
    "in_stock": "InStock",
    "out_of_stock": "OutOfStock",
    "preorder": "PreOrder",
    "backorder": "BackOrder",
}
# variant options carried into JSON-LD (schema.org Product properties of those names)
OPTIONS = ("size", "color", "material")
CONDITION = {"new": "NewCondition", "used": "UsedCondition", "refurbished": "RefurbishedCondition"}


def script(data: dict[str, Any]) -> Markup:
    """``<script type="application/ld+json">`` that no value can break out of: ``<``,
    ``>`` and ``&`` are written as JSON escapes, which parse back to the same text."""
    text = json_indented(data, 1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(f'<script type="application/ld+json">\n{text}\n</script>')


def _shipping(view: ProductView) -> dict[str, Any] | None:
    market = view.edition.market
    terms = commerce_options(view.site.config).shipping.get(market.key) if market else None
    if terms is None or market is None:
        return None

    def days(pair: tuple[int, int]) -> dict[str, Any]:
        return {
            "@type": "QuantitativeValue",
            "minValue": pair[0],
            "maxValue": pair[1],
            "unitCode": "DAY",
        }

    from mmsite.features.commerce.money import plain

    return {
        "@type": "OfferShippingDetails",
        "shippingRate": {
            "@type": "MonetaryAmount",
            "value": plain(terms.rate, market.currency),
            "currency": market.currency,
        },
        "shippingDestination": [
            {"@type": "DefinedRegion", "addressCountry": c} for c in terms.countries
        ],
        "deliveryTime": {
            "@type": "ShippingDeliveryTime",
            "handlingTime": days(terms.handling_days),
            "transitTime": days(terms.transit_days),
        },
    }


def _returns(view: ProductView) -> dict[str, Any] | None:
    policy = commerce_options(view.site.config).returns
    if policy is None:
        return None
    data: dict[str, Any] = {
        "@type": "MerchantReturnPolicy",
        "applicableCountry": list(policy.countries),
    }
    if policy.days == 0:
        data["returnPolicyCategory"] = SCHEMA + "MerchantReturnNotPermitted"
        return data
    data.update(
        {
            "returnPolicyCategory": SCHEMA + "MerchantReturnFiniteReturnWindow",
            "merchantReturnDays": policy.days,
            "returnMethod": SCHEMA + "ReturnByMail",
            "returnFees": SCHEMA
            + ("FreeReturn" if policy.fees == "free" else "ReturnFeesCustomerResponsibility"),
        }
    )
    return data


def _offer(view: ProductView, sku: str, url: str, price: Any, availability: str) -> dict[str, Any]:
    offer: dict[str, Any] = {
        "@type": "Offer",
        "sku": sku,
        "url": url,
        "availability": SCHEMA + AVAILABILITY[availability],
        "itemCondition": SCHEMA + CONDITION[view.product.condition],
    }
    if price is not None:
        offer["price"] = price.plain
        offer["priceCurrency"] = price.currency
    if availability in ("preorder", "backorder") and view.availability_date:
        offer["availabilityStarts"] = view.availability_date.isoformat()
    for key, value in (
        ("shippingDetails", _shipping(view)),
        ("hasMerchantReturnPolicy", _returns(view)),
    ):
        if value is not None:
            offer[key] = value
    return offer


def variant_url(view: ProductView, sku: str) -> str:
    """A variant's own URL: the product page with ``?variant=SKU`` (the theme's
    variant picker preselects it)."""
    return f"{view.permalink}?variant={quote(sku, safe='')}"


def _shared(view: ProductView) -> dict[str, Any]:
    """What the product and its variants share: description, brand, image."""
    data: dict[str, Any] = {}
    if view.summary:
        data["description"] = view.summary
    if view.image_urls:
        data["image"] = view.image_urls
    if view.brand:
        data["brand"] = {"@type": "Brand", "name": view.brand}
    return data


def _identifiers(view: ProductView) -> dict[str, str]:
    return {k: v for k, v in (("gtin", view.gtin), ("mpn", view.mpn)) if v}


def _variant(view: ProductView, v: dict[str, Any]) -> dict[str, Any]:
    url = variant_url(view, v["sku"])
    data: dict[str, Any] = {
        "@type": "Product",
        "name": f"{view.title} – {v['name']}",
        "sku": v["sku"],
        "url": url,
        "inProductGroupWithID": view.sku,
        **_shared(view),
    }
    data.update(v.get("options") or {})
    data["offers"] = _offer(view, v["sku"], url, v["price"], v["availability"])
    return data


def varies_by(view: ProductView) -> list[str]:
    """The schema.org properties the variants differ in (``options`` keys), in the
    order Google lists them."""
    keys = {k for v in view.variants for k in (v.get("options") or {})}
    return [SCHEMA + k for k in OPTIONS if k in keys]


def product_jsonld(view: ProductView) -> dict[str, Any]:
    """``Product`` with one ``Offer``; with variants, a ``ProductGroup`` whose
    ``hasVariant`` lists one ``Product`` per variant, each with its own URL and offer."""
    if view.variants:
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ProductGroup",
            "name": view.title,
            "url": view.permalink,
            "productGroupID": view.sku,
            **_shared(view),
            **_identifiers(view),
        }
        by = varies_by(view)
        if by:
            data["variesBy"] = by
        data["hasVariant"] = [_variant(view, v) for v in view.variants]
        return data
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": view.title,
        "sku": view.sku,
        "url": view.permalink,
        **_shared(view),
        **_identifiers(view),
    }
    data["offers"] = _offer(view, view.sku, view.permalink, view.price, view.availability)
    return data
