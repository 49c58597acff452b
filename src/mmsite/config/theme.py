"""Theme lookup: the site's own files override its theme, which may be the built-in one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mmsite.config.options import Config
from mmsite.errors import MmsiteError


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
        return cls(config.theme, folders, config.root)

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
