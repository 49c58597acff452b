"""A browser CMS for editors: with ``cms:`` in site.yaml the build writes ``/admin/``
(``index.html`` and ``config.yml``) for Sveltia CMS, a Git-based CMS that commits to the
site's repository.

Why Sveltia CMS rather than Decap CMS (whose configuration format it shares): its
internationalisation matches mmsite's files as they are (``structure: multiple_files``
with ``omit_default_locale_from_filename``: ``about.md`` + ``about.fr.md``; fields a
translation does not write stay in the default-language file only, as mmsite inherits
them), it reads Hugo-style ``_index.md`` folders, it ships the JSON schema of its
configuration in its npm package (tests validate the generated file against it), it has
a ``test-repo`` backend for the browser test, and it is one script, loaded from a
pinned version with Subresource Integrity.

The configuration is generated from the site: its languages, the market currencies
(one price field each), availability values, ``commerce.categories``, checkout links
with the patterns mmsite itself accepts (:mod:`mmsite.features.commerce.providers`), one
collection per series, and the plain pages. Images go beside the page (what mmsite reads
as a page's resources). ``/admin/`` is ``noindex``, has no route (so no sitemap entry)
and gets its own Content-Security-Policy in ``_headers`` (the site's ``script-src
'self'`` would block the CMS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import yaml

from mmsite.config.options import ConfigSection, SectionContext, mapping, only, string
from mmsite.content.model import ContentModel
from mmsite.features.commerce.options import commerce_options
from mmsite.features.commerce.product import AVAILABILITY
from mmsite.features.commerce.providers import PROVIDERS
from mmsite.features.registry import Feature, Output

if TYPE_CHECKING:
    from mmsite.config.options import Config
    from mmsite.features.site import StepContext as Build

VERSION = "0.221.1"
SCRIPT = f"https://unpkg.com/@sveltia/cms@{VERSION}/dist/sveltia-cms.js"
# sha384 of the npm package's dist/sveltia-cms.js (tests/test_cms.py checks it against
# the package installed in tests/browser/node_modules)
INTEGRITY = "sha384-JQ+XsKx/UzwdTiNnFStza3XtqqQoVtyNPApkfvwlzZDfhe7giE9CnfQrpHqgv3k6"
ADMIN = "admin"
BACKENDS = ("github", "gitlab", "gitea", "test-repo")
BACKEND_KEYS = {"name", "repo", "branch", "base_url", "auth_endpoint", "api_root", "site_domain"}
LABELS = {
    "sku": "SKU",
    "image_alt": "Image alt text",
    "slug": "URL segment (slug)",
    "gtin": "GTIN",
    "mpn": "MPN",
    "cta": "Call to action",
    "url": "URL",
}
GTIN = "^([0-9]{8}|[0-9]{12,14})$"
REPO = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$")
# the CMS's interface fonts, and where it looks for a newer version of itself
FONTS = "https://cdn.jsdelivr.net/fontsource/fonts/"
UPDATES = "https://unpkg.com/@sveltia/cms/package.json"
# what the CMS itself needs beyond the site's own files, per backend
CONNECT = {
    "github": "https://api.github.com https://www.githubstatus.com",
    "gitlab": "https://gitlab.com",
    "gitea": "",
    "test-repo": "",
}
IMAGES = {
    "github": "https://avatars.githubusercontent.com https://raw.githubusercontent.com",
    "gitlab": "https://gitlab.com https://secure.gravatar.com",
    "gitea": "",
    "test-repo": "",
}


@dataclass(frozen=True)
class CmsOptions:
    """The ``cms:`` section: the Git backend the CMS commits through."""

    backend: dict[str, str]

    @property
    def csp(self) -> str:
        """The Content-Security-Policy of ``/admin/``."""
        name = self.backend["name"]
        api = " ".join(
            f"{m.group(0)}" for k in ("base_url", "api_root")
            if (m := re.match(r"https://[^/]+", self.backend.get(k, "")))
        )  # fmt: skip
        script = SCRIPT.rsplit("/", 2)[0] + "/"
        return (
            f"default-src 'self'; script-src 'self' {script}; "
            f"style-src 'self' 'unsafe-inline'; font-src 'self' data: {FONTS}; "
            f"img-src 'self' data: blob: https:; media-src 'self' blob:; "
            f"connect-src 'self' blob: data: {script} {UPDATES} {CONNECT[name]} {api}".rstrip()
            + "; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
        ).replace("  ", " ")

    @property
    def path_headers(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Header rules for ``_headers`` (see :func:`mmsite.features.hosting.write_headers`)."""
        return [
            (
                f"/{ADMIN}/*",
                [
                    ("! Content-Security-Policy", ""),  # Cloudflare Pages: drop the site's
                    ("Content-Security-Policy", self.csp),
                    ("X-Robots-Tag", "noindex"),
                ],
            )
        ]


