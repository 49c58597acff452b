"""Stamps of every build input and output: is the output already up to date?

This module imports nothing heavy (no Jinja, Babel, YAML or Markdown), so ``mmsite
build`` can answer "nothing changed" from here in a fraction of a second. After each
successful build :func:`save` records, in ``.mmsite-cache/build/NAME.state``:

* an environment key: mmsite's code, Python and the libraries it renders with, the
  build options, the ``MMSITE_MARKDOWN_ENGINE`` switch and the git commit checked out
  (sitemaps take ``lastmod`` from git history);
* the stamp ``(mtime_ns, ctime_ns, size, inode)`` of every file in the folders the build
  reads: ``site.yaml``, ``content/`` (minus the hidden and backup files discovery
  skips), the theme folders, and the site's ``templates/``, ``static/``, ``i18n/``;
* the stamp ``(inode, size, mtime_ns)`` of every file in the output folder;
* the build's summary and warnings, printed again when nothing changed.

:func:`compare` scans the same folders again and says what changed. A file edited and
saved gets a new ctime even when its mtime is restored, so an edit is never missed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import pickle
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmsite.config import signing
from mmsite.config.clock import build_date

if TYPE_CHECKING:
    from mmsite.engine.parallel import Answer

VERSION = 1
CACHE_DIR = ".mmsite-cache"
# Files below content/ the build never reads: dotfiles, editor backups and lock files.
HIDDEN = re.compile(r"^[.#]|~$")
# Libraries whose version can change the output.
LIBRARIES = (
    "jinja2",
    "markupsafe",
    "markdown_it",
    "markdown_it_pyrs",
    "mdit_py_plugins",
    "yaml",
    "babel",
    "PIL",
)

Stamp = tuple[int, ...]
Stamps = dict[str, Stamp]


def digest(*parts: bytes | str) -> str:
    """One short hex digest of several parts (each ended by a NUL byte)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
        h.update(b"\x00")
    return h.hexdigest()


def code_stamps() -> list[str]:
    """Size and mtime of each of mmsite's own modules: a new version (or an edited
    extension) is a new build environment."""
    package = Path(__file__).parents[1]  # the mmsite package
    return sorted(
        f"{path}:{st.st_size}:{st.st_mtime_ns}"
        for path in package.rglob("*.py")
        for st in [path.stat()]
    )


def cache_name(output: Path) -> str:
    """The file name stem of one output folder's caches in ``.mmsite-cache/build/``."""
    return digest(str(output.resolve()))[:16]


def state_path(root: Path, output: Path | None) -> Path:
    """``output=None`` is the output folder site.yaml names (site.yaml's stamp is an
    input, so a new ``output_dir`` is a change)."""
    name = cache_name(output) if output is not None else "site-yaml-output"
    return root / CACHE_DIR / "build" / f"{name}.state"


# -- scanning ------------------------------------------------------------------


def scan_inputs(folders: list[str], files: list[str], skip_hidden: list[str]) -> Stamps:
    """Stamps of ``files`` and of every file below ``folders``; below a folder listed in
    ``skip_hidden`` the names discovery skips are left out."""
    stamps: Stamps = {}
    for path in files:
        try:
            stamps[path] = _input_stamp(os.stat(path))
        except OSError:
            stamps[path] = ()
    hidden = set(skip_hidden)
    for folder in folders:
        _scan(folder, folder in hidden, stamps)
    return stamps


