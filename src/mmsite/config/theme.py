"""Theme lookup: the site's own files override its theme, which may be the built-in one."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mmsite.config.options import Config
from mmsite.errors import BuildErrors, MmsiteError, relpath


def builtin_themes() -> Path:
    """Built-in themes: packaged beside the code in a wheel, at the repo root in a checkout."""
    packaged = Path(__file__).parents[1] / "themes"  # mmsite/themes in a wheel
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "themes"


def _unique(paths: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    out = []
    for path in paths:
        key = path.resolve()
        if path.is_dir() and key not in seen:
            seen.add(key)
            out.append(path)
    return out


@dataclass(frozen=True)
class Theme:
    """Folders of one theme, highest priority first for templates."""

    name: str
    folders: list[Path]  # theme folders, site's first then built-in
    site_root: Path

    @classmethod
    def find(cls, config: Config) -> Theme:
        candidates = [config.root / "themes" / config.theme, builtin_themes() / config.theme]
        folders = _unique(candidates)
        if not folders:
            raise MmsiteError(
                f"theme {config.theme!r} not found",
                config.path,
                hint=f"create themes/{config.theme}/ or use theme: default",
            )
        theme = cls(config.theme, folders, config.root)
        theme.check_links()
        return theme

    def check_links(self) -> None:
        """Refuse symbolic links that leave their folder: ``static/env.txt ->
        /proc/self/environ`` or ``static/git.txt -> ../.git/config`` would be published,
        a template linked to ``/etc/passwd`` rendered into every page. A link below the
        site's ``templates/``, ``static/`` or ``i18n/`` stays inside that folder, one
        below a theme inside the theme's folder; a linked folder itself stays inside the
        site. The built-in themes ship with mmsite: they are not the site's input."""
        errors: list[MmsiteError] = []
        site = self.site_root.resolve()
        builtin = builtin_themes()
        for folder in self.folders:
            if folder.parent != builtin:
                errors += links_leaving(folder, site, self.site_root)
        for name in ("templates", "static", "i18n", "content/i18n"):
            errors += links_leaving(self.site_root / name, site, self.site_root)
        if errors:
            raise BuildErrors(errors)

    @property
    def template_dirs(self) -> list[Path]:
        return _unique([self.site_root / "templates"] + [f / "templates" for f in self.folders])

    def has_template(self, name: str) -> bool:
        """Is there a ``name.html`` (``layout: name``) in the site's or theme's templates?"""
        return any((folder / f"{name}.html").is_file() for folder in self.template_dirs)

    @property
    def static_dirs(self) -> list[Path]:
        """Lowest priority first: later folders overwrite earlier files."""
        return _unique([f / "static" for f in reversed(self.folders)] + [self.site_root / "static"])

    @property
    def i18n_dirs(self) -> list[Path]:
        """Lowest priority first."""
        site = [self.site_root / "i18n", self.site_root / "content" / "i18n"]
        return _unique([f / "i18n" for f in reversed(self.folders)] + site)


LINK_HINT = "copy the file into the folder instead of linking to it"


def links_leaving(folder: Path, outer: Path, site_root: Path) -> list[MmsiteError]:
    """Errors for ``folder`` (a link out of ``outer``) and for every symbolic link below
    it that points out of ``folder``, loops and links to hidden names included."""
    if not folder.is_dir():
        return []
    inside = _target(folder)
    if isinstance(inside, MmsiteError) or not inside.is_relative_to(outer):
        return [_link_error(folder, inside, outer, site_root)]
    errors: list[MmsiteError] = []  # sorted by path at the end: listings have no order
    stack = [str(folder)]
    while stack:
        try:
            with os.scandir(stack.pop()) as scan:
                entries = list(scan)
        except OSError:
            continue  # unreadable: nothing below it is read by the build either
        for entry in entries:
            if entry.is_symlink():
                target = _target(Path(entry.path))
                if isinstance(target, MmsiteError) or not _below(target, inside):
                    errors.append(_link_error(Path(entry.path), target, inside, site_root))
            elif entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    return sorted(errors, key=lambda error: str(error.path))


def _target(path: Path) -> Path | MmsiteError:
    try:
        return path.resolve(strict=True)
    except FileNotFoundError:
        return path.resolve()  # dangling: the build skips it, the target still counts
    except (OSError, RuntimeError):
        return MmsiteError("symbolic link loop", path, hint="delete the link or point it at a file")


def _below(target: Path, folder: Path) -> bool:
    """Inside ``folder`` and not a hidden name there (``static/.env``, ``.git``)."""
    if not target.is_relative_to(folder):
        return False
    return not any(part.startswith(".") for part in target.relative_to(folder).parts)


def _link_error(
    link: Path, target: Path | MmsiteError, outer: Path, site_root: Path
) -> MmsiteError:
    if isinstance(target, MmsiteError):
        return target
    site = site_root.resolve()
    where = "the site folder" if outer == site else f"{relpath(outer, site).as_posix()}/"
    return MmsiteError(f"symbolic link points outside {where} (to {target})", link, hint=LINK_HINT)
