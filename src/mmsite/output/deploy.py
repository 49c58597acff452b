"""Publish a built output folder to S3-compatible storage (``mmsite deploy``).

The plan compares each local file with the object under the same key: an object whose
bytes are the same (its ETag is the file's MD5, or its ``mmsite-md5`` metadata says so,
for stores whose ETag is not an MD5) is left alone. ``Cache-Control`` comes from the
``_headers`` file the build wrote (:mod:`mmsite.features.hosting`): fingerprinted assets
are immutable, everything else is revalidated. Uploads run before deletes, fingerprinted
assets first, so no page ever points at a file that is not there yet. Nothing outside
the prefix is listed, compared or deleted.

boto3 is an optional dependency (``pip install 'mmsite[deploy]'``), imported only here.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mmsite.errors import MmsiteError
from mmsite.features.hosting import IMMUTABLE, REVALIDATE
from mmsite.output.tree import MARKER

# Files of the output that are instructions for other hosts, never served from a bucket.
NOT_UPLOADED = frozenset({MARKER, "_headers", "_redirects"})
TEXT_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".csv": "text/csv",
    ".md": "text/markdown",
}
BINARY_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
}
META_MD5 = "mmsite-md5"
WORKERS = 8
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-_]{1,254}$")


@dataclass(frozen=True)
class Target:
    bucket: str
    prefix: str  # "" or "some/folder" (no slashes at either end)

    def key(self, rel: str) -> str:
        return f"{self.prefix}/{rel}" if self.prefix else rel

    @property
    def list_prefix(self) -> str:
        """Keys under the prefix, never a sibling (``site`` must not list ``site2/``)."""
        return f"{self.prefix}/" if self.prefix else ""

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.list_prefix}"


def parse_target(url: str) -> Target:
    """``s3://BUCKET`` or ``s3://BUCKET/PREFIX``."""
    match = re.match(r"^s3://([^/]+)/?(.*)$", url)
    if not match or not BUCKET.match(match.group(1)):
        raise MmsiteError(
            f"{url!r} is not an S3 address", hint="write s3://BUCKET or s3://BUCKET/PREFIX"
        )
    prefix = match.group(2).strip("/")
    if any(part in ("", ".", "..") for part in prefix.split("/")) and prefix:
        raise MmsiteError(f"{url!r}: the prefix has an empty, . or .. part")
    return Target(match.group(1), prefix)


# -- what the build made -------------------------------------------------------


def content_type(rel: str) -> str:
    """The ``Content-Type`` of a file; text gets ``charset=utf-8`` (mmsite writes UTF-8)."""
    suffix = os.path.splitext(rel)[1].lower()
    if suffix in TEXT_TYPES:
        return f"{TEXT_TYPES[suffix]}; charset=utf-8"
    if suffix in BINARY_TYPES:
        return BINARY_TYPES[suffix]
    guessed = mimetypes.MimeTypes().guess_type(rel)[0]  # Python's table, not the system's
    if guessed and guessed.startswith("text/"):
        return f"{guessed}; charset=utf-8"
    return guessed or "application/octet-stream"


def _pattern(rule: str) -> re.Pattern[str]:
    """A ``_headers`` path (``/*``, ``/css/style.3f2a9c1e.css``, ``/:lang/*``) as a regex."""
    parts = re.split(r"(\*|:[A-Za-z]\w*)", rule)
    body = "".join(
        ".*" if p == "*" else "[^/]+" if p.startswith(":") else re.escape(p) for p in parts
    )
    return re.compile(f"^{body}$")


def header_rules(text: str) -> list[tuple[re.Pattern[str], str]]:
    """The ``Cache-Control`` rules of a ``_headers`` file: (path pattern, value)."""
    rules: list[tuple[re.Pattern[str], str]] = []
    path: str | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            path = line.strip()
        elif path is not None and ":" in line:
            name, value = line.split(":", 1)
            if name.strip().lower() == "cache-control":
                rules.append((_pattern(path), value.strip()))
    return rules


