"""`mmsite check` on sites with planted mistakes: the exact findings, and the exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import BASIC_CONFIG, build_site, page
from mmsite.commands.checks import all_checks, coverage, run_checks
from mmsite.commands.cli import main
from mmsite.engine.build import BuildOptions, load_site
from mmsite.errors import MmsiteError, Reporter
from mmsite.features.builtin import builtin_registry
from mmsite.features.checking import ERROR, NOTE, WARNING, Finding
from mmsite.features.registry import Check, Feature
from mmsite.features.translations.status import NOT_GIT

CONFIG = BASIC_CONFIG.replace("  ar: {locale: ar_EG}\n", "")  # English and French

PLANTED = {
    "content/_index.md": page(
        "Home",
        "[ok](about.md#main) [bad anchor](about.md#nope) [gone](/nope/) "
        "[outside](https://other.example/x) [mail](mailto:a@shop.example) "
        "[abs](https://shop.example/about/) [abs broken](https://shop.example/old/)\n\n"
        "![missing](/img/missing.png)",
    ),
    "content/_index.fr.md": page("Accueil", "[ok](about.md)"),
    "content/about.md": page("About", "[home](/)"),
    "content/about.fr.md": page("À propos", slug="a-propos"),
    "content/products/_index.md": page("Shop"),
    "content/products/_index.fr.md": page("Boutique"),
    "content/products/a.md": page("Salt", summary="Flaky salt."),
    "content/products/b.md": page("Salt", summary="Flaky salt."),
    "content/products/c.md": page("Pepper"),
    "content/products/c.fr.md": page("Poivre"),
}


def check(root: Path, **options) -> list[Finding]:
    site, _ = load_site(root, BuildOptions(**options), Reporter())
    return run_checks(site, root / "public")


def test_planted_mistakes_give_exact_findings(make_site) -> None:
    root = make_site(PLANTED, config=CONFIG)
    build_site(root)
    home = "content/_index.md"  # written in its Markdown: reported there, once
    findings = check(root)
    assert findings == [
        Finding(ERROR, "links", home, "broken link /nope/ (in index.html)"),
        Finding(ERROR, "links", home, "broken link https://shop.example/old/ (in index.html)"),
        Finding(ERROR, "links", home, "missing anchor #nope in about/#nope (in index.html)"),
        Finding(ERROR, "links", home, "missing image /img/missing.png (in index.html)"),
        Finding(
            WARNING,
            "duplicates",
            "en",
            "same description 'Flaky salt.' on /products/a/, /products/b/",
        ),
        Finding(
            WARNING,
            "duplicates",
            "en",
            "same title 'Salt · Test Shop' on /products/a/, /products/b/",
        ),
        Finding(NOTE, "outdated-translations", ".", NOT_GIT),  # tmp_path is not in git
        Finding(NOTE, "translations", "content/products/a.md", "no 'fr' translation"),
        Finding(NOTE, "translations", "content/products/b.md", "no 'fr' translation"),
    ]
    # lines in the Markdown file: the paragraph's links on line 4, the image on line 6
    assert [f.line for f in findings if f.check == "links"] == [4, 4, 4, 6]


def test_a_body_link_shown_on_several_pages_is_one_finding_at_its_source_line(
    make_site,
) -> None:
    files = {
        "content/_index.md": page("Home"),
        "content/_index.fr.md": page("Accueil"),
        # no French translation: fr/about/ shows the English body as a fallback
        "content/about.md": page("About", "First paragraph.\n\nSee\n[the old page](/old/)."),
    }
    root = make_site(files, config=CONFIG)
    build_site(root)
    [finding] = [f for f in check(root) if f.check == "links"]
    assert (finding.where, finding.line) == ("content/about.md", 7)
    assert finding.message == "broken link /old/ (in about/index.html and 1 more)"
    assert str(finding).startswith("error: content/about.md:7: broken link /old/")


def test_a_template_link_is_reported_in_the_output_file(make_site) -> None:
    layout = (
        '{% extends "base.html" %}{% block main %}\n{{ page.content }}\n'
        '<a href="/from-template/">x</a>{% endblock %}'
    )
    files = {"content/_index.md": page("Home"), "templates/page.html": layout}
    files["content/about.md"] = page("About", "[from the body](/from-body/)")
    root = make_site(files, config=CONFIG.replace("  fr: {locale: fr_FR}\n", ""))
    build_site(root)
    findings = sorted(str(f) for f in check(root) if f.check == "links")
    [template] = [f for f in findings if "/from-template/" in f]
    assert template.startswith("error: about/index.html (content/about.md):")
    assert "error: content/about.md:4: broken link /from-body/ (in about/index.html) [links]" in (
        findings
    )


def test_coverage_table(make_site) -> None:
    root = make_site(PLANTED, config=CONFIG)
    site, _ = load_site(root, BuildOptions(), Reporter())
    assert coverage(site).table().splitlines() == [
        "section        en       fr",
        "(root)        2/2      2/2",
        "products      4/4      2/4",
    ]


def test_clean_site_passes_and_cli_exit_codes(make_site, capsys) -> None:
    clean = {k: v for k, v in PLANTED.items() if not k.startswith("content/products/")}
    clean["content/_index.md"] = page("Home", "[ok](about.md#main)")
    root = make_site(clean, config=CONFIG)
    assert main(["check", "--site", str(root)]) == 1  # nothing built yet
    assert "run `mmsite build` first" in capsys.readouterr().err
    assert main(["check", "--build", "--site", str(root)]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out
    (root / "content/about.fr.md").unlink()
    # a missing translation is a note (the original is shown, marked) ...
    assert main(["check", "--build", "--strict", "--site", str(root)]) == 0
    assert "note: content/about.md: no 'fr' translation [translations]" in capsys.readouterr().out
    # ... and a warning in a language the site requires
    config = root / "site.yaml"
    config.write_text(config.read_text() + "translations: {required: [fr]}\n")
    assert main(["check", "--build", "--site", str(root)]) == 0  # warnings only
    assert main(["check", "--build", "--strict", "--site", str(root)]) == 1
    out = capsys.readouterr().out
    assert "warning: content/about.md: no 'fr' translation [translations]" in out
    (root / "content/about.md").write_text(page("About", "[x](/missing/)"))
    assert main(["check", "--build", "--site", str(root)]) == 1
    out = capsys.readouterr().out
    assert "error: content/about.md:4: broken link /missing/ (in about/index.html" in out


def test_base_url_with_a_path(make_site) -> None:
    root = make_site(
        {
            "content/_index.md": page("Home", "[up](/) [ok](/preview/about/)"),
            "content/about.md": page("About"),
        },
        config=CONFIG,
    )
    build_site(root, base_url="https://shop.example/preview/")
    findings = check(root, base_url="https://shop.example/preview/")
    # "/" is outside the preview deploy (the French home is a fallback copy of the English)
    assert [(f.where, f.message, f.line) for f in findings if f.level == ERROR] == [
        ("content/_index.md", "broken link / (in fr/index.html and 1 more)", 4),
    ]


def test_inline_script_and_style_break_the_csp(make_site) -> None:
    config = CONFIG + "markdown: {unsafe_html: true}\n"
    body = '<p style="color:red">x</p>\n\n<script>alert(1)</script>\n\n'
    body += '<script type="application/ld+json">{"@type": "Thing"}</script>\n'
    root = make_site(
        {"content/_index.md": page("Home", body), "content/_index.fr.md": page("Accueil")},
        config=config,
    )
    build_site(root)
    csp = [f for f in check(root) if f.check == "csp"]
    assert sorted(f.message.split(" is blocked")[0] for f in csp) == [
        "inline <script>",
        "style attribute on <p>",
    ]


def test_the_default_theme_satisfies_its_csp(make_site) -> None:
    root = make_site(
        PLANTED,
        config=CONFIG.replace("title: Test Shop", "title: T")
        + "default_language_in_subdir: true\n",
    )
    build_site(root)
    assert [f for f in check(root) if f.check in ("csp", "sitemap")] == []


def test_checks_are_a_registry(make_site) -> None:
    """A feature's checks run with the core ones (a site's own feature here)."""

    def stock(ctx):
        yield Finding(ERROR, "stock", "content/products/a.md", "no stock level")

    registry = builtin_registry(Feature("stock", checks=(Check("stock", stock),)))
    root = make_site(PLANTED, config=CONFIG)
    build_site(root, registry=registry)
    site, _ = load_site(root, BuildOptions(registry=registry), Reporter())
    findings = run_checks(site, root / "public")
    assert Finding(ERROR, "stock", "content/products/a.md", "no stock level") in findings
    assert {"links", "sitemap", "csp", "prices", "checkout", "alt"} <= {
        f.check for f in check(root)
    } | {name for name in all_checks(site)}
    with pytest.raises(MmsiteError, match="unknown check 'nope'"):
        run_checks(site, root / "public", ["nope"])


def test_products_without_a_price_for_a_market_are_reported(make_site) -> None:
    config = CONFIG + "markets:\n  us: {currency: USD, languages: [en]}\n"
    config += "  eu: {currency: EUR, languages: [fr]}\ncommerce: {missing_price: hide}\n"
    stripe = "{stripe: 'https://buy.stripe.com/4gw5kJx'}"
    products = {
        "content/_index.md": page("Home"),
        "content/_index.fr.md": page("Accueil"),
        "content/products/_index.md": page("Shop"),
        "content/products/_index.fr.md": page("Boutique"),
        "content/products/ok.md": page(
            "Ok", sku="OK-1", price="{USD: 12.00, EUR: 11.50}", checkout=stripe
        ),
        "content/products/ok.fr.md": page("Ok fr"),
        "content/products/no-eur.md": page(
            "No EUR", sku="NE-1", price="{USD: 12.00}", checkout=stripe
        ),
        "content/products/no-eur.fr.md": page("Pas d'euros"),
        "content/products/variants.md": page(
            "Variants",
            sku="V-1",
            checkout=stripe,
            variants="[{name: S, sku: V-S, price: {USD: 1, EUR: 1}}, "
            "{name: L, sku: V-L, price: {USD: 2}}]",
        ),
        "content/products/variants.fr.md": page("Variantes"),
    }
    root = make_site(products, config=config)
    build_site(root)
    site, _ = load_site(root, BuildOptions(), Reporter())
    findings = [f for f in run_checks(site, root / "public") if f.check in ("prices", "checkout")]
    no_eur = "no price in EUR for market eu"
    assert findings == [
        Finding(WARNING, "prices", "content/products/no-eur.md", f"{no_eur} (sku NE-1)"),
        Finding(WARNING, "prices", "content/products/variants.md", f"{no_eur} (sku V-L)"),
    ]


def test_check_refuses_a_bad_checkout_link_with_the_file(make_site, capsys) -> None:
    config = CONFIG + "markets:\n  us: {currency: USD, languages: [en]}\n"
    bad = "{paypal: 'http://paypal.example/x'}"
    root = make_site(
        {
            "content/_index.md": page("Home"),
            "content/products/bad.md": page("Bad", sku="B-1", price="{USD: 1.00}", checkout=bad),
        },
        config=config,
    )
    assert main(["check", "--site", str(root), "--build"]) == 1
    err = capsys.readouterr().err
    assert "content/products/bad.md" in err and "paypal" in err


def test_required_translations_name_a_known_language(make_site, capsys) -> None:
    root = make_site({"content/_index.md": page("Home")}, config=CONFIG)
    config = root / "site.yaml"
    config.write_text(config.read_text() + "translations: {required: [fx]}\n")
    assert main(["build", "--site", str(root)]) == 1
    err = capsys.readouterr().err
    line = config.read_text().splitlines().index("translations: {required: [fx]}") + 1
    assert f"site.yaml:{line}" in err
    assert "translations.required: 'fx' is not one of the languages (en, fr)" in err
    assert "did you mean 'fr'?" in err
