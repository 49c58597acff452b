"""UI strings shipped with the default theme: every language has every key of en.yaml and
every plural category CLDR requires; a site picks the file its locale names; missing
strings are one line per language in the build and a finding in ``mmsite check``."""

from __future__ import annotations

import string

import pytest
import yaml
from babel import Locale

from helpers import BASIC_CONFIG, REPO, build_site, parse_html, text_of
from mmsite.commands.checks import run_checks
from mmsite.engine.build import BuildOptions, load_site
from mmsite.errors import Reporter

THEME_I18N = REPO / "themes/default/i18n"
# the languages the theme promises (issue: at least these thirty, plus en, fr, es)
PROMISED = [
    "de",
    "it",
    "nl",
    "pt",
    "pt-br",
    "pl",
    "cs",
    "sk",
    "hu",
    "ro",
    "el",
    "tr",
    "ru",
    "uk",
    "sv",
    "da",
    "nb",
    "fi",
    "he",
    "fa",
    "ar",
    "hi",
    "id",
    "ms",
    "th",
    "vi",
    "ja",
    "ko",
    "zh-hans",
    "zh-hant",
    "en",
    "fr",
    "es",
]
# file name -> the CLDR locale whose plural rules it must cover
LOCALES = {"pt-br": "pt_BR", "zh-hans": "zh_Hans", "zh-hant": "zh_Hant"}


def _load(name: str) -> dict:
    return yaml.safe_load((THEME_I18N / f"{name}.yaml").read_text(encoding="utf-8"))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_theme_ships_every_promised_language() -> None:
    shipped = {path.stem for path in THEME_I18N.glob("*.yaml")}
    assert set(PROMISED) <= shipped


@pytest.mark.parametrize("name", sorted(p.stem for p in THEME_I18N.glob("*.yaml")))
def test_every_file_has_every_key_and_plural_category(name: str) -> None:
    english = _load("en")
    table = _load(name)
    assert sorted(set(english) - set(table)) == [], "keys missing"
    assert sorted(set(table) - set(english)) == [], "keys en.yaml does not have"
    needed = set(Locale.parse(LOCALES.get(name, name)).plural_form.tags) | {"other"}
    for key, value in table.items():
        if isinstance(english[key], dict):
            assert isinstance(value, dict), f"{key}: needs plural forms"
            assert set(value) == needed, f"{key}: plural categories"
            texts = list(value.values())
            allowed = set().union(*map(_fields, english[key].values())) | {"count"}
        else:
            assert isinstance(value, str), key
            texts = [value]
            allowed = _fields(english[key])
            assert _fields(value) == allowed, f"{key}: placeholders"
        for text in texts:
            assert text.strip(), f"{key}: empty"
            assert _fields(text) <= allowed, f"{key}: unknown placeholder"


SITE = BASIC_CONFIG.replace(
    "  fr: {locale: fr_FR}\n  ar: {locale: ar_EG}\n",
    "  ja: {locale: ja_JP}\n  pt: {locale: pt_BR}\n  zh: {locale: zh_TW}\n  de: {locale: de_DE}\n",
)


def _page(title: str) -> str:
    return f"---\ntitle: {title}\n---\nText.\n"


def test_a_site_in_new_languages_builds_without_warnings(make_site) -> None:
    files = {"content/_index.md": _page("Home"), "content/about.md": _page("About")}
    for lang in ("ja", "pt", "zh", "de"):
        files[f"content/about.{lang}.md"] = _page(f"About {lang}")
    root = make_site(files, SITE)
    result = build_site(root)
    assert result.warnings == []

    def skip_link(lang: str) -> str:
        doc = parse_html(root / f"public/{lang}/about/index.html")
        return text_of(next(a for a in doc.iter("a") if a.get("href") == "#main"))

    assert skip_link("ja") == "本文へ移動"
    assert skip_link("pt") == "Pular para o conteúdo"  # pt_BR reads pt-br.yaml, not pt.yaml
    assert skip_link("zh") == "跳至正文"  # zh_TW: Traditional
    assert skip_link("de") == "Zum Inhalt springen"


def test_missing_strings_are_one_line_per_language_and_a_check_finding(make_site) -> None:
    config = SITE + "  sw: {locale: sw_KE}\n  yo: {locale: yo_NG}\n"
    files = {"content/_index.md": _page("Home"), "content/about.sw.md": _page("Kuhusu")}
    files["i18n/yo.yaml"] = "skip_to_content: Fo si akoonu\n"
    root = make_site(files, config)
    result = build_site(root)
    english = len(_load("en"))
    assert sorted(result.warnings) == sorted(
        [
            w
            for w in result.warnings
            if w.startswith(f"{english} UI string(s) missing in 'sw': ")
            or w.startswith(f"{english - 1} UI string(s) missing in 'yo': ")
        ]
    )
    assert len(result.warnings) == 2
    site, _theme = load_site(root, BuildOptions(), Reporter())
    findings = [f for f in run_checks(site, root / "public") if f.check == "ui-strings"]
    assert [(f.where, f.level) for f in findings] == [
        ("i18n/sw.yaml", "warning"),
        ("i18n/yo.yaml", "warning"),
    ]
    assert "skip_to_content" in findings[0].message
    assert "skip_to_content" not in findings[1].message
