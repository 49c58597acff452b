"""Site search with Pagefind (https://pagefind.app): the built pages are indexed after
they are written, one index per language (Pagefind splits by ``<html lang>``), and the
search bundle is written to ``pagefind/`` through the build's writer, so it lands in
the staging folder and the atomic swap like every output.

The theme marks what is indexed (``data-pagefind-body`` on the main content; category,
price filters and sort keys on product pages). ``outputs: {search: false}`` turns it
off. Pagefind is an optional extra (``pip install 'mmsite[search]'``): without it the
build warns once and writes no index.

The index is made from the bytes of the pages this build wrote: when they equal the
ones the previous index was made from (``pagefind/mmsite-search.json`` holds their
digest and the bundle's files), the previous bundle is kept and nothing is indexed.
Pagefind writes some lists in hash-map order (languages, filter values, the filter,
sort and meta lists); they are sorted here, so the same pages give the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from mmsite.content.model import report_reads
from mmsite.errors import MmsiteError
from mmsite.features.registry import Feature, Output, provides
from mmsite.i18n.routing import Route

if TYPE_CHECKING:
    from mmsite.features.site import PageView, Site
    from mmsite.features.site import StepContext as Build

SWITCH = "search"
FOLDER = PurePosixPath("pagefind")
MANIFEST = FOLDER / "mmsite-search.json"
ENTRY = FOLDER / "pagefind-entry.json"
EXTRA = "pip install 'mmsite[search]'"
# Pagefind's optional bundles: its ready-made UIs and the playground (the theme has its
# own search box, made with Pagefind's JS API).
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "playground/")


def pagefind_version() -> str | None:
    """The installed Pagefind binary's version, None without the package or binary."""
    try:
        from importlib.metadata import PackageNotFoundError, version

        from pagefind.service import get_executable
    except ImportError:
        return None
    if get_executable() is None:
        return None
    for name in ("pagefind_bin_extended", "pagefind_bin", "pagefind"):
        try:
            return f"{name} {version(name)}"
        except PackageNotFoundError:
            continue
    return "pagefind"


def indexed_routes(site: Site) -> list[Route]:
    """The pages given to Pagefind: every routed page in its own language (a page shown
    in another edition's language, as a fallback, is left to its original's index).
    Pagefind keeps those whose template marks content with ``data-pagefind-body`` (the
    default theme leaves it off pages marked ``noindex: true``). No page is read here:
    a delta build leaves the pages it does not use in its snapshot."""
    return [route for route in site.router.routes if not route.fallback]


def write_search(build: Build) -> None:
    site = build.site
    # What the index shows is the pages' text: any body edit may change it (a delta
    # build runs this step again then; the digest below decides whether to index).
    report_reads(site.model.pages, "b")
    version = pagefind_version()
    if version is None:
        site.reporter.warn(
            "search: Pagefind is not installed, so no search index was written; "
            f"install it with {EXTRA}, or turn search off with `outputs: {{search: false}}` "
            "in site.yaml"
        )
        return
    pages = {route.output: build.out.path_of(route.output) for route in indexed_routes(site)}
    # a site with mistakes runs the steps only to find theirs: its pages are not all written
    pages = {rel: path for rel, path in pages.items() if path.is_file()}
    key = _digest(version, pages)
    files = _previous(build, key)
    if files is None:
        files = _index(pages)
    old = _listed(build.out.final / MANIFEST)
    for rel, data in files.items():
        build.out.write(FOLDER / rel, data)
    for rel in sorted(set(old) - set(files)):
        build.out.remove(FOLDER / rel)
    build.out.write(MANIFEST, _manifest(key, files))


def _digest(version: str, pages: dict[PurePosixPath, Path]) -> str:
    """What the index is made from: Pagefind's version, every page's path and bytes."""
    whole = hashlib.sha256(version.encode())
    for rel in sorted(pages):
        whole.update(f"\0{rel}\0".encode())
        whole.update(hashlib.sha256(pages[rel].read_bytes()).digest())
    return whole.hexdigest()


def _manifest(key: str, files: dict[str, bytes]) -> bytes:
    listed = {rel: hashlib.sha256(data).hexdigest() for rel, data in sorted(files.items())}
    return (json.dumps({"pages": key, "files": listed}, indent=1, sort_keys=True) + "\n").encode()


def _listed(path: Path) -> dict[str, str]:
    """The bundle's files (relative to ``pagefind/``) and their digests, as the
    previous build's manifest lists them; empty when there is none or it is unreadable."""
    try:
        data = json.loads(path.read_bytes())
        files = data["files"]
        if isinstance(files, dict) and all(isinstance(v, str) for v in files.values()):
            return {str(k): v for k, v in files.items() if _inside(str(k))}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return {}


