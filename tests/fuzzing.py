"""Hypothesis strategies and checks for the fuzz tests (tests/test_fuzz_*.py).

Inputs are what editors and freelancers really send: YAML front matter with wrong types,
huge numbers, odd unicode, anchors and aliases, duplicate keys, impossible dates; Markdown
with every kind of link; file names and slugs with anything a file system allows.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from mmsite.errors import BuildErrors, MmsiteError

# Text without surrogates (they cannot be written to a UTF-8 file).
TEXT_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",))
NASTY = [
    "",
    " ",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% raw %}",
    "\u202eevil",
    "\x00",
    "\x1b[31m",
    "مرحبا",
    "ß" * 3,
    "\U0001f9c2 salt",
    "a" * 5000,
    "..",
    "../../etc/passwd",
    "/abs",
    "C:\\Windows",
    "null",
    "~",
    "yes",
    "1e400",
    "-0",
    "NaN",
    "javascript:alert(1)",
]

nasty_text = st.one_of(st.sampled_from(NASTY), st.text(TEXT_CHARS, max_size=40))
huge_int = st.one_of(
    st.integers(), st.sampled_from([2**63, -(2**63) - 1, 10**400, -(10**400), 0, -1])
)
ZONES = [None, dt.UTC, dt.timezone(dt.timedelta(hours=-5, minutes=-30))]
dates = st.one_of(st.dates(), st.datetimes(timezones=st.sampled_from(ZONES)))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    huge_int,
    st.floats(allow_nan=True, allow_infinity=True),
    nasty_text,
    dates,
)
yaml_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(nasty_text | st.integers(), inner, max_size=4)
    ),
    max_leaves=12,
)

# Keys the spine and the extensions read, plus anything else.
KNOWN_KEYS = [
    "title",
    "summary",
    "description",
    "slug",
    "date",
    "updated",
    "draft",
    "weight",
    "translation_key",
    "layout",
    "menu",
    "aliases",
    "url",
    "sku",
    "price",
    "availability",
    "category",
    "images",
    "image",
    "checkout",
    "variants",
    "author",
    "interviewee",
    "part",
    "tags",
    "alt",
    "series",
    "seo",
    "noindex",
]
meta_keys = st.one_of(st.sampled_from(KNOWN_KEYS), nasty_text.filter(bool))

checkout_urls = st.sampled_from(
    [
        "https://buy.stripe.com/test_4gw5kJ",
        "https://kernow.myshopify.com/cart/1:1",
        "http://buy.stripe.com/x",
        "javascript:alert(1)",
        "java\tscript:alert(1)",
        " javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "&#106;avascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/pay",
        "https://",
        "https://[::1",
        "",
    ]
)


@st.composite
def front_matter_values(draw: st.DrawFn) -> dict:
    """A mapping of plausible and implausible front matter."""
    meta: dict = {}
    if draw(st.booleans()):
        meta["title"] = draw(st.one_of(nasty_text.filter(str.strip), yaml_values))
    for key in draw(st.lists(meta_keys, max_size=6, unique=True)):
        if key == "checkout":
            meta[key] = draw(
                st.one_of(st.dictionaries(nasty_text, checkout_urls, max_size=3), yaml_values)
            )
        elif key == "price":
            meta[key] = draw(
                st.one_of(
                    st.dictionaries(
                        st.sampled_from(["USD", "EUR", "EGP", "GBP", "usd", "XXX"]),
                        scalars,
                        max_size=3,
                    ),
                    yaml_values,
                )
            )
        else:
            meta[key] = draw(yaml_values)
    return meta


def dump(meta: dict) -> str:
    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=2**20)


# Hand-written YAML mistakes and attacks that safe_dump never produces.
RAW_FRONT_MATTER = [
    "title: a\ntitle: b",
    "title: x\ndate: 2026-02-30",
    "title: x\ndate: 99999-01-01",
    "title: x\ndate: 0000-01-01",
    "title: x\ndate: 2026-13-01",
    "title: x\ndate: 2026-01-01T25:00:00",
    "title: x\ndate: 10000-01-01 00:00:00",
    "title: x\nweight: 1e999",
    "title: x\nweight: 99999999999999999999999999999",
    "title: &a x\nsummary: *a",
    "title: *undefined",
    "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: &d [*c, *c]\ntitle: x",
    "title: x\n<<: {slug: y}",
    "title: x\n<<: *nope",
    "title: !!python/object/apply:os.system ['echo hi']",
    "title: !!binary aGVsbG8=",
    "title: !!set {a, b}",
    "title: !!omap [a: 1]",
    "title: !!timestamp nope",
    "title: !custom x",
    "? [a, b]\n: c\ntitle: x",
    "? {a: b}\n: c\ntitle: x",
    "1: x\ntitle: y",
    "null: x\ntitle: y",
    "title: x\n  bad indent: y",
    "title:\tx",
    "\ttitle: x",
    "title: 'unclosed",
    'title: "\\ud800"',
    "title: x\r\nslug: y\r",
    "- a\n- b",
    "just text",
    "title: x\n---\ntitle: y",
    "%YAML 1.1\n---\ntitle: x",
    "title: [" * 200 + "]" * 200,
    "title: " + "{a: " * 300 + "1" + "}" * 300,
    "title: x\nslug: ''",
    "title: x\nslug: ../../outside",
    "title: x\nslug: a/b",
    "title: x\nslug: .hidden",
    "title: x\nslug: 'con'",
    "title: x\ntranslation_key: ''",
    "title: x\ndraft: 'no'",
    "title: x\ndraft: no",
    "title: x\nlayout: ../../../etc/passwd",
    "title: x\nlayout: base",
    "title: x\nlayout: '{{'",
    "title: ''",
    "title: ~",
    "\ufefftitle: x",
    "title: x\x00",
    "title: x\x85y",
]

raw_front_matter = st.one_of(
    st.sampled_from(RAW_FRONT_MATTER),
    st.text(TEXT_CHARS, max_size=120),
    st.builds(
        lambda meta, junk, at: _insert_line(dump(meta), junk, at),
        front_matter_values(),
        st.sampled_from(
            ["title: dup", "&x", "*x", ": :", "- list", "  nested: 1", "? q", "|", ">", "'", '"']
        ),
        st.integers(0, 10),
    ),
)


def _insert_line(text: str, line: str, at: int) -> str:
    lines = text.split("\n")
    lines.insert(min(at, len(lines)), line)
    return "\n".join(lines)


LINK_TARGETS = [
    "about.md",
    "../about.md",
    "../../../../etc/passwd.md",
    "missing.md",
    "_index.md",
    "about.md#team",
    "#top",
    "/abs/path",
    "//evil.example/x",
    "https://example.com/a b",
    "mailto:a@example.com",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:x",
    "file:///etc/passwd",
    "photo.jpg",
    "%2e%2e/%2e%2e/x.md",
    "a%00b.md",
    "?q=1",
    "",
    " ",
    "<javascript:alert(1)>",
    "\\..\\x.md",
]

markdown_pieces = st.one_of(
    st.text(TEXT_CHARS, max_size=30),
    st.sampled_from(
        [
            "\n\n",
            "# ",
            "## Heading\n",
            "## Heading\n",  # duplicate anchors
            "* ",
            "1. ",
            "> ",
            "```\n",
            "    code\n",
            "| a | b |\n|---|---|\n| 1 | 2 |\n",
            "[^1]\n\n[^1]: note\n",
            "[^x]",
            "<script>alert(1)</script>",
            "<div onclick=x>",
            "<!-- c -->",
            "&amp; &#0; &#x110000; &nbsp;",
            "\"quoted\" 'single' -- ... (c)",
            "***\n",
            "{{ page.title }}",
            "{% include 'x' %}",
            "\\",
            "\x00",
            "\r\n",
            "\u2028",
        ]
    ),
    st.builds(
        lambda text, target, image: f"{'!' if image else ''}[{text}]({target})",
        st.text(TEXT_CHARS, max_size=8),
        st.one_of(st.sampled_from(LINK_TARGETS), st.text(TEXT_CHARS, max_size=20)),
        st.booleans(),
    ),
    st.builds(
        lambda label, target: f"[{label}]\n\n[{label}]: {target}\n",
        st.from_regex(r"[a-z]{1,5}", fullmatch=True),
        st.sampled_from(LINK_TARGETS),
    ),
    st.builds(lambda target: f"<{target}>", st.sampled_from(LINK_TARGETS)),
)
# Characters XML 1.0 forbids (a vertical tab pasted from Word, NUL, ESC, U+FFFE/U+FFFF)
# among ordinary ones: whatever reaches a feed or a sitemap must leave it well-formed.
XML_FORBIDDEN = [chr(c) for c in range(32) if c not in (9, 10, 13)] + ["\ufffe", "\uffff"]
control_text = st.text(
    st.one_of(st.sampled_from(XML_FORBIDDEN), st.sampled_from(list("ab é\n"))),
    min_size=1,
    max_size=20,
)
# Nesting deep enough to reach markdown-it-py's limit (20 levels) or far past it: quotes,
# lists, both, indentation, emphasis and brackets, on one line or one level per line.
NESTERS = ["> ", ">", "- ", "* ", "1. ", "> - ", "- > ", "*a ", "_a ", "**", "[", "~~"]
deep_nesting = st.builds(
    lambda nester, depth, per_line, text: (
        "".join("  " * i + nester.strip() + " " + text + "\n" for i in range(depth))
        if per_line
        else nester * depth + text
    ),
    st.sampled_from(NESTERS),
    st.one_of(st.integers(1, 40), st.integers(40, 2000)),
    st.booleans(),
    st.sampled_from(["x", "", "*b*", "[a](about.md)", "<b>"]),
)
markdown_bodies = st.lists(st.one_of(markdown_pieces, control_text, deep_nesting), max_size=12).map(
    "".join
)

# Names the build itself writes or hosts treat specially, and Windows device names.
RESERVED_NAMES = [
    "robots.txt",
    "sitemap.xml",
    "atom.xml",
    "merchant-feed.xml",
    "_headers",
    "_redirects",
    "CNAME",
    "404",
    "404.html",
    ".well-known",
    "favicon.ico",
    "assets",
    "nul",
    "aux",
    "com1",
    "lpt1",
]
FILE_NAME_CHARS = st.characters(
    codec="utf-8", exclude_categories=("Cs",), exclude_characters="/\x00"
)
file_stems = st.one_of(
    st.sampled_from(
        [
            "about",
            "_index",
            "a b",
            "con",
            "-",
            "~backup",
            "#lock#",
            "x.fr",
            "x.de",
            "x.zz",
            "x.en",
            "x.ar",
            "x.pt-br",
            "produit-été",
            "سلعة",
            "%2e%2e",
            "a?b",
            "a#b",
            "a\\b",
            "a'b",
            "a\nb",
            "index.html",
            *RESERVED_NAMES,
            # invisible characters, a case twin (issue 28)
            "sitemap-3.xml",
            "Sitemap.XML",
            "buy\u202enow",
            "a\u200bb",
            "About",
        ]
    ),
    st.text(FILE_NAME_CHARS, min_size=1, max_size=30).filter(
        lambda s: s not in (".", "..") and len(s.encode()) < 200
    ),
)


def assert_names_a_file(exc: MmsiteError, allowed: set[Path]) -> None:
    """The error (and every error it collects) names one of ``allowed`` (by resolved path)."""
    errors = exc.errors if isinstance(exc, BuildErrors) else [exc]
    assert errors, "BuildErrors with no errors"
    resolved = {p.resolve() for p in allowed}
    for error in errors:
        assert error.path is not None, f"error names no file: {error!r}"
        # a clash of two files (``about.md`` and ``About.md``) is said at one, naming both
        named = any(f"'{p.name}'" in error.message for p in allowed)
        assert Path(error.path).resolve() in resolved or named, (
            f"{error.path} not in {allowed}: {error}"
        )
        assert str(error.path) in str(error)
        assert error.message.strip()


def assert_xml_parses(output: Path) -> int:
    """Every XML file the build published parses (feeds, merchant feeds, sitemaps);
    returns how many there are."""
    import xml.etree.ElementTree as ET

    count = 0
    for path in sorted(output.rglob("*.xml")):
        try:
            ET.parse(path)
        except ET.ParseError as exc:
            raise AssertionError(f"{path.relative_to(output)} is not well-formed: {exc}") from None
        count += 1
    return count


def tree_listing(folder: Path, skip: Path | None = None) -> dict[str, int]:
    """Every file below ``folder`` (except below ``skip``) with its size and mtime;
    folders are listed too (their mtimes change when an entry is added, so not those)."""
    listing: dict[str, int] = {}
    for base, dirs, files in os.walk(folder):
        here = Path(base)
        if skip is not None and (here == skip or skip in here.parents):
            dirs[:] = []
            continue
        for name in files + dirs:
            path = here / name
            if skip is not None and path == skip:
                continue
            stat = path.lstat()
            mark = 0 if name in dirs else stat.st_mtime_ns ^ stat.st_size
            listing[str(path.relative_to(folder))] = mark
    return listing


# The CI profile (HYPOTHESIS_PROFILE=fuzz, exported by .ci/run) runs each fuzz test with
# its full budget; the budgets add up to more than 10,000 examples. Local runs (profile
# ``dev``) run a fiftieth, at least 20.
BIG = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"


def budget(examples: int) -> settings:
    return settings(
        max_examples=examples if BIG else max(20, examples // 50),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        deadline=None,
    )
