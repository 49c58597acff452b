"""Favicon, touch icon and web app manifest made with Pillow from one logo (or the title's
first letter), linked from every page, off with ``outputs: {icons: false}``."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from helpers import BASIC_CONFIG, build_site, page, parse_html
from mmsite.errors import MmsiteError

FILES = {"content/_index.md": page("Home"), "content/about.fr.md": page("À propos")}


def _logo(width: int, height: int) -> bytes:
    image = Image.new("RGBA", (width, height), (200, 30, 30, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _head_links(path) -> dict[str, str]:
    doc = parse_html(path)
    return {link.get("rel"): link.get("href") for link in doc.iter("link")}


def test_icons_from_a_logo_are_written_and_linked(make_site) -> None:
    config = BASIC_CONFIG + 'icons: {logo: static/logo.png, background: "#fafafa"}\n'
    root = make_site({**FILES, "static/logo.png": _logo(1024, 512)}, config)
    result = build_site(root)
    assert result.warnings == []
    public = root / "public"
    for name, size in (("icon-192.png", 192), ("icon-512.png", 512)):
        with Image.open(public / name) as image:
            assert image.size == (size, size)
            assert image.mode == "RGBA"
            assert image.getpixel((0, 0))[3] == 0  # a wide logo is centred, not stretched
            assert image.getpixel((size // 2, size // 2)) == (200, 30, 30, 255)
    with Image.open(public / "apple-touch-icon.png") as touch:
        assert touch.size == (180, 180)
        assert touch.mode == "RGB"  # opaque: iOS would fill transparency with black
        assert touch.getpixel((0, 0)) == (250, 250, 250)
    with Image.open(public / "favicon.ico") as ico:
        assert ico.format == "ICO"
        assert {(16, 16), (32, 32), (48, 48)} <= set(ico.info["sizes"])
    manifest = json.loads((public / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["name"] == "Test Shop"
    assert manifest["lang"] == "en"
    assert manifest["start_url"] == "/"
    assert [i["src"] for i in manifest["icons"]] == ["/icon-192.png", "/icon-512.png"]
    for rel in ("index.html", "fr/about/index.html"):
        links = _head_links(public / rel)
        assert links["icon"] == "/favicon.ico"
        assert links["apple-touch-icon"] == "/apple-touch-icon.png"
        assert links["manifest"] == "/manifest.webmanifest"


def test_without_a_logo_the_icons_are_a_monogram(make_site) -> None:
    root = make_site(FILES)
    build_site(root)
    with Image.open(root / "public/icon-512.png") as image:
        colours = {colour for _count, colour in image.convert("RGB").getcolors(1 << 16)}
    assert (11, 95, 107) in colours  # the theme's accent
    assert (255, 255, 255) in colours  # the letter T


def test_a_site_s_own_favicon_wins_and_icons_can_be_turned_off(make_site) -> None:
    own = _logo(16, 16)
    root = make_site({**FILES, "static/favicon.ico": own})
    build_site(root)
    assert (root / "public/favicon.ico").read_bytes() == own
    assert (root / "public/icon-192.png").is_file()
    root = make_site(FILES, BASIC_CONFIG + "outputs: {icons: false}\n")
    build_site(root)
    assert not (root / "public/icon-192.png").exists()
    assert "manifest" not in _head_links(root / "public/index.html")


@pytest.mark.parametrize(
    ("icons", "message"),
    [
        ("{logo: static/nope.png}", "does not exist"),
        ('{color: "teal"}', "is not a colour"),
        ("{logo: ../outside.png}", "inside the site folder"),
        ("{logos: x}", "logos"),
    ],
)
def test_icon_mistakes_are_clear_errors(make_site, icons: str, message: str) -> None:
    root = make_site(FILES, BASIC_CONFIG + f"icons: {icons}\n")
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    assert message in str(caught.value)


def test_a_small_logo_is_a_warning(make_site) -> None:
    config = BASIC_CONFIG + "icons: {logo: logo.png}\n"
    root = make_site({**FILES, "logo.png": _logo(64, 64)}, config)
    result = build_site(root)
    assert any("512 px" in w for w in result.warnings)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_missing_logo_is_the_same_mistake_whatever_the_build(make_site, jobs: int) -> None:
    # found with the content's mistakes, before any page: with one process or several
    files = {**FILES, **{f"content/p{i}.md": page(f"P{i}") for i in range(40)}}
    root = make_site(files, BASIC_CONFIG + "icons: {logo: logo.png}\n")
    with pytest.raises(MmsiteError) as caught:
        build_site(root, jobs=jobs)
    assert "logo.png does not exist" in str(caught.value)
    (root / "logo.png").write_bytes(b"not a picture")
    with pytest.raises(MmsiteError) as caught:
        build_site(root, jobs=jobs)
    assert "cannot read the logo" in str(caught.value)


def _organization(path) -> dict:
    doc = parse_html(path)
    for script in doc.iter("script"):
        if script.get("type") == "application/ld+json":
            data = json.loads(script.text or "{}")
            if data.get("@type") == "Organization":
                return data
    raise AssertionError("no Organization")


def test_the_organization_s_logo_is_the_square_icon_of_the_site_s_logo(make_site) -> None:
    config = BASIC_CONFIG + "icons: {logo: logo.png}\n"
    root = make_site({**FILES, "logo.png": _logo(600, 600)}, config)
    build_site(root)
    org = _organization(root / "public/index.html")
    assert org["logo"] == "https://shop.example/icon-512.png"
    with Image.open(root / "public/icon-512.png") as image:
        assert image.size == (512, 512)  # Google: at least 112 x 112
    root = make_site(FILES)  # a monogram is no logo of the business
    build_site(root)
    assert "logo" not in _organization(root / "public/index.html")
