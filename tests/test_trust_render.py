"""Trust, round two (issue 28), the rendering side: hostile Markdown never crashes the
build, published XML always parses, and careless input (bytes that are not UTF-8, deep
aliases, templates that raise or include themselves, format strings in UI strings) gets
``path: message``, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import mmsite
from helpers import BASIC_CONFIG, build_site, page, parse_html
from mmsite.errors import BuildErrors, MmsiteError
from mmsite.render import markdown

ARTICLE = Path("content/series/micro-multinationals/01-global-from-day-one.md")
PRODUCT = Path("content/products/flaky-sea-salt.md")

# Each of these (~100 KB) overflowed the fast engine's stack: a segfault killed the build.
CRASHING_BODIES = {
    "quoted-lists": "> - " * 30000,
    "quotes": ">" * 100000 + " x",
    "ordered": "1. " * 30000 + "x",
}
# Also too deep for it (a crash from ~60,000 nested emphasis; a different HTML past 20
# levels): the reference engine renders all of them.
DEEP_BODIES = {
    **CRASHING_BODIES,
    "emphasis": "*a " * 100000 + "b" + "*" * 100000,
    "underscores": "_a " * 100000 + "b" + "_" * 100000,
    "indented-lists": "".join("  " * i + "- x\n" for i in range(1500)),
}


def run_mmsite(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``mmsite ARGS`` in its own process: a crash is a return code, not a dead test run."""
    env = {**os.environ, "PYTHONPATH": str(Path(mmsite.__file__).parents[1])}
    command = [sys.executable, "-m", "mmsite", *args]
    return subprocess.run(command, cwd=site, env=env, capture_output=True, text=True, timeout=300)


def published_xml(output: Path) -> list[Path]:
    found = sorted(output.rglob("*.xml"))
    assert found, "the build publishes XML"
    return found


# -- Markdown nested deeply: the reference engine renders it, never a crash --------------


def test_deeply_nested_markdown_builds_instead_of_crashing(make_site) -> None:
    files = {f"content/{name}.md": page(name, body) for name, body in CRASHING_BODIES.items()}
    site = make_site(files)
    done = run_mmsite(site, "build")
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    for name in CRASHING_BODIES:
        doc = parse_html(site / "public" / name / "index.html")
        assert doc.find(".//blockquote") is not None or doc.find(".//ol") is not None


@pytest.mark.parametrize("name", sorted(DEEP_BODIES))
def test_deep_nesting_takes_the_reference_engine(name: str) -> None:
    assert markdown.engine_for(DEEP_BODIES[name], "en_US") == markdown.REFERENCE


@pytest.mark.parametrize(
    "make",
    [
        lambda n: ">" * n + " x",
        lambda n: "> " * n + "x",
        lambda n: "- " * n + "x",
        lambda n: "1. " * n + "x",
        lambda n: "> - " * n + "x",
        lambda n: "".join("  " * i + "- x\n" for i in range(n)),
        lambda n: "".join("   " * i + "1. x\n" for i in range(n)),
    ],
)
def test_both_engines_agree_at_every_depth(make) -> None:
    """markdown-it-py stops nesting at 20 levels; the fast engine went on (different
    HTML from 7 levels of ``> - ``): such documents now take the reference engine."""
    for depth in range(1, 40):
        text = make(depth)
        prepared = markdown.prepare(text, "en_US")
        if prepared is not None:
            assert prepared == markdown.render_reference(text, "en_US"), depth


def test_shallow_documents_keep_the_fast_engine() -> None:
    text = "# Title\n\n> quoted\n> - a list in a quote\n\n- one\n  - two\n    - three\n"
    text += "\n```\n" + " " * 16 + "indented code\n```\n" + "*a* **b** _c_ " * 100
    assert markdown.engine_for(text, "en_US") == markdown.FAST


def test_reference_engine_recursion_is_an_error_naming_the_page(make_site, monkeypatch) -> None:
    """Should markdown-it-py itself recurse too deep, the page is named, no traceback."""
    site = make_site({"content/deep.md": page("Deep", "<b>" + "> " * 5 + "x</b>")})

    def too_deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(type(markdown.parser("en_US", False)), "render", too_deep)
    with pytest.raises(MmsiteError) as caught:
        build_site(site, jobs=1)
    text = str(caught.value)
    assert "deep.md" in text and "nested too deeply" in text


# -- XML 1.0 forbidden characters: dropped from every XML file, with a warning -----------


