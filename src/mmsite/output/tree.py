"""Write the site atomically: build into a temporary sibling folder, then swap it in.

A failed or interrupted build leaves the previous output untouched. Nothing is ever
written outside the output folder, and a folder that mmsite did not create is never
replaced or deleted.

The swap is one system call where the system has one: ``renameat2(RENAME_EXCHANGE)``
(Linux) exchanges the staging folder and the output, so a kill at any instant leaves
the old site or the new one under the output's name, never none. Elsewhere two renames
are used; a kill between them leaves the old site in a marked ``.NAME.old-*`` folder
beside the output, which the next build puts back first (:func:`cleanup_stale`).

A file whose bytes equal the previous build's is not rewritten: the previous file is
hard-linked into the staging folder, so it keeps its inode and mtime (CDN sync tools and
``rsync`` see it as unchanged). ``fresh`` lists the files whose bytes are new. A file in
the staging folder is never opened for writing once it exists (it may be such a link
into the live output): every file is created new (``O_EXCL``), and one written twice is
unlinked first.

The marker file ``.mmsite-output`` lists the files the build wrote, which binds it to
that output: a folder is replaced or deleted only when it holds nothing but the files
its marker lists (a copied marker does not cover a ``.git`` folder; a ``CNAME`` added
by hand is refused, by name: such files belong in ``static/``).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import TypeVar

from mmsite.errors import MmsiteError, relpath

T = TypeVar("T")

MARKER = ".mmsite-output"
CACHE_DIR = ".mmsite-cache"
# Folders of the site's own sources: never an output folder, nor inside one.
SOURCE_DIRS = ("content", "static", "templates", "themes", "i18n")
SHOWN = 10  # foreign files named in an error (then "and N more")

# Called with the name of each step of the swap (tests kill the build there).
checkpoint: Callable[[str], None] | None = None


def at_step(name: str) -> None:
    """A named step of the swap (see :data:`checkpoint`)."""
    if checkpoint is not None:
        checkpoint(name)


def marker_text(files: list[str] | None) -> str:
    """The marker of an output folder holding ``files`` (None while it is being built).
    The same files give the same bytes, wherever the folder is (builds are compared
    byte for byte)."""
    data = {"built_by": "mmsite", "files": files}
    return "# built by mmsite; safe to delete\n" + json.dumps(data, indent=0) + "\n"


def read_marker(folder: Path) -> dict | None:
    """The marker's data; None when there is no marker or it is not one of ours."""
    try:
        text = (folder / MARKER).read_text(encoding="utf-8")
        data = json.loads(text.partition("\n")[2])
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("built_by") == "mmsite" else None


def _is_output(folder: Path) -> bool:
    """``folder`` carries an mmsite marker (a finished output, or a staging folder)."""
    return read_marker(folder) is not None


def foreign_files(folder: Path, data: dict) -> list[str]:
    """Files and links in ``folder`` that its marker does not list (relative paths,
    sorted): what mmsite did not write."""
    listed = data.get("files")
    known = set(listed) if isinstance(listed, list) else set()
    known.add(MARKER)
    found: list[str] = []

    def walk(path: str, prefix: str) -> None:
        with os.scandir(path) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, rel + "/")
                elif rel not in known:
                    found.append(rel)

    walk(str(folder), "")
    return sorted(found)


def check_output_dir(output: Path, site_root: Path, contents: bool = True) -> None:
    """Refuse output folders whose replacement could destroy the user's work.
    ``contents``: also refuse an output holding files mmsite did not write."""
    if output.is_symlink():
        raise MmsiteError(
            f"output folder {output} is a symbolic link (to {os.readlink(output)})",
            site_root / "site.yaml",
            hint="mmsite replaces the output folder as a whole and would empty the folder "
            "it points to: set output_dir in site.yaml to that folder itself (mmsite then "
            "replaces it), or remove the link and copy public/ there after each build",
        )
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
    if out.is_dir() and os.path.ismount(out):
        raise MmsiteError(
            f"output folder {output} is a mount point, which cannot be replaced",
            site_root / "site.yaml",
            hint=f"set output_dir to a folder inside it, such as {output / 'site'}, and "
            "point the web server there",
        )
    if out.is_dir() and any(out.iterdir()):
        _check_owned(output, out, root, contents)


