"""Complete builds of fuzzed sites: each builds or fails with an MmsiteError naming a file,
and nothing outside the output folder changes (the parent folder is snapshotted)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzzing import (
    assert_names_a_file,
    budget,
    dump,
    file_stems,
    front_matter_values,
    markdown_bodies,
    raw_front_matter,
    tree_listing,
)
from helpers import BASIC_CONFIG, write_site
from mmsite.engine.build import BuildOptions, build
from mmsite.errors import MmsiteError
from mmsite.output.tree import CACHE_DIR, MARKER

pytestmark = pytest.mark.fuzz

front_matter_text = st.one_of(front_matter_values().map(dump), raw_front_matter)
content_files = st.dictionaries(
    st.tuples(
        st.sampled_from(["", "products/", "series/micro-multinationals/", "a/b/"]),
        file_stems,
        st.sampled_from(["", ".fr", ".ar"]),
    ).map(lambda t: f"content/{t[0]}{t[1]}{t[2]}.md"),
    st.tuples(front_matter_text, markdown_bodies).map(lambda t: f"---\n{t[0]}\n---\n{t[1]}"),
    min_size=1,
    max_size=4,
)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-build")


@budget(120)
@given(files=content_files, with_previous=st.booleans())
def test_full_build_writes_only_its_output(workspace: Path, files: dict, with_previous: bool):
    shutil.rmtree(workspace, ignore_errors=True)
    root = write_site(workspace / "site", {"content/_index.md": "---\ntitle: Home\n---\n"}, None)
    (root / "site.yaml").write_text(BASIC_CONFIG, encoding="utf-8")
    output = root / "public"
    if with_previous:
        build(root, BuildOptions())
        previous = tree_listing(output)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    outside_before = outside(workspace, output)
    try:
        result = build(root, BuildOptions())
    except MmsiteError as exc:
        assert_names_a_file(exc, {root / rel for rel in files} | {root / "site.yaml"})
        if with_previous:
            assert tree_listing(output) == previous, "a failed build changed the output"
    else:
        assert result.pages >= 1
        assert (output / MARKER).is_file()
        assert (output / "index.html").is_file()
    assert outside(workspace, output) == outside_before, "wrote outside the output folder"


def outside(workspace: Path, output: Path) -> dict[str, int]:
    """Everything but the output and the site's own cache (.mmsite-cache/, incremental builds)."""
    cache = str(Path("site") / CACHE_DIR)
    listing = tree_listing(workspace, skip=output)
    return {k: v for k, v in listing.items() if k != cache and not k.startswith(cache + "/")}
