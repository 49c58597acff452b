"""Favicon, touch icon and web app manifest, made with Pillow from one logo.

``icons:`` in site.yaml::

    icons:
      logo: static/logo.png     # square PNG/JPEG/WebP, 512 px or more (else a monogram)
      background: "#ffffff"     # behind the logo where it is transparent (touch icon)
      color: "#0b5f6b"          # the manifest's theme_color; the monogram's background

The build writes ``favicon.ico`` (16, 32 and 48 px), ``apple-touch-icon.png`` (180 px,
opaque), ``icon-192.png``, ``icon-512.png`` and ``manifest.webmanifest``; every page links
them (``icons`` in templates). Without a logo the icons are the site title's first letter
on ``color``. ``outputs: {icons: false}`` turns them off.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# IcoImagePlugin registers ICO: saving favicon.ico then needs no Image.init(), which
# imports every plugin Pillow has (a fifth of a second)
from PIL import (
    IcoImagePlugin,  # noqa: F401
    Image,
    ImageDraw,
    ImageFont,
    UnidentifiedImageError,
)

from mmsite.config.options import Config, ConfigSection, SectionContext, mapping, only, string
from mmsite.errors import MmsiteError
from mmsite.features.registry import Feature, Inputs, ModelContext, Output, provides
from mmsite.features.site import PageView, StepContext

COLOR = re.compile(r"#[0-9a-fA-F]{6}")
PNG_SIZES = {"apple-touch-icon.png": 180, "icon-192.png": 192, "icon-512.png": 512}
ICO_SIZES = [(16, 16), (32, 32), (48, 48)]
MANIFEST = "manifest.webmanifest"
FILES = ("favicon.ico", *PNG_SIZES, MANIFEST)


@dataclass(frozen=True)
class IconOptions:
    logo: str = ""  # relative to the site folder
    background: str = "#ffffff"
    color: str = "#0b5f6b"


def _parse(data: Any, ctx: SectionContext) -> IconOptions:
    if data is None:
        return IconOptions()
    raw = mapping(data, ("icons",), ctx.lines)
    only(raw, {"logo", "background", "color"}, ("icons",), ctx.lines)
    values = {key: string(value, ("icons", key), ctx.lines) for key, value in raw.items()}
    for key in ("background", "color"):
        if key in values and not COLOR.fullmatch(values[key]):
            raise ctx.lines.error(
                ("icons", key), f"{values[key]!r} is not a colour", hint='like "#0b5f6b"'
            )
    logo = values.get("logo", "")
    if logo and (Path(logo).is_absolute() or ".." in Path(logo).parts):
        raise ctx.lines.error(("icons", "logo"), "must be a path inside the site folder")
    return IconOptions(**values)


def icon_options(config: Config) -> IconOptions:
    return config.section("icons")


def _logo_path(config: Config) -> list[Path]:
    logo = icon_options(config).logo
    return [config.root / logo] if logo else []


def _square(image: Image.Image) -> Image.Image:
    """The logo centred on a transparent square (a wide logo is not stretched)."""
    image = image.convert("RGBA")
    side = max(image.size)
    square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    square.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return square


def _monogram(title: str, color: str) -> Image.Image:
    """The title's first letter or digit (Latin letters only: the font Pillow ships has
    no other script), white on ``color``; a plain square when there is none."""
    image = Image.new("RGBA", (512, 512), color)
    letter = next((c for c in title if c.isascii() and c.isalnum()), "")
    if letter:
        font = ImageFont.load_default(size=320)
        draw = ImageDraw.Draw(image)
        draw.text((256, 256), letter.upper(), fill="#ffffff", font=font, anchor="mm")
    return image


def check_logo(ctx: ModelContext) -> None:
    """A logo that is missing or no image is a mistake found with the content's (before
    anything is rendered), not when the icons are written."""
    logo = icon_options(ctx.config).logo
    if not logo:
        return
    path = ctx.config.root / logo
    if not path.is_file():
        raise MmsiteError(
            f"icons: logo {logo} does not exist",
            ctx.config.root / "site.yaml",
            hint="give a square PNG of 512 px or more, e.g. icons: {logo: static/logo.png}",
        )
    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise MmsiteError(f"icons: cannot read the logo ({exc})", path) from None


def _source(build: StepContext) -> Image.Image:
    options = icon_options(build.config)
    if not options.logo:
        return _monogram(build.config.title, options.color)
    path = build.config.root / options.logo
    try:
        with Image.open(path) as opened:
            opened.load()
            image = _square(opened)
    except FileNotFoundError:
        raise MmsiteError(
            f"icons: logo {options.logo} does not exist",
            build.config.root / "site.yaml",
            hint="give a square PNG of 512 px or more, e.g. icons: {logo: static/logo.png}",
        ) from None
    except (UnidentifiedImageError, OSError) as exc:
        raise MmsiteError(f"icons: cannot read the logo ({exc})", path) from None
    if image.width < 512:
        build.site.reporter.warn(
            f"the logo is {image.width} px wide; icons look sharp from 512 px", path
        )
    return image


def _png(image: Image.Image, size: int, background: str | None = None) -> bytes:
    resized = image.resize((size, size), Image.Resampling.LANCZOS)
    if background:  # iOS fills transparency with black
        flat = Image.new("RGBA", resized.size, background)
        flat.alpha_composite(resized)
        resized = flat.convert("RGB")
    buffer = io.BytesIO()
    resized.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _ico(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.resize((48, 48), Image.Resampling.LANCZOS).save(buffer, "ICO", sizes=ICO_SIZES)
    return buffer.getvalue()


def manifest(build: StepContext) -> dict[str, Any]:
    """The web app manifest: the default edition's name, language and direction."""
    config = build.config
    site = build.site
    edition = site.editions[0]
    base = site.router.base_path
    name = site.title(edition)
    options = icon_options(config)
    return {
        "name": name,
        "short_name": name if len(name) <= 12 else name.split()[0][:12],
        "lang": edition.hreflang,
        "dir": edition.direction,
        "start_url": base,
        "scope": base,
        "display": "browser",
        "background_color": options.background,
        "theme_color": options.color,
        "icons": [
            {"src": f"{base}icon-{size}.png", "sizes": f"{size}x{size}", "type": "image/png"}
            for size in (192, 512)
        ],
    }


