"""Outputs of builds that change a few files of the last one (delta builds).

:class:`SwapOutput` (``mmsite build``): the published output is never written in
place. Its files are hard-linked into a staging folder (folders made anew, files
linked, none copied), the changed files are replaced there (unlinked, then written:
never written through a link), and the staging folder is swapped in like a full
build's (:func:`mmsite.output.tree.swap`). A kill at any instant leaves the old site
or the new one, and no temporary file inside the output.

Linking a whole output costs one ``mkdir`` per folder and one ``link`` per file (about a
second of system time for 3,000 pages on a busy disk), so the output a delta build
replaces is kept as ``.NAME.spare`` beside it, with a record of which files differ from
the new output (``.mmsite-cache/spare-NAME.json``): the next delta build turns the
spare into its staging folder by re-linking just those files. The record names the
output folder's inode, so after any other build the spare is dropped, not used.

:class:`InPlaceOutput` (``mmsite serve``'s own folder below ``.mmsite-cache/``, which
nothing else publishes): a changed file is written beside its target and renamed over
it once the whole build succeeded. The new versions wait in a marked folder beside the
output (``.NAME.tmp-PID``), never inside it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from mmsite.errors import MmsiteError
from mmsite.output.tree import (
    MARKER,
    OutputTree,
    check_output_dir,
    delete_later,
    marker_text,
    read_marker,
    stat_key,
)


class SwapOutput(OutputTree):
    """The previous output linked into a staging folder; what is written replaces its
    file there; :meth:`commit` swaps the folder in (see the module's doc)."""

    check_contents = False  # the clone finds files mmsite did not write (one walk)

    def __init__(self, final: Path, site_root: Path) -> None:
        super().__init__(final, site_root, keep_spare=True)
        if self.previous is None:
            raise MmsiteError(f"no previous build in {final} to update")
        self.kept: set[str] = set()  # files linked from the previous output, untouched
        self._listed = self.previous_files
        differ = self._spare_record()
        if differ is not None:
            self._from_spare(differ)
            return
        if self.spare.is_dir() and not self.spare.is_symlink():
            delete_later(self.spare, final)
        foreign: list[str] = []
        self._clone(str(final), "", foreign)
        if foreign:
            self.abort()
            check_output_dir(final, site_root)  # names them, with the hint
            raise MmsiteError(f"output folder {final} holds files mmsite did not write")

    def _spare_record(self) -> list[str] | None:
        """The files in which the spare differs from the output; None when there is no
        usable spare (the record is taken away: a spare is used once)."""
        try:
            record = json.loads(self.record.read_text(encoding="utf-8"))
            self.record.unlink()
            live = os.stat(self.final).st_ino
        except (OSError, ValueError):
            return None
        usable = (
            isinstance(record, dict)
            and record.get("output") == str(self.final.resolve())
            and record.get("live") == live
            and isinstance(record.get("differ"), list)
            and all(_plain(rel) for rel in record["differ"])
            and not self.spare.is_symlink()
            and read_marker(self.spare) is not None
        )
        return record["differ"] if usable else None

    def _from_spare(self, differ: list[str]) -> None:
        """The spare as staging folder, made equal to the output: each file in which
        they differ unlinked, then linked from the output if it has it (its folders
        made), else its folders removed while empty."""
        os.unlink(f"{self.staging_str}/{MARKER}")
        os.rmdir(self.staging)
        os.rename(self.spare, self.staging)
        for rel in differ:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.staging_str}/{rel}")
            folder = rel.rpartition("/")[0]
            if rel in self._listed:
                if folder:
                    os.makedirs(f"{self.staging_str}/{folder}", exist_ok=True)
                os.link(f"{self.final}/{rel}", f"{self.staging_str}/{rel}")
                continue
            while folder:
                try:
                    os.rmdir(f"{self.staging_str}/{folder}")
                except OSError:
                    break
                folder = folder.rpartition("/")[0]
        self.kept = set(self._listed)

    def _clone(self, source: str, prefix: str, foreign: list[str]) -> None:
        with os.scandir(source) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    os.mkdir(f"{self.staging_str}/{rel}")
                    self._dirs.add(rel)
                    self._clone(entry.path, rel + "/", foreign)
                elif rel == MARKER:
                    continue
                elif rel not in self._listed:
                    foreign.append(rel)
                else:
                    os.link(entry.path, f"{self.staging_str}/{rel}")
                    self.kept.add(rel)

    def _prepare(self, rel: PurePosixPath | str) -> tuple[PurePosixPath, str, str]:
        text = rel if isinstance(rel, str) else str(rel)
        if text in self.kept:  # the previous file's link: unlinked, never written to
            os.unlink(f"{self.staging_str}/{text}")
            self.kept.discard(text)
        return super()._prepare(rel)

    def link_previous(self, rel: PurePosixPath | str, stat: tuple[int, int, int]) -> bool:
        text = rel if isinstance(rel, str) else str(rel)
        if text in self.kept:
            try:
                same = stat_key(f"{self.staging_str}/{text}") == stat
            except OSError:
                return False
            if same:
                self.kept.discard(text)
                self.written.add(PurePosixPath(text))
                self.linked += 1
                return True
        return super().link_previous(rel, stat)

    def files(self) -> list[str]:
        return sorted(self.kept | {str(rel) for rel in self.written})