def cache_control(url_path: str, rules: list[tuple[re.Pattern[str], str]]) -> str:
    """The value hosts reading ``_headers`` send: every matching rule's value, joined
    (as Netlify and Cloudflare Pages join them); without one, revalidate."""
    urls = [url_path]
    if url_path.endswith("/index.html"):
        urls.append(url_path[: -len("index.html")])
    values = [value for pattern, value in rules if any(pattern.match(u) for u in urls)]
    return ", ".join(dict.fromkeys(values)) or REVALIDATE


def walk(folder: Path) -> list[str]:
    """Every file below ``folder`` as a sorted relative POSIX path (os.walk: a third of
    the time of Path.rglob on 9,000 files)."""
    found = []
    for parent, _dirs, names in os.walk(folder):
        rel = os.path.relpath(parent, folder).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        found += [prefix + name for name in names]
    return sorted(found)


@dataclass(frozen=True)
class LocalFile:
    rel: str
    path: Path
    size: int
    md5: str
    content_type: str
    cache_control: str


def local_files(output: Path, base_path: str = "/") -> list[LocalFile]:
    """Every file of a built output folder, sorted, with its headers."""
    if not (output / MARKER).is_file():
        raise MmsiteError(
            f"{output} is not a built site (no {MARKER} marker)",
            hint="run `mmsite build` first (or pass --output with the folder it wrote)",
        )
    headers = output / "_headers"
    rules = header_rules(headers.read_text(encoding="utf-8")) if headers.is_file() else []
    files = []
    for rel in walk(output):
        if rel in NOT_UPLOADED:
            continue
        path = output / rel
        data = path.read_bytes()
        files.append(
            LocalFile(
                rel,
                path,
                len(data),
                hashlib.md5(data, usedforsecurity=False).hexdigest(),
                content_type(rel),
                cache_control(base_path + rel, rules),
            )
        )
    if not files:
        raise MmsiteError(f"{output} has no files to deploy", hint="run `mmsite build` first")
    return files


# -- the plan ------------------------------------------------------------------


@dataclass(frozen=True)
class Remote:
    etag: str
    size: int


@dataclass
class Plan:
    target: Target
    uploads: list[LocalFile] = field(default_factory=list)
    unchanged: list[LocalFile] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)  # keys

    @property
    def upload_bytes(self) -> int:
        return sum(f.size for f in self.uploads)

    def lines(self) -> Iterator[str]:
        for f in self.uploads:
            yield f"upload {self.target.key(f.rel)} ({f.size:,} bytes, {f.cache_control})"
        for key in self.deletes:
            yield f"delete {key}"


def make_plan(
    target: Target,
    files: list[LocalFile],
    remote: dict[str, Remote],
    stored_md5: Callable[[str], str | None],
) -> Plan:
    """Uploads (fingerprinted assets first), unchanged files, and deletes. ``stored_md5``
    reads an object's ``mmsite-md5`` metadata; it is asked only when the ETag differs."""
    plan = Plan(target)
    for f in files:
        found = remote.get(target.key(f.rel))
        same = found is not None and found.size == f.size
        if same and found is not None and found.etag != f.md5:
            same = stored_md5(target.key(f.rel)) == f.md5
        (plan.unchanged if same else plan.uploads).append(f)
    plan.uploads.sort(key=lambda f: (f.cache_control != IMMUTABLE, f.rel.endswith(".html")))
    keep = {target.key(f.rel) for f in files}
    plan.deletes = sorted(k for k in remote if k not in keep and k.startswith(target.list_prefix))
    return plan


# -- talking to the store ------------------------------------------------------


