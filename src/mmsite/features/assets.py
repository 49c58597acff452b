"""Static files: publish CSS and JS under content-hashed names (``css/style.3f2a9c1e.css``).

A CDN can cache a fingerprinted file forever: its name changes whenever its bytes do.
``url(...)`` and ``@import`` references inside CSS are rewritten to the fingerprinted
names of the files they point at, so a changed font or image changes the CSS hash too.
Templates ask for ``asset('css/style.css')`` and get the published name.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mmsite.config.options import Config, ConfigSection, SectionContext, boolean, mapping, only
from mmsite.config.yamlutil import decode_utf8
from mmsite.errors import BuildErrors, MmsiteError, relpath
from mmsite.features.checking import WARNING, CheckContext, Finding
from mmsite.features.images import is_processed
from mmsite.features.registry import Check, Feature, ModelContext

if TYPE_CHECKING:
    from mmsite.features.site import StepContext as Build

FINGERPRINTED = {".css", ".js"}  # always published under a hashed name
HASH_LENGTH = 8
CSS_REF = re.compile(
    r"""url\(\s*(?P<q>['"]?)(?P<url>[^'")\s]+)(?P=q)\s*\)|@import\s+(?P<q2>['"])(?P<imp>[^'"]+)(?P=q2)"""
)
FINGERPRINT = re.compile(r"\.[0-9a-f]{8}\.[A-Za-z0-9]+$")


def fingerprinted_name(rel: str, data: bytes) -> str:
    """``css/style.css`` + bytes -> ``css/style.3f2a9c1e.css``."""
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    path = PurePosixPath(rel)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def is_fingerprinted(rel: str) -> bool:
    return bool(FINGERPRINT.search(rel))


def static_files(build: Build) -> dict[str, Path]:
    """Published path -> source file; the site's ``static/`` overrides the theme's."""
    files: dict[str, Path] = {}
    for folder in build.theme.static_dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not any(p.startswith(".") for p in path.parts[-1:]):
                files[path.relative_to(folder).as_posix()] = path
    return dict(sorted(files.items()))


def minify(rel: str, text: str) -> str:
    try:
        import rcssmin
        import rjsmin
    except ImportError:  # pragma: no cover - depends on the environment
        raise MmsiteError(
            "assets.minify needs the rcssmin and rjsmin packages",
            hint="pip install 'mmsite[minify]', or set assets: {minify: false}",
        ) from None
    return rcssmin.cssmin(text) if rel.endswith(".css") else rjsmin.jsmin(text)


class AssetPublisher:
    """Decides the published name of every static file, resolving CSS references first."""

    def __init__(self, build: Build) -> None:
        self.build = build
        self.files = static_files(build)
        self.names: dict[str, str] = {}  # logical -> published
        self.data: dict[str, bytes] = {}  # logical -> bytes to write (rewritten CSS/JS)
        self.referenced: set[str] = set()  # non-CSS/JS files referenced from CSS
        self._visiting: list[str] = []

    def publish(self, rel: str) -> str:
        """The published name of ``rel`` (computing it, and its dependencies, once)."""
        if rel in self.names:
            return self.names[rel]
        if rel in self._visiting:
            cycle = " -> ".join([*self._visiting, rel])
            raise MmsiteError(f"CSS files import each other in a loop: {cycle}", self.files[rel])
        self._visiting.append(rel)
        data = self.files[rel].read_bytes()
        suffix = PurePosixPath(rel).suffix
        if suffix in FINGERPRINTED:
            text = decode_utf8(data, self.files[rel])
            if suffix == ".css":
                text = self.rewrite_css(rel, text)
            if asset_options(self.build.config).minify:
                text = minify(rel, text)
            data = text.encode("utf-8")
            name = fingerprinted_name(rel, data)
        else:
            name = fingerprinted_name(rel, data) if rel in self.referenced else rel
        self._visiting.pop()
        self.names[rel] = name
        self.data[rel] = data
        return name

    def rewrite_css(self, rel: str, text: str) -> str:
        base = PurePosixPath(rel).parent

        def replace(match: re.Match[str]) -> str:
            url = match.group("url") or match.group("imp")
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path or url.startswith("#"):
                return match.group(0)
            absolute = parts.path.startswith("/")
            target = _normalize(parts.path.lstrip("/") if absolute else str(base / parts.path))
            if target is None or target not in self.files:
                self.build.site.reporter.warn(
                    f"{rel}: {url} is not a static file; left as written", None
                )
                return match.group(0)
            if PurePosixPath(target).suffix not in FINGERPRINTED:
                self.referenced.add(target)
            published = self.publish(target)
            new = (
                self.build.site.router.base_path + published
                if absolute
                else _relative(published, base)
            )
            new += ("?" + parts.query if parts.query else "") + (
                "#" + parts.fragment if parts.fragment else ""
            )
            return match.group(0).replace(url, new, 1)

        return CSS_REF.sub(replace, text)


def _normalize(path: str) -> str | None:
    """Resolve ``..`` inside the static tree; None when it climbs out."""
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def _relative(target: str, base: PurePosixPath) -> str:
    """``fonts/a.woff2`` seen from ``css`` -> ``../fonts/a.woff2``."""
    base_parts = [] if str(base) == "." else list(base.parts)
    target_parts = target.split("/")
    common = 0
    while (
        common < min(len(base_parts), len(target_parts) - 1)
        and base_parts[common] == target_parts[common]
    ):
        common += 1
    return "/".join([".."] * (len(base_parts) - common) + target_parts[common:])


def publish_static(build: Build) -> None:
    """Copy static files, fingerprinting CSS/JS; fill ``site.asset_names`` for templates."""
    publisher = AssetPublisher(build)
    # CSS/JS first: their references decide which other files get hashed names.
    for rel in sorted(publisher.files, key=lambda r: PurePosixPath(r).suffix not in FINGERPRINTED):
        publisher.publish(rel)
    for rel, name in publisher.names.items():
        data = publisher.data[rel]
        build.out.write(name, data)
        if rel in publisher.referenced:
            build.out.write(rel, data)  # also under its plain name for direct links
    build.site.asset_names.update(publisher.names)


def copy_resources(build: Build) -> None:
    """Files beside pages are published at their path below content/. Photos are not
    copied raw (they may carry GPS EXIF): the images feature publishes them."""
    for rel, path in build.site.model.resources.items():
        if not is_processed(rel):
            build.out.copy(rel, path)


# -- which files beside pages may be published -------------------------------------

# Files a browser shows or downloads but never runs as the site's own code. Everything
# else beside pages (HTML, JavaScript, SVG, XML, CSS, unknown kinds) is active: it is
# published only when site.yaml lists it in assets.active_resources. Photos in
# formats Pillow reads are not here: the images feature publishes them processed.
PASSIVE_SUFFIXES = frozenset(
    {
        # images Pillow does not process (kept as they are)
        ".gif", ".ico", ".bmp",
        # documents
        ".pdf", ".txt", ".csv", ".tsv", ".json", ".epub", ".rtf", ".ics", ".vcf",
        ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp",
        # fonts
        ".woff", ".woff2", ".ttf", ".otf",
        # audio, video, subtitles
        ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wav", ".flac",
        ".mp4", ".m4v", ".webm", ".ogv", ".mov", ".vtt", ".srt",
        # archives
        ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".tar",
    }
)  # fmt: skip
OPTION = "assets.active_resources"


def is_passive(rel: PurePosixPath) -> bool:
    return is_processed(rel) or rel.suffix.lower() in PASSIVE_SUFFIXES


def check_resources(ctx: ModelContext) -> None:
    """Model step: every file beside pages is passive, processed or listed in
    ``assets.active_resources`` (a ``content/sw.js`` would otherwise run as the site's
    own code: ``script-src 'self'`` allows it); every listed pattern names a file."""
    options = asset_options(ctx.config)
    resources = ctx.model.resources
    errors = [
        _active_error(rel, path)
        for rel, path in resources.items()
        if not is_passive(rel) and not options.allows(rel)
    ]
    for pattern in options.active_resources:
        if not any(fnmatch.fnmatchcase(str(rel), pattern) for rel in resources):
            errors.append(
                MmsiteError(
                    f"{OPTION}: {pattern!r} names no file below content/",
                    ctx.config.path,
                    options.active_line,
                    hint="a path below content/ such as products/demo.html (* for any name)",
                )
            )
    if errors:
        raise BuildErrors(errors)


def _active_error(rel: PurePosixPath, path: Path) -> MmsiteError:
    kind = rel.suffix.lower() or "files without an extension"
    return MmsiteError(
        f"{kind} beside pages is not published: a browser may run it as this site's own "
        "code (HTML, JavaScript, SVG...), or its kind is unknown",
        path,
        hint=f"to publish it as it is, list it in site.yaml: assets: {{active_resources: "
        f"[{rel}]}}; or remove it (images, PDFs, fonts, audio, video, text and archives "
        "are published without that)",
    )


def check_active(ctx: CheckContext) -> Iterator[Finding]:
    """``mmsite check`` names every active file beside pages that is published."""
    root = ctx.site.config.root
    options = asset_options(ctx.site.config)
    for rel, path in ctx.site.model.resources.items():
        if not is_passive(rel) and options.allows(rel) and (ctx.output / rel).is_file():
            yield Finding(
                WARNING,
                "active",
                str(rel),
                f"published as it is from {relpath(path, root).as_posix()} ({OPTION}): "
                "a browser runs it as this site's own code",
            )


@dataclass(frozen=True)
class AssetOptions:
    minify: bool = False  # minify fingerprinted CSS and JS (needs rcssmin, rjsmin)
    # patterns of active files beside pages to publish anyway (paths below content/)
    active_resources: tuple[str, ...] = ()
    active_line: int | None = None  # of active_resources in site.yaml, for errors

    def allows(self, rel: PurePosixPath) -> bool:
        return any(fnmatch.fnmatchcase(str(rel), p) for p in self.active_resources)


def _parse_assets(data: Any, ctx: SectionContext) -> AssetOptions:
    keys = ("assets",)
    raw = mapping(data, keys, ctx.lines)
    only(raw, {"minify", "active_resources"}, keys, ctx.lines)
    active = raw.get("active_resources", [])
    if not isinstance(active, list) or not all(
        isinstance(item, str) and item.strip() and not item.startswith(("/", "../"))
        for item in active
    ):
        raise ctx.lines.error(
            (*keys, "active_resources"),
            "must be a list of paths below content/",
            hint="e.g. active_resources: [sw.js, products/demo.html]",
        )
    return AssetOptions(
        minify=boolean(raw.get("minify", False), (*keys, "minify"), ctx.lines),
        active_resources=tuple(item.strip() for item in active),
        active_line=ctx.lines.line((*keys, "active_resources")),
    )


def asset_options(config: Config) -> AssetOptions:
    return config.section("assets")


# Static files come first so templates can ask for fingerprinted asset names.
FEATURE = Feature(
    "assets",
    config=(ConfigSection("assets", _parse_assets),),
    model=(check_resources,),
    before_pages=(publish_static, copy_resources),
    checks=(Check("active", check_active),),
)
