"""The released package: ``python -m build`` makes a wheel and an sdist holding the
default theme; the wheel, installed into a fresh virtual environment, makes a site with
``mmsite new`` that builds and checks, in a fresh git repository, with exactly the
commands its own workflow runs. The version is written in one place.

Offline and quick: the build runs without isolation (hatchling from the test extra), the
venv sees the system's site-packages for the runtime dependencies, and the wheel goes in
with ``--no-deps``; the workflow's ``pip install -r requirements.txt`` resolves against
the built wheel (``PIP_NO_INDEX``, ``PIP_FIND_LINKS``), as it will against PyPI.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from helpers import REPO, parse_html
from mmsite import __version__

THEME = REPO / "themes" / "default"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    return out


def theme_files() -> set[str]:
    return {p.relative_to(THEME).as_posix() for p in THEME.rglob("*") if p.is_file()}


def test_the_version_is_written_once() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert f"## [{__version__}]" in changelog


def test_wheel_and_sdist_hold_the_default_theme(dist: Path) -> None:
    wheel = dist / f"mmsite-{__version__}-py3-none-any.whl"
    sdist = dist / f"mmsite-{__version__}.tar.gz"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(f"mmsite-{__version__}.dist-info/METADATA").decode()
    prefix = "mmsite/themes/default/"
    assert {n[len(prefix) :] for n in names if n.startswith(prefix)} == theme_files()
    assert "mmsite/commands/deploy.py" in names and "mmsite/output/deploy.py" in names
    assert f"Version: {__version__}" in metadata
    assert "Provides-Extra: deploy" in metadata
    with tarfile.open(sdist) as archive:
        members = {m.name.split("/", 1)[1] for m in archive.getmembers() if m.isfile()}
    assert {f"themes/default/{name}" for name in theme_files()} <= members
    assert {"pyproject.toml", "CHANGELOG.md", "README.md", "src/mmsite/__init__.py"} <= members
    assert not any(m.startswith(("tests/", "content/", "bench/")) for m in members)


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv with the built wheel in it (dependencies from the system). pip comes
    from the system too (seeding the venv with its own copy takes most of this test's
    time): ``bin/pip`` is pip's usual entry point, running inside the venv."""
    env = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(env)],
        check=True,
    )
    pip = env / "bin" / "pip"
    pip.write_text(
        f"#!{env / 'bin' / 'python'}\nimport sys\nfrom pip._internal.cli.main import main\n"
        "sys.exit(main())\n"
    )
    pip.chmod(0o755)
    wheel = dist / f"mmsite-{__version__}-py3-none-any.whl"
    subprocess.run([pip, "install", "--quiet", "--no-deps", "--no-index", str(wheel)], check=True)
    yield env


def in_venv(env: Path, dist: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return clean | {
        "PATH": f"{env / 'bin'}{os.pathsep}{clean['PATH']}",
        "VIRTUAL_ENV": str(env),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(dist),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "GIT_AUTHOR_NAME": "Seller",
        "GIT_AUTHOR_EMAIL": "seller@example.com",
        "GIT_COMMITTER_NAME": "Seller",
        "GIT_COMMITTER_EMAIL": "seller@example.com",
    }


def workflow_commands(workflow: Path) -> list[tuple[str, dict[str, str]]]:
    """The ``run:`` steps of the build job, with their ``env:`` as a pull request sees it
    (``steps.pages`` does not run on pull requests, so its outputs are empty)."""
    steps = yaml.safe_load(workflow.read_text())["jobs"]["build"]["steps"]
    commands = []
    for step in steps:
        if "run" in step and "pull_request" not in str(step.get("if", "")):
            env = {
                name: re.sub(r"\$\{\{[^}]*\}\}", "", str(value))
                for name, value in step.get("env", {}).items()
            }
            commands.append((step["run"], env))
    return commands


def test_the_wheel_makes_a_site_its_workflow_builds(venv: Path, dist: Path, tmp_path: Path) -> None:
    env = in_venv(venv, dist)
    where = subprocess.run(
        ["python", "-c", "import mmsite; print(mmsite.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(venv)), where  # the wheel, not this checkout

    made = subprocess.run(
        ["mmsite", "new", "shop"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    assert "Next steps:" in made.stdout
    site = tmp_path / "shop"
    assert (site / "requirements.txt").read_text().splitlines()[-1] == f"mmsite=={__version__}"
    for command in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"]):
        subprocess.run(command, cwd=site, env=env, check=True)
    subprocess.run(["git", "commit", "-qm", "New shop"], cwd=site, env=env, check=True)

    commands = workflow_commands(site / ".github/workflows/site.yml")
    assert [c for c, _ in commands] == [
        "pip install -r requirements.txt",
        'mmsite build ${BASE_URL:+--base-url "$BASE_URL/"}',
        'mmsite check ${BASE_URL:+--base-url "$BASE_URL/"}',
    ]
    for command, step_env in commands:
        done = subprocess.run(
            ["bash", "-e", "-c", command],
            cwd=site,
            env=env | step_env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    assert "0 error(s)" in done.stdout
    home = parse_html(site / "public/index.html")
    assert home.get("lang") == "en"
    assert (site / "public/fr/index.html").is_file()
    assert (site / ".mmsite-cache").is_dir()  # what the workflow's cache step keeps
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=site, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""  # .gitignore covers public/ and .mmsite-cache/
