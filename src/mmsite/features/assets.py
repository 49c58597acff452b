"""Static files: publish CSS and JS under content-hashed names (``css/style.3f2a9c1e.css``).

A CDN can cache a fingerprinted file forever: its name changes whenever its bytes do.
``url(...)`` and ``@import`` references inside CSS are rewritten to the fingerprinted
names of the files they point at, so a changed font or image changes the CSS hash too.
Templates ask for ``asset('css/style.css')`` and get the published name.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mmsite.config.options import Config, ConfigSection, SectionContext, boolean, mapping, only
from mmsite.config.yamlutil import decode_utf8
from mmsite.errors import MmsiteError
from mmsite.features.images import is_processed
from mmsite.features.registry import Feature

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


@dataclass(frozen=True)
class AssetOptions:
    minify: bool = False  # minify fingerprinted CSS and JS (needs rcssmin, rjsmin)


def _parse_assets(data: Any, ctx: SectionContext) -> AssetOptions:
    raw = mapping(data, ("assets",), ctx.lines)
    only(raw, {"minify"}, ("assets",), ctx.lines)
    return AssetOptions(minify=boolean(raw.get("minify", False), ("assets", "minify"), ctx.lines))


def asset_options(config: Config) -> AssetOptions:
    return config.section("assets")


# Static files come first so templates can ask for fingerprinted asset names.
FEATURE = Feature(
    "assets",
    config=(ConfigSection("assets", _parse_assets),),
    before_pages=(publish_static, copy_resources),
)
