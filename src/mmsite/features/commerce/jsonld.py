"""schema.org JSON-LD for product pages: a ``Product`` with its ``Offer``, or for a
product with variants a ``ProductGroup`` (``productGroupID``, ``variesBy``) whose
``hasVariant`` lists each variant as a ``Product`` with its own URL, sku, image and offer.

https://schema.org/Product, https://schema.org/Offer; Google's merchant listings read
``shippingDetails``, ``hasMerchantReturnPolicy``, ``priceValidUntil`` and
``priceSpecification`` (the was-price as ``StrikethroughPrice``, unit prices with
``referenceQuantity``) on the offer; its product variants read ``ProductGroup``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from mmsite.features.commerce.money import plain
from mmsite.features.commerce.options import commerce_options
from mmsite.features.commerce.product import OPTIONS, Offer, Variant
from mmsite.features.commerce.units import Quantity
from mmsite.features.seo import json_indented
from mmsite.i18n.routing import quote_path

# mmsite.features.commerce.views.ProductView (that module imports this one)
ProductView = Any

SCHEMA = "https://schema.org/"
AVAILABILITY = {
    "in_stock": "InStock",
    "out_of_stock": "OutOfStock",
    "preorder": "PreOrder",
    "backorder": "BackOrder",
}
# UN/CEFACT common codes (schema.org unitCode) of the units unit_price accepts
UNIT_CODES = {
    "mg": "MGM",
    "g": "GRM",
    "kg": "KGM",
    "oz": "ONZ",
    "lb": "LBR",
    "ml": "MLT",
    "cl": "CLT",
    "l": "LTR",
    "cbm": "MTQ",
    "floz": "OZA",
    "pt": "PTL",
    "qt": "QTL",
    "gal": "GLL",
    "cm": "CMT",
    "m": "MTR",
    "in": "INH",
    "ft": "FOT",
    "yd": "YRD",
    "sqm": "MTK",
    "sqft": "FTK",
    "ct": "C62",
}
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


def market_offer(view: ProductView, variant: Variant | None = None) -> Offer | None:
    """The product (or ``variant``) as the page's edition sells it on the build's date:
    its market's currency and checkout links, the was-price while the sale runs (None
    without a price in that currency). The same offer the page shows."""
    currency = view.currency
    if currency is None:
        return None
    return view.product.offer(currency, view.market_key, view.today, variant)


def _price_specs(offer: Offer) -> list[dict[str, Any]]:
    """The unit price (``UnitPriceSpecification`` with ``referenceQuantity``) and the
    was-price (``priceType: StrikethroughPrice``), as Google's merchant listings read them."""
    specs = []
    unit = offer.unit_price
    if unit is not None:
        specs.append(
            {
                "@type": "UnitPriceSpecification",
                "price": plain(offer.price, offer.currency),
                "priceCurrency": offer.currency,
                "referenceQuantity": {
                    **_quantity(unit.per),
                    "valueReference": _quantity(unit.measure),
                },
            }
        )
    if offer.compare_at is not None:
        specs.append(
            {
                "@type": "UnitPriceSpecification",
                "priceType": SCHEMA + "StrikethroughPrice",
                "price": plain(offer.compare_at, offer.currency),
                "priceCurrency": offer.currency,
            }
        )
    return specs


def _quantity(q: Quantity) -> dict[str, Any]:
    return {
        "@type": "QuantitativeValue",
        "value": f"{q.value.normalize():f}",
        "unitCode": UNIT_CODES[q.unit],
    }


def _offer(view: ProductView, sku: str, url: str, variant: Variant | None) -> dict[str, Any]:
    found = market_offer(view, variant)
    availability = found.availability if found else view.availability
    offer: dict[str, Any] = {
        "@type": "Offer",
        "sku": sku,
        "url": url,
        "availability": SCHEMA + AVAILABILITY[availability],
        "itemCondition": SCHEMA + CONDITION[view.product.condition],
    }
    if found is not None:
        offer["price"] = plain(found.price, found.currency)
        offer["priceCurrency"] = found.currency
        specs = _price_specs(found)
        if specs:
            offer["priceSpecification"] = specs[0] if len(specs) == 1 else specs
        if found.sale_ends is not None:
            offer["priceValidUntil"] = found.sale_ends.isoformat()
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


def image_urls(view: ProductView, variant: Variant | None = None) -> list[str]:
    """Absolute image URLs, the variant's own photo first."""
    urls = list(view.image_urls)
    if variant is not None and variant.image is not None:
        base = view.site.router.base_path
        own = view.site.router.absolute(quote_path(base + str(variant.image.path)))
        urls = [own, *(u for u in urls if u != own)]
    return urls


def _shared(view: ProductView, variant: Variant | None = None) -> dict[str, Any]:
    """What the product and its variants share: description, image, brand."""
    data: dict[str, Any] = {}
    if view.summary:
        data["description"] = view.summary
    urls = image_urls(view, variant)
    if urls:
        data["image"] = urls
    if view.brand:
        data["brand"] = {"@type": "Brand", "name": view.brand}
    return data


def _identifiers(view: ProductView) -> dict[str, str]:
    return {k: v for k, v in (("gtin", view.gtin), ("mpn", view.mpn)) if v}


def _variant(view: ProductView, v: Variant) -> dict[str, Any]:
    url = variant_url(view, v.sku)
    data: dict[str, Any] = {
        "@type": "Product",
        "name": f"{view.title} – {v.name}",
        "sku": v.sku,
        "url": url,
        "inProductGroupWithID": view.sku,
        **_shared(view, v),
    }
    data.update({k: v.options[k] for k in OPTIONS if k in v.options})
    data["offers"] = _offer(view, v.sku, url, v)
    return data


def varies_by(view: ProductView) -> list[str]:
    """The schema.org properties the variants differ in (their ``options``)."""
    keys = {k for v in view.product.variants for k in v.options}
    return [SCHEMA + k for k in OPTIONS if k in keys]


def product_jsonld(view: ProductView) -> dict[str, Any]:
    """``Product`` with one ``Offer``; with variants, a ``ProductGroup`` whose
    ``hasVariant`` lists one ``Product`` per variant, each with its own URL and offer."""
    variants = view.product.variants
    if variants:
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
        data["hasVariant"] = [_variant(view, v) for v in variants]
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
    data["offers"] = _offer(view, view.sku, view.permalink, None)
    return data
