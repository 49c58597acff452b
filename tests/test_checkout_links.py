"""Checkout links a seller can trust: per market and per variant, one price per link,
no test-mode or placeholder link shipped, every provider's link shape (issue 24,
defects 8, 9, 10)."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import BASIC_CONFIG, build_site, parse_html
from mmsite.commands.checks import run_checks
from mmsite.commands.cli import main
from mmsite.engine.build import BuildOptions, load_site
from mmsite.errors import MmsiteError, Reporter
from mmsite.features.checking import WARNING, Finding
from mmsite.features.commerce.providers import (
    PROVIDERS,
    is_placeholder,
    is_test_link,
    validate_checkout,
)

MARKETS = {"us": ("USD", "en"), "uk": ("GBP", "en"), "eu": ("EUR", "fr, ar")}
SHOP = (
    BASIC_CONFIG
    + "markets:\n"
    + "".join(
        f"  {key}: {{currency: {cur}, languages: [{langs}]}}\n"
        for key, (cur, langs) in MARKETS.items()
    )
)
HOME = {
    "content/_index.md": "---\ntitle: Home\n---\n",
    "content/products/_index.md": "---\ntitle: Shop\n---\n",
}
GUMROAD = "https://kernow.gumroad.com/l/vase"
VASE = f"""\
---
title: Vase
sku: VASE-1
variants:
  - {{name: Small, sku: VASE-S, price: {{USD: 90, GBP: 90, EUR: 90}}}}
  - {{name: Large, sku: VASE-L, price: {{USD: 120, GBP: 120, EUR: 120}}}}
checkout: {{gumroad: "{GUMROAD}"}}
---
"""
PER_MARKET = """\
---
title: Salt
sku: SALT-1
price: {USD: 12, GBP: 9, EUR: 11}
checkout:
  stripe:
    us: https://buy.stripe.com/us1111
    uk: https://buy.stripe.com/uk2222
  paypal: {eu: "https://www.paypal.com/ncp/payment/EU3333"}