def write_icons(build: StepContext) -> None:
    """The icons and the manifest; a file the site's ``static/`` has is left to it. Kept
    from the last build while site.yaml and the logo are unchanged."""
    background = icon_options(build.config).background
    made: list[Image.Image] = []

    def source() -> Image.Image:
        if not made:
            made.append(_source(build))
        return made[0]

    def produce(name: str) -> bytes:
        if name == MANIFEST:
            text = json.dumps(manifest(build), ensure_ascii=False, indent=2, sort_keys=True)
            return (text + "\n").encode()
        if name == "favicon.ico":
            return _ico(source())
        return _png(source(), PNG_SIZES[name], background if "apple" in name else None)

    for name in FILES:
        if name not in build.site.asset_names:
            build.derived(name, lambda name=name: produce(name))


@provides("icons")
def icons_context(view: PageView) -> dict[str, Any]:
    """``icons`` in templates: the URLs the head links (None when turned off)."""
    site = view.site
    if not site.config.outputs.on("icons"):
        return {"icons": None}
    base = site.router.base_path

    def url(name: str) -> str:
        return site.asset(name) if name in site.asset_names else base + name

    return {
        "icons": {
            "favicon": url("favicon.ico"),
            "touch": url("apple-touch-icon.png"),
            "manifest": url(MANIFEST),
            "color": icon_options(site.config).color,
        }
    }


FEATURE = Feature(
    "icons",
    config=(ConfigSection("icons", _parse),),
    model=(check_logo,),
    context=(icons_context,),
    outputs=(Output("icons", write_icons, switch="icons", beside_pages=True),),
    inputs=(Inputs(_logo_path),),
)
