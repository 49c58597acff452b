"""Responsive images: every JPEG/PNG/WebP below content/ becomes a set of resized,
metadata-free files (see :mod:`mmsite.imagecache`), described by an :class:`ImageSet`
that templates and Markdown bodies turn into ``<picture>`` markup.

Front matter names a page's images (``image: cover.jpg`` or ``images: [a.jpg, b.jpg]``)
and their alt text (``image_alt: "text"`` for all of them, or a mapping by file name);
translations give their own ``image_alt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from markupsafe import Markup

from .config import Config
from .content import ContentModel, Page
from .errors import BuildErrors, MmsiteError, Reporter
from .imagecache import EXTENSIONS, Job, Output, entry_dir, file_digest, load_entry, run_jobs
from .links import _content_path
from .routing import Route, quote_path

if TYPE_CHECKING:
    import jinja2

    from .build import Build
    from .render import Site

PROCESSED_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp"})
MIME = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "avif": "image/avif"}


def is_processed(rel: PurePosixPath) -> bool:
    """Resources that are published only in processed form (never raw, never with EXIF)."""
    return rel.suffix.lower() in PROCESSED_SUFFIXES


# -- the model templates see --------------------------------------------------


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


# -- front matter ------------------------------------------------------------------


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


def _entry_ok(item: Any) -> bool:
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
    return _content_path(page.dir, parts.path)


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


def check_front_matter(config: Config, model: ContentModel, reporter: Reporter) -> None:
    """MODEL_STEP: ``image``/``images`` name files beside the page; ``image_alt`` fits them."""
    errors: list[MmsiteError] = []
    for page in model.pages:
        errors += _page_errors(page, model)
    if errors:
        raise BuildErrors(errors)


def _page_errors(page: Page, model: ContentModel) -> list[MmsiteError]:
    meta = page.meta
    errors = []
    if "image" in meta and not isinstance(meta["image"], str):
        errors.append(page.error("image must be a file name like cover.jpg", "image"))
    images = meta.get("images")
    if "images" in meta and not (isinstance(images, list) and all(map(_entry_ok, images))):
        errors.append(page.error("images must be a list of file names (or {src, alt})", "images"))
    for ref in image_refs(page):
        key = "image" if ref == meta.get("image") else "images"
        rel = resolve_ref(page, ref)
        if rel is None and urlsplit(ref).scheme != "https":
            errors.append(
                page.error(f"image {ref!r}: use a file beside the page, or an https:// URL", key)
            )
        elif rel is not None and rel not in model.resources:
            where = f"content/{page.dir}/".replace("/./", "/")
            hint = f"put the file in {where} or fix the name"
            errors.append(page.error(f"image {ref!r} not found beside the page", key, hint=hint))
    alt = meta.get("image_alt")
    if alt is not None and not isinstance(alt, str | dict | list):
        errors.append(page.error("image_alt must be text, a list, or file: text", "image_alt"))
    if isinstance(alt, dict):
        refs = image_refs(page)
        names = set(refs) | {PurePosixPath(r).name for r in refs}
        for name, text in alt.items():
            if name not in names or not isinstance(text, str):
                errors.append(
                    page.error(
                        f"image_alt: {name!r} must be one of this page's images, with text",
                        "image_alt",
                        hint="images: " + ", ".join(refs) if refs else None,
                    )
                )
    return errors


# -- alt text report (for `mmsite check`) -------------------------------------------


def images_without_alt(model: ContentModel) -> list[MmsiteError]:
    """Warnings: front-matter images without ``image_alt`` in the page's language, and
    Markdown images with empty alt text (``![](photo.jpg)``)."""
    found: list[MmsiteError] = []
    for page in model.pages:
        if page.virtual:
            continue
        key = "image" if "image" in page.meta else "images"
        line = page.line_of(key) or page.line_of("title") or 1  # translations inherit images
        for ref in image_refs(page):
            if alt_for(page, ref) is None:
                found.append(
                    MmsiteError(f"image {ref!r} has no alt text", page.source, line, _ALT_HINT)
                )
            elif page is not _group_default(page) and "image_alt" not in page.doc.meta:
                found.append(
                    MmsiteError(
                        f"image {ref!r}: alt text is not translated into {page.lang!r}",
                        page.source,
                        line,
                        "add image_alt to this translation's front matter",
                    )
                )
        found += _body_images_without_alt(page)
    return found


_ALT_HINT = 'describe it for people who cannot see it: image_alt: "A jar of smoked salt"'


def _group_default(page: Page) -> Page:
    return page.group.default if page.group is not None else page


def _body_images_without_alt(page: Page) -> list[MmsiteError]:
    from markdown_it import MarkdownIt  # imported when a page has an image (it takes ~50 ms)

    found = []
    for block in MarkdownIt("commonmark").parse(page.body):
        line = page.doc.body_line + block.map[0] if block.map else None
        for token in block.children or []:
            if token.type == "image" and not token.content.strip():
                src = token.attrGet("src")
                found.append(
                    MmsiteError(
                        f"image {src!r} in the text has no alt text",
                        page.source,
                        line,
                        hint="write ![what the picture shows](" + f"{src})",
                    )
                )
    return found


# -- the build step ------------------------------------------------------------------


def process_images(build: Build) -> None:
    """Process every image resource (cached), publish the files, fill ``site.images``."""
    site = build.site
    config = site.config
    cache = config.image_cache_dir
    _check_cache_dir(cache, build.out.final, config)
    sources = {rel: path for rel, path in site.model.resources.items() if is_processed(rel)}
    og = _og_sources(site.model)
    options = config.images
    jobs = {
        rel: Job(
            str(path),
            file_digest(path),
            options.widths,
            options.formats,
            options.quality,
            rel in og,
        )
        for rel, path in sources.items()
    }
    misses = {job.key: job for job in jobs.values() if load_entry(cache, job.key) is None}
    failures = run_jobs(list(misses.values()), cache) if misses else {}
    errors = [
        MmsiteError(failures[job.key], sources[rel], hint="re-export it as JPEG or PNG")
        for rel, job in jobs.items()
        if job.key in failures
    ]
    if errors:
        raise BuildErrors(errors)
    for rel, job in jobs.items():
        outputs = load_entry(cache, job.key)
        if outputs is None:
            raise MmsiteError("image cache entry vanished during the build", sources[rel])
        site.images[rel] = _publish(build, rel, job, outputs)
    build.result.images = len(jobs)
    build.result.images_processed = len(misses)


def install_picture(env: jinja2.Environment, site: Site) -> None:
    """The ``picture()`` template function, on every environment a build makes (a
    delta build does not run the images step: its images come from the snapshot)."""
    env.globals["picture"] = make_picture(site)


def _check_cache_dir(cache: Path, output: Path, config: Config) -> None:
    resolved = cache.resolve()
    for folder, what in ((output, "output"), (config.content_dir, "content")):
        if resolved.is_relative_to(folder.resolve()):
            raise MmsiteError(
                f"images.cache_dir {cache} is inside the {what} folder",
                config.path,
                hint="use a folder of its own, e.g. .mmsite-cache/images",
            )


def _og_sources(model: ContentModel) -> set[PurePosixPath]:
    """The first front-matter image of each page gets an Open Graph crop."""
    found = set()
    for page in model.pages:
        refs = image_refs(page)
        rel = resolve_ref(page, refs[0]) if refs else None
        if rel is not None:
            found.add(rel)
    return found


def _publish(build: Build, rel: PurePosixPath, job: Job, outputs: list[Output]) -> ImageSet:
    """Copy cached files into the output; the source's own path gets the largest
    original-format file (stripped), so links to ``photo.jpg`` keep working."""
    folder = entry_dir(build.config.image_cache_dir, job.key)
    base = build.site.router.base_path
    stem = rel.parent / rel.stem
    variants, og = [], None
    for out in outputs:
        suffix = "og" if out.role == "og" else f"{out.width}w"
        name = PurePosixPath(f"{stem}-{suffix}.{job.key[:10]}.{EXTENSIONS[out.format]}")
        build.out.copy(name, folder / out.file)
        variant = Variant(quote_path(base + str(name)), out.width, out.height, out.format)
        if out.role == "og":
            og = variant
        else:
            variants.append(variant)
    fallback = variants[0].format  # the worker writes the original format first
    image = ImageSet(rel, quote_path(base + str(rel)), tuple(variants), fallback, og)
    largest = next(o for o in outputs if o.role == "responsive" and o.width == image.width)
    build.out.copy(rel, folder / largest.file)
    return image


# -- markup --------------------------------------------------------------------------


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


def make_picture(site: Site):
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
        sizes = sizes or site.config.images.sizes
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


def markdown_images(site: Site, route: Route):
    """Markdown hook: ``![alt](photo.jpg "title")`` beside the page -> ``<picture>``."""
    page = route.page

    def render(src: str, alt: str, title: str | None) -> str | None:
        rel = resolve_ref(page, src)
        image = site.images.get(rel) if rel is not None else None
        if image is None:
            return None
        return picture_html(image, alt, site.config.images.sizes, title=title or None)

    return render


# -- what PageView exposes -----------------------------------------------------------


def page_images(site: Site, page: Page) -> list[PageImage]:
    images = []
    for ref in image_refs(page):
        rel = resolve_ref(page, ref)
        image = site.images.get(rel) if rel is not None else None
        if image is not None:
            images.append(PageImage(image, alt_for(page, ref)))
    return images


def og_image(site: Site, page: Page) -> dict[str, Any] | None:
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