def _check_owned(output: Path, out: Path, root: Path, contents: bool) -> None:
    data = read_marker(out)
    if data is None and (out / MARKER).exists():
        raise MmsiteError(
            f"output folder {output} has a {MARKER} marker that names no folder (made by "
            "an older mmsite, or not by mmsite); refusing to replace or delete it",
            hint="if it is an old build, delete it yourself (it is rebuilt in full)",
        )
    if data is None:
        raise MmsiteError(
            f"output folder {output} exists and was not made by mmsite (no {MARKER} "
            "marker); refusing to replace or delete it",
            hint="delete or move it yourself, or set output_dir to another folder",
        )
    if not isinstance(data.get("files"), list):
        raise MmsiteError(
            f"output folder {output} is an unfinished build (its {MARKER} lists no "
            "files); refusing to replace or delete it",
            hint="delete or move it yourself",
        )
    if not contents:
        return
    foreign = foreign_files(out, data)
    if foreign:
        more = f" and {len(foreign) - SHOWN} more" if len(foreign) > SHOWN else ""
        raise MmsiteError(
            f"output folder {output} holds files mmsite did not write: "
            + ", ".join(foreign[:SHOWN])
            + more,
            hint="a build replaces the whole folder: put files the site must publish "
            "(CNAME, verification files) in static/, which is copied on every build; "
            "move the others out",
        )


def _holds_a_site(folder: Path) -> bool:
    return (folder / "content").exists() or (folder / "site.yaml").exists()


def clean(output: Path, site_root: Path) -> list[Path]:
    """Delete the output folder, leftovers of killed builds and ``.mmsite-cache/``.

    Only folders mmsite made are deleted: the output must carry a marker bound to it,
    hold nothing mmsite did not write, and must not be (or contain) the site. Returns
    what was deleted."""
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
    with output_lock(out):
        if out.is_dir():
            shutil.rmtree(out)
            removed.append(output)
        spare = out.parent / f".{out.name}.spare"  # see output/inplace.py
        for stale in [*_leftovers(out), spare]:
            if stale.is_dir() and not stale.is_symlink() and _is_output(stale):
                shutil.rmtree(stale)
                removed.append(stale)
    removed += drop_cache(site_root)
    return removed


def _leftovers(final: Path) -> list[Path]:
    """Staging and replaced folders of other builds beside ``final`` (real folders)."""
    found = [
        path
        for pattern in (f".{final.name}.tmp-*", f".{final.name}.old-*")
        for path in final.parent.glob(pattern)
    ]
    return sorted(p for p in found if p.is_dir() and not p.is_symlink())


