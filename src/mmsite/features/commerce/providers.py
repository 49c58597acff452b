"""Hosted checkout providers: one small class each, in a registry.

A provider checks that a checkout link has its shape (``https:`` only, the provider's own
hosts, the path its links have) and, when the site turns ``commerce.attribution`` on,
adds the query parameters the provider *documents* for passing data through checkout.
Providers that document none add none.

Adding a provider: subclass :class:`Provider`, decorate it with :func:`register`, add a
test with good and bad links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


@dataclass(frozen=True)
class Attribution:
    """Which page, language and market a checkout link was clicked on."""

    page: str  # root-relative URL of the page: /fr/produits/sel-fume/
    lang: str  # fr
    edition: str  # fr, en-us, en-gb
    market: str  # eu ("" when the edition has no market)
    sku: str
    site: str  # the site's host: kernow-salt.example


class Provider:
    key = ""  # the front matter key: checkout: {stripe: ...}
    name = ""  # shown on the Buy button
    hosts: tuple[str, ...] = ()  # exact host names
    subdomain_of: tuple[str, ...] = ()  # "myshopify.com": any <shop>.myshopify.com
    path = re.compile(r"/.+")  # shape of the path on the provider's own hosts
    example = ""
    sandbox_hosts: tuple[str, ...] = ()  # test-mode hosts: nobody can pay there
    test_path: re.Pattern[str] | None = None  # test-mode links on the live hosts

    def sandbox(self, host: str, path: str) -> bool:
        """A sandbox or test-mode link: checkout works, but no payment is taken."""
        if host in self.sandbox_hosts:
            return True
        return self.test_path is not None and bool(self.test_path.match(path))

    def own_host(self, host: str) -> bool:
        if host in self.hosts:
            return True
        return any(
            host.endswith("." + parent) and LABEL.match(host[: -len(parent) - 1])
            for parent in self.subdomain_of
        )

    def parameters(self, where: Attribution) -> list[tuple[str, str]]:
        """Documented query parameters that carry ``where`` through checkout."""
        return []


LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")  # one DNS label, no dots
PROVIDERS: dict[str, Provider] = {}


def register(cls: type[Provider]) -> type[Provider]:
    PROVIDERS[cls.key] = cls()
    return cls


def _token(text: str, limit: int) -> str:
    """Letters, digits, ``-`` and ``_`` only (what Stripe accepts in these fields)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:limit]


@register
class Stripe(Provider):
    key, name = "stripe", "Stripe"
    hosts = ("buy.stripe.com",)
    path = re.compile(r"/(test_)?[A-Za-z0-9]+")
    example = "https://buy.stripe.com/4gw5kJ8aB0cD"
    # https://docs.stripe.com/payment-links : links made in test mode (a sandbox) start
    # with test_ and take only test cards.
    test_path = re.compile(r"/test_")

    def parameters(self, where: Attribution) -> list[tuple[str, str]]:
        # https://docs.stripe.com/payment-links/url-parameters : `client_reference_id`
        # (alphanumerics, - and _, up to 200 chars; returned on the Checkout Session) and
        # utm_source/utm_content/... (same characters, up to 150). Payment Links have no
        # `locale` parameter: the page follows the browser's language.
        return [
            ("client_reference_id", _token(f"{where.sku}_{where.edition}", 200)),
            ("utm_source", _token(where.site, 150)),
            ("utm_content", _token(where.edition, 150)),
        ]


@register
class Shopify(Provider):
    key, name = "shopify", "Shopify"
    subdomain_of = ("myshopify.com",)
    # https://help.shopify.com/en/manual/products/details/cart-permalink :
    # /cart/<variant id>:<quantity>[,<variant id>:<quantity>...]; ids are numbers, and
    # a quantity of 0 adds nothing (an empty cart).
    path = re.compile(r"/cart/[1-9]\d{0,19}:[1-9]\d{0,3}(,[1-9]\d{0,19}:[1-9]\d{0,3}){0,49}")
    example = "https://kernow.myshopify.com/cart/40123456789:1"

    def parameters(self, where: Attribution) -> list[tuple[str, str]]:
        # https://help.shopify.com/en/manual/products/details/cart-permalink ("Customize a
        # cart permalink"): cart attributes as `attributes[NAME]=value`, kept on the order.
        params = [("attributes[page]", where.page), ("attributes[lang]", where.lang)]
        return params + ([("attributes[market]", where.market)] if where.market else [])


@register
class Gumroad(Provider):
    # Gumroad documents no query parameters for passing data through a product link.
    key, name = "gumroad", "Gumroad"
    hosts = ("gumroad.com", "gum.co")
    subdomain_of = ("gumroad.com",)
    path = re.compile(r"/(l/)?[A-Za-z0-9_-]+")
    example = "https://kernow.gumroad.com/l/salt"


