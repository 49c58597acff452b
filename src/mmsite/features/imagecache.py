"""Image processing with Pillow, cached on disk by source content + settings.

One :class:`Job` turns one source photo into every published file (each width in the
original format and in each modern format, plus an optional Open Graph crop). Results
live in ``<cache>/<key[:2]>/<key>/`` with a ``manifest.json`` written last, so a second
build with the same bytes and settings does no image work at all. Jobs run in parallel
in worker processes; a bad file becomes an error message, never a crash.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import math
import multiprocessing
import os
import shutil
import sys
import threading
import warnings
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import PIL
    from PIL import Image, ImageCms, ImageOps
else:

    class _LazyModule:
        """A module imported on first attribute access: Pillow costs ~40 ms to import
        and only builds with photos to process need it."""

        def __init__(self, name: str) -> None:
            self._name = name

        def __getattr__(self, attr: str) -> Any:
            return getattr(importlib.import_module(self._name), attr)

    PIL, Image, ImageCms, ImageOps = (
        _LazyModule(name) for name in ("PIL", "PIL.Image", "PIL.ImageCms", "PIL.ImageOps")
    )

PIPELINE_VERSION = 1  # bump when processing changes, to invalidate every cache entry
OG_SIZE = (1200, 630)
ORIGINAL_FORMATS = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp"}
# Phone and camera formats browsers do not all show: published as JPEG (PNG when the
# picture has transparency), never as they are (they carry GPS EXIF, camera serials).
CONVERTED_FORMATS = frozenset({"TIFF", "HEIF", "AVIF"})
HEIF_SUFFIXES = (".heic", ".heif")
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "avif": "avif"}
ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height
MANIFEST = "manifest.json"
NOTE = "warning.txt"  # beside the manifest: a warning given each time the entry is used


@dataclass(frozen=True)
class Job:
    """Everything a worker needs; plain data so it pickles cheaply."""

    source: str  # absolute path of the photo
    digest: str  # sha256 of its bytes
    widths: tuple[int, ...]
    formats: tuple[str, ...]  # modern formats besides the original: "webp", "avif"
    quality: int
    og: bool  # also make the 1200x630 Open Graph crop

    @property
    def key(self) -> str:
        settings = [
            PIPELINE_VERSION,
            PIL.__version__,
            list(self.widths),
            list(self.formats),
            self.quality,
            self.og,
        ]
        return hashlib.sha256(f"{self.digest}:{json.dumps(settings)}".encode()).hexdigest()


@dataclass(frozen=True)
class Output:
    """One processed file in a cache entry."""

    file: str  # name inside the entry folder: "480.webp", "og.jpg"
    width: int
    height: int
    format: str  # "jpeg", "png", "webp", "avif"
    role: str  # "responsive" or "og"


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- the worker ----------------------------------------------------------------


def target_widths(width: int, widths: tuple[int, ...]) -> list[int]:
    """Configured widths below ``width``, plus ``width`` itself if any were too big.
    Never upscales."""
    smaller = [w for w in widths if w < width]
    return smaller + [width] if len(smaller) < len(widths) else smaller


class MissingPlugin(Exception):
    """A photo format that needs an optional package."""


def _heif_opener() -> None:
    try:
        import pillow_heif  # type: ignore[import-not-found]
    except ImportError:
        raise MissingPlugin(
            "HEIC/HEIF photos need the pillow-heif package: pip install 'mmsite[heic]', "
            "or export the photo as JPEG (the file is never published as it is)"
        ) from None
    pillow_heif.register_heif_opener()


def _open(path: str, largest: int) -> tuple[Image.Image, str]:
    """Decode (JPEG at a reduced scale when that is enough), apply EXIF orientation."""
    if path.lower().endswith(HEIF_SUFFIXES):
        _heif_opener()
    image = Image.open(path)
    original = ORIGINAL_FORMATS.get(image.format or "")
    if original is None and image.format in CONVERTED_FORMATS:
        original = "png" if _has_alpha(image) else "jpeg"
    if original is None:
        raise ValueError(
            f"{image.format} images are not supported (use JPEG, PNG, WebP, HEIC or TIFF)"
        )
    if image.format == "JPEG":
        w, h = image.size
        if image.getexif().get(0x0112) in ROTATED:
            w, h = h, w
        scale = max(largest / w, OG_SIZE[0] / w, OG_SIZE[1] / h)
        if scale < 1:
            image.draft(
                image.mode, (math.ceil(image.width * scale), math.ceil(image.height * scale))
            )
    image = ImageOps.exif_transpose(image)
    return _to_srgb(image), original


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert colours from an embedded ICC profile to sRGB so the profile can be dropped."""
    icc = image.info.get("icc_profile")
    mode = "RGBA" if "A" in image.getbands() else "RGB"
    if icc and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            image = ImageCms.profileToProfile(image, source, srgb, outputMode=mode) or image
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    if image.mode == "CMYK":
        image = image.convert("RGB")
    return image


def _has_alpha(image: Image.Image) -> bool:
    return "A" in image.getbands() or "transparency" in image.info


def _for_format(image: Image.Image, fmt: str) -> Image.Image:
    if fmt == "png":
        ok = image.mode in ("1", "L", "LA", "P", "RGB", "RGBA")
        return image if ok else image.convert("RGBA" if _has_alpha(image) else "RGB")
    if fmt == "jpeg":
        return image if image.mode in ("L", "RGB") else _flatten(image)
    return image.convert("RGBA" if _has_alpha(image) else "RGB")