def test_control_characters_leave_every_xml_file_well_formed(demo_site: Path) -> None:
    article = demo_site / ARTICLE
    lines = article.read_text(encoding="utf-8").split("\n")
    body_line = len(lines) - 2  # a line of the body, near its end
    lines[body_line] += " pasted\x0bfrom\x0cWord\x00"
    article.write_text("\n".join(lines), encoding="utf-8")
    product = demo_site / PRODUCT
    text = product.read_text(encoding="utf-8")
    text = text.replace("title: Flaky sea salt", 'title: "Flaky\\vsea salt\\x01"')
    product.write_text(text, encoding="utf-8")

    result = build_site(demo_site)
    for path in published_xml(demo_site / "public"):
        ET.parse(path)  # raises on a character XML forbids
    feed = ET.parse(demo_site / "public/series/atom.xml").getroot()
    contents = "".join(c.text or "" for c in feed.iter("{http://www.w3.org/2005/Atom}content"))
    assert "pastedfromWord" in contents
    merchant = [p for p in published_xml(demo_site / "public") if "merchant" in p.name]
    texts = {e.text for p in merchant for e in ET.parse(p).getroot().iter() if e.text}
    assert "Flakysea salt" in texts
    warned = [w for w in result.warnings if "U+000B" in w]
    assert warned and f"{ARTICLE.name}:{body_line + 1}:" in warned[0]


def test_check_reports_xml_that_does_not_parse_and_control_characters(demo_site: Path) -> None:
    article = demo_site / ARTICLE
    article.write_text(article.read_text(encoding="utf-8") + "\nvertical\x0btab\n", "utf-8")
    assert run_mmsite(demo_site, "build").returncode == 0
    done = run_mmsite(demo_site, "check", "--only", "xml", "--only", "characters")
    assert done.returncode == 0, done.stdout
    assert f"{ARTICLE.as_posix()}:" in done.stdout and "U+000B" in done.stdout

    (demo_site / "public/series/atom.xml").write_bytes(b"<feed>\x0b</feed>")
    done = run_mmsite(demo_site, "check", "--only", "xml")
    assert done.returncode == 1
    assert "series/atom.xml" in done.stdout and "not well-formed" in done.stdout


# -- path: message, never a traceback ---------------------------------------------------


def build_error(site: Path) -> str:
    """The output of a failed ``mmsite build``: one error, no traceback."""
    done = run_mmsite(site, "build")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done.stderr + done.stdout


def test_site_yaml_not_utf8(make_site) -> None:
    site = make_site({"content/_index.md": page("Home")})
    (site / "site.yaml").write_bytes(BASIC_CONFIG.encode() + b"# caf\xe9\n")
    text = build_error(site)
    assert "site.yaml:8: not UTF-8" in text


def test_ui_strings_not_utf8(make_site) -> None:
    site = make_site({"content/_index.md": page("Home"), "i18n/fr.yaml": b"x: y\nread: caf\xe9\n"})
    assert "i18n/fr.yaml:2: not UTF-8" in build_error(site)


def test_theme_css_not_utf8(make_site) -> None:
    files = {"content/_index.md": page("Home"), "themes/t/static/css/x.css": b"a{b:'\xe9'}"}
    site = make_site(files, BASIC_CONFIG + "theme: t\n")
    assert "themes/t/static/css/x.css:1: not UTF-8" in build_error(site)


def test_alias_thousands_of_folders_deep(make_site) -> None:
    alias = "/" + "a/" * 3000
    files = {"content/_index.md": page("Home"), "content/old.md": page("Old", aliases=f"[{alias}]")}
    site = make_site(files)
    text = build_error(site)
    assert "old.md:3: alias" in text and "folders deep" in text


@pytest.mark.parametrize(
    ("template", "what"),
    [
        ("{{ 1 // 0 }}", "ZeroDivisionError"),
        ('{{ {"a": 1} | dictsort(by="nope") }}', "FilterArgumentError"),
        ("{% include 'page.html' %}", "calls itself"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "calls itself"),
    ],
)
def test_template_errors_name_the_template_and_the_page(make_site, template, what) -> None:
    files = {"content/about.md": page("About"), "templates/page.html": template}
    site = make_site(files)
    with pytest.raises(BuildErrors) as caught:
        build_site(site, jobs=1)
    (error,) = {str(e) for e in caught.value.errors}
    assert "templates/page.html:1: template error (rendering about.md)" in error
    assert what in error
    assert "templates/page.html:1:" in build_error(site)


def test_heading_ids_stay_unique_and_agree_with_the_reference() -> None:
    text = "## Same\n\n" * 500 + "## Same-1\n\n## Same\n"
    fast = markdown.prepare(text, "en_US")
    assert fast == markdown.render_reference(text, "en_US")
    ids = [h.get("id") for h in parse_html_fragment(fast).iter("h2")]
    assert len(set(ids)) == len(ids) == 502


def parse_html_fragment(html: str) -> ET.Element:
    import html5lib

    return html5lib.parse(html, namespaceHTMLElements=False)