def _plain(rel: object) -> bool:
    """A relative path below the folder (the record is ours; still checked)."""
    if not isinstance(rel, str) or not rel or rel.startswith("/") or "\0" in rel:
        return False
    return not any(part in ("", ".", "..") for part in rel.split("/"))


class InPlaceOutput(OutputTree):
    """The output folder updated in place: a changed file is written beside its target
    and renamed over it in :meth:`commit`, after every step succeeded. Unchanged bytes
    are never rewritten. Same interface as :class:`OutputTree` for the build steps."""

    def __init__(self, final: Path, site_root: Path, existing: Iterable[str] = ()) -> None:
        """``existing``: the files the folder holds (relative paths); those a full build
        in place does not write again are deleted on :meth:`commit`."""
        check_output_dir(final, site_root, contents=False)
        self.existing = set(existing)
        self.final = final
        self.site_root = site_root
        self.staging = final  # target() resolves below the live folder
        self.previous = final
        self.written: set[PurePosixPath] = set()
        self.fresh: set[PurePosixPath] = set()
        self.linked = 0
        self.planned: dict[PurePosixPath, Path] = {}
        self.step = ""
        self._dirs: set[Path] = set()  # type: ignore[assignment]
        self._pending: dict[Path, Path] = {}  # target -> its new version (in temps)
        self.temps = final.parent / f".{final.name}.tmp-{os.getpid()}"
        self._made = 0  # temporary files made (their names)

    def _temp(self, rel: PurePosixPath | str) -> tuple[PurePosixPath, Path, Path]:
        rel = PurePosixPath(rel)
        path = self.target(rel)
        self.written.add(rel)
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)  # type: ignore[arg-type]
        if not self.temps.is_dir():
            self.temps.mkdir()
            (self.temps / MARKER).write_text(marker_text(None), encoding="utf-8")
        self._made += 1
        return rel, path, self.temps / str(self._made)

    def write(self, rel: PurePosixPath | str, data: str | bytes) -> None:
        rel, path, tmp = self._temp(rel)
        if isinstance(data, str):
            data = data.encode("utf-8")
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                self._drop(path)
                return
        except OSError:
            pass
        tmp.unlink(missing_ok=True)
        tmp.write_bytes(data)
        self._pending[path] = tmp
        self.fresh.add(rel)

    def copy(self, rel: PurePosixPath | str, source: Path) -> None:
        rel, path, tmp = self._temp(rel)
        try:
            was, now = path.stat(), source.stat()
            if (was.st_size, was.st_mtime_ns) == (now.st_size, now.st_mtime_ns):
                self._drop(path)
                return
        except OSError:
            pass
        tmp.unlink(missing_ok=True)
        shutil.copy2(source, tmp)
        self._pending[path] = tmp
        self.fresh.add(rel)

    def _drop(self, path: Path) -> None:
        tmp = self._pending.pop(path, None)
        if tmp is not None:
            tmp.unlink(missing_ok=True)

    def link_previous(self, rel: PurePosixPath | str, stat: tuple[int, int, int]) -> bool:
        rel = PurePosixPath(rel)
        path = self.target(rel)
        try:
            if path in self._pending or stat_key(path) != stat:
                return False
        except OSError:
            return False
        self.written.add(rel)
        self.linked += 1
        return True

    def stat(self, rel: PurePosixPath | str) -> tuple[int, int, int]:
        path = self.target(rel)
        return stat_key(self._pending.get(path, path))

    def commit(self, background_cleanup: bool = False) -> None:
        for path, tmp in self._pending.items():
            os.replace(tmp, path)
        self._pending.clear()
        shutil.rmtree(self.temps, ignore_errors=True)
        if not self.existing:  # a delta: the same files as before
            return
        written = {str(rel) for rel in self.written} | {MARKER}
        for rel in sorted(self.existing - written):
            path = self.target(rel)
            path.unlink(missing_ok=True)
            self._remove_empty(path.parent)
        marker = self.final / MARKER
        tmp = self.final.parent / f".{self.final.name}.marker-{os.getpid()}"
        tmp.write_text(marker_text(self.files()), encoding="utf-8")
        os.replace(tmp, marker)

    def _remove_empty(self, folder: Path) -> None:
        """Remove folders left empty by deleted pages, up to the output folder."""
        while folder != self.final and folder.is_relative_to(self.final):
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    def abort(self) -> None:
        self._pending.clear()
        shutil.rmtree(self.temps, ignore_errors=True)