def parse_cms(value: Any, ctx: SectionContext) -> CmsOptions | None:
    if value is None:
        return None
    keys = ("cms",)
    data = mapping(value, keys, ctx.lines)
    only(data, {"backend"}, keys, ctx.lines)
    where = (*keys, "backend")
    backend = mapping(data.get("backend"), where, ctx.lines)
    if not backend:
        raise ctx.lines.error(
            where, "is required", hint="e.g. backend: {name: github, repo: you/your-site}"
        )
    only(backend, BACKEND_KEYS, where, ctx.lines)
    name = string(backend.get("name"), (*where, "name"), ctx.lines)
    if name not in BACKENDS:
        raise ctx.lines.error((*where, "name"), f"{name!r} is not one of {', '.join(BACKENDS)}")
    options = {key: string(v, (*where, key), ctx.lines) for key, v in backend.items()}
    if name != "test-repo" and not REPO.match(options.get("repo", "")):
        raise ctx.lines.error((*where, "repo"), "must name the repository: owner/name")
    for key in ("base_url", "auth_endpoint", "api_root"):
        if key in options and key != "auth_endpoint" and not options[key].startswith("https://"):
            raise ctx.lines.error((*where, key), "must be an https:// URL")
    return CmsOptions(options)


def cms_options(config: Config) -> CmsOptions | None:
    return config.section("cms")


# -- config.yml --------------------------------------------------------------


def _field(name: str, widget: str, i18n: bool | str = False, **more: Any) -> dict[str, Any]:
    label = LABELS.get(name) or (name if name.isupper() else name.replace("_", " ").capitalize())
    field = {"name": name, "label": label, "widget": widget}
    field.update(more)
    field["i18n"] = i18n
    return field


def _text(name: str, required: bool = False) -> dict[str, Any]:
    return _field(name, "string", True, required=required)


def _body() -> dict[str, Any]:
    return _field("body", "markdown", True, required=False)


def _date(name: str, required: bool = False) -> dict[str, Any]:
    return _field(name, "datetime", type="date", format="YYYY-MM-DD", required=required)


