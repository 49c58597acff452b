"""Outdated translations from git: a repository built in tmp_path, commits in order."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from helpers import build_site, page, parse_html, write_site
from mmsite.commands.cli import main
from mmsite.engine.build import BuildOptions, load_site
from mmsite.errors import Reporter
from mmsite.features.translations import history as history_module
from mmsite.features.translations.feature import CHECK, check_outdated
from mmsite.features.translations.status import MISSING, OUTDATED, translation_report

CONFIG = """\
title: Shop
base_url: https://shop.example/
default_language: en
languages:
  en: {locale: en_US}
  fr: {locale: fr_FR}
  ja: {locale: ja_JP}
markets: {us: {currency: USD, languages: [en, fr, ja]}}
"""
PRODUCT = """\
---
title: Smoked salt
sku: SALT-1
summary: Cold-smoked over oak.
price: {{USD: {price}}}
---
{body}
"""


def git(root: Path, *args: str, day: int = 1) -> str:
    stamp = f"2026-03-{day:02d}T12:00:00+00:00"
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Editor",
        "GIT_AUTHOR_EMAIL": "editor@example.com",
        "GIT_COMMITTER_NAME": "Editor",
        "GIT_COMMITTER_EMAIL": "editor@example.com",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
    done = subprocess.run(["git", "-C", str(root), *args], env=env, capture_output=True, check=True)
    return done.stdout.decode()


def commit(root: Path, files: dict[str, str], day: int) -> None:
    write_site(root, files, None)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"day {day}", day=day)


def product(price: str = "12.00", body: str = "Smoky flakes for grilling.") -> str:
    return PRODUCT.format(price=price, body=body)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_site(tmp_path / "site", {}, CONFIG)
    git(root, "init", "-q", "-b", "main")
    commit(
        root,
        {
            "content/_index.md": page("Home"),
            "content/_index.fr.md": page("Accueil"),
            "content/_index.ja.md": page("ホーム"),
            "content/products/salt.md": product(),
            "content/products/salt.fr.md": page("Sel fumé", "Des flocons fumés."),
        },
        day=1,
    )
    return root


def report(root: Path):
    site, _ = load_site(root, BuildOptions(), Reporter())
    config = site.config
    return translation_report(site.model, root, config.languages, config.default_language)


def entry(root: Path, lang: str, source: str):
    found = [e for e in report(root).entries if e.lang == lang and e.source == source]
    assert len(found) == 1
    return found[0]


def test_source_edited_after_translation_is_outdated(repo: Path) -> None:
    commit(repo, {"content/products/salt.md": product(body="Smoky flakes.\n\nNew paragraph.")}, 5)
    found = entry(repo, "fr", "content/products/salt.md")
    assert found.status == OUTDATED
    assert found.translation == "content/products/salt.fr.md"
    assert found.change is not None
    assert f"{found.change.when:%Y-%m-%d}" == "2026-03-05"
    assert f"{found.change.since:%Y-%m-%d}" == "2026-03-01"
    assert (found.change.added, found.change.removed) == (3, 1)
    assert found.change.fields == ()
    assert found.words == 4  # "Smoky flakes." + "New paragraph."


def test_translatable_field_change_is_outdated(repo: Path) -> None:
    text = product().replace("Cold-smoked over oak.", "Smoked over Cornish oak.")
    commit(repo, {"content/products/salt.md": text}, 3)
    found = entry(repo, "fr", "content/products/salt.md")
    assert found.status == OUTDATED
    assert found.change is not None and found.change.fields == ("summary",)


def test_translation_edited_after_is_current(repo: Path) -> None:
    commit(repo, {"content/products/salt.md": product(body="Smoky flakes, rewritten.")}, 5)
    commit(repo, {"content/products/salt.fr.md": page("Sel fumé", "Des flocons, réécrits.")}, 6)
    assert entry(repo, "fr", "content/products/salt.md").status == "current"


def test_price_only_change_is_current(repo: Path) -> None:
    commit(repo, {"content/products/salt.md": product(price="14.50")}, 5)
    assert entry(repo, "fr", "content/products/salt.md").status == "current"


def test_change_then_revert_is_current(repo: Path) -> None:
    commit(repo, {"content/products/salt.md": product(body="Something else.")}, 4)
    commit(repo, {"content/products/salt.md": product()}, 5)
    assert entry(repo, "fr", "content/products/salt.md").status == "current"


def test_missing_translation_counts_words(repo: Path) -> None:
    found = entry(repo, "ja", "content/products/salt.md")
    assert found.status == MISSING
    assert found.translation == "content/products/salt.ja.md"
    # title (2) + summary "Cold-smoked over oak." (4) + body (4)
    assert found.words == 10


def test_check_lists_outdated_with_date_and_size(repo: Path, capsys) -> None:
    commit(repo, {"content/products/salt.md": product(body="Smoky flakes.\n\nMore.")}, 7)
    assert main(["check", "--build", "--site", str(repo), "--only", CHECK]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if f"[{CHECK}]" in line]
    assert len(lines) == 1
    assert lines[0].startswith("warning: content/products/salt.fr.md: outdated:")
    assert "changed on 2026-03-07" in lines[0]
    assert "body +3/-1 lines" in lines[0]
    assert "(on 2026-03-01)" in lines[0]


def test_translations_command_prints_a_table(repo: Path, capsys) -> None:
    commit(repo, {"content/products/salt.md": product(body="Smoky flakes.\n\nMore.")}, 7)
    assert main(["translations", "--site", str(repo)]) == 0
    out = capsys.readouterr().out.splitlines()
    table = [line.split() for line in out[:3]]
    assert table[0] == ["language", "current", "outdated", "missing", "words"]
    assert table[1][:4] == ["fr", "1", "1", "0"]
    assert table[2][:4] == ["ja", "1", "0", "1"]
    assert any("outdated  content/products/salt.fr.md" in line for line in out)


def test_outside_git_says_so_once(tmp_path: Path) -> None:
    root = write_site(tmp_path / "plain", {"content/_index.md": page("Home")}, CONFIG)
    site, _ = load_site(root, BuildOptions(), Reporter())

    class Ctx:
        pass

    ctx = Ctx()
    ctx.site = site  # type: ignore[attr-defined]
    findings = list(check_outdated(ctx))  # type: ignore[arg-type]
    assert len(findings) == 1
    assert "not a git repository" in findings[0].message


def test_shallow_clone_is_named_with_the_fix(repo: Path, tmp_path: Path) -> None:
    commit(repo, {"content/products/salt.md": product(body="Changed.")}, 5)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
    assert report(clone).state == "shallow"
    assert main(["check", "--build", "--site", str(clone), "--only", CHECK]) == 0


def test_shallow_warning_text(repo: Path, tmp_path: Path, capsys) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
    main(["check", "--build", "--site", str(clone), "--only", CHECK])
    out = capsys.readouterr().out
    assert "shallow git clone" in out and "fetch-depth: 0" in out


def test_git_is_read_in_a_fixed_number_of_calls(repo: Path, monkeypatch) -> None:
    """Batched: the number of git processes does not grow with the number of files."""
    files = {}
    for n in range(60):
        files[f"content/notes/n{n}.md"] = page(f"Note {n}", "Body.")
        files[f"content/notes/n{n}.fr.md"] = page(f"Note {n} fr", "Corps.")
    commit(repo, files, 2)
    commit(repo, {k: page(f"{k} v2", "Body two.") for k in files if not k.endswith(".fr.md")}, 4)
    calls: list[list[str]] = []
    real = subprocess.run

    def counting(command, *args, **kwargs):
        calls.append(command)
        return real(command, *args, **kwargs)

    monkeypatch.setattr(history_module.subprocess, "run", counting)
    found = report(repo)
    assert len(found.of(OUTDATED, "fr")) == 60
    assert len(calls) == 3  # rev-parse, log, cat-file --batch


NOTICE = CONFIG + "translations: {outdated_notice: true}\n"


def notice_of(root: Path, rel: str) -> str | None:
    doc = parse_html(root / "public" / rel)
    notes = [d for d in doc.iter("div") if "notice-outdated" in (d.get("class") or "")]
    return "".join(notes[0].itertext()).strip() if notes else None


def test_outdated_notice_follows_commits_in_incremental_builds(repo: Path, tmp_path: Path):
    """The git state is an input: a commit alone (no file changed since the last build)
    changes the notice in the next incremental build, which equals a clean build."""
    (repo / "site.yaml").write_text(NOTICE, encoding="utf-8")
    commit(repo, {}, 2)
    build_site(repo)
    salt_fr = "fr/products/salt/index.html"
    assert notice_of(repo, salt_fr) is None
    write_site(repo, {"content/products/salt.md": product(body="Smoky flakes, now bigger.")}, None)
    build_site(repo)  # edited, not committed yet: no change in git's history
    assert notice_of(repo, salt_fr) is None
    git(repo, "commit", "-q", "-am", "bigger", day=9)
    build_site(repo)  # only git changed
    text = notice_of(repo, salt_fr)
    assert text is not None and "9 mars 2026" in text
    assert notice_of(repo, "products/salt/index.html") is None  # the original itself
    write_site(repo, {"content/products/salt.fr.md": page("Sel fumé", "Plus gros.")}, None)
    build_site(repo)  # translated, not committed: still behind in git's history
    assert notice_of(repo, salt_fr) is not None
    git(repo, "commit", "-q", "-am", "traduit", day=10)
    build_site(repo)  # only git changed
    assert notice_of(repo, salt_fr) is None
    build_site(repo, output=tmp_path / "clean", cache=False)
    for rel in (salt_fr, "products/salt/index.html"):
        assert (repo / "public" / rel).read_bytes() == (tmp_path / "clean" / rel).read_bytes()


def test_outdated_notice_is_off_by_default(repo: Path) -> None:
    commit(repo, {"content/products/salt.md": product(body="Changed.")}, 9)
    build_site(repo)
    assert notice_of(repo, "fr/products/salt/index.html") is None


def test_outdated_notice_option_is_checked(repo: Path, capsys) -> None:
    (repo / "site.yaml").write_text(CONFIG + "translations: {outdated_notise: true}\n")
    assert main(["build", "--site", str(repo)]) == 1
    err = capsys.readouterr().err
    assert "translations.outdated_notise" in err and "outdated_notice" in err