@contextlib.contextmanager
def output_lock(final: Path) -> Iterator[None]:
    """Hold the lock of output ``final`` (on its parent folder, so no file is made):
    a second build or ``mmsite clean`` of the same output stops with a clear message
    instead of deleting the first one's staging folder. Without ``fcntl`` (Windows)
    there is no lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        fcntl = None
    if fcntl is None or not final.parent.is_dir():  # no folder: nothing to protect
        yield
        return
    fd = os.open(final.parent, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    _locks.add(fd)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MmsiteError(
                f"another mmsite build (or clean) is writing into {final.parent} right now",
                hint="wait for it to finish, then run this again",
            ) from None
        yield
    finally:
        _locks.discard(fd)
        os.close(fd)  # releases the lock


_locks: set[int] = set()  # descriptors of the locks this process holds


def _forget_locks() -> None:
    """In a forked child: close the lock descriptors it inherited, so the lock goes
    with the build's own process (a killed build's children may outlive it briefly)."""
    for fd in _locks:
        with contextlib.suppress(OSError):
            os.close(fd)
    _locks.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks)


def drop_cache(site_root: Path) -> list[Path]:
    """Delete ``.mmsite-cache/`` in the site root (a real folder, never the site)."""
    cache = site_root / CACHE_DIR
    if cache.is_dir() and not cache.is_symlink() and not _holds_a_site(cache):
        shutil.rmtree(cache)
        return [cache]
    return []


class OutputTree:
    """A staging folder beside the final output; ``commit`` swaps it into place."""

    check_contents = True  # refuse a previous output holding files mmsite did not write

    def __init__(self, final: Path, site_root: Path, keep_spare: bool = False) -> None:
        """``keep_spare``: keep the replaced output as the next delta build's starting
        point (:mod:`mmsite.output.inplace`) instead of deleting it."""
        check_output_dir(final, site_root, self.check_contents)
        self.final = final
        self.keep_spare = keep_spare
        self.spare = final.parent / f".{final.name}.spare"
        self.record = site_root / CACHE_DIR / f"spare-{final.name}.json"
        self.site_root = site_root
        self.staging = final.parent / f".{final.name}.tmp-{os.getpid()}"
        self._cleanup_stale()
        self.staging.mkdir(parents=True)
        self.written: set[PurePosixPath] = set()
        self.fresh: set[PurePosixPath] = set()  # written with bytes the last build did not have
        self.linked = 0  # kept from the last build (same inode, same mtime)
        self.previous = final if _is_output(final) else None
        listed = (read_marker(final) or {}).get("files") if self.previous else None
        self.previous_files = set(listed or ()) - {MARKER}
        # outputs promised before they are written (pages, while other processes render
        # them): path -> the source file that writes it
        self.planned: dict[PurePosixPath, Path] = {}
        self.step = ""  # the build step writing now (named when two outputs clash)
        self._dirs: set[str] = set()  # staging folders made, relative ("fr/produits")
        self._stats: dict[PurePosixPath, tuple[int, int, int]] = {}  # of files written
        self.staging_str = str(self.staging)
        self.previous_str = str(self.previous) if self.previous is not None else None
        _write_file(f"{self.staging_str}/{MARKER}", marker_text(None).encode())

    def _cleanup_stale(self) -> None:
        cleanup_stale(self.final)

    def target(self, rel: PurePosixPath | str) -> Path:
        """The staging path of ``rel``, checked lexically: no absolute path, no ``..``,
        no empty or NUL segment. That is enough because mmsite creates the staging
        folder itself and never makes a symbolic link in it (files are written, copied
        or hard-linked), so no path inside it can lead out; no ``resolve()`` per file."""
        return Path(f"{self.staging}/{_checked(rel)[1]}")  # subclasses set only staging

    def plan(self, rel: PurePosixPath, source: Path) -> None:
        """Promise that ``source`` (a page) writes ``rel``: :meth:`exists` answers yes
        at once, and another step writing it is an error naming both."""
        self.planned[rel] = source

    def owner(self, rel: PurePosixPath) -> Path | None:
        """The source file that promised ``rel`` (see :meth:`plan`), if any."""
        return self.planned.get(rel)

    def _prepare(self, rel: PurePosixPath | str) -> tuple[PurePosixPath, str, str]:
        """``rel``, its text and its staging path, its folder made; an earlier file there
        is unlinked first (it may be a hard link to the live output). Plain strings and
        ``os`` calls: this runs once per output file."""
        key, text = _checked(rel)
        if self.planned and self.step and key in self.planned:
            page = self.planned[key]
            shown = relpath(page, self.site_root).as_posix()
            raise MmsiteError(
                f"two outputs write {text}: the page {shown} and the build step {self.step}",
                page,
                hint="give the page another slug, or the step's file another name",
            )
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
        except FileExistsError:
            raise _clash(path[len(self.staging_str) + 1 :]) from None
        except OSError:
            self._new(path, lambda: _copy_file(old, path))
        self.linked += 1

    def _new(self, path: str, make: Callable[[], T]) -> T:
        """``make()``, which creates the staging file ``path``; one already there
        (another process wrote it) is a clash, never overwritten."""
        try:
            return make()
        except FileExistsError:
            raise _clash(path[len(self.staging_str) + 1 :]) from None

    def write(self, rel: PurePosixPath | str, data: str | bytes) -> None:
        key, text, path = self._prepare(rel)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if self._kept(text, path, data):
            return
        st = self._new(path, lambda: _write_file(path, data))
        self._stats[key] = (st.st_ino, st.st_size, st.st_mtime_ns)
        self.fresh.add(key)

    def _kept(self, text: str, path: str, data: bytes) -> bool:
        """Link the previous build's ``text`` to ``path`` if it holds ``data``."""
        old = self._old(text)
        if old is None:
            return False
        try:
            if os.stat(old).st_size == len(data):
                with open(old, "rb") as file:
                    same = file.read() == data
                if same:
                    self._link(old, path)
                    return True
        except OSError:
            pass
        return False

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
        self._new(path, lambda: _copy_file(source, path))
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
        """Written already, or promised by a page (:meth:`plan`)."""
        key = rel if isinstance(rel, PurePosixPath) else PurePosixPath(rel)
        return key in self.written or key in self.planned

    def files(self) -> list[str]:
        """Every file the committed output will hold (the marker lists them)."""
        return sorted(map(str, self.written))

    def commit(self, background_cleanup: bool = False) -> None:
        """Swap the staging folder in (see the module's doc). ``background_cleanup``
        deletes the replaced output in a thread (``mmsite serve``, ``mmsite build``: the
        new output is in place at once). A deletion cut short (the process exits)
        leaves a marked folder that the next build removes."""
        old = self._swap_in()
        if old is None:
            return
        if self.keep_spare:
            self._keep_spare(old)
            return
        if background_cleanup:
            _delete_in_background(old)
        else:
            delete_marked(old)
        at_step("deleted")

    def _keep_spare(self, old: Path) -> None:
        """The replaced output becomes the spare, with a record of the files in which
        it differs from the new output (:mod:`mmsite.output.inplace`)."""
        if self.spare.is_dir() and not self.spare.is_symlink():
            delete_later(self.spare, self.final)  # an unused one: after another build
        os.rename(old, self.spare)
        at_step("spared")
        new = set(self.files())
        differ = {str(rel) for rel in self.fresh} | (self.previous_files - new)
        data = {
            "output": str(self.final.resolve()),
            "live": os.stat(self.final).st_ino,
            "differ": sorted(differ),
        }
        temp = self.record.with_name(f"{self.record.name}.{os.getpid()}")
        temp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temp, self.record)

    def _swap_in(self) -> Path | None:
        """The marker's file list written, the staging folder swapped in; where the
        replaced output went (None: there was none)."""
        marker, data = f"{self.staging_str}/{MARKER}", marker_text(self.files()).encode()
        os.unlink(marker)  # rewritten, not truncated: never write through a link
        linked = self.linked
        if not self._kept(MARKER, marker, data):  # the same files: the same marker file
            _write_file(marker, data)
        self.linked = linked
        at_step("staged")
        old = swap(self.staging, self.final)
        at_step("swapped")
        return old

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _clash(rel: str) -> MmsiteError:
    return MmsiteError(
        f"two outputs write {rel}",
        hint="two pages (or a page and an alias, static file or feed) have one URL",
    )


