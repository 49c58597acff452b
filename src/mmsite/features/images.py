"""Responsive images: every JPEG/PNG/WebP below content/ becomes a set of resized,
metadata-free files (see :mod:`mmsite.imagecache`), described by an :class:`ImageSet`
that templates and Markdown bodies turn into ``<picture>`` markup.

Front matter names a page's images (``image: cover.jpg`` or ``images: [a.jpg, b.jpg]``)
and their alt text (``image_alt: "text"`` for all of them, or a mapping by file name);
translations give their own ``image_alt``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mmsite.config.options import Config
from mmsite.content.model import MAX_SEGMENT_BYTES, ContentModel, Page
from mmsite.content.strict import FrontMatter
from mmsite.errors import BuildErrors, MmsiteError, relpath
from mmsite.features.checking import WARNING, CheckContext, Finding
from mmsite.features.imagecache import (
    EXTENSIONS,
    Job,
    Output,
    entry_dir,
    entry_note,
    file_digest,
    load_entry,
    run_jobs,
)
from mmsite.features.pictures import (
    IMAGES_SECTION,
    ImageSet,
    ImageSite,
    Variant,
    alt_for,
    entry_ok,
    image_cache_dir,
    image_options,
    image_refs,
    make_picture,
    resolve_ref,
)
from mmsite.features.registry import Check, Feature, ModelContext
from mmsite.i18n.routing import quote_path

if TYPE_CHECKING:
    import jinja2

    from mmsite.features.site import StepContext as Build

# Published at their own path (resized, metadata stripped), in their own format.
WEB_SUFFIXES = frozenset({".jpg", ".jpeg", ".jfif", ".jpe", ".png", ".webp"})
# Phone and camera photos: published as JPEG (PNG with transparency) beside the source's
# path with that suffix (photo.heic -> photo.jpg), never as they are.
CONVERTED_SUFFIXES = frozenset({".heic", ".heif", ".tif", ".tiff", ".avif"})
PROCESSED_SUFFIXES = WEB_SUFFIXES | CONVERTED_SUFFIXES


def is_processed(rel: PurePosixPath) -> bool:
    """Resources that are published only in processed form (never raw, never with EXIF)."""
    return rel.suffix.lower() in PROCESSED_SUFFIXES


def plain_path(rel: PurePosixPath, fallback: str) -> PurePosixPath:
    """Where the largest processed file is published under the source's own name
    (``photo.jpg``; ``photo.heic`` -> ``photo.jpg``), so links to the photo work."""
    if rel.suffix.lower() in WEB_SUFFIXES:
        return rel
    return rel.with_suffix("." + EXTENSIONS[fallback])


# -- the model templates see --------------------------------------------------


# -- front matter ------------------------------------------------------------------


def check_front_matter(ctx: ModelContext) -> None:
    """Model step: ``image``/``images`` name files beside the page; ``image_alt`` fits them."""
    errors: list[MmsiteError] = []
    model = ctx.model
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
    if "images" in meta and not (isinstance(images, list) and all(map(entry_ok, images))):
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
    cache = image_cache_dir(config)
    _check_cache_dir(cache, build.out.final, config)
    sources = {rel: path for rel, path in site.model.resources.items() if is_processed(rel)}
    _check_names(sources)
    og = _og_sources(site.model)
    options = image_options(config)
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
    plain: dict[PurePosixPath, PurePosixPath] = {}  # published plain path -> source
    for rel, job in jobs.items():
        outputs = load_entry(cache, job.key)
        if outputs is None:
            raise MmsiteError("image cache entry vanished during the build", sources[rel])
        note = entry_note(cache, job.key)
        if note is not None:
            site.reporter.warn(note, sources[rel])
        image = _publish(build, rel, job, outputs)
        errors += _plain_clash(image, plain, site.model)
        site.images[rel] = image
    if errors:
        raise BuildErrors(errors)
    build.result.images = len(jobs)
    build.result.images_processed = len(misses)


# What the longest published size adds to the photo's name (widths are at most 8192).
VARIANT_NAME_EXTRA = len("-8192w.0123456789.webp")


def _check_names(sources: dict[PurePosixPath, Path]) -> None:
    """A photo whose sizes' names would be longer than a file name may be (255 bytes)."""
    errors = [
        MmsiteError(
            f"file name too long for the published sizes of this photo ({size} bytes in "
            f"its name, at most {MAX_SEGMENT_BYTES - VARIANT_NAME_EXTRA})",
            path,
            hint="shorten the file name",
        )
        for rel, path in sources.items()
        if (size := len(rel.stem.encode("utf-8"))) + VARIANT_NAME_EXTRA > MAX_SEGMENT_BYTES
    ]
    if errors:
        raise BuildErrors(errors)


def install_picture(env: jinja2.Environment, site: ImageSite) -> None:
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
    folder = entry_dir(image_cache_dir(build.config), job.key)
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
    published = plain_path(rel, fallback)
    image = ImageSet(rel, quote_path(base + str(published)), tuple(variants), fallback, og)
    largest = next(o for o in outputs if o.role == "responsive" and o.width == image.width)
    build.out.copy(published, folder / largest.file)
    return image


def _plain_clash(
    image: ImageSet, plain: dict[PurePosixPath, PurePosixPath], model: ContentModel
) -> list[MmsiteError]:
    """``photo.heic`` is published as ``photo.jpg``: refuse a ``photo.jpg`` (or a
    ``photo.tif``) beside it."""
    source = image.source
    published = plain_path(source, image.fallback_format)
    if published == source:
        return []
    other = plain.setdefault(published, source)
    if other == source and published not in model.resources:
        return []
    clash = published if published in model.resources else other
    return [
        MmsiteError(
            f"published as {published.name}, the name {clash.name} beside it takes",
            model.resources[source],
            hint=f"rename one of them ({source.name} becomes {published.name} when published)",
        )
    ]


# -- markup --------------------------------------------------------------------------


# -- what PageView exposes -----------------------------------------------------------


def check_alt(ctx: CheckContext) -> Iterator[Finding]:
    """Images without alt text in the page's language (front matter and Markdown)."""
    root = ctx.site.config.root
    for error in images_without_alt(ctx.site.model):
        where = relpath(error.path, root).as_posix() if error.path else "content"
        yield Finding(WARNING, "alt", where, error.message, error.line)


FEATURE = Feature(
    "images",
    config=(IMAGES_SECTION,),
    model=(check_front_matter,),
    templates=(install_picture,),
    before_pages=(process_images,),  # before the pages that show them
    checks=(Check("alt", check_alt),),
    front_matter=(FrontMatter(frozenset({"image", "images", "image_alt"})),),
)