def _inside(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return bool(parts) and not rel.startswith("/") and ".." not in parts


def _previous(build: Build, key: str) -> dict[str, bytes] | None:
    """The previous build's bundle when it was made from the same pages and its files
    are intact; None otherwise."""
    folder = build.out.final / FOLDER
    try:
        data = json.loads((build.out.final / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("pages") != key:
        return None
    files: dict[str, bytes] = {}
    for rel, digest in _listed(build.out.final / MANIFEST).items():
        try:
            content = (folder / rel).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(content).hexdigest() != digest:
            return None
        files[rel] = content
    return files or None


def _index(pages: dict[PurePosixPath, Path]) -> dict[str, bytes]:
    """Index the pages with Pagefind (its own process, its own threads), in a scratch
    folder that mirrors their paths (hard links where possible): the bundle's files by
    path relative to ``pagefind/``."""
    with tempfile.TemporaryDirectory(prefix="mmsite-search-") as scratch:
        site, bundle = Path(scratch, "site"), Path(scratch, "bundle")
        for rel, source in pages.items():
            target = site.joinpath(*rel.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
        site.mkdir(exist_ok=True)
        if not _run_pagefind(site, bundle):
            return {}  # no page has anything to index (templates without HTML)
        files = _bundle(bundle)
        return {rel: data for rel, data in files.items() if not rel.startswith(UNUSED)}


# What Pagefind says when no page has anything to index (then there is no index).
NOTHING_TO_INDEX = "not able to build an index"


def _run_pagefind(site: Path, bundle: Path) -> bool:
    """Index ``site`` into ``bundle`` with the Pagefind binary the Python package ships
    (``pagefind.service.get_executable``), run as a command: it exits when every file
    is written. (Pagefind's async service API terminates the process when its context
    closes, which can cut a file short: an empty ``wasm.unknown.pagefind`` was seen.)"""
    from pagefind.service import get_executable

    executable = get_executable()
    if executable is None:
        raise MmsiteError("search: the Pagefind binary is missing", hint=f"run {EXTRA}")
    done = subprocess.run(
        [str(executable), "--site", str(site), "--output-path", str(bundle), "--silent"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 and NOTHING_TO_INDEX in (done.stderr + done.stdout):
        return False
    if done.returncode != 0:
        raise MmsiteError(
            f"search: Pagefind failed ({done.returncode}): {(done.stderr or done.stdout)[-500:]}",
            hint="turn search off with `outputs: {search: false}` in site.yaml to build without it",
        )
    return True


def _bundle(folder: Path) -> dict[str, bytes]:
    files = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    return canonical(files)


# -- the same bytes for the same pages ---------------------------------------------
#
# Pagefind 1.5 writes three things in hash-map order, which changes from run to run:
# the languages of pagefind-entry.json, and the values of each filter (filter/*.pf_filter:
# gzip of b"pagefind_dcd" + CBOR [name, [[value, [page, ...]], ...]]); a filter file's
# name is a digest of its bytes, and the language's pagefind.*.pf_meta names the filter
# files (and is itself named in the entry). Here the filter values are sorted, the
# files renamed after their new bytes, and the names that point to them rewritten.

SIGNATURE = b"pagefind_dcd"
FILTER = re.compile(r"^filter/(?P<hash>[^/]+)\.pf_filter$")
META = re.compile(r"^pagefind\.(?P<hash>[^/]+)\.pf_meta$")


def canonical(files: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with its filters, metadata and entry in one order, the files named
    after their bytes (the bundle as Pagefind wrote it when its format is not the one
    known here)."""
    try:
        return _canonical(files)
    except (ValueError, KeyError, IndexError, OSError, EOFError):
        return files


def _canonical(files: dict[str, bytes]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    renamed: dict[bytes, bytes] = {}  # old name (lang_hash) -> new, same length
    for rel, data in files.items():
        if match := FILTER.match(rel):
            body = _unpack(data)
            data = _pack(_sorted_filter(body))
            new = _renamed(match["hash"], data)
            renamed[match["hash"].encode()] = new.encode()
            rel = f"filter/{new}.pf_filter"
        out[rel] = data
    metas: dict[str, str] = {}
    for rel in [rel for rel in out if META.match(rel)]:
        old = META.match(rel)["hash"]  # type: ignore[index]
        body = _unpack(out.pop(rel))
        data = _pack(_sorted_meta(body, renamed))
        new = _renamed(old, data)
        metas[old] = new
        out[f"pagefind.{new}.pf_meta"] = data
    entry = json.loads(out[ENTRY.name])
    languages = entry["languages"]
    for info in languages.values():
        info["hash"] = metas.get(info["hash"], info["hash"])
    entry["languages"] = dict(sorted(languages.items()))
    out[ENTRY.name] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    return dict(sorted(out.items()))


def _unpack(data: bytes) -> bytes:
    body = gzip.decompress(data)
    if not body.startswith(SIGNATURE):
        raise ValueError("not a Pagefind data file")
    return body[len(SIGNATURE) :]


def _pack(body: bytes) -> bytes:
    return gzip.compress(SIGNATURE + body, compresslevel=9, mtime=0)


def _renamed(old: str, data: bytes) -> str:
    """``lang_digest`` with the digest of ``data``, as long as Pagefind's (the names
    are rewritten in place inside the CBOR of pf_meta)."""
    lang, _, digest = old.rpartition("_")
    return f"{lang}_{hashlib.sha256(data).hexdigest()[: len(digest)]}"


def _sorted_filter(body: bytes) -> bytes:
    """A filter's CBOR ``[name, [[value, pages], ...]]`` with its values sorted."""
    return _sorted_items(body, {1})


def _sorted_meta(body: bytes, renamed: dict[bytes, bytes]) -> bytes:
    """A language's pf_meta, CBOR ``[version, pages, index chunks, filters, sorts, meta
    keys]``, with its filters (``[[name, file], ...]``, the files ``renamed``), sorts and
    meta keys sorted (pages and chunks are in order)."""
    return _sorted_items(body, {3, 4, 5}, {3: renamed})


def _sorted_items(
    body: bytes, which: set[int], renamed: dict[int, dict[bytes, bytes]] | None = None
) -> bytes:
    """The CBOR array ``body`` with the elements of its items ``which`` (arrays) sorted,
    and in item ``n`` the text ``renamed[n]`` names replaced (by text as long)."""
    count, pos = _head(body, 0, 4)
    parts = [body[:pos]]
    for number in range(count):
        end = _skip(body, pos)
        item = body[pos:end]
        for before, after in (renamed or {}).get(number, {}).items():
            item = item.replace(before, after)
        parts.append(_sorted_array(item) if number in which else item)
        pos = end
    if pos != len(body):
        raise ValueError("unexpected Pagefind data layout")
    return b"".join(parts)


def _sorted_array(item: bytes) -> bytes:
    count, pos = _head(item, 0, 4)
    elements = []
    for _ in range(count):
        end = _skip(item, pos)
        elements.append(item[pos:end])
        pos = end
    return item[: _head(item, 0)[1]] + b"".join(sorted(elements))


def _head(data: bytes, pos: int, major: int | None = None) -> tuple[int, int]:
    """A CBOR item's argument and where its content starts; ``major``: the type it must be."""
    first = data[pos]
    if major is not None and first >> 5 != major:
        raise ValueError("unexpected CBOR type")
    info = first & 0x1F
    if info < 24:
        return info, pos + 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None:
        raise ValueError("indefinite CBOR lengths are not expected")
    return int.from_bytes(data[pos + 1 : pos + 1 + size], "big"), pos + 1 + size


def _skip(data: bytes, pos: int) -> int:
    """Where the CBOR item at ``pos`` ends."""
    major = data[pos] >> 5
    value, pos = _head(data, pos)
    if major in (2, 3):  # byte and text strings
        return pos + value
    if major == 4:
        for _ in range(value):
            pos = _skip(data, pos)
    elif major == 5:
        for _ in range(2 * value):
            pos = _skip(data, pos)
    elif major == 6:  # a tag, then its item
        pos = _skip(data, pos)
    return pos


# -- the search box --------------------------------------------------------------


@provides("search")
def search_context(view: PageView) -> dict[str, Any]:
    """``search``: what the theme's search box needs (None when search is off): the
    bundle's URL, the site's base path (results' URLs are below it) and the result
    count's plural forms in the page's language (the script picks one with
    ``Intl.PluralRules``)."""
    site = view.site
    if not site.config.outputs.on(SWITCH):
        return {"search": None}
    router = site.router
    forms = site.strings.lookup(view.route.page.lang, "search_results")
    if not isinstance(forms, dict):
        forms = {"other": str(forms)}
    return {
        "search": {
            "bundle": router.url_of(str(FOLDER / "pagefind.js")),
            "base": router.base_path,
            "results": json.dumps(forms, ensure_ascii=False, sort_keys=True),
        }
    }


FEATURE = Feature(
    "search",
    context=(search_context,),
    outputs=(Output("search", write_search, switch=SWITCH, beside_pages=False),),
)
