"""Responsive images: real photos made with Pillow, built, and inspected."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import ExifTags, Image

import mmsite.features.imagecache
import mmsite.features.images
from helpers import BASIC_CONFIG, build_site, page, parse_html
from mmsite.content.model import load_content
from mmsite.engine.pipeline import site_config
from mmsite.errors import BuildErrors, MmsiteError
from mmsite.features.imagecache import target_widths
from mmsite.features.images import images_without_alt

CONFIG = (
    BASIC_CONFIG.replace("  ar: {locale: ar_EG}\n", "") + "images:\n  widths: [400, 600, 1000]\n"
)
SERIAL = "SN-4242-SECRET"


def phone_photo(width: int = 1200, height: int = 800, orientation: int = 6) -> bytes:
    """A JPEG stored sideways (red top half, blue bottom half) with EXIF orientation,
    GPS position, camera make and body serial number, like a phone photo."""
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (0, height // 2, width, height))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (50.0, 5.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (5.0, 18.0, 0.0),
    }
    exif[ExifTags.IFD.Exif] = {ExifTags.Base.BodySerialNumber: SERIAL}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png_with_alpha(width: int = 500, height: int = 300) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 128, 0, 128))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def product_site(make_site, **extra: str | bytes):
    files: dict[str, str | bytes] = {
        "content/_index.md": page("Home"),
        "content/products/_index.md": page("Products"),
        "content/products/salt.md": page(
            "Salt", "Fresh from the sea.", images="[photo.jpg]", image_alt='"A jar of salt"'
        ),
        "content/products/salt.fr.md": page("Sel", image_alt='"Un bocal de sel"'),
        "content/products/photo.jpg": phone_photo(),
    }
    files.update(extra)
    return make_site(files, config=CONFIG)


def published(public: Path, pattern: str) -> dict[tuple[int, str], Path]:
    """(width, format) -> file for the variants matching ``pattern``."""
    found = {}
    for path in public.glob(pattern):
        with Image.open(path) as image:
            found[(image.width, image.format)] = path
    return found


def assert_no_metadata(path: Path) -> None:
    with Image.open(path) as image:
        exif = image.getexif()
        assert dict(exif) == {}, path
        assert exif.get_ifd(ExifTags.IFD.GPSInfo) == {}, path
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info), path
    data = path.read_bytes()
    assert SERIAL.encode() not in data and b"PhoneCo" not in data, path


def test_phone_photo_is_resized_rotated_and_stripped(make_site) -> None:
    site = product_site(make_site)
    public = site / "public"
    result = build_site(site)
    assert result.images == 1 and result.images_processed == 1
    variants = published(public / "products", "photo-*w.*")
    # stored 1200x800 + orientation 6 = 800 wide: 1000 is never upscaled, 800 replaces it
    assert set(variants) == {(w, f) for w in (400, 600, 800) for f in ("JPEG", "WEBP")}
    for (width, _fmt), path in variants.items():
        with Image.open(path) as image:
            assert image.size == (width, width * 3 // 2)
        assert_no_metadata(path)
    # orientation applied: the red (stored top) half is now on the right
    with Image.open(public / "products/photo.jpg") as image:
        assert image.size == (800, 1200) and image.format == "JPEG"
        red_right, blue_left = image.getpixel((780, 600)), image.getpixel((20, 600))
    assert red_right[0] > 150 > red_right[2] and blue_left[2] > 150 > blue_left[0]
    # the raw original (with GPS) is not published under any name
    for path in public.rglob("*"):
        if path.is_file():
            assert SERIAL.encode() not in path.read_bytes(), path
    assert_no_metadata(public / "products/photo.jpg")


def _picture(doc) -> tuple[dict, dict]:
    picture = next(doc.iter("picture"))
    source = picture.find("source")
    img = picture.find("img")
    return source.attrib, img.attrib


def _srcset(value: str) -> dict[int, str]:
    entries = [item.strip().rsplit(" ", 1) for item in value.split(",")]
    return {int(w.rstrip("w")): url for url, w in entries}


def test_templates_get_picture_with_srcset_and_dimensions(make_site) -> None:
    site = product_site(make_site)
    build_site(site)
    public = site / "public"
    source, img = _picture(parse_html(public / "products/salt/index.html"))
    assert source["type"] == "image/webp"
    webp = _srcset(source["srcset"])
    jpeg = _srcset(img["srcset"])
    assert sorted(webp) == sorted(jpeg) == [400, 600, 800]
    for width, url in [*webp.items(), *jpeg.items()]:
        with Image.open(public / url.lstrip("/")) as image:
            assert image.width == width
    assert all(u.endswith(".webp") for u in webp.values())
    assert all(u.endswith(".jpg") for u in jpeg.values())
    assert (img["width"], img["height"]) == ("800", "1200")
    assert img["src"] == jpeg[800] and img["alt"] == "A jar of salt"
    assert img["decoding"] == "async" and source["sizes"] == img["sizes"]
    # alt text per language
    _, fr_img = _picture(parse_html(public / "fr/products/salt/index.html"))
    assert fr_img["alt"] == "Un bocal de sel"
    # the product list shows a lazy thumbnail
    _, card = _picture(parse_html(public / "products/index.html"))
    assert card["loading"] == "lazy" and card["width"] == "800"


def test_markdown_body_images_become_pictures(make_site) -> None:
    body = 'Look:\n\n![A green *square*](square.png "Our logo")\n\n![](icon.gif)\n'
    site = product_site(
        make_site,
        **{
            "content/about.md": page("About", body),
            "content/square.png": png_with_alpha(),
            "content/icon.gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        },
    )
    build_site(site)
    public = site / "public"
    doc = parse_html(public / "about/index.html")
    source, img = _picture(doc)
    assert img["alt"] == "A green square" and img["title"] == "Our logo"
    assert img["loading"] == "lazy" and img["decoding"] == "async"
    assert (img["width"], img["height"]) == ("500", "300")
    assert _srcset(img["srcset"]) == {400: img["srcset"].split(" ")[0], 500: img["src"]}
    assert img["src"].endswith(".png") and sorted(_srcset(source["srcset"])) == [400, 500]
    with Image.open(public / img["src"].lstrip("/")) as image:
        assert image.format == "PNG" and image.mode == "RGBA"
    # a GIF is not processed: plain <img>, copied as is
    plain = [i for i in doc.iter("img") if i.get("src") == "/icon.gif"]
    assert plain and (public / "icon.gif").is_file()


def test_second_build_does_no_image_work(make_site, monkeypatch) -> None:
    site = product_site(make_site, **{"content/products/other.png": png_with_alpha()})
    first = build_site(site)
    assert first.images_processed == 2
    cache = site / ".mmsite-cache/images"
    files = {p: p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()}
    assert files

    def no_work(*args, **kwargs):
        raise AssertionError("images were processed again")

    monkeypatch.setattr(mmsite.features.images, "run_jobs", no_work)
    second = build_site(site)
    assert second.images == 2 and second.images_processed == 0
    assert {p: p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()} == files
    monkeypatch.undo()
    # new settings or new bytes mean new work, only for what changed
    (site / "content/products/other.png").write_bytes(png_with_alpha(400, 200))
    assert build_site(site).images_processed == 1
    config = site / "site.yaml"
    config.write_text(config.read_text() + "  quality: 70\n")
    assert build_site(site).images_processed == 2


def test_corrupt_images_name_the_files_and_keep_the_rest(make_site) -> None:
    site = product_site(make_site)
    build_site(site)
    before = (site / "public/products/salt/index.html").read_bytes()
    (site / "content/broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (site / "content/cut.png").write_bytes(png_with_alpha()[:120])
    (site / "content/new.png").write_bytes(png_with_alpha(300, 300))
    with pytest.raises(BuildErrors) as info:
        build_site(site)
    named = {e.path.name for e in info.value.errors}
    assert named == {"broken.jpg", "cut.png"}
    assert all("image" in e.message for e in info.value.errors)
    # the previous output is untouched; the good new image was cached anyway
    assert (site / "public/products/salt/index.html").read_bytes() == before
    (site / "content/broken.jpg").unlink()
    (site / "content/cut.png").unlink()
    assert build_site(site).images_processed == 0


def test_open_graph_crop(make_site) -> None:
    layout = (
        "{% set og = page.og_image %}{{ og.url }} {{ og.width }}x{{ og.height }} "
        "{{ og.type }} {{ og.alt }}\n"
    )
    wide = io.BytesIO()
    Image.new("RGB", (2400, 1600), "white").save(wide, "JPEG")
    site = product_site(
        make_site,
        **{
            "templates/og.html": layout,
            "content/products/salt.md": page(
                "Salt", layout="og", images="[wide.jpg, photo.jpg]", image_alt='"Salt"'
            ),
            "content/products/small.md": page("Small", layout="og", image="photo.jpg"),
            "content/products/wide.jpg": wide.getvalue(),
        },
    )
    build_site(site)
    public = site / "public"
    url, size, mime, alt = (public / "products/salt/index.html").read_text().split()
    assert url.startswith("https://shop.example/products/wide-og.") and url.endswith(".jpg")
    assert (size, mime, alt) == ("1200x630", "image/jpeg", "Salt")
    with Image.open(public / url.removeprefix("https://shop.example/")) as image:
        assert image.size == (1200, 630) and image.format == "JPEG"
    assert_no_metadata(public / url.removeprefix("https://shop.example/"))
    # an 800-wide photo is cropped to 1200:630 but not upscaled
    small = (public / "products/small/index.html").read_text().split()
    assert small[1] == "800x420"


def test_missing_alt_is_reported_for_check(make_site) -> None:
    site = product_site(
        make_site,
        **{
            "content/products/salt.fr.md": page("Sel"),
            "content/products/bare.md": page("Bare", "![](../pic.png)", image="photo.jpg"),
            "content/pic.png": png_with_alpha(),
        },
    )
    config = site_config(site)
    found = images_without_alt(load_content(config))
    messages = {(e.path.name, e.message) for e in found}
    assert messages == {
        ("salt.fr.md", "image 'photo.jpg': alt text is not translated into 'fr'"),
        ("bare.md", "image 'photo.jpg' has no alt text"),
        ("bare.md", "image '../pic.png' in the text has no alt text"),
    }
    assert all(e.line for e in found)
    assert build_site(site).warnings == []  # reported by `mmsite check`, not the build


def test_alt_mapping_per_image(make_site) -> None:
    alt = "{photo.jpg: A jar, other.png: A logo}"
    site = product_site(
        make_site,
        **{
            "content/products/salt.md": page(
                "Salt", images="[photo.jpg, other.png]", image_alt=alt
            ),
            "content/products/other.png": png_with_alpha(),
        },
    )
    assert images_without_alt(load_content(site_config(site))) == []
    build_site(site)
    _, img = _picture(parse_html(site / "public/products/salt/index.html"))
    assert img["alt"] == "A jar"


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"images": "[nowhere.jpg]"}, "image 'nowhere.jpg' not found beside the page"),
        ({"image": "42"}, "image must be a file name"),
        ({"images": "[photo.jpg]", "image_alt": "{typo.jpg: x}"}, "image_alt: 'typo.jpg'"),
    ],
)
def test_front_matter_mistakes(make_site, meta: dict[str, str], message: str) -> None:
    site = product_site(make_site, **{"content/products/salt.md": page("Salt", **meta)})
    with pytest.raises(MmsiteError) as info:
        build_site(site)
    errors = getattr(info.value, "errors", [info.value])
    assert any(message in e.message and e.path.name == "salt.md" and e.line for e in errors)


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("  sizes: 100vw\n  cache_dir: 7\n", "images.cache_dir"),
        ("", "images.widths"),
        ("  formats: [gif]\n", "images.formats"),
        ("  quality: 0\n", "images.quality"),
        ("  colour: true\n", "images.colour"),
    ],
)
def test_image_options_are_strict(make_site, section: str, key: str) -> None:
    config = CONFIG.replace("[400, 600, 1000]", "[0, 400]" if "widths" in key else "[400]")
    site = make_site({"content/_index.md": page("Home")}, config=config + section)
    with pytest.raises(MmsiteError) as info:
        build_site(site)
    assert info.value.message.startswith(key) and info.value.line


def test_cache_dir_inside_output_is_refused(make_site) -> None:
    site = product_site(make_site)
    (site / "site.yaml").write_text(CONFIG + "  cache_dir: public/cache\n")
    with pytest.raises(MmsiteError, match="inside the output folder"):
        build_site(site)
    assert not (site / "public").exists()


def test_avif_and_widths_from_config(make_site) -> None:
    site = product_site(make_site)
    config = CONFIG.replace("[400, 600, 1000]", "[300]") + "  formats: [avif, webp]\n"
    (site / "site.yaml").write_text(config)
    build_site(site)
    public = site / "public"
    picture = next(parse_html(public / "products/salt/index.html").iter("picture"))
    assert [s.get("type") for s in picture.findall("source")] == ["image/avif", "image/webp"]
    assert sorted(published(public / "products", "photo-*w.*")) == [
        (300, "AVIF"),
        (300, "JPEG"),
        (300, "WEBP"),
    ]


@given(
    width=st.integers(1, 10_000),
    widths=st.lists(st.integers(16, 8192), min_size=1, unique=True).map(sorted),
)
def test_target_widths_never_upscale(width: int, widths: list[int]) -> None:
    result = target_widths(width, tuple(widths))
    assert result == sorted(set(result)) and result and max(result) <= width
    assert set(result) - {width} <= set(widths)
    assert (width in result) == (width in widths or max(widths) > width)


def test_many_images_use_worker_processes(make_site, monkeypatch) -> None:
    pools: list[int] = []
    real = mmsite.features.imagecache.ProcessPoolExecutor

    def counting_pool(*args, **kwargs):
        pools.append(kwargs["max_workers"])
        return real(*args, **kwargs)

    monkeypatch.setattr(mmsite.features.imagecache, "ProcessPoolExecutor", counting_pool)
    files = {f"content/products/p{i}.png": png_with_alpha(420 + i, 300) for i in range(4)}
    site = product_site(make_site, **files)
    result = build_site(site)
    assert result.images_processed == 5
    assert pools == [min(5, os.cpu_count() or 1)] or (os.cpu_count() or 1) == 1
    assert len(list((site / "public/products").glob("p*-*w.*.png"))) == 8


def test_store_style_front_matter_and_picture_lookups(make_site) -> None:
    """images: [{src, alt}] and image_alt lists (the storefront's forms) work too, and
    picture() finds an image by content path or by its original URL."""
    layout = (
        "{% for img in page.images %}<p>{{ picture(img) }}</p>{% endfor %}"
        '<p>{{ picture("products/photo.jpg", alt="by path") }}</p>'
        '<p>{{ picture({"url": "/products/photo.jpg", "alt": "by url"}) }}</p>'
        '<p>{{ picture("/icon.gif", alt="plain") }}</p>'
    )
    site = product_site(
        make_site,
        **{
            "templates/gallery.html": layout,
            "content/icon.gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
            "content/products/other.png": png_with_alpha(),
            "content/products/salt.md": page(
                "Salt",
                layout="gallery",
                image="https://cdn.example/remote.jpg",
                images="[{src: photo.jpg, alt: Inline}, other.png]",
                image_alt="[Ignored, From list]",
            ),
        },
    )
    build_site(site)
    doc = parse_html(site / "public/products/salt/index.html")
    imgs = list(doc.iter("img"))
    assert [i.get("alt") for i in imgs] == ["Inline", "From list", "by path", "by url", "plain"]
    assert [i.get("width") for i in imgs] == ["800", "500", "800", "800", None]
    assert imgs[-1].get("src") == "/icon.gif" and imgs[-1].get("loading") == "lazy"


def test_check_and_open_graph_tags_use_the_image_model(make_site) -> None:
    from mmsite.commands.checks import run_checks
    from mmsite.engine.build import BuildOptions, load_site
    from mmsite.errors import Reporter

    site = product_site(make_site, **{"content/products/salt.fr.md": page("Sel")})
    build_site(site)
    head = parse_html(site / "public/products/salt/index.html").find("head")
    og = {m.get("property"): m.get("content") for m in head.iter("meta") if m.get("property")}
    assert og["og:image"].startswith("https://shop.example/products/photo-og.")
    assert (og["og:image:width"], og["og:image:height"]) == ("800", "420")
    assert og["og:image:type"] == "image/jpeg" and og["og:image:alt"] == "A jar of salt"
    loaded, _ = load_site(site, BuildOptions(), Reporter())
    alt = [f for f in run_checks(loaded, site / "public") if f.check == "alt"]
    assert [(f.level, f.where, f.message) for f in alt] == [
        (
            "warning",
            "content/products/salt.fr.md",
            "image 'photo.jpg': alt text is not translated into 'fr'",
        )
    ]
