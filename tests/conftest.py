"""Shared fixtures: build real sites in tmp_path."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Tests run against this checkout's code, even when another copy is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from helpers import BASIC_CONFIG, REPO, BuildResult, build_site, write_site  # noqa: E402


@pytest.fixture
def make_site(tmp_path: Path):
    """``make_site({"content/_index.md": "---\\ntitle: Home\\n---\\n"}, config=...)``."""

    def make(files: dict[str, str | bytes], config: str | None = BASIC_CONFIG) -> Path:
        return write_site(tmp_path / "site", files, config)

    return make


# -- the demo site (content/ + site.yaml at the repository root) ---------------------
#
# A cold build of the demo spends most of its time encoding the same eight photos. The
# image cache (.mmsite-cache/images, keyed by each photo's bytes and the image settings)
# is filled once per test run and copied into every fresh copy of the demo; the build
# cache (.mmsite-cache/build) and the Jinja cache are not, so a copy's first build is
# still a first build. Tests of image processing itself use their own tiny photos.

DEMO_FILES = ("content", "site.yaml", "static", "i18n", "templates")
IMAGE_CACHE = Path(".mmsite-cache") / "images"


def copy_demo_sources(dest: Path) -> Path:
    """``dest`` becomes a copy of the demo site's sources (nothing built, no caches)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in DEMO_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        elif source.is_file():
            shutil.copy(source, dest / name)
    return dest


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="session")
def demo_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, BuildResult]]:
    """One cold build of a copy of the demo per test run: (site root, its BuildResult).
    Shared by every test that uses it: read it, never write below it (checked at the
    end of the run)."""
    root = copy_demo_sources(tmp_path_factory.mktemp("demo-built") / "demo")
    result = build_site(root)
    assert result.kind == "full" and result.rendered == result.pages
    assert result.images_processed == result.images > 0
    before = _stamps(root)
    yield root, result
    after = _stamps(root)
    changed = {rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)}
    assert not changed, f"a test wrote into the shared demo build: {sorted(changed)[:10]}"


@pytest.fixture(scope="session")
def demo_built(demo_session: tuple[Path, BuildResult]) -> Path:
    """The demo site built once with default options (its output in ``public/``). Read
    only: copy it (``shutil.copytree(demo_built, dest, symlinks=True)``) to change it."""
    return demo_session[0]


@pytest.fixture(scope="session")
def demo_build_result(demo_session: tuple[Path, BuildResult]) -> BuildResult:
    """What that one build of :func:`demo_built` reported."""
    return demo_session[1]


@pytest.fixture(scope="session")
def demo_copy(demo_built: Path) -> Callable[[Path], Path]:
    """``demo_copy(dest)``: a fresh, unbuilt copy of the demo site in ``dest``, its image
    cache already filled (so its first build processes no photo). For module-scoped
    fixtures and tests that need several copies; most tests want :func:`demo_site`."""

    def copy(dest: Path) -> Path:
        copy_demo_sources(dest)
        shutil.copytree(demo_built / IMAGE_CACHE, dest / IMAGE_CACHE)
        return dest

    return copy


@pytest.fixture
def demo_site(tmp_path: Path, demo_copy: Callable[[Path], Path]) -> Path:
    """A fresh copy of the demo site in ``tmp_path / "demo"``, never built, with its image
    cache already filled. Free to edit and build."""
    return demo_copy(tmp_path / "demo")


# Hypothesis profiles. ``dev`` (default) keeps local runs quick; ``fuzz`` is what CI runs
# (.ci/run exports HYPOTHESIS_PROFILE=fuzz): >= 10,000 examples over tests/test_fuzz_*.py.
# A test may still set its own max_examples; profiles scale the ones that do not.
settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("fuzz", max_examples=1500, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
