"""Write the site atomically: build into a temporary sibling folder, then swap it in.

A failed or interrupted build leaves the previous output untouched. Nothing is ever
written outside the output folder, and a folder that mmsite did not create is never
replaced or deleted.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

from .errors import MmsiteError

MARKER = ".mmsite-output"


def _is_output(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def check_output_dir(output: Path, site_root: Path) -> None:
    """Refuse output folders whose replacement could destroy the user's work."""
    out = output.resolve()
    root = site_root.resolve()
    if out == root or out in root.parents or out == Path(out.anchor):
        raise MmsiteError(
            f"output folder {output} would contain the site itself",
            site_root / "site.yaml",
            hint="use a subfolder such as public/",
        )
    if (out / "content").exists() or (out / "site.yaml").exists():
        raise MmsiteError(f"output folder {output} holds a site (content/ or site.yaml)")
    if out.exists() and not out.is_dir():
        raise MmsiteError(f"output path {output} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not _is_output(out):
        raise MmsiteError(
            f"output folder {output} exists and was not made by mmsite; refusing to replace it",
            hint="delete or move it yourself, or set output_dir to another folder",
        )


class OutputTree:
    """A staging folder beside the final output; ``commit`` swaps it into place."""

    def __init__(self, final: Path, site_root: Path) -> None:
        check_output_dir(final, site_root)
        self.final = final
        self.staging = final.parent / f".{final.name}.tmp-{os.getpid()}"
        self._cleanup_stale()
        self.staging.mkdir(parents=True)
        (self.staging / MARKER).write_text("built by mmsite; safe to delete\n", encoding="utf-8")
        self.written: set[PurePosixPath] = set()

    def _cleanup_stale(self) -> None:
        """Remove staging/old folders left by killed builds (only ones mmsite marked)."""
        for pattern in (f".{self.final.name}.tmp-*", f".{self.final.name}.old-*"):
            for stale in self.final.parent.glob(pattern):
                if stale.is_dir() and (_is_output(stale) or not any(stale.iterdir())):
                    shutil.rmtree(stale, ignore_errors=True)

    def target(self, rel: PurePosixPath | str) -> Path:
        rel = PurePosixPath(rel)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise MmsiteError(f"refusing to write {rel}: outside the output folder")
        path = self.staging.joinpath(*rel.parts)
        if not path.resolve().is_relative_to(self.staging.resolve()):
            raise MmsiteError(f"refusing to write {rel}: outside the output folder")
        return path

    def write(self, rel: PurePosixPath | str, data: str | bytes) -> None:
        path = self.target(rel)
        self.written.add(PurePosixPath(rel))
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        path.write_bytes(data)

    def copy(self, rel: PurePosixPath | str, source: Path) -> None:
        path = self.target(rel)
        self.written.add(PurePosixPath(rel))
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)

    def exists(self, rel: PurePosixPath | str) -> bool:
        return PurePosixPath(rel) in self.written

    def commit(self) -> None:
        old = self.final.parent / f".{self.final.name}.old-{os.getpid()}"
        if self.final.exists():
            os.replace(self.final, old)
        os.replace(self.staging, self.final)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
