"""Signed cache files: the build cache (``.mmsite-cache/``) holds pickles, marshal data and
Jinja bytecode, and loading any of them can run code. A file there may come from
elsewhere (a cache restored in CI, a site folder copied from someone else, a pull request
that adds one), so every cache file mmsite writes starts with an HMAC-SHA256 of its
contents, keyed for the file's own absolute path with a secret kept outside the site:
``$XDG_CACHE_HOME/mmsite/cache-key`` (``~/.cache/mmsite/cache-key``; the variable
``MMSITE_CACHE_KEY`` names another file), 32 random bytes created on first use, readable
by the user only. A file whose signature does not match (written by another machine,
for another site or path, or edited) is never unpickled: the build treats it as a cold
cache. Where no key file can be kept (a read-only home), a key made for this process
only is used, so nothing from an earlier run is trusted.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import cache
from pathlib import Path

MAGIC = b"mmsite signed cache 1\n"
TAG_SIZE = 32
KEY_SIZE = 32
HEADER_SIZE = len(MAGIC) + TAG_SIZE


def key_file() -> Path:
    """Where the secret is kept (outside every site folder)."""
    named = os.environ.get("MMSITE_CACHE_KEY")
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mmsite" / "cache-key"


@cache
def _secret(path: Path) -> bytes:
    """The secret in ``path``, created there on first use; a key for this process only
    when the file cannot be read nor made."""
    try:
        data = path.read_bytes()
        if len(data) >= KEY_SIZE:
            return data
    except OSError:
        pass
    secret = os.urandom(KEY_SIZE)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secret)
        try:
            os.link(tmp, path)  # never replaces a key another process made meanwhile
        except FileExistsError:
            raise
        except OSError:  # no hard links here (some mounted file systems)
            if not path.exists():
                os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    except FileExistsError:
        return _secret.__wrapped__(path)
    except OSError:
        pass  # no place for the key: this process's own
    return secret


@cache
def _file_key(secret_file: Path, path: str) -> bytes:
    """The key of the file at ``path``: a cache file signed for one site (one path) is
    not valid in another."""
    message = path.encode("utf-8", "surrogateescape")
    return hmac.new(_secret(secret_file), message, "sha256").digest()


def _mac(path: Path, parts: tuple[bytes | memoryview, ...]) -> bytes:
    mac = hmac.new(_file_key(key_file(), os.path.abspath(path)), digestmod=hashlib.sha256)
    for part in parts:
        mac.update(part)
    return mac.digest()


def header(path: Path, *parts: bytes | memoryview) -> bytes:
    """What goes before ``parts`` in the file at ``path``: written in that order,
    :func:`verified` gives them back (joined)."""
    return MAGIC + _mac(path, parts)


def sign(path: Path, data: bytes) -> bytes:
    """``data`` as the file at ``path`` holds it: :func:`header`, then ``data``."""
    return header(path, data) + data


def verified(path: Path, raw: bytes | memoryview) -> memoryview | None:
    """The data after the header of a file read from ``path``, or None when the file was
    not signed by mmsite with this machine's key for this path (then never unpickle it)."""
    view = memoryview(raw)
    if bytes(view[: len(MAGIC)]) != MAGIC or len(view) < HEADER_SIZE:
        return None
    data = view[HEADER_SIZE:]
    if not hmac.compare_digest(bytes(view[len(MAGIC) : HEADER_SIZE]), _mac(path, (data,))):
        return None
    return data


def read_verified(path: Path) -> memoryview | None:
    """:func:`verified` data of the file at ``path`` (None: missing or not trusted)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    return verified(path, raw)


def write_signed(path: Path, data: bytes) -> None:
    """Write ``data`` signed to ``path`` atomically (a temporary file, then a rename)."""
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("wb") as fh:
            fh.write(sign(path, data))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
