"""Nothing unsafe reaches the page: hostile titles, summaries, alt texts and names stay
text (in HTML and in JSON-LD), dangerous link schemes are refused, raw HTML in Markdown is
escaped unless the site opts in. Assertions are on the parsed DOM (html5lib)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from helpers import build_site, parse_html, text_of
from mmsite.errors import BuildErrors, MmsiteError

PAYLOADS = [
    "<script>alert('t')</script>",
    'Salt" onmouseover="alert(1)',
    "</script><script>alert(2)</script>",
    "<!--<script>",
    "]]></title><img src=x onerror=alert(3)>",
    "\u2028\u2029 & &amp; {{ 7*7 }}",
]
PAYLOAD = " ".join(PAYLOADS)
THEME_FORMS = ("search-form", "newsletter")
DANGEROUS_SCHEMES = ("javascript", "vbscript", "data", "file")
URL_ATTRS = ("href", "src", "action", "formaction", "srcset", "poster", "content")


def normalized_scheme(url: str) -> str | None:
    """The scheme a browser would see: WHATWG URL parsing strips leading/trailing C0 controls
    and spaces and removes tabs and newlines anywhere; schemes are case-insensitive."""
    url = url.strip("".join(chr(c) for c in range(0x21)))
    url = re.sub(r"[\t\n\r]", "", url)
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", url)
    return match.group(1).lower() if match else None


def assert_safe_document(doc: ET.Element, where: Path) -> list[dict]:
    """No event handlers, no dangerous URLs, no scripts but ours; returns the JSON-LD."""
    data = []
    for element in doc.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"{where}: {element.tag} has {name}"
            if name.lower() in URL_ATTRS and element.tag != "meta":
                assert normalized_scheme(value) not in DANGEROUS_SCHEMES, f"{where}: {value!r}"
        if element.tag in ("iframe", "object", "embed", "base"):
            raise AssertionError(f"{where}: unexpected <{element.tag}>")
        if element.tag == "form":  # only the theme's own: search, a series' newsletter
            assert element.get("class") in THEME_FORMS, f"{where}: unexpected <form>"
    for script in doc.iter("script"):
        if script.get("type") == "application/ld+json":
            data.append(json.loads(script.text or ""))  # must be one valid JSON value
        else:
            src = script.get("src", "")
            assert src.startswith("/") and src.endswith(".js"), f"{where}: foreign script"
            assert not (script.text or "").strip(), f"{where}: inline script {script.text!r}"
    return data


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def set_key(text: str, key: str, value: str) -> str:
    """Replace a top-level front matter line ``key: ...`` with ``key: value``."""
    return re.sub(rf"(?m)^{key}: .*$", lambda _: f"{key}: {value}", text, count=1)


@pytest.fixture(scope="module")
def hostile_demo(tmp_path_factory: pytest.TempPathFactory, demo_copy) -> Path:
    """The demo site with hostile text in a product, an article and a page."""
    root = demo_copy(tmp_path_factory.mktemp("hostile") / "site")
    quoted = json.dumps(PAYLOAD)  # a YAML double-quoted string
    product = root / "content" / "products" / "smoked-salt.md"
    text = product.read_text(encoding="utf-8")
    text = set_key(text, "title", quoted)
    text = set_key(text, "summary", quoted)
    text = set_key(text, "image_alt", quoted)
    text = set_key(text, "brand", quoted)
    product.write_text(text, encoding="utf-8")
    article = root / "content" / "series" / "micro-multinationals" / "01-global-from-day-one.md"
    text = article.read_text(encoding="utf-8")
    text = set_key(text, "title", quoted)
    text = set_key(text, "summary", quoted)
    text = set_key(text, "author", quoted)
    text = set_key(text, "interviewee", f"{{name: {quoted}, company: {quoted}, country: AU}}")
    article.write_text(text, encoding="utf-8")
    build_site(root)
    return root


def _pages(root: Path) -> list[Path]:
    return sorted((root / "public").rglob("*.html"))


def test_every_page_of_the_hostile_site_is_safe(hostile_demo: Path) -> None:
    pages = _pages(hostile_demo)
    assert len(pages) > 20
    for path in pages:
        assert_safe_document(parse_html(path), path)


def test_hostile_product_text_stays_text(hostile_demo: Path) -> None:
    path = hostile_demo / "public" / "products" / "smoked-salt" / "index.html"
    doc = parse_html(path)
    assert text_of(doc.find(".//h1")) == PAYLOAD
    assert PAYLOAD in doc.find(".//title").text
    alts = [img.get("alt") for img in doc.iter("img")]
    assert PAYLOAD in alts
    data = assert_safe_document(doc, path)
    [ld] = [d for d in data if d.get("@type") in ("Product", "ProductGroup")]
    assert ld["name"] == PAYLOAD
    assert ld["description"] == PAYLOAD
    descriptions = [m.get("content") for m in doc.iter("meta") if m.get("name") == "description"]
    assert descriptions == [PAYLOAD]


def test_hostile_interview_text_stays_text(hostile_demo: Path) -> None:
    path = (
        hostile_demo / "public" / "series" / "micro-multinationals" / "global-from-day-one"
    ) / "index.html"
    if not path.exists():
        [path] = [
            p
            for p in _pages(hostile_demo)
            if "global-from-day-one" in str(p) and "/fr/" not in str(p)
        ][:1]
    doc = parse_html(path)
    assert text_of(doc.find(".//h1")) == PAYLOAD
    data = assert_safe_document(doc, path)
    [article] = [d for d in data if d.get("@type") == "Article"]
    assert article["headline"] == PAYLOAD
    assert PAYLOAD in _strings(article.get("about"))
    assert PAYLOAD in _strings(article.get("author"))
    assert PAYLOAD in "".join(doc.itertext())


def test_translations_of_hostile_pages_are_safe(hostile_demo: Path) -> None:
    for lang in ("fr", "es", "ar"):
        path = hostile_demo / "public" / lang / "index.html"
        assert_safe_document(parse_html(path), path)


# -- URLs ----------------------------------------------------------------------

EVIL_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/pay",
    "\\\\evil.example/pay",
    "http://buy.stripe.com/test_abc",
    "https://buy.stripe.com.evil.example/test_abc",
    "https://user:pw@buy.stripe.com/test_abc",
]


def _product(checkout: str) -> str:
    return (
        "---\ntitle: Salt\nsku: S-1\nprice: {USD: 1.00, GBP: 1.00, EUR: 1.00, EGP: 10}\n"
        f"checkout:\n  stripe: {json.dumps(checkout)}\n---\nBody.\n"
    )


@pytest.mark.parametrize("url", EVIL_URLS)
def test_hostile_checkout_links_are_refused(demo_site: Path, url: str) -> None:
    root = demo_site
    bad = root / "content" / "products" / "evil.md"
    bad.write_text(_product(url), encoding="utf-8")
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    errors = caught.value.errors if isinstance(caught.value, BuildErrors) else [caught.value]
    assert any(e.path is not None and e.path.name == "evil.md" for e in errors), str(caught.value)
    assert not (root / "public").exists()


@pytest.mark.parametrize("url", EVIL_URLS[:11])
def test_hostile_markdown_links_never_become_links(make_site, url: str) -> None:
    body = f"[click]({url}) and ![img]({url}) and <{url}>\n\n[ref]\n\n[ref]: {url}\n"
    root = make_site({"content/_index.md": "---\ntitle: Home\n---\n" + body})
    try:
        build_site(root)
    except MmsiteError as exc:
        assert exc.path is not None and exc.path.name == "_index.md", str(exc)
        return
    path = root / "public" / "index.html"
    assert_safe_document(parse_html(path), path)


@pytest.mark.parametrize(
    "target", ["../../../../etc/passwd.md", "../outside.md", "%2e%2e/%2e%2e/x.md"]
)
def test_links_cannot_traverse_out_of_content(make_site, target: str) -> None:
    root = make_site({"content/_index.md": f"---\ntitle: Home\n---\n[x]({target})\n"})
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    assert "_index.md" in str(caught.value)


def test_images_cannot_traverse_out_of_content(make_site, tmp_path: Path) -> None:
    (tmp_path / "secret.jpg").write_bytes(b"secret")
    root = make_site({"content/_index.md": "---\ntitle: Home\n---\n![x](../../secret.jpg)\n"})
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    assert "_index.md" in str(caught.value)


@pytest.mark.parametrize("layout", ["../../../etc/passwd", "/etc/passwd", "..", "a/../../b"])
def test_layout_cannot_name_a_file_outside_the_theme(make_site, layout: str) -> None:
    root = make_site(
        {"content/_index.md": f"---\ntitle: Home\nlayout: {json.dumps(layout)}\n---\n"}
    )
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    assert "_index.md" in str(caught.value)
    assert "layout" in str(caught.value)


# -- raw HTML in Markdown ------------------------------------------------------

RAW = '<script>alert(1)</script>\n\n<div class="callout" onclick="x()">Hi</div>\n'


def test_raw_html_is_escaped_by_default(make_site) -> None:
    root = make_site({"content/_index.md": "---\ntitle: Home\n---\n" + RAW})
    build_site(root)
    path = root / "public" / "index.html"
    doc = parse_html(path)
    assert_safe_document(doc, path)
    assert not [d for d in doc.iter("div") if d.get("class") == "callout"]
    assert "<script>alert(1)</script>" in "".join(doc.itertext())


def test_raw_html_passes_with_unsafe_html(make_site) -> None:
    from helpers import BASIC_CONFIG

    root = make_site(
        {"content/_index.md": "---\ntitle: Home\n---\n" + RAW},
        config=BASIC_CONFIG + "markdown: {unsafe_html: true}\n",
    )
    build_site(root)
    doc = parse_html(root / "public" / "index.html")
    scripts = [s for s in doc.iter("script") if s.get("type") != "application/ld+json"]
    assert [s.text for s in scripts if s.text] == ["alert(1)"]
    [callout] = [d for d in doc.iter("div") if d.get("class") == "callout"]
    assert callout.get("onclick") == "x()"
