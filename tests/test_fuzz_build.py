"""Complete builds of fuzzed sites: each builds or fails with an MmsiteError naming a file,
and nothing outside the output folder changes (the parent folder is snapshotted)."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from fuzzing import (
    assert_names_a_file,
    assert_xml_parses,
    budget,
    control_text,
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
        assert_xml_parses(output)
    assert outside(workspace, output) == outside_before, "wrote outside the output folder"


def outside(workspace: Path, output: Path) -> dict[str, int]:
    """Everything but the output, the site's own cache (.mmsite-cache/, incremental builds)
    and the replaced output a build keeps beside it for the next delta (.public.spare/)."""
    mine = (str(Path("site") / CACHE_DIR), str(Path("site") / ".public.spare"))
    listing = tree_listing(workspace, skip=output)
    return {
        k: v for k, v in listing.items() if not any(k == m or k.startswith(m + "/") for m in mine)
    }


ARTICLE = "content/series/micro-multinationals/{stem}.md"
PRODUCT = "content/products/{stem}.md"


@budget(150)
@given(
    title=control_text,
    body=markdown_bodies,
    stem=file_stems,
    product=st.booleans(),
)
def test_hostile_text_leaves_every_published_xml_file_well_formed(
    workspace: Path, title: str, body: str, stem: str, product: bool
):
    """Control characters (in the title as a YAML escape, in the body as is), deep
    nesting and reserved names in an article or a product that feeds and sitemaps show:
    the build succeeds with every XML file well-formed, or fails naming the file."""
    shutil.rmtree(workspace, ignore_errors=True)
    files = {
        "content/_index.md": "---\ntitle: Home\n---\n",
        "content/series/micro-multinationals/_index.md": "---\ntitle: Series\n---\n",
    }
    meta = {"title": "x" + title}
    if product:
        rel = PRODUCT.format(stem=stem)
        meta.update(sku="SKU-1", price={"USD": 10}, availability="in_stock")
        meta["checkout"] = {"stripe": "https://buy.stripe.com/test_4gw5kJ"}
    else:
        rel = ARTICLE.format(stem=stem)
        meta.update(date=datetime.date(2026, 1, 2), author="Ann" + title)
    root = write_site(workspace / "site", files, None)
    (root / "site.yaml").write_text(
        BASIC_CONFIG + "markets:\n  us: {currency: USD, languages: [en], region: US}\n",
        encoding="utf-8",
    )
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(meta, allow_unicode=False, width=2**20)  # escapes: "\v", "\x01"
    path.write_text(f"---\n{text}---\n{body}\n", encoding="utf-8")
    try:
        build(root, BuildOptions())
    except MmsiteError as exc:
        assert_names_a_file(exc, {path, root / "site.yaml"})
        return
    assert assert_xml_parses(root / "public") >= 1  # the sitemap at least
