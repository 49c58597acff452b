"""The browser CMS: /admin/ written from the site, validated against Sveltia CMS's own
JSON schema (from its npm package in tests/browser/node_modules)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from helpers import REPO, build_site, parse_html
from mmsite.commands.cli import main
from mmsite.features.cms import INTEGRITY, SCRIPT, checkout_pattern
from mmsite.features.commerce.keys import PRODUCT_KEYS, VARIANT_KEYS
from mmsite.features.commerce.providers import PROVIDERS, validate_checkout

PACKAGE = REPO / "tests/browser/node_modules/@sveltia/cms"
CMS = "cms:\n  backend: {name: github, repo: kernow/site, branch: main}\n"
IN_CI = os.environ.get("CI", "").lower() == "true"


def package_file(rel: str) -> Path:
    path = PACKAGE / rel
    if not path.is_file():
        reason = f"no {path} (cd tests/browser && npm ci)"
        if IN_CI:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def cms_demo(tmp_path_factory: pytest.TempPathFactory, demo_copy: Callable[[Path], Path]):
    root = demo_copy(tmp_path_factory.mktemp("cms") / "demo")
    site_yaml = root / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + CMS, encoding="utf-8")
    build_site(root)
    return root


def config_of(root: Path) -> dict:
    return yaml.safe_load((root / "public/admin/config.yml").read_text(encoding="utf-8"))


def fields(collection: dict) -> dict[str, dict]:
    return {f["name"]: f for f in collection["fields"]}


def test_off_by_default(demo_built: Path) -> None:
    assert not (demo_built / "public/admin").exists()
    assert "/admin/" not in (demo_built / "public/_headers").read_text(encoding="utf-8")


def test_config_validates_against_the_cms_schema(cms_demo: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(package_file("schema/sveltia-cms.json").read_text(encoding="utf-8"))
    jsonschema.validate(config_of(cms_demo), schema)


def test_schema_rejects_a_broken_config(cms_demo: Path) -> None:
    """The validation is real: the same schema refuses a mistake."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(package_file("schema/sveltia-cms.json").read_text(encoding="utf-8"))
    broken = config_of(cms_demo)
    broken["collections"][0]["fields"][0]["widget"] = "no-such-widget"
    broken["i18n"]["structure"] = "one_file_per_moon"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_config_is_generated_from_the_site(cms_demo: Path) -> None:
    config = config_of(cms_demo)
    assert config["backend"] == {"name": "github", "repo": "kernow/site", "branch": "main"}
    assert config["i18n"] == {
        "structure": "multiple_files",
        "locales": ["en", "fr", "es", "ar", "de", "ja"],  # the demo's languages, in order
        "default_locale": "en",
        "omit_default_locale_from_filename": True,
    }
    collections = {c["name"]: c for c in config["collections"]}
    assert list(collections) == ["products", "series-micro-multinationals", "pages"]
    for collection in collections.values():
        assert (collection["media_folder"], collection["public_folder"]) == ("", "")
        assert collection["i18n"] is True
    product = fields(collections["products"])
    assert [f["name"] for f in product["price"]["fields"]] == ["EGP", "EUR", "GBP", "JPY", "USD"]
    assert product["price"]["i18n"] is False  # translations inherit prices
    assert product["title"]["i18n"] is True and product["body"]["i18n"] is True
    assert product["availability"]["options"] == [
        "in_stock", "out_of_stock", "preorder", "backorder",
    ]  # fmt: skip
    assert product["category"]["options"] == [
        {"label": "Pantry", "value": "pantry"},
        {"label": "Gifts", "value": "gifts"},
        {"label": "Kitchenware", "value": "kitchenware"},
    ]
    assert [f["name"] for f in product["checkout"]["fields"]] == list(PROVIDERS)
    assert {f["name"] for f in product["variants"]["fields"]} >= {"name", "sku", "price"}
    article = fields(collections["series-micro-multinationals"])
    assert collections["series-micro-multinationals"]["folder"] == (
        "content/series/micro-multinationals"
    )
    assert article["date"]["widget"] == "datetime" and article["date"]["type"] == "date"
    assert article["part"]["value_type"] == "int"
    assert {f["name"] for f in article["interviewee"]["fields"]} == {"name", "company", "country"}
    assert article["tags"]["widget"] == "list"
    assert collections["pages"]["folder"] == "content"
    home = fields(collections["pages"])
    assert {f["name"] for f in home["cta"]["fields"]} == {"label", "url"}
    assert home["cta"]["i18n"] is True and home["image"]["widget"] == "image"


def test_every_product_key_can_be_edited_in_the_cms(cms_demo: Path) -> None:
    """What front matter accepts on a product, the CMS has a field for (a variant's
    free-form ``options`` excepted): an editor never needs git for a product."""
    config = config_of(cms_demo)
    product = fields(next(c for c in config["collections"] if c["name"] == "products"))
    assert set(product) >= PRODUCT_KEYS
    variant = {f["name"] for f in product["variants"]["fields"]}
    assert variant >= VARIANT_KEYS - {"options"}
    assert product["tags"]["widget"] == "list" and product["tags"]["i18n"] is False
    assert product["sale_ends"]["widget"] == "datetime"
    assert {f["name"] for f in product["unit_price"]["fields"]} == {"measure", "per"}