---
"""


def findings(make_site, files: dict[str, str], names: tuple[str, ...]) -> list[Finding]:
    root = make_site({**HOME, **files}, SHOP)
    build_site(root)
    site, _ = load_site(root, BuildOptions(), Reporter())
    return [f for f in run_checks(site, root / "public") if f.check in names]


# -- defect 8: one link, many prices -------------------------------------------------


def test_one_link_for_variants_with_different_prices_is_a_warning(make_site) -> None:
    found = findings(make_site, {"content/products/vase.md": VASE}, ("link-prices",))
    assert found == [
        Finding(
            WARNING,
            "link-prices",
            "content/products/vase.md",
            f"VASE-1: one checkout link {GUMROAD} is shown with different prices "
            "(EUR 120.00, EUR 90.00, GBP 120.00, GBP 90.00, USD 120.00, USD 90.00); "
            "give each variant or market its own link (checkout: {stripe: {us: ..., uk: ...}})",
        )
    ]


def test_one_link_for_several_currencies_is_a_warning(make_site) -> None:
    one = PER_MARKET.replace(
        "  stripe:\n    us: https://buy.stripe.com/us1111\n    uk: https://buy.stripe.com/uk2222\n",
        "  stripe: https://buy.stripe.com/all4444\n",
    )
    found = findings(make_site, {"content/products/salt.md": one}, ("link-prices",))
    assert [f.message for f in found] == [
        "SALT-1: one checkout link https://buy.stripe.com/all4444 is shown with different "
        "prices (EUR 11.00, GBP 9.00, USD 12.00); give each variant or market its own link "
        "(checkout: {stripe: {us: ..., uk: ...}})"
    ]


def test_links_per_market_and_per_variant_pass(make_site) -> None:
    vase = (
        VASE.replace(f'checkout: {{gumroad: "{GUMROAD}"}}\n', "")
        .replace(
            "EUR: 90}}",
            'EUR: 90}, checkout: {gumroad: {us: "https://kernow.gumroad.com/l/s-us", '
            'uk: "https://kernow.gumroad.com/l/s-uk", eu: "https://kernow.gumroad.com/l/s-eu"}}}',
        )
        .replace(
            "EUR: 120}}",
            'EUR: 120}, checkout: {gumroad: {us: "https://kernow.gumroad.com/l/l-us", '
            'uk: "https://kernow.gumroad.com/l/l-uk", eu: "https://kernow.gumroad.com/l/l-eu"}}}',
        )
    )
    files = {"content/products/vase.md": vase, "content/products/salt.md": PER_MARKET}
    assert findings(make_site, files, ("link-prices", "checkout")) == []


def test_pages_show_the_links_of_their_market_and_variant(make_site) -> None:
    vase = VASE.replace(
        "EUR: 90}}", 'EUR: 90}, checkout: {stripe: {uk: "https://buy.stripe.com/smalluk"}}}'
    )
    root = make_site(
        {**HOME, "content/products/vase.md": vase, "content/products/salt.md": PER_MARKET},
        SHOP,
    )
    build_site(root)

    def buttons(path: str) -> dict[str, list[str]]:
        """Buy links per variant sku (the product's sku without variants)."""
        doc = parse_html(root / "public" / path)
        holders = [li for li in doc.iter("li") if li.get("class") == "variant"]
        if not holders:
            holders = [next(a for a in doc.iter("article"))]
            holders[0].set("data-sku", "SALT-1")
        return {
            holder.get("data-sku"): [
                a.get("href") for a in holder.iter("a") if "buy" in a.get("class", "").split()
            ]
            for holder in holders
            if any("buy" in a.get("class", "").split() for a in holder.iter("a"))
        }

    assert buttons("products/salt/index.html") == {"SALT-1": ["https://buy.stripe.com/us1111"]}
    assert buttons("en-gb/products/salt/index.html") == {
        "SALT-1": ["https://buy.stripe.com/uk2222"]
    }
    assert buttons("fr/products/salt/index.html") == {
        "SALT-1": ["https://www.paypal.com/ncp/payment/EU3333"]
    }
    assert buttons("en-gb/products/vase/index.html") == {
        "VASE-S": ["https://buy.stripe.com/smalluk"],
        "VASE-L": [GUMROAD],
    }
    assert buttons("products/vase/index.html") == {"VASE-L": [GUMROAD]}  # Small: no us link


def test_unknown_market_in_a_link_map_is_an_error(make_site) -> None:
    salt = PER_MARKET.replace(
        "    uk: https://buy.stripe.com/uk2222", "    gb: https://buy.stripe.com/uk2222"
    )
    root = make_site({**HOME, "content/products/salt.md": salt}, SHOP)
    with pytest.raises(MmsiteError) as exc:
        build_site(root)
    text = str(exc.value)
    assert "products/salt.md:8: checkout.stripe: 'gb' is not one of the site's markets" in text
    assert "did you mean" in text or "use one of" in text


# -- defect 9: test-mode and placeholder links ---------------------------------------

TEST_LINKS = {
    "stripe": "https://buy.stripe.com/test_4gw5kJ",
    "paypal": "https://www.sandbox.paypal.com/ncp/payment/ABC123",
    "paddle": "https://sandbox-buy.paddle.com/product/12345",
}


@pytest.mark.parametrize(("provider", "url"), sorted(TEST_LINKS.items()))
def test_test_mode_links_warn_and_fail_strict(make_site, capsys, provider, url) -> None:
    if provider == "stripe":
        salt = PER_MARKET.replace("https://buy.stripe.com/us1111", url)
    else:
        paypal = '  paypal: {eu: "https://www.paypal.com/ncp/payment/EU3333"}\n'
        salt = PER_MARKET.replace(paypal, f"  {provider}: {{eu: '{url}'}}\n")
    found = findings(make_site, {"content/products/salt.md": salt}, ("checkout",))
    name = PROVIDERS[provider].name
    assert found == [
        Finding(
            WARNING,
            "checkout",
            "content/products/salt.md",
            f"{url} is a {name} test-mode link: buyers cannot pay; replace it with the live link",
        )
    ]
    root = make_site({}, None)  # the site findings() wrote
    assert main(["check", "--site", str(root)]) == 0  # a warning
    assert main(["check", "--site", str(root), "--strict"]) == 1
    assert "test-mode link" in capsys.readouterr().out


def test_placeholder_link_is_a_check_warning(make_site) -> None:
    salt = PER_MARKET.replace("us1111", "ReplaceWithYourLink")
    found = findings(make_site, {"content/products/salt.md": salt}, ("checkout",))
    assert found == [
        Finding(
            WARNING,
            "checkout",
            "content/products/salt.md",
            "https://buy.stripe.com/ReplaceWithYourLink is a placeholder: buyers cannot pay; "
            "paste your product's Stripe link",
        )
    ]


def test_live_links_are_not_test_mode() -> None:
    for provider in PROVIDERS.values():
        assert not is_test_link(provider.key, provider.example), provider.key
        assert not is_placeholder(provider.example)


# -- defect 10: link shapes, property tests ------------------------------------------

STORE = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)