def _common(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    slug = _field("slug", "string", True, required=False, hint="translated URL segment")
    return [*fields, slug, _field("draft", "boolean", required=False, default=False), _body()]


def checkout_pattern(provider: str, extra_hosts: tuple[str, ...] = ()) -> str:
    """A regular expression (JavaScript and Python) for a provider's checkout links, as
    :func:`~mmsite.features.commerce.providers.validate_checkout` accepts them."""
    spec = PROVIDERS[provider]
    own = [re.escape(h) for h in spec.hosts]
    own += [r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\." + re.escape(p) for p in spec.subdomain_of]
    extra = "|".join(re.escape(h) for h in extra_hosts)
    tail = r"([?#][^\s]*)?$"
    pattern = f"^https://({'|'.join(own)})({spec.path.pattern}){tail}"
    return pattern + (f"|^https://({extra})(/[^\\s]*)?$" if extra else "")


def _prices(config: Config, name: str = "price", **more: Any) -> dict[str, Any]:
    currencies = sorted({m.currency for m in config.markets.values()})
    fields = [
        _field(c, "number", value_type="float", min=0, step=0.01, required=False)
        for c in currencies
    ]
    return _field(name, "object", fields=fields, required=False, **more)


def _unit_price() -> dict[str, Any]:
    fields = [_field("measure", "string"), _field("per", "string")]
    hint = "e.g. measure 250 g, per 100 g: the price per 100 g is shown (EU unit pricing)"
    return _field("unit_price", "object", fields=fields, required=False, hint=hint)


def product_fields(config: Config) -> list[dict[str, Any]]:
    commerce = commerce_options(config)
    default = config.default_language
    checkout = [
        _field(
            key, "string", required=False,
            pattern=[checkout_pattern(key, commerce.hosts.get(key, ())),
                     f"a {spec.name} checkout link, https:// only (e.g. {spec.example})"],
        )
        for key, spec in PROVIDERS.items()
    ]  # fmt: skip
    if commerce.categories:
        options = [
            {"label": names.get(default) or key, "value": key}
            for key, names in commerce.categories.items()
        ]
        category = _field("category", "select", options=options, required=False)
    else:
        category = _field("category", "string", required=False)
    variant = [  # each variant's own `options:` are written in the file (free-form)
        _field("name", "string"),
        _field("sku", "string", required=False),
        _prices(config),
        _field("image", "image", required=False),
        _field("checkout", "object", fields=checkout, required=False),
        _prices(config, "compare_at", hint="the was-price while a sale runs"),
        _field("availability", "select", options=list(AVAILABILITY), required=False),
        _unit_price(),
    ]
    markets = [{"label": k, "value": k} for k in config.markets]
    return _common(
        [
            _text("title", required=True),
            _field("sku", "string", required=False),
            _text("summary"),
            _prices(config),
            _field("availability", "select", options=list(AVAILABILITY), default="in_stock"),
            _date("availability_date"),
            category,
            _field("images", "image", multiple=True, required=False),
            _text("image_alt"),
            _field("checkout", "object", fields=checkout, required=False),
            _field("variants", "list", fields=variant, required=False),
            _field("markets", "select", options=markets, multiple=True, required=False),
            _field("featured", "boolean", required=False, default=False),
            _field("tags", "list", required=False, hint="products sharing tags are related"),
            _prices(config, "compare_at", hint="the was-price: shown struck through"),
            _date("sale_ends"),
            _unit_price(),
            _field("brand", "string", required=False),
            _field("gtin", "string", required=False, pattern=[GTIN, "8, 12, 13 or 14 digits"]),
            _field("mpn", "string", required=False),
            _field("free", "boolean", required=False, default=False, hint="a price of 0 is meant"),
        ]
    )


def article_fields() -> list[dict[str, Any]]:
    interviewee = [
        _field("name", "string"),
        _field("company", "string", required=False),
        _field("country", "string", required=False, pattern=["^[A-Z]{2}$", "e.g. AU"]),
    ]
    return _common(
        [
            _text("title", required=True),
            _date("date", required=True),
            _field("part", "number", value_type="int", min=1, required=False),
            _field("author", "string", required=False),
            _field("interviewee", "object", fields=interviewee, required=False),
            _field("tags", "list", required=False),
            _text("summary"),
            _field("image", "image", required=False),
            _text("image_alt"),
        ]
    )


def page_fields() -> list[dict[str, Any]]:
    menu = [{"label": "main", "value": "main"}, {"label": "footer", "value": "footer"}]
    return _common(
        [
            _text("title", required=True),
            _text("summary"),
            _field("menu", "select", options=menu, required=False),
            _field("weight", "number", value_type="int", required=False),
            _field("image", "image", required=False),
            _text("image_alt"),
            _cta(),
        ]
    )


def _cta() -> dict[str, Any]:
    """The home page's call to action: its label per language, one link for all."""
    fields = [
        _text("label", required=True),
        _field("url", "string", "duplicate", hint="a page's file (products/_index.md) or https://"),
    ]
    return _field("cta", "object", True, fields=fields, required=False, hint="home page only")


def _collection(name: str, label: str, folder: str, fields: list[Any]) -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "folder": folder,
        "extension": "md",
        "format": "frontmatter",
        "create": True,
        "i18n": True,
        "media_folder": "",  # beside the page: the page's resources
        "public_folder": "",
        "fields": fields,
    }


def series_folders(model: ContentModel) -> list[tuple[str, str]]:
    """(folder name, title) of every series: ``content/series/<name>/_index.md``."""
    found = []
    for group in model.groups.values():
        page = group.default
        parts = page.rel.parts
        if not page.virtual and len(parts) == 3 and parts[0] == "series" and page.is_index:
            found.append((parts[1], str(page.doc.meta.get("title") or parts[1])))
    return sorted(found)


def cms_config(config: Config, model: ContentModel, options: CmsOptions) -> dict[str, Any]:
    languages = list(config.languages)
    collections = [_collection("products", "Products", "content/products", product_fields(config))]
    for name, title in series_folders(model):
        folder = PurePosixPath("content/series") / name
        collections.append(_collection(f"series-{name}", title, str(folder), article_fields()))
    collections.append(_collection("pages", "Pages", "content", page_fields()))
    return {
        "backend": dict(options.backend),
        "site_url": config.base_url,
        "media_folder": "static/uploads",
        "public_folder": "/uploads",
        "i18n": {
            "structure": "multiple_files",
            "locales": languages,
            "default_locale": config.default_language,
            "omit_default_locale_from_filename": True,
        },
        "collections": collections,
    }


def admin_page(config: Config) -> str:
    title = escape(f"Content · {config.title}")
    return (
        f'<!doctype html>\n<html lang="{escape(config.default.bcp47)}">\n<head>\n'
        '<meta charset="utf-8">\n<meta name="robots" content="noindex, nofollow">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n"
        '<link href="config.yml" type="application/yaml" rel="cms-config-url">\n'
        "</head>\n<body>\n"
        f'<script src="{SCRIPT}" integrity="{INTEGRITY}" crossorigin="anonymous"></script>\n'
        "</body>\n</html>\n"
    )


def write_cms(build: Build) -> None:
    options = cms_options(build.config)
    if options is None:
        return
    data = cms_config(build.config, build.site.model, options)
    text = "# Written by mmsite from site.yaml and content/ (docs/cms.md)\n"
    text += yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    build.out.write(f"{ADMIN}/config.yml", text)
    build.out.write(f"{ADMIN}/index.html", admin_page(build.config))


FEATURE = Feature(
    "cms",
    config=(ConfigSection("cms", parse_cms),),
    outputs=(Output("cms", write_cms),),
)