# -- UI strings are formatted by name only ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "By {author:>300000000}",
        "By {author.__class__.__mro__}",
        "By {author[0]}",
        "By {author!r}",
        "By {0}",
        "By {author",
    ],
)
def test_ui_strings_take_plain_placeholders_only(make_site, text: str) -> None:
    """``str.format`` on UI strings wrote 300 MB pages and printed Python internals."""
    strings = f"by_author: {text!r}\n".replace("'", '"')
    site = make_site({"content/_index.md": page("Home"), "i18n/en.yaml": strings})
    with pytest.raises(MmsiteError) as caught:
        build_site(site, jobs=1)
    error = str(caught.value)
    assert "i18n/en.yaml" in error and "'by_author'" in error


def test_ui_string_placeholders_still_fill(make_site) -> None:
    from mmsite.i18n.editions import safe_format

    assert safe_format("By {author}, {{not}} {count}", {"author": "Ann", "count": 2}) == (
        "By Ann, {not} 2"
    )
    with pytest.raises(KeyError):
        safe_format("By {author}", {})


def test_repeated_headings_get_ids_in_linear_time() -> None:
    """20,000 ``## Same`` headings took 172 s (each repeat tried ``-1``, ``-2``, ... again);
    the bound here is ten times what a linear pass needs on a slow machine."""
    code = (
        "from mmsite.render import markdown as m\n"
        "html = m.render_markdown('## Same\\n\\n' * 20000, 'en_US')\n"
        "assert html.count(' id=\"same-') == 19999, html[-200:]\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(mmsite.__file__).parents[1])}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)


# -- the build cache never loads what mmsite did not write for this site ---------------


class Planted:
    """Unpickled, it writes ``path``: what a hostile file in the cache folder would do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.write_text, (self.path, "ran"))


def plant(cache: Path, marker: Path) -> list[Path]:
    """Replace every file of ``cache`` with one that runs code when loaded: a pickle, or
    for Jinja's bytecode a compiled template (valid for its source) that writes ``marker``."""
    import io
    import marshal
    import pickle

    from jinja2.bccache import bc_magic

    from mmsite.config import signing

    planted = []
    for path in sorted(p for p in cache.rglob("*") if p.is_file() and p.name != ".gitignore"):
        if path.parent.name == "jinja":
            raw = path.read_bytes()
            raw = raw[signing.HEADER_SIZE :] if raw.startswith(signing.MAGIC) else raw
            stream = io.BytesIO(raw[len(bc_magic) :])
            checksum = pickle.load(stream)
            code = compile(f"open({str(marker)!r}, 'w').write('ran')", "t.html", "exec")
            data = bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(code)
        else:
            data = pickle.dumps(Planted(marker))
        path.write_bytes(data)
        planted.append(path)
    return planted


def test_cache_files_mmsite_did_not_write_are_never_loaded(make_site, tmp_path) -> None:
    files = {
        "content/_index.md": page("Home", "hello"),
        "content/about.md": page("About", "first"),
    }
    site = make_site(files)
    build_site(site)
    (site / "content/about.md").write_text(page("About", "second"), encoding="utf-8")
    build_site(site)  # a delta build: snapshot and journal too
    marker = tmp_path / "ran.txt"
    planted = plant(site / ".mmsite-cache", marker)
    # page records, documents, stamps, the delta snapshot and journal, Jinja bytecode
    kinds = {p.suffix for p in planted}
    assert {".pickle", ".documents", ".state", ".site", ".journal", ".cache"} <= kinds, kinds

    (site / "content/about.md").write_text(page("About", "third"), encoding="utf-8")
    result = build_site(site)
    assert not marker.exists(), "a planted cache file was loaded"
    assert "third" in (site / "public/about/index.html").read_text(encoding="utf-8")
    assert result.kind == "full"  # a cold cache
    build_site(site)  # and the cache it wrote is trusted again
    assert not marker.exists()


def test_a_cache_copied_from_another_site_is_cold(make_site, tmp_path) -> None:
    """Signed for its own path: the same files under another site folder are not used."""
    import shutil

    files = {"content/_index.md": page("Home", "hello"), "content/about.md": page("About", "x")}
    first = make_site(files)
    build_site(first)
    second = tmp_path / "other"
    shutil.copytree(first, second)
    (second / "content/about.md").write_text(page("About", "changed"), encoding="utf-8")
    result = build_site(second)
    assert result.kind == "full"
    assert "changed" in (second / "public/about/index.html").read_text(encoding="utf-8")


def test_a_bug_in_python_code_a_template_calls_is_not_blamed_on_the_template(
    make_site, monkeypatch
) -> None:
    """Only what template code (or Jinja) raises becomes a template error naming the page;
    a bug in mmsite's own Python stays a bug (a traceback for the maintainers)."""
    from mmsite.features.site import PageView

    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(PageView, "broken", property(broken), raising=False)
    files = {"content/about.md": page("About"), "templates/page.html": "{{ page.broken }}"}
    with pytest.raises(RuntimeError, match="a bug"):
        build_site(make_site(files), jobs=1)