def swap(staging: Path, final: Path) -> Path | None:
    """Put ``staging`` at ``final``; where the replaced output went (a marked folder
    to delete), None when there was none. Atomic where the system can exchange two
    names (see the module's doc)."""
    if not final.exists():
        os.rename(staging, final)
        return None
    if exchange(staging, final):
        at_step("exchanged")
        old = final.parent / f".{final.name}.old-{os.getpid()}-{time.monotonic_ns()}"
        os.rename(staging, old)  # out of the way of the next build's staging folder
        return old
    old = final.parent / f".{final.name}.old-{os.getpid()}-{time.monotonic_ns()}"
    os.rename(final, old)
    at_step("moved-away")
    os.rename(staging, final)
    return old


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_renameat2: list = []  # the libc function, once looked up ([None]: there is none)


def exchange(first: Path, second: Path) -> bool:
    """Exchange two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False
    where that is not available (another system, an old kernel or a file system that
    cannot), so the caller falls back."""
    if not _renameat2:
        _renameat2.append(_find_renameat2())
    call = _renameat2[0]
    if call is None:
        return False
    if call(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: not here
        return False
    raise OSError(errno, os.strerror(errno), str(second))


def _find_renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    call.restype = ctypes.c_int
    return call


def cleanup_stale(final: Path) -> None:
    """Remove staging/old folders beside ``final`` left by killed builds (only ones
    mmsite marked for ``final``, of processes no longer running). An output moved away
    by a swap without exchange and never replaced (a kill between the two renames) is
    put back first. Old outputs go in a background thread: their names never clash
    with a new build's."""
    stale = [p for p in _leftovers(final) if not _running(p) and _is_output(p)]
    if not final.exists():
        done = [p for p in stale if p.name.startswith(f".{final.name}.old-")]
        if done:
            os.rename(done[-1], final)
            stale.remove(done[-1])
    for path in stale:
        if path.name.startswith(f".{final.name}.tmp-"):
            shutil.rmtree(path, ignore_errors=True)
        else:
            _delete_in_background(path)


def _running(folder: Path) -> bool:
    """The build that owns ``folder`` (``.NAME.tmp-PID``) is running, not this one."""
    pid = folder.name.rpartition("-")[2]
    if not folder.name.rpartition(".")[2].startswith("tmp-") or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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


def delete_later(folder: Path, final: Path) -> None:
    """Move a marked folder beside output ``final`` aside (``.NAME.old-*``, which a
    later build deletes if this process cannot) and delete it in the background."""
    old = final.parent / f".{final.name}.old-{os.getpid()}-{time.monotonic_ns()}"
    os.rename(folder, old)
    _delete_in_background(old)


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
# O_EXCL: a file that exists (say, a hard link into the live output) is never opened
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_NEW_FILE |= getattr(os, "O_CLOEXEC", 0)


def _write_file(path: str, data: bytes) -> os.stat_result:
    """Write ``data`` to a new file and stat it: plain system calls, no buffered file
    object (which asks whether the file is a terminal and where it stands): a third of
    the time for a page."""
    fd = os.open(path, _NEW_FILE, 0o666)  # FileExistsError: see _clash
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        return os.fstat(fd)
    finally:
        os.close(fd)


def _copy_file(source: Path | str, path: str) -> None:
    """Copy ``source`` to the new file ``path`` with its mtime (``shutil.copy2``, but
    never into a file that exists)."""
    fd = os.open(path, _NEW_FILE, 0o666)
    with open(fd, "wb") as out, open(source, "rb") as src:
        shutil.copyfileobj(src, out)
    shutil.copystat(source, path)


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
