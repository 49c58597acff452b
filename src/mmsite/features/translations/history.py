"""The git history of ``content/``, read in a few batched calls.

One ``git rev-parse`` (is this a work tree, is it shallow), one ``git log --name-only``
over ``content/`` (every commit that touched each file, newest first) and, for the
files that may be outdated, one ``git cat-file --batch`` that reads every old version
asked for in a single process. Nothing here runs once per file.
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

    def last_commit(self, rel: str) -> Commit | None:
        found = self.commits.get(rel)
        return found[0] if found else None

    def since(self, rel: str, commit: Commit) -> list[Commit]:
        """Commits of ``rel`` newer than ``commit`` (in log order), newest first."""
        return [c for c in self.commits.get(rel, []) if c.order < commit.order]

    def blobs(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
        """The text of ``rel`` at ``sha`` for every ``(sha, rel)``, from one ``git
        cat-file --batch``; None where the file did not exist."""
        return read_blobs(self.root, wanted)


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
        root, "log", "-z", "--format=%x01%H %ct", "--name-only", "--no-renames",
        "--relative", "--", folder,
    )  # fmt: skip
    if log is None or log.returncode != 0:
        return history
    for order, chunk in enumerate(log.stdout.decode("utf-8", "replace").split("\x01")[1:]):
        header, _, names = chunk.partition("\0")
        sha, stamp = header.split()
        commit = Commit(sha, dt.datetime.fromtimestamp(int(stamp), dt.UTC), order)
        for name in names.split("\0"):
            name = name.strip("\n")
            if name:
                history.commits.setdefault(name, []).append(commit)
    return history


def read_blobs(root: Path, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
    found: dict[tuple[str, str], str | None] = dict.fromkeys(wanted)
    unique = list(dict.fromkeys(wanted))
    if not unique:
        return found
    request = "".join(f"{sha}:./{rel}\n" for sha, rel in unique).encode()
    result = _git(root, "cat-file", "--batch", stdin=request)
    if result is None or result.returncode != 0:
        return found
    out = result.stdout
    pos = 0
    for key in unique:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue  # "<name> missing"
        size = int(header[2])
        found[key] = out[pos : pos + size].decode("utf-8", "replace").replace("\r\n", "\n")
        pos += size + 1
    return found