def _flatten(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: put the picture on white."""
    if not _has_alpha(image):
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


def _save(image: Image.Image, path: Path, fmt: str, quality: int) -> None:
    """Encode with no metadata at all: no EXIF (GPS, serials), XMP, ICC or comments."""
    image = _for_format(image, fmt)
    image.info = {}
    options: dict = {}
    if fmt == "jpeg":
        options = {"quality": quality, "optimize": True, "progressive": True}
    elif fmt == "png":
        options = {"optimize": True}
    elif fmt == "webp":
        options = {"quality": quality, "method": 4}
    elif fmt == "avif":
        options = {"quality": quality}
    image.save(path, format=fmt.upper(), **options)


def _og_crop(image: Image.Image) -> Image.Image:
    """Centre crop to 1200:630, scaled down to 1200x630 (never up)."""
    ratio = OG_SIZE[0] / OG_SIZE[1]
    w, h = image.size
    cw, ch = (round(h * ratio), h) if w / h > ratio else (w, round(w / ratio))
    left, top = (w - cw) // 2, (h - ch) // 2
    crop = image.crop((left, top, left + cw, top + ch))
    if cw > OG_SIZE[0]:
        crop = crop.resize(OG_SIZE, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return crop


def _resize(image: Image.Image, width: int) -> Image.Image:
    if width == image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def _render(job: Job, folder: Path) -> list[Output]:
    with warnings.catch_warnings():  # our own warning instead of Pillow's (see _note_size)
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image, original = _open(job.source, max(job.widths))
    _note_size(image, folder)
    outputs: list[Output] = []
    formats = [original] + [f for f in job.formats if f != original]
    sized = image
    for width in reversed(target_widths(image.width, job.widths)):
        sized = _resize(sized, width)  # each size from the next larger one: faster
        for fmt in formats:
            name = f"{width}.{EXTENSIONS[fmt]}"
            _save(sized, folder / name, fmt, job.quality)
            outputs.append(Output(name, sized.width, sized.height, fmt, "responsive"))
    outputs.sort(key=lambda o: (o.format != original, o.width))
    if job.og:
        crop = _og_crop(image)
        _save(crop, folder / "og.jpg", "jpeg", job.quality)
        outputs.append(Output("og.jpg", crop.width, crop.height, "jpeg", "og"))
    return outputs


def _note_size(image: Image.Image, folder: Path) -> None:
    """A photo over Pillow's decompression-bomb limit (89 megapixels; twice that is
    refused) is processed with a warning of ours, kept in its cache entry."""
    pixels = image.width * image.height
    limit = Image.MAX_IMAGE_PIXELS
    if limit and pixels > limit:
        (folder / NOTE).write_text(
            f"very large image ({pixels / 1e6:.0f} megapixels, over the "
            f"{limit / 1e6:.0f} megapixel safety limit): processing it takes a lot of "
            "memory; export it smaller (a web photo needs at most a few megapixels)",
            encoding="utf-8",
        )


def process_job(job: Job, cache_root: str) -> str | None:
    """Worker: process ``job`` into its cache entry. Returns an error message or None."""
    final = entry_dir(Path(cache_root), job.key)
    work = final.with_name(f"{final.name}.tmp-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        outputs = _render(job, work)
        manifest = json.dumps([asdict(o) for o in outputs], indent=1)
        (work / MANIFEST).write_text(manifest, encoding="utf-8")
        shutil.rmtree(final, ignore_errors=True)
        os.replace(work, final)
    except Image.DecompressionBombError:
        return (
            f"image too large to process safely (over {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} "
            "megapixels, or a decompression bomb)"
        )
    except Image.UnidentifiedImageError:
        return "not an image Pillow can read (corrupt, or not really JPEG/PNG/WebP?)"
    except MissingPlugin as exc:
        return str(exc)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        return f"cannot process image: {exc}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return None


# -- the cache -------------------------------------------------------------------


def entry_dir(cache_root: Path, key: str) -> Path:
    return cache_root / key[:2] / key


def load_entry(cache_root: Path, key: str) -> list[Output] | None:
    """The outputs of a finished cache entry, or None if it is missing or incomplete."""
    folder = entry_dir(cache_root, key)
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        outputs = [Output(**item) for item in data]
    except (OSError, ValueError, TypeError):
        return None
    if not all((folder / o.file).is_file() for o in outputs):
        return None
    return outputs


def entry_note(cache_root: Path, key: str) -> str | None:
    """The warning kept in a cache entry (a very large photo), if any."""
    try:
        return (entry_dir(cache_root, key) / NOTE).read_text(encoding="utf-8")
    except OSError:
        return None


def run_jobs(jobs: list[Job], cache_root: Path, workers: int | None = None) -> dict[str, str]:
    """Process ``jobs`` (cache misses), in parallel when there are several.
    Returns error messages by job key."""
    workers = min(len(jobs), workers or os.cpu_count() or 1)
    errors: dict[str, str] = {}
    if workers <= 1:
        for job in jobs:
            _record(job, process_job(job, str(cache_root)), errors)
        return errors
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        futures: list[tuple[Job, Future]] = [
            (job, pool.submit(process_job, job, str(cache_root))) for job in jobs
        ]
        for job, future in futures:
            try:
                _record(job, future.result(), errors)
            except BrokenProcessPool:
                errors[job.key] = "an image worker process died (out of memory?) on this batch"
    return errors


def _context() -> BaseContext:
    """``fork`` on Linux when no other thread runs: fast, and it never re-imports the
    caller's ``__main__`` (a build script without a ``__main__`` guard stays safe).
    Otherwise (threads running, as under ``serve``; macOS; Windows) a clean interpreter."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")


def _record(job: Job, message: str | None, errors: dict[str, str]) -> None:
    if message is not None:
        errors[job.key] = message