class Store:
    """One bucket through boto3; counts the HTTP requests it makes."""

    def __init__(self, target: Target, endpoint_url: str | None = None) -> None:
        self.target = target
        self.endpoint_url = endpoint_url
        self.requests = 0
        self.client = _client(endpoint_url)
        self.client.meta.events.register("before-send", self._count)

    def _count(self, **_: Any) -> None:
        self.requests += 1

    def listing(self) -> dict[str, Remote]:
        remote: dict[str, Remote] = {}
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.target.bucket, Prefix=self.target.list_prefix
        )
        with self.errors():
            for page in pages:
                for item in page.get("Contents", []):
                    remote[item["Key"]] = Remote(item["ETag"].strip('"'), item["Size"])
        return remote

    def stored_md5(self, key: str) -> str | None:
        with self.errors():
            head = self.client.head_object(Bucket=self.target.bucket, Key=key)
        return head.get("Metadata", {}).get(META_MD5)

    def upload(self, f: LocalFile) -> None:
        with self.errors():
            self.client.put_object(
                Bucket=self.target.bucket,
                Key=self.target.key(f.rel),
                Body=f.path.read_bytes(),
                ContentType=f.content_type,
                CacheControl=f.cache_control,
                Metadata={META_MD5: f.md5},
            )

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            with self.errors():
                answer = self.client.delete_objects(
                    Bucket=self.target.bucket, Delete={"Objects": batch, "Quiet": True}
                )
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise MmsiteError(f"could not delete {first['Key']}: {first['Message']}")

    def errors(self) -> Any:
        return _StoreErrors(self)


def _client(endpoint_url: str | None) -> Any:
    try:
        import boto3
        from botocore.config import Config as BotoConfig
    except ImportError:
        raise MmsiteError(
            "mmsite deploy needs boto3", hint="pip install 'mmsite[deploy]'"
        ) from None
    config = BotoConfig(
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=10,
        max_pool_connections=WORKERS * 2,
    )
    try:
        return boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=config)
    except ValueError as exc:  # botocore: "Invalid endpoint: ..."
        raise MmsiteError(
            f"--endpoint-url {endpoint_url!r} is not a URL ({exc})",
            hint="write it whole, e.g. https://ACCOUNT_ID.r2.cloudflarestorage.com",
        ) from None


class _StoreErrors:
    """botocore's exceptions as one clear :class:`MmsiteError` each."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is None:
            return False
        from botocore import exceptions as boto

        where = self.store.endpoint_url or "the default AWS endpoint"
        if isinstance(exc, boto.NoCredentialsError | boto.PartialCredentialsError):
            raise MmsiteError(
                "no S3 credentials found",
                hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE "
                "(any source of the standard AWS credential chain works)",
            ) from None
        if isinstance(exc, boto.EndpointConnectionError | boto.ConnectTimeoutError):
            raise MmsiteError(
                f"cannot reach the S3 endpoint {where}",
                hint="check --endpoint-url (R2: https://ACCOUNT.r2.cloudflarestorage.com)",
            ) from None
        if isinstance(exc, boto.ClientError):
            error = exc.response.get("Error", {})
            raise MmsiteError(
                f"{self.store.target.bucket}: {error.get('Code')}: {error.get('Message')}",
                hint="check the bucket name, the credentials and their permissions "
                "(s3:ListBucket, s3:GetObject, s3:PutObject, s3:DeleteObject)",
            ) from None
        if isinstance(exc, boto.BotoCoreError):
            raise MmsiteError(f"S3 at {where}: {exc}") from None
        return False


def run_uploads(
    store: Store, files: Iterable[LocalFile], done: Callable[[LocalFile], None]
) -> None:
    """Upload in parallel, in order of the list's groups: every fingerprinted asset is up
    before the first page goes."""
    files = list(files)
    groups = [
        [f for f in files if f.cache_control == IMMUTABLE],
        [f for f in files if f.cache_control != IMMUTABLE],
    ]
    with ThreadPoolExecutor(WORKERS) as pool:
        for group in groups:
            for f, _ in zip(group, pool.map(store.upload, group), strict=True):
                done(f)
