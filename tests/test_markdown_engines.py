"""The fast Markdown engine (markdown-it-pyrs) must give byte-identical HTML wherever it is
chosen: on the demo site, the benchmark corpus, every Markdown body in the test suite, and
generated documents. Nothing is normalized before comparing."""

from __future__ import annotations

import ast
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it.common.utils import escapeHtml

from helpers import REPO, build_site, page
from mmsite.content.frontmatter import split_front_matter
from mmsite.errors import BuildErrors
from mmsite.features.registry import MarkdownRule
from mmsite.render import markdown
from mmsite.render.markdown import (
    FAST,
    REFERENCE,
    engine_for,
    fast_source,
    prepare,
    render_fast,
    render_markdown,
    render_reference,
)

pytest.importorskip("markdown_it_pyrs")
sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402

LOCALES = ["en_US", "fr_FR", "es_ES", "ar_EG", "de_DE", "nl_NL", "pt_BR", "sv_SE", "fr_CA", "fr_CH"]


def fake_link(href: str, kind: str, line: int | None) -> str:
    """Rewrites .md links into something that needs escaping, passes the rest through."""
    return f'../{href.upper()}/?a=1&b="2"' if href.endswith(".md") else href


def assert_same(text: str, locale: str) -> bool:
    """Identical HTML from both engines when the fast one is chosen; True if it was."""
    prepared = prepare(text, locale)
    if prepared is None:
        return False
    fast = render_fast(prepared, fake_link)
    assert fast == render_reference(text, locale, False, fake_link), (locale, text)
    return True


def built_bytes(site: Path, out: Path) -> dict[str, bytes]:
    build_site(site, output=out)
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def assert_site_identical(site: Path, tmp_path: Path, monkeypatch) -> None:
    auto = built_bytes(site, tmp_path / "auto")
    monkeypatch.setenv("MMSITE_MARKDOWN_ENGINE", REFERENCE)
    reference = built_bytes(site, tmp_path / "reference")
    assert auto.keys() == reference.keys()
    differing = [name for name in auto if auto[name] != reference[name]]
    assert differing == []


def test_demo_site_is_byte_identical_with_both_engines(
    demo_site: Path, tmp_path: Path, monkeypatch
) -> None:
    assert_site_identical(demo_site, tmp_path, monkeypatch)


def test_bench_corpus_is_byte_identical_and_mostly_fast(tmp_path: Path, monkeypatch) -> None:
    sites = generate(tmp_path / "bench", pages=80, languages=3)
    site = sites["mmsite-outputs"]
    engines: Counter[str] = Counter()
    locales = {"en": "en_US", "fr": "fr_FR", "es": "es_ES"}
    for path in (site / "content").rglob("*.md"):
        parts = path.name.split(".")
        locale = locales[parts[-2] if len(parts) == 3 else "en"]
        body = split_front_matter(path.read_text(encoding="utf-8"), path).body
        engines[engine_for(body, locale)] += 1
        assert_same(body, locale)
    assert engines[FAST] / sum(engines.values()) > 0.7, engines
    assert_site_identical(site, tmp_path, monkeypatch)


