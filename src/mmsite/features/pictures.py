"""Images as pages show them: an :class:`ImageSet` (the resized files of one photo) and
the ``<picture>`` markup that templates (``picture()``) and Markdown bodies make of it,
the images a page names in its front matter (``image:``, ``images:``, ``image_alt:``)
and its share image. The files themselves are made by :mod:`mmsite.features.images`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol
from urllib.parse import urlsplit

from markupsafe import Markup

from mmsite.config.options import (
    Config,
    ConfigSection,
    Lines,
    SectionContext,
    mapping,
    only,
    string,
)
from mmsite.content.model import Page, content_path
from mmsite.i18n.routing import Route, Router

IMAGE_FORMATS = ("webp", "avif")


@dataclass(frozen=True)
class ImageOptions:
    """``images:`` in site.yaml: how photos are resized and encoded (see docs/images.md)."""

    widths: tuple[int, ...] = (480, 960, 1600)
    formats: tuple[str, ...] = ("webp",)  # offered before the original JPEG/PNG fallback
    quality: int = 80
    sizes: str = "(min-width: 48rem) 44rem, 100vw"
    cache_dir: str = ".mmsite-cache/images"  # relative to the site root


def _parse_images(value: Any, lines: Lines) -> ImageOptions:
    keys = ("images",)
    data = mapping(value, keys, lines)
    only(data, {"widths", "formats", "quality", "sizes", "cache_dir"}, keys, lines)
    default = ImageOptions()
    widths = data.get("widths", list(default.widths))
    if (
        not isinstance(widths, list)
        or not widths
        or not all(
            isinstance(w, int) and not isinstance(w, bool) and 16 <= w <= 8192 for w in widths
        )
    ):
        raise lines.error(
            (*keys, "widths"), "must be a list of widths in pixels (16 to 8192)", "e.g. [480, 960]"
        )
    formats = data.get("formats", list(default.formats))
    if not isinstance(formats, list) or any(f not in IMAGE_FORMATS for f in formats):
        raise lines.error(
            (*keys, "formats"),
            f"must be a list of {' or '.join(IMAGE_FORMATS)}",
            hint="the original format (JPEG/PNG) is always made as the fallback",
        )
    quality = data.get("quality", default.quality)
    if not isinstance(quality, int) or isinstance(quality, bool) or not 1 <= quality <= 100:
        raise lines.error((*keys, "quality"), "must be a whole number from 1 to 100")
    return ImageOptions(
        widths=tuple(sorted(set(widths))),
        formats=tuple(dict.fromkeys(formats)),
        quality=quality,
        sizes=string(data.get("sizes", default.sizes), (*keys, "sizes"), lines),
        cache_dir=string(data.get("cache_dir", default.cache_dir), (*keys, "cache_dir"), lines),
    )


def _images_section(value: Any, ctx: SectionContext) -> ImageOptions:
    return _parse_images(value, ctx.lines)


IMAGES_SECTION = ConfigSection("images", _images_section)


def image_options(config: Config) -> ImageOptions:
    return config.section("images")


def image_cache_dir(config: Config) -> Path:
    path = Path(image_options(config).cache_dir)
    return path if path.is_absolute() else config.root / path


class ImageSite(Protocol):
    """What image markup needs of the site (:class:`mmsite.features.site.Site`)."""

    config: Config
    router: Router
    images: dict[PurePosixPath, ImageSet]


MIME = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "avif": "image/avif"}


@dataclass(frozen=True)
class Variant:
    url: str  # root-relative, percent-encoded
    width: int
    height: int
    format: str  # "jpeg", "png", "webp", "avif"

    @property
    def mime(self) -> str:
        return MIME[self.format]


@dataclass(frozen=True)
class ImageSet:
    """One source photo and every published size/format of it."""

    source: PurePosixPath  # below content/
    source_url: str  # where the original's path is published (largest size, stripped)
    variants: tuple[Variant, ...]
    fallback_format: str  # the original's format: what <img> uses
    og: Variant | None = None  # 1200x630 crop, made for images named in front matter

    def of_format(self, fmt: str) -> list[Variant]:
        return sorted((v for v in self.variants if v.format == fmt), key=lambda v: v.width)

    @property
    def largest(self) -> Variant:
        return self.of_format(self.fallback_format)[-1]

    @property
    def url(self) -> str:
        return self.largest.url

    @property
    def width(self) -> int:
        return self.largest.width

    @property
    def height(self) -> int:
        return self.largest.height

    @property
    def modern_formats(self) -> list[str]:
        """Formats offered in ``<source>``, best first."""
        seen = dict.fromkeys(v.format for v in self.variants if v.format != self.fallback_format)
        return sorted(seen, key=lambda f: ("avif", "webp").index(f))

    def srcset(self, fmt: str | None = None) -> str:
        variants = self.of_format(fmt or self.fallback_format)
        return ", ".join(f"{v.url} {v.width}w" for v in variants)


@dataclass(frozen=True)
class PageImage:
    """An image as one page shows it: the files plus the alt text in the page's language."""

    image: ImageSet
    alt: str | None

    url = property(lambda self: self.image.url)
    width = property(lambda self: self.image.width)
    height = property(lambda self: self.image.height)
    og = property(lambda self: self.image.og)


def _entries(page: Page) -> list[tuple[str, str | None]]:
    """(file, inline alt) from ``image:`` then ``images:`` (names or {src, alt})."""
    entries: list[tuple[str, str | None]] = []
    single = page.meta.get("image")
    if isinstance(single, str):
        entries.append((single, None))
    many = page.meta.get("images")
    for item in many if isinstance(many, list) else []:
        src, alt = (item.get("src"), item.get("alt")) if isinstance(item, dict) else (item, None)
        if isinstance(src, str) and src not in [e[0] for e in entries]:
            entries.append((src, alt if isinstance(alt, str) else None))
    return entries


