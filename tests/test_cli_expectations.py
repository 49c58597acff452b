"""The command line as people expect it: missing arguments are errors, ``serve`` outside
a site stops with one line, unknown URLs get the site's own 404 page in their language,
every command describes itself and its defaults, ``-v``/``-q`` go anywhere, and
``check --list`` names the checks."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import html5lib
import pytest

from helpers import page
from mmsite.commands.checks import CHECKS
from mmsite.commands.cli import VERBS, main, make_parser
from mmsite.commands.devserver import DevServer
from mmsite.engine.build import BuildOptions
from mmsite.features.builtin import builtin_registry

SRC = str(Path(__file__).resolve().parents[1] / "src")


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.run(
        [sys.executable, "-m", "mmsite", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args",
    [["product"], ["article"], ["article", "interviews"], ["product", "a", "b"]],
)
def test_new_product_or_article_without_its_names_is_an_error(
    tmp_path: Path, capsys, args: list[str]
) -> None:
    os.chdir(tmp_path)
    assert main(["new", *args]) == 1
    err = capsys.readouterr().err
    assert "usage: mmsite new " + args[0] in err
    assert list(tmp_path.iterdir()) == []  # no site made in ./product/


def test_new_site_in_a_folder_named_product_is_still_possible(tmp_path: Path, capsys) -> None:
    os.chdir(tmp_path)
    assert main(["new", "./product"]) == 0
    assert (tmp_path / "product/site.yaml").is_file()


def test_serve_outside_a_site_exits_with_one_line(tmp_path: Path) -> None:
    result = run_cli("serve", "--port", "0", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "no site.yaml here" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def server(make_site) -> Iterator[DevServer]:
    root = make_site(
        {
            "content/_index.md": page("Home", "Welcome."),
            "content/_index.fr.md": page("Accueil", "Bienvenue."),
            "content/about.md": page("About", "Who we are."),
            "content/about.fr.md": page("À propos", "Qui nous sommes."),
        }
    )
    served = DevServer(root, BuildOptions(), port=0, log=lambda text: None)
    served.start()
    try:
        yield served
    finally:
        served.stop()


@pytest.mark.parametrize(
    ("path", "lang"),
    [
        ("no-such-page/", "en"),
        ("fr/nulle-part/", "fr"),
        ("fr/deep/er/photo.png", "fr"),
        ("ar/missing.html", "ar"),
        ("nothing.css", "en"),
    ],
)
def test_unknown_urls_get_the_sites_own_404_page_in_their_language(
    server: DevServer, path: str, lang: str
) -> None:
    status, body = fetch(server.url + path)
    assert status == 404
    doc = html5lib.parse(body, namespaceHTMLElements=False)
    assert doc.get("lang", "").split("-")[0] == lang
    assert doc.find(".//body") is not None and b"data-mmsite-live-reload" in body
    assert (server.output / (f"{lang}/" if lang != "en" else "") / "404.html").is_file()


def test_known_files_are_still_served(server: DevServer) -> None:
    status, body = fetch(server.url + "about/")
    assert status == 200 and b"Who we are." in body
    status, body = fetch(server.url + "fr/about/")
    assert status == 200 and b"Qui nous sommes." in body


def sub_parsers() -> dict[str, argparse.ArgumentParser]:
    parser = make_parser()
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(commands.choices)


def test_every_command_has_a_description_and_shows_its_defaults() -> None:
    parsers = sub_parsers()
    assert set(parsers) == set(VERBS)
    for name, parser in parsers.items():
        assert parser.description and len(parser.description) > 10, name
        text = parser.format_help()
        for action in parser._actions:
            if action.option_strings and action.default not in (
                None,
                False,
                True,
                argparse.SUPPRESS,
            ):
                assert f"(default: {action.default})" in text, (name, action.dest)
    serve_help = parsers["serve"].format_help()
    assert "(default: 8000)" in serve_help and "(default: 127.0.0.1)" in serve_help


@pytest.mark.parametrize(
    "before, after",
    [(["-q"], []), ([], ["-q"]), (["--quiet"], []), ([], ["--quiet"])],
)
def test_quiet_before_or_after_the_command(make_site, capsys, before, after) -> None:
    root = make_site({"content/_index.md": page("Home")})
    assert main([*before, "build", "--site", str(root), *after]) == 0
    assert capsys.readouterr().out == ""  # no summary line


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_before_or_after_the_command(make_site, capsys, where) -> None:
    root = make_site({"content/_index.md": "---\ntitle: [x\n---\n"})
    args = ["build", "--site", str(root)]
    assert main(["-v", *args] if where == "before" else [*args, "-v"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "invalid YAML" in err


def test_without_q_the_summary_is_printed(make_site, capsys) -> None:
    root = make_site({"content/_index.md": page("Home")})
    assert main(["build", "--site", str(root)]) == 0
    assert "pages" in capsys.readouterr().out


def test_check_list_names_every_check_once(capsys) -> None:
    assert main(["check", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines]
    expected = [*CHECKS, *(check.name for check in builtin_registry().checks)]
    assert names == list(dict.fromkeys(expected))
    assert {"links", "csp", "prices", "outdated-translations"} <= set(names)
    links = next(line for line in lines if line.startswith("links "))
    assert "Internal links, anchors and images" in links
    assert all(len(line.split(None, 1)) == 2 for line in lines)  # each has a description