@register
class LemonSqueezy(Provider):
    key, name = "lemonsqueezy", "Lemon Squeezy"
    subdomain_of = ("lemonsqueezy.com",)
    # https://docs.lemonsqueezy.com/help/checkout/checkout-overview : a variant's share
    # link is https://<store>.lemonsqueezy.com/checkout/buy/<variant UUID>; test-mode
    # links have the same shape (nothing in the URL tells them apart).
    path = re.compile(r"/(checkout/)?buy/[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
    example = "https://kernow.lemonsqueezy.com/checkout/buy/8b6f0c2e-1c1e-4f7a-9d55-3b1b2f0d9e1a"

    def parameters(self, where: Attribution) -> list[tuple[str, str]]:
        # https://docs.lemonsqueezy.com/help/checkout/passing-custom-data :
        # `checkout[custom][KEY]=value`, returned in order webhooks under meta.custom_data.
        params = [("checkout[custom][page]", where.page), ("checkout[custom][lang]", where.lang)]
        return params + ([("checkout[custom][market]", where.market)] if where.market else [])


@register
class Paddle(Provider):
    # Paddle Classic pay links and Paddle Billing hosted checkouts; Paddle documents no
    # pass-through parameter for these links (custom data needs Paddle.js or the API).
    key, name = "paddle", "Paddle"
    hosts = ("buy.paddle.com", "sandbox-buy.paddle.com", "pay.paddle.io", "sandbox-pay.paddle.io")
    path = re.compile(r"/(product/[1-9]\d{0,11}|hsc_[A-Za-z0-9_]+)")
    example = "https://buy.paddle.com/product/12345"
    # https://developer.paddle.com/build/tools/sandbox : the sandbox has its own hosts.
    sandbox_hosts = ("sandbox-buy.paddle.com", "sandbox-pay.paddle.io")


@register
class PayPal(Provider):
    # PayPal payment links (no-code checkout) document no pass-through parameters.
    key, name = "paypal", "PayPal"
    hosts = ("www.paypal.com", "paypal.com", "www.sandbox.paypal.com", "paypal.me")
    # https://developer.paypal.com/tools/sandbox/ : sandbox payments go to sandbox.paypal.com
    sandbox_hosts = ("www.sandbox.paypal.com",)
    path = re.compile(
        r"/(ncp/payment/[A-Za-z0-9]+|paypalme/[A-Za-z0-9._-]+(/[0-9.]+)?"
        r"|[A-Za-z0-9._-]+(/[0-9.]+)?)"
    )
    example = "https://www.paypal.com/ncp/payment/ABC123"


def known() -> str:
    return ", ".join(PROVIDERS)


def validate_checkout(provider: str, url: object, extra_hosts: tuple[str, ...] = ()) -> str | None:
    """Why ``url`` is not a valid ``provider`` checkout link, or None when it is.

    ``extra_hosts`` are the seller's own checkout domains (``commerce.hosts`` in site.yaml),
    where any path is accepted.
    """
    spec = PROVIDERS.get(provider)
    if spec is None:
        return f"unknown checkout provider {provider!r} (known: {known()})"
    if not isinstance(url, str) or not url.strip():
        return f"the {spec.name} checkout must be a link like {spec.example}"
    if url != url.strip() or any(ord(c) < 33 or ord(c) == 127 for c in url):
        return "the checkout link contains spaces or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"the checkout link is not a valid URL ({exc})"
    if parts.scheme != "https":
        scheme = f"{parts.scheme}:" if parts.scheme else "a relative link"
        return f"checkout links must start with https:// ({scheme} is not allowed)"
    host = parts.hostname or ""
    if parts.username is not None or parts.password is not None or port not in (None, 443):
        return "the checkout link must not contain a user name, password or port"
    if not host.isascii() or host != parts.netloc.split(":")[0].lower():
        return f"{parts.netloc!r} is not a plain host name"
    if host in extra_hosts:
        return None
    if not spec.own_host(host):
        return f"{host} is not a {spec.name} checkout host (expected e.g. {spec.example})"
    if not spec.path.fullmatch(parts.path):
        return (
            f"{parts.path!r} is not the path of a {spec.name} checkout link (e.g. {spec.example})"
        )
    return None


# what `mmsite new product` writes (and sellers copy): never a link anyone can pay at
PLACEHOLDER = re.compile(r"replace[-_]?with|your[-_]?link|placeholder|xxxx", re.IGNORECASE)


def is_placeholder(url: str) -> bool:
    """A link ``mmsite new`` wrote for the seller to replace (or one like it)."""
    return bool(PLACEHOLDER.search(urlsplit(url).path))


def is_test_link(provider: str, url: str) -> bool:
    """A sandbox or test-mode link of ``provider`` (see each provider's docs)."""
    spec = PROVIDERS.get(provider)
    if spec is None:
        return False
    parts = urlsplit(url)
    return spec.sandbox(parts.hostname or "", parts.path)


def with_attribution(provider: str, url: str, where: Attribution) -> str:
    """``url`` plus the provider's documented parameters; the seller's own query
    parameters win over ours."""
    params = PROVIDERS[provider].parameters(where)
    if not params:
        return url
    parts = urlsplit(url)
    existing = parse_qsl(parts.query, keep_blank_values=True)
    taken = {key for key, _ in existing}
    extra = [(key, value) for key, value in params if key not in taken and value]
    if not extra:
        return url
    query = "&".join(q for q in (parts.query, urlencode(extra, safe="/")) if q)
    return urlunsplit(parts._replace(query=query))
