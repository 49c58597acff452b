"""Fuzz the content pipeline: every input either renders or fails with an MmsiteError that
names the offending file. Never another exception.

The bulk of the examples run the model and render stages in memory (config, front matter,
content model, extensions' model steps, routing, Markdown, templates) without writing the
output; tests/test_fuzz_build.py runs fewer, complete builds and watches the file system.
Example counts come from the hypothesis profile (tests/conftest.py): ``dev`` locally,
``fuzz`` (>= 10,000 examples in total) in CI.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import urlsplit

import html5lib
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from fuzzing import (
    assert_names_a_file,
    budget,
    dump,
    file_stems,
    front_matter_values,
    markdown_bodies,
    nasty_text,
    raw_front_matter,
)
from helpers import BASIC_CONFIG, write_site
from mmsite.config.options import TOP_KEYS
from mmsite.config.yamlutil import load_yaml
from mmsite.content.frontmatter import split_front_matter
from mmsite.content.model import check_segment
from mmsite.engine.build import BuildOptions, load_site
from mmsite.errors import MmsiteError, Reporter
from mmsite.i18n.routing import quote_path
from mmsite.render.links import SAFE_SCHEMES
from mmsite.render.markdown import render_markdown
from mmsite.render.templates import context_for, make_environment, render_template, template_names

pytestmark = pytest.mark.fuzz
SECTIONS = ["", "products/", "series/micro-multinationals/", "notes/deep/"]
_ENVS: dict = {}


@pytest.fixture(scope="module")
def site_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "site"


BASE = {
    "content/_index.md": "---\ntitle: Home\n---\nWelcome. [About](about.md)\n",
    "content/about.md": "---\ntitle: About\n---\nUs.\n",
    "content/products/_index.md": "---\ntitle: Products\n---\n",
    "content/series/micro-multinationals/_index.md": "---\ntitle: Series\n---\n",
}
# every language that shows products is sold somewhere (else site.yaml is the mistake)
CONFIG = BASIC_CONFIG + "markets: {eu: {currency: EUR, languages: [en, fr, ar]}}\n"
_previous: list[Path] = []


def reset(root: Path, files: dict[str, str | bytes]) -> list[Path]:
    """The small base site plus ``files`` below content/; returns their paths.

    Cheap: rewrites the base files and removes the previous example's files only."""
    for path in _previous:
        path.unlink(missing_ok=True)
    _previous.clear()
    write_site(root, BASE, CONFIG)
    paths = []
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", newline="")
        paths.append(path)
        _previous.append(path)
    return paths


def render_everything(root: Path, focus: list[Path] | None = None) -> int:
    """Run every stage but the writing: config, model, routes, Markdown, templates.

    With ``focus``, only the pages of those files and the sections listing them are
    rendered (the other pages are fixed and would only slow the fuzzer down)."""
    site, theme = load_site(root, BuildOptions(), Reporter())
    key = tuple(theme.template_dirs)
    env = _ENVS.get(key) or _ENVS.setdefault(key, make_environment(theme))
    wanted = None
    if focus is not None:
        dirs = {p.parent.relative_to(root / "content").as_posix() for p in focus}
        wanted = {p.resolve() for p in focus}
    count = 0
    for route in site.router.routes:
        page = route.page
        if wanted is not None and not (
            page.source.resolve() in wanted or (page.is_index and page.dir.as_posix() in dirs)
        ):
            continue
        try:
            render_template(env, template_names(page), context_for(site, route))
        except MmsiteError as exc:
            if exc.path is None:
                exc.path = page.source
            raise
        count += 1
    return count


def check(root: Path, files: dict[str, str | bytes]) -> None:
    paths = reset(root, files)
    try:
        render_everything(root, paths)
    except MmsiteError as exc:
        if _breaks_a_base_link(exc, root, paths):
            return  # e.g. a generated draft about.md: the home page's link names it
        assert_names_a_file(exc, set(paths))


def _breaks_a_base_link(exc: MmsiteError, root: Path, paths: list[Path]) -> bool:
    """The base home page links to about.md: a generated file that removes that page
    (a draft, another language) makes the link an error naming the home page."""
    home = root / "content/_index.md"
    return (
        exc.path is not None
        and Path(exc.path) == home
        and "link to 'about.md'" in str(exc)
        and any(p.name.startswith("about.") for p in paths)
    )


def document(meta_text: str, body: str) -> str:
    return f"---\n{meta_text}\n---\n{body}"


@budget(1000)
@given(
    meta=front_matter_values(),
    body=markdown_bodies,
    section=st.sampled_from(SECTIONS),
    stem=file_stems,
)
def test_generated_front_matter(site_root: Path, meta: dict, body: str, section: str, stem: str):
    check(site_root, {f"content/{section}{stem}.md": document(dump(meta), body)})