@given(STORE, st.uuids())
def test_lemonsqueezy_accepts_a_variant_uuid(store: str, variant: uuid.UUID) -> None:
    for path in ("checkout/buy", "buy"):
        url = f"https://{store}.lemonsqueezy.com/{path}/{variant}"
        assert validate_checkout("lemonsqueezy", url) is None


@given(STORE, st.uuids(), st.integers(min_value=1, max_value=35))
def test_lemonsqueezy_refuses_a_cut_uuid(store: str, variant: uuid.UUID, cut: int) -> None:
    url = f"https://{store}.lemonsqueezy.com/checkout/buy/{str(variant)[:-cut]}"
    assert validate_checkout("lemonsqueezy", url) is not None


@given(STORE, st.uuids(), st.sampled_from("ghxz_G"), st.integers(min_value=0, max_value=35))
def test_lemonsqueezy_refuses_non_hex(store: str, variant: uuid.UUID, bad: str, at: int) -> None:
    text = str(variant)
    if text[at] == "-":
        at += 1
    url = f"https://{store}.lemonsqueezy.com/checkout/buy/{text[:at]}{bad}{text[at + 1 :]}"
    assert validate_checkout("lemonsqueezy", url) is not None


CART = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=10**19 - 1), st.integers(min_value=1, max_value=9999)
    ),
    min_size=1,
    max_size=5,
)


@given(STORE, CART)
def test_shopify_accepts_numeric_ids_and_quantities(store: str, cart: list) -> None:
    items = ",".join(f"{variant}:{quantity}" for variant, quantity in cart)
    assert validate_checkout("shopify", f"https://{store}.myshopify.com/cart/{items}") is None


@given(STORE, CART, st.integers(min_value=0, max_value=4))
def test_shopify_refuses_a_zero_quantity(store: str, cart: list, at: int) -> None:
    cart[at % len(cart)] = (cart[at % len(cart)][0], 0)
    items = ",".join(f"{variant}:{quantity}" for variant, quantity in cart)
    assert validate_checkout("shopify", f"https://{store}.myshopify.com/cart/{items}") is not None


@pytest.mark.parametrize(
    "path",
    [
        "/cart/40123:0",
        "/cart/abc:1",
        "/cart/0123:1",
        "/cart/40123:01",
        "/cart/40123",
        "/cart/:1",
        "/cart/40123:1,",
        "/cart/40123:-1",
        "/cart/4e5:1",
    ],
)
def test_shopify_bad_carts(path: str) -> None:
    assert validate_checkout("shopify", f"https://kernow.myshopify.com{path}") is not None


@given(st.sampled_from(sorted(PROVIDERS)), st.text(max_size=80))
def test_validators_never_crash(provider: str, text: str) -> None:
    for url in (text, "https://" + text, PROVIDERS[provider].example + text):
        result = validate_checkout(provider, url)
        assert result is None or isinstance(result, str)
        if result is None:
            assert url.startswith("https://")


@given(st.from_regex(r"[A-Za-z0-9]{1,30}", fullmatch=True))
def test_stripe_test_prefix_is_test_mode(link: str) -> None:
    assert is_test_link("stripe", f"https://buy.stripe.com/test_{link}")
    assert validate_checkout("stripe", f"https://buy.stripe.com/test_{link}") is None
    assert not is_test_link("stripe", f"https://buy.stripe.com/{link}") or link.startswith("test_")


def test_new_product_writes_nothing_that_passes(tmp_path) -> None:
    root = tmp_path / "shop"
    main(["new", str(root)])
    assert main(["new", "product", "Vase", "--site", str(root)]) == 0
    text = (root / "content/products/vase.md").read_text(encoding="utf-8")
    assert re.search(r"price: \{EUR: 0\}", text)
    assert "https://buy.stripe.com/ReplaceWithYourLink" in text
    assert is_placeholder("https://buy.stripe.com/ReplaceWithYourLink")


def test_a_market_without_a_link_is_a_warning(make_site) -> None:
    salt = PER_MARKET.replace('  paypal: {eu: "https://www.paypal.com/ncp/payment/EU3333"}\n', "")
    found = findings(make_site, {"content/products/salt.md": salt}, ("market-links",))
    assert [f.message for f in found] == [
        "SALT-1: no checkout link for market eu: no Buy button there; add one "
        "(checkout: {stripe: {eu: https://...}}) or list the product's markets"
    ]
    limited = salt.replace("sku: SALT-1\n", "sku: SALT-1\nmarkets: [us, uk]\n")
    assert findings(make_site, {"content/products/salt.md": limited}, ("market-links",)) == []