def test_admin_page_is_pinned_noindex_and_not_in_the_sitemap(cms_demo: Path) -> None:
    doc = parse_html(cms_demo / "public/admin/index.html")
    scripts = doc.findall(".//script")
    assert len(scripts) == 1 and scripts[0].get("src") == SCRIPT
    assert re.search(r"@\d+\.\d+\.\d+/", SCRIPT)  # a pinned version
    assert scripts[0].get("integrity") == INTEGRITY
    assert scripts[0].get("crossorigin") == "anonymous"
    robots = [m.get("content") for m in doc.findall(".//meta") if m.get("name") == "robots"]
    assert robots == ["noindex, nofollow"]
    sitemap = ET.parse(cms_demo / "public/sitemap.xml").getroot()
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs and not [loc for loc in locs if "/admin" in loc]


def test_integrity_matches_the_npm_package() -> None:
    data = package_file("dist/sveltia-cms.js").read_bytes()
    digest = base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert f"sha384-{digest}" == INTEGRITY
    version = json.loads(package_file("package.json").read_text(encoding="utf-8"))["version"]
    assert f"@{version}/" in SCRIPT


def headers_rules(path: Path) -> dict[str, list[str]]:
    rules: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("/"):
            current = rules.setdefault(line, [])
        elif line.startswith("  ") and current is not None:
            current.append(line.strip())
    return rules


def test_headers_give_admin_its_own_policy(cms_demo: Path) -> None:
    rules = headers_rules(cms_demo / "public/_headers")
    admin = rules["/admin/*"]
    assert admin[0] == "! Content-Security-Policy"  # Cloudflare Pages: drop the site's
    csp = dict(d.strip().split(" ", 1) for d in admin[1].split(":", 1)[1].split(";") if d.strip())
    assert SCRIPT.rsplit("/", 2)[0] + "/" in csp["script-src"].split()
    assert "https://api.github.com" in csp["connect-src"].split()
    assert "X-Robots-Tag: noindex" in admin
    site_csp = [h for h in rules["/*"] if h.startswith("Content-Security-Policy")][0]
    assert "unpkg" not in site_csp  # the rest of the site keeps its policy


def test_bad_cms_section_is_a_clear_error(tmp_path: Path, capsys) -> None:
    from helpers import write_site

    root = write_site(
        tmp_path / "site",
        {"content/_index.md": "---\ntitle: Home\n---\n"},
        "title: T\nbase_url: https://t.example/\ndefault_language: en\n"
        "languages: {en: {locale: en_US}}\ncms:\n  backend: {name: bitbucket, repo: a/b}\n",
    )
    assert main(["build", "--site", str(root)]) == 1
    err = capsys.readouterr().err
    assert "site.yaml:6" in err and "cms.backend.name" in err and "github" in err


# -- checkout patterns agree with mmsite's own validation ----------------------

BAD = {
    "stripe": ["http://buy.stripe.com/abc", "https://buy.stripe.com.evil.com/abc"],
    "shopify": ["https://kernow.myshopify.com/products/x", "https://myshopify.com/cart/1:1"],
    "gumroad": ["https://gumroad.example/l/salt"],
    "lemonsqueezy": ["https://kernow.lemonsqueezy.com/pay/8b6f"],
    "paddle": ["https://buy.paddle.com/checkout/12"],
    "paypal": ["https://paypal.evil.com/ncp/payment/ABC"],
}


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_checkout_patterns_accept_examples_and_refuse_bad_links(provider: str) -> None:
    pattern = re.compile(checkout_pattern(provider))
    spec = PROVIDERS[provider]
    assert validate_checkout(provider, spec.example) is None
    assert pattern.search(spec.example)
    for url in BAD.get(provider, []):
        assert validate_checkout(provider, url) is not None
        assert not pattern.search(url), url


hosts = st.sampled_from(
    ["buy.stripe.com", "kernow.myshopify.com", "gumroad.com", "kernow.gumroad.com",
     "shop.lemonsqueezy.com", "buy.paddle.com", "www.paypal.com", "evil.com", "-x.myshopify.com"]
)  # fmt: skip
paths = st.sampled_from(
    ["/test_4gw5kJ", "/cart/1:2", "/cart/1:2,3:4", "/l/salt", "/salt", "/checkout/buy/ab-1",
     "/buy/x", "/product/12", "/hsc_ab", "/ncp/payment/AB1", "/me/5.0", "/", "/a b", ""]
)  # fmt: skip


@given(st.sampled_from(list(PROVIDERS)), st.sampled_from(["https", "http"]), hosts, paths)
def test_checkout_pattern_matches_validation(provider, scheme, host, path) -> None:
    url = f"{scheme}://{host}{path}"
    accepted = validate_checkout(provider, url) is None
    assert bool(re.search(checkout_pattern(provider), url)) == accepted, url