@budget(1000)
@given(meta_text=raw_front_matter, body=markdown_bodies, section=st.sampled_from(SECTIONS))
def test_mutated_front_matter(site_root: Path, meta_text: str, body: str, section: str):
    check(site_root, {f"content/{section}page.md": document(meta_text, body)})


@budget(500)
@given(
    default=front_matter_values(),
    translated=front_matter_values(),
    lang=st.sampled_from(["fr", "ar"]),
    body=markdown_bodies,
)
def test_translations_inherit_safely(
    site_root: Path, default: dict, translated: dict, lang: str, body: str
):
    check(
        site_root,
        {
            "content/products/item.md": document(dump(default), body),
            f"content/products/item.{lang}.md": document(dump(translated), body),
        },
    )


@budget(800)
@given(body=markdown_bodies, title=st.text(max_size=20).filter(str.strip))
def test_markdown_bodies(site_root: Path, body: str, title: str):
    check(site_root, {"content/notes/deep/page.md": document(dump({"title": title}), body)})


@budget(300)
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes(site_root: Path, data: bytes):
    check(site_root, {"content/products/bytes.md": b"---\ntitle: x\n---\n" + data})
    check(site_root, {"content/products/raw.md": data})


@budget(3500)
@given(text=st.text(max_size=300))
def test_yaml_never_raises_anything_else(text: str):
    try:
        load_yaml(text, Path("x.yaml"))
    except MmsiteError as exc:
        assert exc.path == Path("x.yaml")


@budget(2500)
@given(text=raw_front_matter, body=st.text(max_size=50))
def test_split_front_matter_lines_point_into_the_file(text: str, body: str):
    source = document(text, body)
    try:
        doc = split_front_matter(source, Path("p.md"))
    except MmsiteError as exc:
        assert exc.path == Path("p.md")
        if exc.line is not None:
            assert 1 <= exc.line <= source.count("\n") + 1
        return
    for line in doc.key_lines.values():
        assert 1 < line < doc.body_line


SITE_KEYS = sorted(TOP_KEYS)


@st.composite
def site_configs(draw: st.DrawFn) -> str:
    base = yaml.safe_load(BASIC_CONFIG)
    from fuzzing import yaml_values

    for key in draw(st.lists(st.sampled_from(SITE_KEYS), max_size=3, unique=True)):
        base[key] = draw(yaml_values)
    if draw(st.booleans()):
        lang = draw(st.sampled_from(["en", "fr", "ar", "xx", "pt-br", "EN", "zz-zz"]))
        base.setdefault("languages", {})
        if isinstance(base["languages"], dict):
            base["languages"][lang] = draw(yaml_values)
    return dump(base)


@budget(500)
@given(config=site_configs())
def test_site_yaml(site_root: Path, config: str):
    reset(site_root, {})
    (site_root / "site.yaml").write_text(config, encoding="utf-8")
    try:
        render_everything(site_root)
    except MmsiteError as exc:
        assert_names_a_file(exc, {site_root / "site.yaml", site_root, *_content(site_root)})


def _content(root: Path) -> list[Path]:
    return list((root / "content").rglob("*.md"))


@budget(1500)
@given(body=markdown_bodies, lang=st.sampled_from(["en_US", "fr_FR", "ar_EG"]), raw=st.booleans())
def test_markdown_links_only_reach_the_resolver_or_are_refused(body: str, lang: str, raw: bool):
    """Every link and image the Markdown stage emits went through the resolver, which
    refuses unsafe schemes; nothing else escapes (cheap: no site, no files)."""
    seen: list[str] = []

    def link(href: str, kind: str, line: int | None) -> str:
        seen.append(href)
        scheme = urlsplit(href).scheme.lower()
        if scheme and scheme not in SAFE_SCHEMES:
            raise MmsiteError(f"{scheme}: links are not allowed", Path("p.md"), line)
        return "/resolved/"

    try:
        html = render_markdown(body, lang, raw, link)
    except MmsiteError as exc:
        assert exc.path == Path("p.md")
        return
    if not raw:
        doc = html5lib.parse(html, namespaceHTMLElements=False)
        for element in doc.iter():
            for name in ("href", "src"):
                value = element.get(name)
                if value is not None:
                    assert value == "/resolved/" or value.startswith("#"), (value, html)
            assert element.tag not in ("script", "iframe", "style"), html


@budget(1000)
@given(stem=file_stems, slug=st.one_of(st.none(), nasty_text))
def test_file_names_and_slugs_stay_one_url_segment(stem: str, slug: str | None):
    """A name either is refused with the file named, or stays a single path segment."""
    path = Path("content/products") / f"{stem}.md"
    for value in (stem, slug):
        if value is None:
            continue
        try:
            check_segment(value, path)
        except MmsiteError as exc:
            assert exc.path == path
            continue
        quoted = quote_path(value)
        assert "/" not in quoted and quoted not in (".", "..")
        assert posixpath.normpath(f"/out/{value}/index.html").startswith("/out/")
