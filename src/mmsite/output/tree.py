"""Write the site atomically: build into a temporary sibling folder, then swap it in.

A failed or interrupted build leaves the previous output untouched. Nothing is ever
written outside the output folder, and a folder that mmsite did not create is never
replaced or deleted.

A file whose bytes equal the previous build's is not rewritten: the previous file is
hard-linked into the staging folder, so it keeps its inode and mtime (CDN sync tools and
``rsync`` see it as unchanged). ``fresh`` lists the files whose bytes are new.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from pathlib import Path, PurePosixPath

from mmsite.errors import MmsiteError

MARKER = ".mmsite-output"
CACHE_DIR = ".mmsite-cache"
# Folders of the site's own sources: never an output folder, nor inside one.
SOURCE_DIRS = ("content", "static", "templates", "themes", "i18n")


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
    for name in SOURCE_DIRS:
        source = root / name
        if out == source or source in out.parents:
            raise MmsiteError(
                f"output folder {output} is inside the site's {name}/ folder",
                site_root / "site.yaml",
                hint="use a subfolder of the site root such as public/",
            )
    if _holds_a_site(out):
        raise MmsiteError(f"output folder {output} holds a site (content/ or site.yaml)")
    if out.exists() and not out.is_dir():
        raise MmsiteError(f"output path {output} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not _is_output(out):
        raise MmsiteError(
            f"output folder {output} exists and was not made by mmsite (no .mmsite-output marker); "
            "refusing to replace or delete it",
            hint="delete or move it yourself, or set output_dir to another folder",
        )


def _holds_a_site(folder: Path) -> bool:
    return (folder / "content").exists() or (folder / "site.yaml").exists()


def clean(output: Path, site_root: Path) -> list[Path]:
    """Delete the output folder, leftovers of killed builds and ``.mmsite-cache/``.

    Only folders mmsite made are deleted: the output must carry the marker file and must
    not be (or contain) the site. Returns what was deleted."""
    if output.is_symlink():
        raise MmsiteError(f"{output} is a symbolic link; not deleting what it points to")
    check_output_dir(output, site_root)
    out = output.resolve()
    removed: list[Path] = []
    if out.exists() and not _is_output(out):
        raise MmsiteError(
            f"{output} has no {MARKER} marker: not an mmsite output, not deleted",
            hint="delete it yourself if you are sure",
        )
    if out.is_dir():
        shutil.rmtree(out)
        removed.append(output)
    for pattern in (f".{out.name}.tmp-*", f".{out.name}.old-*"):
        for stale in sorted(out.parent.glob(pattern)):
            if stale.is_dir() and not stale.is_symlink() and _is_output(stale):
                shutil.rmtree(stale)
                removed.append(stale)
    removed += drop_cache(site_root)
    return removed


def drop_cache(site_root: Path) -> list[Path]:
    """Delete ``.mmsite-cache/`` in the site root (a real folder, never the site)."""
    cache = site_root / CACHE_DIR
    if cache.is_dir() and not cache.is_symlink() and not _holds_a_site(cache):
        shutil.rmtree(cache)
        return [cache]
    return []


class OutputTree:
    """A staging folder beside the final output; ``commit`` swaps it into place."""

    def __init__(self, final: Path, site_root: Path) -> None:
        check_output_dir(final, site_root)
        self.final = final
        self.staging = final.parent / f".{final.name}.tmp-{os.getpid()}"
        self._cleanup_stale()
        self.staging.mkdir(parents=True)
        self.written: set[PurePosixPath] = set()
        self.fresh: set[PurePosixPath] = set()  # written with bytes the last build did not have
        self.linked = 0  # kept from the last build (same inode, same mtime)
        self.previous = final if _is_output(final) else None
        self._dirs: set[str] = set()  # staging folders made, relative ("fr/produits")
        self._stats: dict[PurePosixPath, tuple[int, int, int]] = {}  # of files written
        self.staging_str = str(self.staging)
        self.previous_str = str(self.previous) if self.previous is not None else None
        self.write(MARKER, "built by mmsite; safe to delete\n")
        self.written.clear()
        self.fresh.clear()
        self.linked = 0

    def _cleanup_stale(self) -> None:
        cleanup_stale(self.final)

    def target(self, rel: PurePosixPath | str) -> Path:
        """The staging path of ``rel``, checked lexically: no absolute path, no ``..``,
        no empty or NUL segment. That is enough because mmsite creates the staging
        folder itself and never makes a symbolic link in it (files are written, copied
        or hard-linked), so no path inside it can lead out; no ``resolve()`` per file."""
        return Path(f"{self.staging}/{_checked(rel)[1]}")  # subclasses set only staging

    def _prepare(self, rel: PurePosixPath | str) -> tuple[PurePosixPath, str, str]:
        """``rel``, its text and its staging path, its folder made; an earlier file there
        is unlinked first (it may be a hard link to the live output). Plain strings and
        ``os`` calls: this runs once per output file."""
        key, text = _checked(rel)
        path = self.staging_str + "/" + text
        self._stats.pop(key, None)
        if key in self.written:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            self.fresh.discard(key)
        self.written.add(key)
        slash = text.rfind("/")
        if slash > 0:
            self._make_dir(text[:slash])
        return key, text, path

    def _make_dir(self, folder: str) -> None:
        """Make staging folder ``folder`` (relative, checked): one ``mkdir`` when its
        parent is known to exist, else its parents first."""
        if folder in self._dirs:
            return
        slash = folder.rfind("/")
        if slash > 0:
            self._make_dir(folder[:slash])
        try:
            os.mkdir(self.staging_str + "/" + folder)
        except FileExistsError:
            if not os.path.isdir(self.staging_str + "/" + folder):
                raise
        self._dirs.add(folder)

    def _old(self, text: str) -> str | None:
        return self.previous_str + "/" + text if self.previous_str is not None else None

    def _link(self, old: str, path: str) -> None:
        try:
            os.link(old, path)
        except OSError:
            shutil.copy2(old, path)
        self.linked += 1

    def write(self, rel: PurePosixPath | str, data: str | bytes) -> None:
        key, text, path = self._prepare(rel)
        if isinstance(data, str):
            data = data.encode("utf-8")
        old = self._old(text)
        if old is not None:
            try:
                if os.stat(old).st_size == len(data):
                    with open(old, "rb") as file:
                        same = file.read() == data
                    if same:
                        self._link(old, path)
                        return
            except OSError:
                pass
        st = _write_file(path, data)
        self._stats[key] = (st.st_ino, st.st_size, st.st_mtime_ns)
        self.fresh.add(key)

    def copy(self, rel: PurePosixPath | str, source: Path) -> None:
        """Copy with the source's mtime; an unchanged source links the previous copy."""
        key, text, path = self._prepare(rel)
        old = self._old(text)
        try:
            if old is not None:
                was, now = os.stat(old), os.stat(source)
                if (was.st_size, was.st_mtime_ns) == (now.st_size, now.st_mtime_ns):
                    self._link(old, path)
                    return
        except OSError:
            pass
        shutil.copy2(source, path)
        self.fresh.add(key)

    def link_previous(self, rel: PurePosixPath | str, stat: tuple[int, int, int]) -> bool:
        """Keep the previous build's ``rel`` if it is still the file with ``stat``
        (inode, size, mtime_ns); False when it is gone or was changed by someone."""
        old = self._old(_checked(rel)[1])
        try:
            if old is None or stat_key(old) != stat:
                return False
        except OSError:
            return False
        _, _, path = self._prepare(rel)
        self._link(old, path)
        return True

    def written_stat(self, rel: PurePosixPath) -> tuple[int, int, int] | None:
        """What :meth:`stat` gives for a file this process wrote, None for others."""
        return self._stats.get(rel)

    def stat(self, rel: PurePosixPath | str) -> tuple[int, int, int]:
        """(inode, size, mtime_ns) of an output file (as :meth:`write` left it)."""
        key, text = _checked(rel)
        known = self._stats.get(key)
        return known if known is not None else stat_key(self.staging_str + "/" + text)

    def exists(self, rel: PurePosixPath | str) -> bool:
        return (rel if isinstance(rel, PurePosixPath) else PurePosixPath(rel)) in self.written

    def path_of(self, rel: PurePosixPath | str) -> Path:
        """Where this build's bytes of ``rel`` are now (an output made from other
        outputs, such as a search index, reads them there)."""
        return self.target(rel)

    def remove(self, rel: PurePosixPath | str) -> None:
        """``rel`` is no longer part of the output: a file a step wrote in an earlier
        build and has no use for now (a folder updated in place deletes it on commit;
        a fresh staging folder only forgets it if this build wrote it)."""
        key, text = _checked(rel)
        if key in self.written:
            self.written.discard(key)
            self.fresh.discard(key)
            self._stats.pop(key, None)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.staging_str + "/" + text)

    def commit(self, background_cleanup: bool = False) -> None:
        """Swap the staging folder in. ``background_cleanup`` deletes the replaced output
        in a thread (``mmsite serve``, ``mmsite build``: the new output is in place at
        once). A deletion cut short (the process exits) leaves a marked ``.old-`` folder
        that the next build removes."""
        old = self.final.parent / f".{self.final.name}.old-{os.getpid()}-{id(self)}"
        if self.final.exists():
            os.replace(self.final, old)
        os.replace(self.staging, self.final)
        if old.exists():
            if background_cleanup:
                _delete_in_background(old)
            else:
                delete_marked(old)

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def cleanup_stale(final: Path) -> None:
    """Remove staging/old folders beside ``final`` left by killed builds (only ones
    mmsite marked). Old outputs go in a background thread: their names never clash
    with a new build's."""
    for stale in final.parent.glob(f".{final.name}.tmp-*"):
        if stale.is_dir() and (_is_output(stale) or not any(stale.iterdir())):
            shutil.rmtree(stale, ignore_errors=True)
    for stale in final.parent.glob(f".{final.name}.old-*"):
        if stale.is_dir() and not stale.is_symlink() and _is_output(stale):
            _delete_in_background(stale)


