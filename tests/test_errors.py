"""Every user mistake: a clear `path:line: message`, exit 1, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO, build_site, page
from mmsite.commands.cli import main
from mmsite.errors import MmsiteError


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "mmsite", "build", "--site", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def error_of(root: Path) -> str:
    with pytest.raises(MmsiteError) as info:
        build_site(root)
    return str(info.value)


HOME = {"content/_index.md": page("Home")}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            "title: T\nbase_url: https://x.example/\nlanguages: {en: {}}\ncolour: red\n",
            "site.yaml:4: colour: unknown key",
        ),
        (
            "title: T\nbase_url: https://x.example/\nlanguages:\n  en: {}\n  xx-!!: {}\n",
            "site.yaml:5: languages.xx-!!: 'xx-!!' is not a language code",
        ),
        (
            "title: T\nbase_url: https://x.example/\nlanguages:\n  en: {}\n  fr: {locale: zz_ZZ}\n",
            "site.yaml:5: languages.fr.locale: 'zz_ZZ' is not a locale Babel knows",
        ),
        (
            "title: T\nbase_url: https://x.example/\ndefault_language: de\nlanguages: {en: {}}\n",
            "site.yaml:3: default_language: 'de' is not in languages",
        ),
        (
            "title: T\nbase_url: /shop/\nlanguages: {en: {}}\n",
            "site.yaml:2: base_url: '/shop/' is not an absolute URL",
        ),
        (
            "title: T\nbase_url: https://x.example/\nlanguages: {en: {}}\nmarkets:\n"
            "  us: {currency: USX, languages: [en]}\n",
            "markets.us.currency: 'USX' is not an ISO 4217 currency code",
        ),
        (
            "title: T\nbase_url: https://x.example/\nlanguages: {en: {}}\nmarkets:\n"
            "  us: {currency: USD, languages: [de]}\n",
            "markets.us.languages: 'de' is not one of the site's languages",
        ),
        (
            "title: T\nbase_url: https://x.example/\nlanguages: {en: {}}\nmarkdown: {raw: 1}\n",
            "markdown.raw: unknown key",
        ),
        ("title: [oops\n", "site.yaml:1: invalid YAML"),  # where the [ opens
        (
            "title: T\ntitle: U\nbase_url: https://x.example/\nlanguages: {en: {}}\n",
            "duplicate key 'title'",
        ),
    ],
)
def test_config_errors_name_the_key(make_site, config: str, expected: str) -> None:
    root = make_site(HOME, config=config)
    assert expected in error_of(root)


def test_bad_front_matter_yaml_reports_the_line_in_the_file(make_site) -> None:
    root = make_site(
        HOME | {"content/about.md": "---\ntitle: About\nsummary: [unclosed\n---\nBody\n"}
    )
    text = error_of(root)
    assert "content/about.md:3: invalid YAML" in text  # the line with the [


def test_missing_title(make_site) -> None:
    root = make_site(HOME | {"content/about.md": "---\nsummary: x\n---\nBody\n"})
    assert "content/about.md:1: missing title" in error_of(root)


def test_unknown_language_suffix(make_site) -> None:
    root = make_site(HOME | {"content/about.de.md": page("Über uns")})
    text = error_of(root)
    assert "about.de.md: unknown language suffix .de.md" in text
    assert "add 'de' to languages" in text


def test_a_dotted_name_that_is_no_language_is_a_plain_name(make_site) -> None:
    root = make_site(HOME | {"content/v1.final.md": page("Final")})
    build_site(root)
    assert (root / "public/v1.final/index.html").is_file()


def test_duplicate_translation(make_site) -> None:
    root = make_site(
        HOME
        | {
            "content/a.fr.md": page("A", translation_key="k"),
            "content/b.fr.md": page("B", translation_key="k"),
            "content/b.md": page("B", translation_key="k"),
        }
    )
    text = error_of(root)
    assert "b.fr.md: two 'fr' versions of one page: this file and content/a.fr.md" in text


def test_several_errors_are_reported_together(make_site) -> None:
    root = make_site(
        HOME
        | {
            "content/a.md": "---\nsummary: x\n---\n",
            "content/b.md": "---\ntitle: [\n---\n",
            "content/c.md": page("C", date="'next tuesday'"),
        }
    )
    text = error_of(root)
    assert "content/a.md:1: missing title" in text
    assert "content/b.md:2: invalid YAML" in text  # the line with the [
    assert "content/c.md:3: date must be a date like 2026-03-14" in text


@pytest.mark.parametrize("slug", ["../../etc", "..", "a/b", ".hidden", "x\\y"])
def test_path_traversal_in_slugs_is_rejected(make_site, slug: str) -> None:
    root = make_site(HOME | {"content/evil.md": page("Evil", slug=repr(slug))})
    text = error_of(root)
    assert "content/evil.md:3:" in text and "cannot be used in a URL" in text
    assert not (root.parent / "etc").exists()


def test_javascript_link_in_markdown_is_not_a_link(make_site) -> None:
    root = make_site(HOME | {"content/a.md": page("A", "[click](javascript:alert(1))")})
    build_site(root)
    html = (root / "public/a/index.html").read_text()
    assert 'href="javascript' not in html


def test_link_to_missing_page_names_file_and_line(make_site) -> None:
    root = make_site(HOME | {"content/a.md": page("A", "Intro\n\nSee [b](missing.md).")})
    assert "content/a.md:6: link to 'missing.md': no such page" in error_of(root)


def test_cli_prints_path_line_message_without_traceback(make_site) -> None:
    root = make_site(HOME | {"content/about.md": "---\ntitle: [x\n---\n"})
    result = run_cli(root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "content/about.md:2: invalid YAML" in result.stderr
    verbose = run_cli(root, "--verbose")
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr


def test_cli_without_site_yaml(tmp_path: Path, capsys) -> None:
    assert main(["build", "--site", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "no site.yaml here" in err and "Traceback" not in err
