"""Mistakes said plainly, once: YAML errors on the right line with a hint, quoted and
impossible dates, a missing seo.image as one error naming site.yaml, unknown site.yaml
keys with the nearest known one, a template syntax error as one line."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import build_site, page, parse_html, write_site
from mmsite.commands.cli import main
from mmsite.config.yamlutil import load_yaml
from mmsite.errors import BuildErrors, MmsiteError

CONFIG = """\
title: Shop
base_url: https://shop.example/
default_language: en
languages: {en: {locale: en_US}}
"""


def errors_of(root: Path) -> list[str]:
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    error = caught.value
    return [str(e) for e in error.errors] if isinstance(error, BuildErrors) else [str(error)]


def test_an_unclosed_bracket_in_site_yaml_is_reported_on_its_own_line(tmp_path: Path) -> None:
    config = CONFIG + "seo:\n  twitter: '@shop'\nseo_extra: [one, two\n"  # line 7
    root = write_site(tmp_path / "site", {"content/_index.md": page("Home")}, config)
    [error] = errors_of(root)
    assert "site.yaml:7: invalid YAML: the [ opened here is not closed" in error
    assert "hint: add the ]" in error


def test_front_matter_yaml_errors_carry_the_line_and_a_hint(tmp_path: Path) -> None:
    files = {
        "content/_index.md": page("Home"),
        "content/colon.md": "---\ntitle: Salt: the story\n---\nText.\n",
        "content/quote.md": "---\ntitle: 'Salt\nsummary: x\n---\nText.\n",
    }
    errors = errors_of(write_site(tmp_path / "site", files, CONFIG))
    [colon] = [e for e in errors if "colon.md" in e]
    assert "colon.md:2: invalid YAML" in colon and "must be in quotes" in colon
    [quote] = [e for e in errors if "quote.md" in e]
    assert "quote.md:2: invalid YAML: the quote opened here is not closed" in quote


def test_an_i18n_file_error_names_its_line(tmp_path: Path) -> None:
    files = {"content/_index.md": page("Home"), "i18n/en.yaml": "read_more: More\nx: {a\n"}
    [error] = errors_of(write_site(tmp_path / "site", files, CONFIG))
    assert "en.yaml:2: invalid YAML: the { opened here is not closed" in error


def test_quoted_iso_dates_are_dates(tmp_path: Path) -> None:
    files = {
        "content/_index.md": page("Home"),
        "content/news.md": page("News", "Text.", date='"2026-03-14"', updated="'2026-03-20'"),
    }
    root = write_site(tmp_path / "site", files, CONFIG)
    build_site(root)
    doc = parse_html(root / "public/news/index.html")
    times = [t.get("datetime") for t in doc.iter("time")]
    assert "2026-03-14" in times, times


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("2026-02-30", "February has 28 days in 2026"),
        ('"2028-02-30"', "February has 29 days in 2028"),
        ("'2026-13-01'", "there is no month 13"),
    ],
)
def test_an_impossible_date_says_why_without_calling_it_yaml(
    tmp_path: Path, value: str, why: str
) -> None:
    files = {"content/_index.md": page("Home"), "content/news.md": page("News", date=value)}
    [error] = errors_of(write_site(tmp_path / "site", files, CONFIG))
    assert "content/news.md:3: " in error and "is not a real date" in error and why in error
    assert "YAML" not in error


def test_a_missing_seo_image_is_one_error_naming_site_yaml(tmp_path: Path) -> None:
    files = {f"content/p{n}.md": page(f"P{n}") for n in range(5)}
    files["content/_index.md"] = page("Home")
    root = write_site(tmp_path / "site", files, CONFIG + "seo:\n  image: share.jpg\n")
    [error] = errors_of(root)
    assert "site.yaml:6: seo.image: 'share.jpg' is not a file of static/ or content/" in error
    (root / "static").mkdir()
    (root / "static/share.jpg").write_bytes(b"\xff\xd8\xff\xe0 not checked here")
    build_site(root)
    doc = parse_html(root / "public/p1/index.html")
    [og] = [m for m in doc.iter("meta") if m.get("property") == "og:image"]
    assert og.get("content") == "https://shop.example/share.jpg"


def test_an_unknown_site_yaml_key_suggests_the_nearest(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {"content/_index.md": page("Home")}, CONFIG + "titel: x\n")
    [error] = errors_of(root)
    assert "site.yaml:5: titel: unknown key" in error and "did you mean 'title'?" in error


def test_a_template_syntax_error_is_one_line(tmp_path: Path, capsys) -> None:
    files = {f"content/p{n}.md": page(f"P{n}") for n in range(8)}
    files["content/_index.md"] = page("Home")
    files["templates/page.html"] = (
        '{% extends "base.html" %}{% block main %}{{ page.title }{% endblock %}'
    )
    root = write_site(tmp_path / "site", files, CONFIG)
    assert main(["build", "--site", str(root)]) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "templates/page.html:1: template syntax" in lines[0]


@given(
    year=st.integers(1, 9999),
    month=st.integers(0, 14),
    day=st.integers(0, 33),
)
def test_every_date_shaped_value_is_a_date_or_says_why(year: int, month: int, day: int) -> None:
    text = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        expected = dt.date(year, month, day)
    except ValueError:
        expected = None
    try:
        value = load_yaml(f"title: T\ndate: {text}\n", "x.md")["date"]
    except MmsiteError as exc:
        assert expected is None
        assert exc.line == 2 and "YAML" not in exc.message
        assert exc.message.startswith(f"{text} is not a real date: ")
        if 1 <= month <= 12:
            assert f"{calendar.month_name[month]} has " in exc.message
        else:
            assert f"there is no month {month}" in exc.message
    else:
        assert value == expected


def test_a_bracket_left_open_at_the_end_of_a_line_is_reported_on_that_line(tmp_path: Path) -> None:
    files = {"content/_index.md": page("Home"), "content/b.md": "---\ntitle: [\n\n---\nText.\n"}
    [error] = errors_of(write_site(tmp_path / "site", files, CONFIG))
    assert "content/b.md:2: invalid YAML" in error
