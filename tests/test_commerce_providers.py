"""Checkout providers: URL validation (good and bad links) and documented parameters."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mmsite.features.commerce.providers import (
    PROVIDERS,
    Attribution,
    validate_checkout,
    with_attribution,
)

GOOD = {
    "stripe": ["https://buy.stripe.com/test_4gw5kJ", "https://buy.stripe.com/bIY8wR5gN0kE3fC4gh"],
    "shopify": [
        "https://kernow.myshopify.com/cart/40123456789:1",
        "https://kernow-salt.myshopify.com/cart/1:2,3:1?discount=SPRING",
    ],
    "gumroad": [
        "https://kernow.gumroad.com/l/salt",
        "https://gumroad.com/l/salt",
        "https://gum.co/salt",
    ],
    "lemonsqueezy": [
        "https://kernow.lemonsqueezy.com/checkout/buy/8b6f0c2e-1c1e-4f7a-9d55-3b1b2f0d9e1a",
    ],
    "paddle": ["https://buy.paddle.com/product/12345", "https://pay.paddle.io/hsc_01abc"],
    "paypal": [
        "https://www.paypal.com/ncp/payment/ABC123",
        "https://paypal.me/kernowsalt/12.50",
    ],
}

BAD = {
    "stripe": [
        "http://buy.stripe.com/test_4gw5kJ",  # not https
        "javascript:alert(1)",
        "https://buy.stripe.com.evil.example/test_4gw5kJ",  # look-alike
        "https://buy-stripe.com/test_4gw5kJ",
        "https://buy.stripe.com@evil.example/x",  # user-info trick
        "https://checkout.stripe.com/c/pay/cs_test",  # not a Payment Link host
        "https://buy.stripe.com:8443/test_4gw5kJ",
        "//buy.stripe.com/test_4gw5kJ",
        " https://buy.stripe.com/test_4gw5kJ",
    ],
    "shopify": [
        "https://myshopify.com/cart/1:1",  # no shop
        "https://kernow.myshopify.com.evil.example/cart/1:1",
        "https://evilmyshopify.com/cart/1:1",
        "https://kernow.myshopify.com/products/salt",  # not a cart permalink
        "https://a.b.myshopify.com/cart/1:1",
    ],
    "gumroad": ["https://gumroad.co/l/salt", "data:text/html,hi", "https://kernow.gumroad.com/"],
    "lemonsqueezy": [
        "https://lemonsqueezy.com/checkout/buy/abc",  # store subdomain required
        "https://kernow.lemonsqueezy.com/admin",
        "https://kernow.lemonsqeezy.com/checkout/buy/abc",  # typo-squat
    ],
    "paddle": ["https://paddle.com/product/1", "https://buy.paddle.com/product/abc"],
    "paypal": [
        "https://www.paypal.com.evil.example/ncp/payment/ABC",
        "https://www.paypa1.com/ncp/payment/ABC",
        "http://www.paypal.com/ncp/payment/ABC",
    ],
}


def test_every_provider_has_examples() -> None:
    assert set(GOOD) == set(PROVIDERS) == set(BAD)
    for provider in PROVIDERS.values():
        assert validate_checkout(provider.key, provider.example) is None


@pytest.mark.parametrize("provider,url", [(p, u) for p, urls in GOOD.items() for u in urls])
def test_good_links(provider: str, url: str) -> None:
    assert validate_checkout(provider, url) is None


@pytest.mark.parametrize("provider,url", [(p, u) for p, urls in BAD.items() for u in urls])
def test_bad_links(provider: str, url: str) -> None:
    assert validate_checkout(provider, url) is not None


def test_unknown_provider_lists_known() -> None:
    message = validate_checkout("square", "https://square.link/u/abc")
    assert message is not None and "square" in message
    for key in PROVIDERS:
        assert key in message


def test_seller_hosts_accept_any_path() -> None:
    url = "https://pay.kernow.example/b/abc"
    assert validate_checkout("stripe", url) is not None
    assert validate_checkout("stripe", url, ("pay.kernow.example",)) is None
    assert validate_checkout("stripe", "http://pay.kernow.example/b", ("pay.kernow.example",))


WHERE = Attribution(
    page="/fr/produits/sel-fume/",
    lang="fr",
    edition="fr",
    market="eu",
    sku="SALT-001",
    site="kernow-salt.example",
)


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_stripe_documented_parameters_only() -> None:
    url = with_attribution("stripe", "https://buy.stripe.com/test_4gw5kJ", WHERE)
    query = _query(url)
    assert query == {
        "client_reference_id": ["SALT-001_fr"],
        "utm_source": ["kernow-salt-example"],
        "utm_content": ["fr"],
    }
    assert "locale" not in query  # Payment Links follow the browser language


def test_lemonsqueezy_custom_data() -> None:
    url = with_attribution("lemonsqueezy", GOOD["lemonsqueezy"][0], WHERE)
    assert _query(url) == {
        "checkout[custom][page]": ["/fr/produits/sel-fume/"],
        "checkout[custom][lang]": ["fr"],
        "checkout[custom][market]": ["eu"],
    }


def test_shopify_cart_attributes_keep_seller_query() -> None:
    url = with_attribution("shopify", GOOD["shopify"][1], WHERE)
    query = _query(url)
    assert query["discount"] == ["SPRING"]
    assert query["attributes[lang]"] == ["fr"]
    assert url.startswith(GOOD["shopify"][1] + "&")


@pytest.mark.parametrize("provider", ["gumroad", "paddle", "paypal"])
def test_providers_without_documented_parameters_add_nothing(provider: str) -> None:
    url = GOOD[provider][0]
    assert with_attribution(provider, url, WHERE) == url


def test_seller_parameter_wins() -> None:
    url = "https://buy.stripe.com/test_4gw5kJ?client_reference_id=mine"
    assert _query(with_attribution("stripe", url, WHERE))["client_reference_id"] == ["mine"]


@given(st.text(max_size=300))
def test_stripe_values_stay_in_documented_alphabet(text: str) -> None:
    where = Attribution(text, "en", text, "", text, text)
    for key, value in PROVIDERS["stripe"].parameters(where):
        assert len(value) <= (200 if key == "client_reference_id" else 150)
        assert all(c.isascii() and (c.isalnum() or c in "-_") for c in value)


@given(st.text(max_size=80))
def test_validation_never_crashes_and_requires_https(suffix: str) -> None:
    for key in PROVIDERS:
        for url in (suffix, "https://" + suffix, "http://buy.stripe.com/" + suffix):
            result = validate_checkout(key, url)
            if result is None:
                assert url.startswith("https://")
