"""The git history of ``content/``, read in a few batched calls.

One ``git rev-parse`` (is this a work tree, is it shallow), one ``git log --raw`` over
``content/`` (every commit that touched each file, newest first, with the id of the file's
version it made) and, for the files that may be outdated, one ``git cat-file --batch``
that reads every version asked for, by id, in a single process. Nothing here runs once
per file, and no path is looked up in a tree (slow in a folder of 10,000 files).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT = 300


@dataclass(frozen=True)
class Commit:
    sha: str
    when: dt.datetime
    order: int  # 0 is the newest commit of the log


@dataclass
class History:
    """What git knows of a site's content: ``state`` is ``ok``, ``not_git`` (no work
    tree or no git program) or ``shallow`` (a CI clone without the full history: the
    commits are read, but a file's older changes may be cut off)."""

    root: Path
    state: str = "ok"
    head: str = ""
    commits: dict[str, list[Commit]] = field(default_factory=dict)  # content/x.md -> newest first
    # (commit, file) -> id of the file's version that commit made (None: deleted)
    made: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def last_commit(self, rel: str) -> Commit | None:
        found = self.commits.get(rel)
        return found[0] if found else None

    def since(self, rel: str, commit: Commit) -> list[Commit]:
        """Commits of ``rel`` newer than ``commit`` (in log order), newest first."""
        return [c for c in self.commits.get(rel, []) if c.order < commit.order]

    def version_at(self, rel: str, commit: Commit) -> str | None:
        """The id of ``rel``'s version as it was at ``commit`` (None: it did not exist,
        as far as the history read goes)."""
        for change in self.commits.get(rel, []):  # newest first
            if change.order >= commit.order:
                return self.made.get((change.sha, rel))
        return None

    def texts(self, ids: list[str]) -> dict[str, str]:
        """The text of every version id, from one ``git cat-file --batch``."""
        return read_blobs(self.root, ids)


def _git(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess | None:
    command = ["git", "-c", "core.quotepath=off", "-C", str(root), *args]
    try:
        return subprocess.run(command, input=stdin, capture_output=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None


def read_history(root: Path, folder: str = "content") -> History:
    """The commits of every file below ``root/folder`` (paths relative to ``root``)."""
    probe = _git(root, "rev-parse", "--is-shallow-repository", "HEAD")
    if probe is None or probe.returncode != 0:
        return History(root, "not_git")
    shallow, head = probe.stdout.decode().split()[:2]
    history = History(root, "shallow" if shallow == "true" else "ok", head)
    log = _git(
        root, "log", "-z", "--format=%x01%H %ct", "--raw", "--no-abbrev", "--no-renames",
        "--relative", "--", folder,
    )  # fmt: skip
    if log is None or log.returncode != 0:
        return history
    for order, chunk in enumerate(log.stdout.decode("utf-8", "replace").split("\x01")[1:]):
        header, *items = chunk.split("\0")
        sha, stamp = header.split()
        commit = Commit(sha, dt.datetime.fromtimestamp(int(stamp), dt.UTC), order)
        for meta, name in zip(items[0::2], items[1::2], strict=False):
            fields = meta.strip("\n")[1:].split()  # ":100644 100644 old new M"
            if len(fields) < 5 or not name:
                continue
            history.commits.setdefault(name, []).append(commit)
            made = fields[3]
            history.made[(sha, name)] = None if fields[4] == "D" or not made.strip("0") else made
    return history


def read_blobs(root: Path, ids: list[str]) -> dict[str, str]:
    unique = list(dict.fromkeys(ids))
    found: dict[str, str] = {}
    if not unique:
        return found
    result = _git(root, "cat-file", "--batch", stdin="".join(f"{i}\n" for i in unique).encode())
    if result is None or result.returncode != 0:
        return found
    out = result.stdout
    pos = 0
    for blob in unique:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue  # "<id> missing"
        size = int(header[2])
        found[blob] = out[pos : pos + size].decode("utf-8", "replace").replace("\r\n", "\n")
        pos += size + 1
    return found