def fixture_bodies() -> list[str]:
    """Every Markdown body written as a literal in the test suite: ``page(title, body)``
    arguments and whole documents with front matter."""
    bodies = []
    for path in sorted((REPO / "tests").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "page":
                body = node.args[1] if len(node.args) > 1 else None
                if isinstance(body, ast.Constant) and isinstance(body.value, str):
                    bodies.append(body.value)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = textwrap.dedent(node.value).lstrip("\n")
                if text.startswith("---\n") and text.count("---\n") >= 2:
                    bodies.append(text.split("---\n", 2)[2])
    return bodies


def test_test_fixture_bodies_render_identically() -> None:
    bodies = fixture_bodies()
    assert len(bodies) > 15
    chosen = [assert_same(body, locale) for body in bodies for locale in LOCALES]
    assert any(chosen)


BLOCKS = st.sampled_from(
    [
        "## Heading with `code` and *emphasis*",
        "### Same heading",
        "### Same heading",
        "Heading\n-------",
        "A paragraph with \"double quotes\", don't and it's, (c) -- and ... too.",
        'Les prix s\'affichent: "vite" -- **gras** et _italique_ ~~barré~~.',
        "'single' quotes and the founders' shop in the '90s",
        'An "unbalanced quote and "another" one"',
        '"Quoted at start" then "x"y" and 5" tall and "',
        '*"emphasised"* and "**strong**" and "`code`" and "[link](https://x.example)"',
        "- one\n- two\n  - nested\n\n  loose",
        "1. first\n2. second",
        '- "quoted" item -- one\n- it\'s (c) two...\n  - nested "deep" item',
        '* lazy\ncontinuation "quoted" line\n\n  "indented" continuation',
        '> - "quoted" in a list in a quote',
        '## "Quoted" heading',
        'Run `say "hi"` then "go" and ``a`b`` "c" with `x` "d".',
        'Unclosed `tick "q" here',
        "```sh\necho 'single' \"double\"\n```",
        "~~~~\n```\n'nested' fence\n~~~~",
        "  ```\nindented 'fence'\n  ```",
        "````\nunclosed 'fence'",
        '"Setext" heading\n===',
        'x "a" b.\n\ny "c" d "e" f.',
        '   "indented" para',
        '| "cell" | it\'s -- x |\n|---|---|\n| "b" c | (tm) |',
        "| a | b |\n|---|:-:|\n| 1 | *x* |",
        # French spacing (narrow no-break spaces before ; ! ? and inside « »)
        "Dans cette série : « Bonjour » ! Vraiment ? Oui ; non `a ; b ?`",
        "[lien !](https://x.example/?a) : « x » ?",
        '*Quoi* ! **Où** ? "guillemets" : « `code` » ;',
        "| left | right | centre |\n|:--|--:|:-:|\n| 1 | 2,50 | *x* |\n| é | `y` | z |",
        "```py\nprint(\"hi\", 'there')\n```",
        '    indented code with "quotes"',
        "> a quote with a [link](other.md) inside",
        'See [the shop](https://shop.example/a?b=1&c=2 "Title") and [x](#part).',
        "[sibling](../series/x/_index.md#part) and [é](café.md)",
        "A line ending in two spaces  \nthen a break\\\nand an escape \\* here.",
        "Text with <b>html</b>",
        "Note[^1].\n\n[^1]: The note.",
        "![alt](photo.jpg)",
        "Entity &amp; and &copy;",
        "[ref][r]\n\n[r]: https://example.com",
        "“already curly” text",
        "***",
        'مرحبا "بالعالم" هنا',
        # markdown-it-pyrs runs its typographer inside code spans too
        "Use `a -- b`, `don't`, `wait...`, `(c)`, `x+-y`, `a--b` and `--flag` here.",
        "A `code span\nacross lines -- don't` and it's \"quoted\"",
        "``a`b -- c`` and `` ` `` it's",
        "| `a|b` | c's -- d |\n|---|---|\n| `e -- f` | it's |",
        "Escaped \\`not code -- it's\\` and `x`",
        "> it's quoted\n>\n>     code it's -- here",
        "- item\n\n      code in a list it's -- here",
        "[it's](https://x.example/it's--a...b) and it's (tm)",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(BLOCKS, min_size=1, max_size=8), st.sampled_from(LOCALES))
def test_generated_documents_render_identically_when_fast(blocks: list[str], locale: str) -> None:
    assert_same("\n\n".join(blocks) + "\n", locale)


# Character soup around what the fast path's checks look at: code spans, quotes,
# apostrophes, typographic replacements, fences, indentation, links and tables.
SOUP = [
    *"`'\" \n-.,!?()|*_[]\\#>a1é",
    *["``", "```", "~~~", "    ", "](", "[a](b.md)", "it's", "l'", "--", "...", "(c)", "(tm)"],
    *["+-", "??", "!!", ",,", "## ", "- ", "1. ", "> ", "|---|---|\n", "\n\n", " `x` "],
    *[" ;", " :", " !", " ?", "« ", " »", "\u00a0", "\u202f"],
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(SOUP), max_size=50).map("".join), st.sampled_from(LOCALES))
@example(".\n :-", "en_US")  # a one-column table to the fast engine only (fuzz finding)
def test_random_text_renders_identically_when_fast(text: str, locale: str) -> None:
    assert_same(text, locale)


def test_code_spans_keep_what_the_typographer_would_change() -> None:
    """markdown-it-pyrs runs its typographer inside code spans (`--flag` became `–flag`,
    `don't` became `don’t`): such spans take markdown-it-py; plain ones stay fast."""
    for span in ["`--flag`", "`don't`", "`wait...`", "`(c)`", "`a -- b`", '`say "hi"`']:
        text = f"Run {span} -- it's quick.\n"
        assert engine_for(text, "en_US") == REFERENCE
        assert f"<code>{escapeHtml(span.strip('`'))}</code>" in render_markdown(text, "en_US")
    text = 'Run `mmsite build` -- it\'s quick, "really".\n'
    assert engine_for(text, "en_US") == FAST
    assert render_markdown(text, "en_US") == (
        "<p>Run <code>mmsite build</code> \u2013 it\u2019s quick, \u201creally\u201d.</p>\n"
    )
    for unclosed in ["A `span\nacross lines` it's\n", "Literal `` ` tick it's\n", "\\`x` it's\n"]:
        assert engine_for(unclosed, "en_US") == REFERENCE


def test_apostrophes_are_curled_in_the_source_where_they_are_text(monkeypatch) -> None:
    """Apostrophes in prose are made U+2019 before the fast engine sees them, so it runs
    without its smartquotes rule; one that may not be text (on a line with a link
    destination, or after four spaces) is left to that rule."""
    used: list[bool] = []
    real = markdown.fast_parser

    def spy(smartquotes: bool = True):
        used.append(smartquotes)
        return real(smartquotes)

    monkeypatch.setattr(markdown, "fast_parser", spy)
    cases = [
        ("It's l'atelier of the founders.\n\n## Don't\n", False),
        ("```\nit's code\n```\n\nit's prose\n", True),  # the rule leaves code alone
        ("See [it's](https://x.example/it's) now.\n", True),
        ("> quote it's\n>\n>     code it's\n", True),
        ("- item\n\n      code it's\n", True),
    ]
    for text, smartquotes in cases:
        used.clear()
        assert assert_same(text, "fr_FR"), text
        assert used == [smartquotes], text
    assert "it's code" in render_markdown(cases[1][0], "en_US")


@pytest.mark.parametrize(
    "text",
    [
        "Raw <span>html</span>",
        "Autolink <https://example.com>",
        "Footnote[^1]\n\n[^1]: x",
        "![image](photo.jpg)",
        "Entity &eacute;",
        "[ref]\n\n[ref]: https://example.com",
        "tab\tseparated",
    ],
)
def test_prescan_sends_unsupported_syntax_to_the_reference_engine(text: str) -> None:
    assert engine_for(text, "en_US") == REFERENCE


def test_only_simple_quotes_take_the_fast_engine() -> None:
    assert engine_for('He said "hi" and didn\'t stop.', "fr_FR") == FAST
    assert engine_for("the founders' shop", "en_US") == REFERENCE
    assert engine_for("the founders' shop", "fr_FR") == REFERENCE
    assert engine_for('"nested "quotes" here"', "en_US") == REFERENCE
    html = render_fast(prepare('He said "hi".', "fr_FR") or "")
    assert html == "<p>He said \u00ab\u202fhi\u202f\u00bb.</p>\n"


def test_extra_rules_without_a_check_disable_the_fast_path() -> None:
    unchecked = (MarkdownRule("qa", lambda state: None),)
    assert engine_for("plain text", "en_US", unchecked) == REFERENCE
    checked = (MarkdownRule("qa", lambda state: None, lambda text: "**Q:**" in text),)
    assert engine_for("plain text", "en_US", checked) == FAST
    assert engine_for("**Q:** why?", "en_US", checked) == REFERENCE


def test_broken_link_on_the_fast_path_is_reported_with_its_line(make_site) -> None:
    body = "Intro paragraph.\n\n## Part\n\nSee [the gift box](gift-box.md) too.\n"
    assert engine_for(body, "en_US") == FAST
    root = make_site({"content/_index.md": page("Home"), "content/shop.md": page("Shop", body)})
    with pytest.raises(BuildErrors) as caught:
        build_site(root)
    errors = caught.value.errors
    assert errors and all(e.path is not None and e.path.name == "shop.md" for e in errors)
    assert {e.line for e in errors} == {8} and "gift-box.md" in errors[0].message


def test_a_panic_in_the_fast_engine_falls_back_to_the_reference(monkeypatch) -> None:
    """markdown-it-pyrs 0.4 panics on some code spans inside link text (found by the
    fuzz test). Those have a backtick run that does not close, which the pre-scan now
    sends to markdown-it-py; a panic on anything else still renders the page with
    markdown-it-py instead of failing the build."""
    text = "[\U000aae91\U00042a08``¼](//evil.example/x)"
    with pytest.raises(BaseException) as caught:
        markdown.fast_parser().render(text)
    assert type(caught.value).__name__ == "PanicException"
    assert fast_source(text, "en_US") is None

    class PanicException(BaseException):  # what pyo3 raises for a Rust panic
        pass

    class Panicking:
        def render(self, source: str, xhtml: bool = False) -> str:
            raise PanicException("index out of bounds")

    monkeypatch.setattr(markdown, "fast_parser", lambda smartquotes=True: Panicking())
    text = "[a `code` link](//evil.example/x) it's"
    assert fast_source(text, "en_US") is not None  # the fast path would take it
    html = render_markdown(text, "en_US")
    assert html == render_reference(text, "en_US")
    assert 'href="//evil.example/x"' in html