_deleting: dict[Path, threading.Thread] = {}
_deleting_lock = threading.Lock()


def delete_marked(folder: Path) -> None:
    """Delete an mmsite output folder, its marker file last: a deletion cut short
    leaves a marked folder, which a later build or ``mmsite clean`` may delete."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name == MARKER:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
    shutil.rmtree(folder, ignore_errors=True)


def _delete_in_background(folder: Path) -> None:
    def run() -> None:
        try:
            delete_marked(folder)
        finally:
            with _deleting_lock:
                _deleting.pop(folder, None)

    with _deleting_lock:
        if folder in _deleting:
            return
        thread = threading.Thread(target=run, name=f"delete {folder.name}", daemon=True)
        _deleting[folder] = thread
    thread.start()


def wait_for_cleanup(timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for background deletions; True when all are done.
    What is left when the process exits stays marked and goes with the next build."""
    deadline = time.monotonic() + timeout
    with _deleting_lock:
        threads = list(_deleting.values())
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return not any(thread.is_alive() for thread in threads)


# O_BINARY: no newline translation on Windows (0 elsewhere)
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
_NEW_FILE |= getattr(os, "O_CLOEXEC", 0)


def _write_file(path: str, data: bytes) -> os.stat_result:
    """Write ``data`` to a new file and stat it: plain system calls, no buffered file
    object (which asks whether the file is a terminal and where it stands): a third of
    the time for a page."""
    fd = os.open(path, _NEW_FILE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        return os.fstat(fd)
    finally:
        os.close(fd)


def _checked(rel: PurePosixPath | str) -> tuple[PurePosixPath, str]:
    """``rel`` as a path and as text, refused unless it is relative, without ``..``,
    empty or NUL segments. Text already in normal form ("a/b.html") skips pathlib."""
    text = rel if isinstance(rel, str) else str(rel)
    if text and text[0] != "/" and "\0" not in text:
        segments = text.split("/")
        if "" not in segments and "." not in segments and ".." not in segments:
            return (rel if isinstance(rel, PurePosixPath) else PurePosixPath(text)), text
    path = PurePosixPath(rel)
    parts = path.parts
    if not parts or path.is_absolute() or any(p in ("", ".", "..") or "\0" in p for p in parts):
        raise MmsiteError(f"refusing to write {path}: outside the output folder")
    return path, path.as_posix()


def stat_key(path: Path | str) -> tuple[int, int, int]:
    st = os.stat(path)
    return (st.st_ino, st.st_size, st.st_mtime_ns)