def _input_stamp(st: os.stat_result) -> Stamp:
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def _scan(folder: str, skip_hidden: bool, stamps: Stamps) -> None:
    """A loop, not recursion: content 1,500 folders deep is refused by discovery with
    a message, so the scan before it must not overflow the stack."""
    stack = [folder]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue  # a missing folder: its files are absent from the stamps
        for entry in entries:
            if skip_hidden and HIDDEN.search(entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
                continue
            try:
                stamps[entry.path] = _input_stamp(entry.stat())
            except OSError:
                stamps[entry.path] = ()  # a dangling symbolic link (or a loop)


def output_stamps(folder: Path, files: dict[str, Stamp | None]) -> Stamps:
    """Stamps of an output folder that holds exactly ``files`` (relative paths; their
    stamp when known, e.g. taken when they were written, else None) and their folders,
    by relative path: ``(inode, size, mtime_ns)`` for files (inode and mtime together
    tell a file we wrote from one written over it), ``(mtime_ns,)`` for folders (a
    folder's mtime changes when an entry is added to or removed from it). One ``stat``
    per folder and per unknown file, no listing."""
    base = str(folder)
    stamps: Stamps = {"": (os.stat(base).st_mtime_ns,)}
    for rel, stamp in files.items():
        if stamp is None:
            st = os.stat(f"{base}/{rel}", follow_symlinks=False)
            stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        stamps[rel] = stamp
        folder_rel = rel.rpartition("/")[0]
        while folder_rel and folder_rel not in stamps:
            stamps[folder_rel] = (os.stat(f"{base}/{folder_rel}").st_mtime_ns,)
            folder_rel = folder_rel.rpartition("/")[0]
    return stamps


def output_intact(folder: Path, recorded: Stamps) -> bool:
    """True when every file and folder recorded by :func:`output_stamps` is unchanged:
    one ``stat`` per path, no folder listing (an added entry changes its folder's mtime)."""
    base = str(folder)
    below, stat = base + "/", os.stat  # as output_stamps names them
    for rel, stamp in recorded.items():
        try:
            st = stat(below + rel if rel else base, follow_symlinks=False)
        except OSError:
            return False
        if len(stamp) == 1:
            if st.st_mtime_ns != stamp[0]:
                return False
        elif (st.st_ino, st.st_size, st.st_mtime_ns) != stamp:
            return False
    return True


# -- the environment key -------------------------------------------------------


def environment_key(root: Path, options: str) -> str:
    """Everything outside the scanned folders that can change the output."""
    return digest(
        str(VERSION),
        str(root),  # a copied site folder has its own paths
        sys.version,
        options,
        os.environ.get("MMSITE_MARKDOWN_ENGINE", ""),
        build_date().isoformat(),  # dated content (a sale's end) changes with the day
        *code_stamps(),
        *_library_stamps(),
        git_head(root),
    )


def _library_stamps() -> list[str]:
    out = []
    for name in LIBRARIES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        if origin is None:
            out.append(f"{name}:-")
            continue
        st = os.stat(origin)
        out.append(f"{name}:{origin}:{st.st_size}:{st.st_mtime_ns}")
    return out


def git_head(root: Path) -> str:
    """The commit checked out, or '' outside git (one short ``git`` call)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.decode("ascii", "replace").strip() if done.returncode == 0 else ""


def options_key(drafts: bool, base_url: str | None, output: Path | None) -> str:
    return repr((drafts, base_url, str(output.resolve()) if output is not None else None))


# -- state ---------------------------------------------------------------------


@dataclass
class State:
    """What the last successful build read and wrote."""

    env: str
    output: str  # the output folder (absolute)
    folders: list[str]
    files: list[str]
    skip_hidden: list[str]
    inputs: Stamps
    outputs: Stamps
    summary: dict[str, Any] = field(default_factory=dict)  # pages, languages, images ...
    warnings: list[str] = field(default_factory=list)

    def scan(self) -> Stamps:
        return scan_inputs(self.folders, self.files, self.skip_hidden)


# A state file is marshal data after this line (this Python's format: written 2.5x
# faster than pickle, which every delta build does), else a pickle (a value marshal
# does not take, say an extension's object in the summary).
MARSHALLED = b"mmsite state, marshal %d.%d\n" % sys.version_info[:2]


def save(path: Path, state: State) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    data = {"version": VERSION, **state.__dict__}
    try:
        raw = MARSHALLED + marshal.dumps(data)
    except ValueError:
        raw = pickle.dumps(data, pickle.HIGHEST_PROTOCOL)
    with open(tmp, "wb") as fh:
        fh.write(signing.sign(path, raw))  # signed: loading runs no code we did not write
    os.replace(tmp, path)


def load(path: Path) -> State | None:
    try:
        raw = signing.read_verified(path)
        if raw is None:
            return None  # none, or not written by mmsite for this site: a cold cache
        if raw[: len(MARSHALLED)] == MARSHALLED:
            data = marshal.loads(raw[len(MARSHALLED) :])
        else:
            data = pickle.loads(raw)
        if data.pop("version", None) != VERSION:
            return None
        return State(**data)
    except Exception:  # noqa: BLE001 - a damaged state only means a full build
        return None


def forget(path: Path) -> None:
    """Drop the state before touching the output (a build that dies midway must not
    leave a state that claims the output is current)."""
    path.unlink(missing_ok=True)


@dataclass
class Changes:
    """Inputs that differ from the last build's, and whether the output is intact."""

    changed: set[str]  # files whose stamp differs
    added: set[str]
    removed: set[str]
    inputs: Stamps  # the stamps just taken
    # checks that the output is as the last build left it (None: trusted); run when
    # first needed: a build that changes more than page text does not need it
    output_check: Callable[[], bool] | None = None
    _intact: bool | None = field(default=None, repr=False)

    @property
    def none(self) -> bool:
        return not (self.changed or self.added or self.removed) and self.output_intact

    @property
    def output_intact(self) -> bool:
        if self._intact is None:
            self._intact = self.output_check is None or self.output_check()
        return self._intact

    def output_answer(self, jobs: int | None = None) -> Answer:
        """:attr:`output_intact`, checked in a forked child while this process goes on
        (see :class:`mmsite.parallel.Answer`)."""
        from mmsite.engine.parallel import Answer

        if self._intact is not None or self.output_check is None:
            return Answer(lambda: self.output_intact, jobs=1)
        return Answer(self.output_check, jobs)


def compare(state: State, env: str, check_output: bool = True) -> Changes | None:
    """What changed since ``state`` was saved; None when the environment differs (a new
    mmsite, other options, another git commit): then everything may have changed.
    ``check_output=False`` trusts the output folder (``mmsite serve`` owns its own).
    The output is checked when :attr:`Changes.output_intact` is first read."""
    if state.env != env:
        return None
    inputs = state.scan()
    old = state.inputs
    changed = {p for p, s in inputs.items() if p in old and old[p] != s}
    added = inputs.keys() - old.keys()
    removed = old.keys() - inputs.keys()
    folder, recorded = Path(state.output), state.outputs
    check = (lambda: output_intact(folder, recorded)) if check_output else None
    return Changes(changed, set(added), set(removed), inputs, check)


def check(
    root: Path, drafts: bool, base_url: str | None, output: Path | None
) -> tuple[State | None, Changes | None]:
    """The last build's state (None: no usable record) and what changed since (None: the
    environment changed, everything may have). Cheap: no site is loaded."""
    state = load(state_path(root, output))
    if state is None:
        return None, None
    return state, compare(state, environment_key(root, options_key(drafts, base_url, output)))