def entry_ok(item: Any) -> bool:
    if isinstance(item, dict):
        return isinstance(item.get("src"), str) and isinstance(item.get("alt", ""), str)
    return isinstance(item, str)


def image_refs(page: Page) -> list[str]:
    """Image files named by ``image:`` then ``images:``, as written."""
    return [src for src, _alt in _entries(page)]


def resolve_ref(page: Page, ref: str) -> PurePosixPath | None:
    """The resource below content/; None for URLs (``https://…`` images are not processed)."""
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or ref.startswith("/"):
        return None
    return content_path(page.refs_dir, parts.path)


def alt_for(page: Page, ref: str) -> str | None:
    """Alt text: ``{src, alt}`` in images:, else ``image_alt`` (text for every image, a
    mapping by file name, or a list in the order of images:)."""
    entries = _entries(page)
    alt = next((a for src, a in entries if src == ref), None)
    if alt is None:
        alt = page.meta.get("image_alt")
        if isinstance(alt, dict):
            alt = alt.get(ref, alt.get(PurePosixPath(ref).name))
        elif isinstance(alt, list):
            many = [src for src, _ in entries if src != page.meta.get("image")]
            index = many.index(ref) if ref in many else 0
            alt = alt[index] if index < len(alt) else None
    return (alt.strip() or None) if isinstance(alt, str) else None


def picture_html(
    image: ImageSet,
    alt: str,
    sizes: str,
    css_class: str | None = None,
    title: str | None = None,
    priority: bool = False,
) -> Markup:
    """``<picture>`` with a ``<source>`` per modern format and an ``<img>`` fallback that
    always has width/height (no layout shift). ``priority`` is for the one image at the
    top of a page: loaded eagerly with high fetch priority instead of lazily."""
    parts = [Markup("<picture>")]
    for fmt in image.modern_formats:
        parts.append(
            Markup('<source type="{}" srcset="{}" sizes="{}">').format(
                MIME[fmt], image.srcset(fmt), sizes
            )
        )
    extra = Markup("")
    if css_class:
        extra += Markup(' class="{}"').format(css_class)
    if title:
        extra += Markup(' title="{}"').format(title)
    loading = Markup(' loading="eager" fetchpriority="high"' if priority else ' loading="lazy"')
    parts.append(
        Markup(
            '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}{}'
            ' decoding="async">'
        ).format(image.url, image.srcset(), sizes, image.width, image.height, alt, extra, loading)
    )
    parts.append(Markup("</picture>"))
    return Markup("").join(parts)


def make_picture(site: ImageSite):
    """The ``picture(image, sizes=None, alt=None, css_class=None, priority=False)``
    template function. ``image`` is ``page.image``, an item of ``page.images``, an
    ImageSet, a path below content/ or the original's URL (or anything with ``.url`` and
    ``.alt``); ``alt`` defaults to the image's own alt text. An image mmsite did not
    process (GIF, SVG, remote) gets a plain lazy ``<img>``. Images are looked up by URL
    from the first call on (the images step has filled ``site.images`` by then)."""
    by_url: dict[str, ImageSet] = {}

    def picture(
        image: Any,
        sizes: str | None = None,
        alt: str | None = None,
        css_class: str | None = None,
        priority: bool = False,
    ) -> Markup:
        if image is None:
            return Markup("")
        if alt is None:
            alt = _field(image, "alt", None)
        if not by_url:
            by_url.update((known.source_url, known) for known in site.images.values())
        found = _find(image, site.images, by_url)
        sizes = sizes or image_options(site.config).sizes
        if found is not None:
            return picture_html(found, alt or "", sizes, css_class, None, priority)
        url = str(_field(image, "url", image))
        return Markup('<img src="{}" alt="{}"{} loading="{}" decoding="async">').format(
            url,
            alt or "",
            Markup(' class="{}"').format(css_class) if css_class else "",
            "eager" if priority else "lazy",
        )

    return picture


def _field(obj: Any, name: str, default: Any) -> Any:
    """``obj.name`` or ``obj["name"]``, like Jinja's attribute lookup."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _find(
    image: Any, images: dict[PurePosixPath, ImageSet], by_url: dict[str, ImageSet]
) -> ImageSet | None:
    if isinstance(image, PageImage):
        return image.image
    if isinstance(image, ImageSet):
        return image
    key = str(_field(image, "url", image))
    return by_url.get(key) or images.get(PurePosixPath(key))


def markdown_images(site: ImageSite, route: Route):
    """Markdown hook: ``![alt](photo.jpg "title")`` beside the page -> ``<picture>``."""
    page = route.page

    def render(src: str, alt: str, title: str | None) -> str | None:
        rel = resolve_ref(page, src)
        image = site.images.get(rel) if rel is not None else None
        if image is None:
            return None
        return picture_html(image, alt, image_options(site.config).sizes, title=title or None)

    return render


def page_images(site: ImageSite, page: Page) -> list[PageImage]:
    images = []
    for ref in image_refs(page):
        rel = resolve_ref(page, ref)
        image = site.images.get(rel) if rel is not None else None
        if image is not None:
            images.append(PageImage(image, alt_for(page, ref)))
    return images


def og_image(site: ImageSite, page: Page) -> dict[str, Any] | None:
    """``og:image`` data: absolute URL, size, MIME type and alt of the 1200x630 crop."""
    images = page_images(site, page)
    if not images or images[0].og is None:
        return None
    og = images[0].og
    return {
        "url": site.router.absolute(og.url),
        "width": og.width,
        "height": og.height,
        "type": og.mime,
        "alt": images[0].alt or "",
    }
