"""Delta builds: after an edit of page text only, re-render just what shows that text.

Most saves while writing change a page's Markdown body, not its front matter. Such an
edit cannot move a URL, re-order a list or change a price, so the model, the routes
and every other page are still right. A full build therefore leaves a *snapshot*: the
loaded site (model, routes, UI strings, asset names, processed images) and, from the
read records of :mod:`mmsite.incremental`:

* which outputs read which page body (``("b", rel, lang)``),
* what each non-page build step (feeds, sitemap, host files ...) read,
* which bodies were read while loading the model (a body that feeds the model's
  structure disqualifies delta builds for that page),
* the front matter digest of every content file.

A delta build starts from that snapshot, takes the new body of every edited file whose
front matter is unchanged, renders the outputs that read one of those bodies, re-runs
only the steps that read one, and replaces the changed files (in a copy of the output
made of hard links, swapped in as a whole: :mod:`mmsite.output.inplace`). Anything else (a
changed front matter, template, config, string file, a file added or removed, an
output someone touched) goes to the regular incremental build, which makes a new
snapshot. :mod:`mmsite.stamps` tells which files changed.
"""

from __future__ import annotations

import copyreg
import dataclasses
import io
import os
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PosixPath, PurePath, PurePosixPath
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from mmsite.config import signing
from mmsite.content.frontmatter import Document, StoredDocument
from mmsite.content.model import LISTED, Page, parse_file, report_read
from mmsite.engine.incremental import FORMAT, Dep, Entry, StepRecord, front_digest, no_gc
from mmsite.engine.stamps import Stamps
from mmsite.errors import MmsiteError, Reporter

if TYPE_CHECKING:
    from mmsite.config.theme import Theme
    from mmsite.render.templates import Site


# a site pickled by pickle_site: the site, then its pages' own pickles and their ends
PickledSite = tuple[bytes, bytes, list[int]]


@dataclass
class Snapshot:
    """The site as a full build left it, and what its outputs read."""

    site: Site
    theme: Theme
    build_id: str
    stamps: Stamps  # input stamps the site was loaded from (updated by in-memory deltas)
    fronts: dict[str, str]  # content file -> front matter digest
    model_reads: set[Dep]  # bodies read while the model was built
    steps: dict[str, StepRecord]
    bodies: dict[Dep, set[str]]  # ("b", rel, lang) -> outputs that read it
    warned: dict[str, tuple[tuple[str, str | None], ...]] = field(default_factory=dict)
    # records of outputs that are not pages (feeds): a re-run step reuses what it can
    derived: dict[str, Entry] = field(default_factory=dict)
    # rendered bodies those outputs show, kept so a re-run feed renders one body, not all
    # (a section of their own in a saved snapshot: see rendered_bodies)
    rendered: dict | bytes | StoredBodies = field(default_factory=dict)
    global_key: str = ""  # the pages' global key (it cannot change in a delta build)
    routes: dict[str, int] = field(default_factory=dict)  # page output -> route number
    sources: dict[str, list[Page]] = field(default_factory=dict)  # file -> its pages
    # (site, theme, sources) already pickled by pickle_site, while pages rendered
    pickled_site: PickledSite | None = None

    def pages_from(self, path: str) -> list[Page]:
        return self.sources.get(path, [])

    def rendered_bodies(self) -> dict | StoredBodies:
        """:attr:`rendered`; from a saved snapshot, its index is unpickled when first
        asked (only a re-run step needs it) and each body when a feed shows it."""
        if isinstance(self.rendered, bytes):
            self.rendered = StoredBodies(*pickle.loads(self.rendered))
        return self.rendered

    def add_entries(self, entries: dict[str, Entry]) -> None:
        """Outputs rendered again: their body reads and warnings."""
        for rel, entry in entries.items():
            for dep in entry.deps:
                if dep[0] == "b":
                    self.bodies.setdefault(dep, set()).add(rel)
            if entry.warnings:
                self.warned[rel] = entry.warnings
            else:
                self.warned.pop(rel, None)
            if rel in self.derived:
                self.derived[rel] = entry


BodyKey = tuple[Path, PurePosixPath, str]  # Site.bodies' keys: source, rel, language


class StoredBodies:
    """Rendered bodies as a saved snapshot keeps them: their UTF-8 text one after the
    other, and where each is. A body is decoded when a feed shows it."""

    def __init__(self, index: dict[tuple[str, str, str], tuple[int, int]], text: bytes) -> None:
        self.index = index  # (source, rel, language) as text -> (start, end) in text
        self.text = text

    @staticmethod
    def pickled(bodies: dict[BodyKey, Markup] | StoredBodies) -> bytes:
        if isinstance(bodies, StoredBodies):
            return pickle.dumps((bodies.index, bodies.text), pickle.HIGHEST_PROTOCOL)
        index, parts, at = {}, [], 0
        for (source, rel, lang), html in bodies.items():
            data = str(html).encode()
            index[(str(source), rel.as_posix(), lang)] = (at, at + len(data))
            parts.append(data)
            at += len(data)
        return pickle.dumps((index, b"".join(parts)), pickle.HIGHEST_PROTOCOL)

    def get(self, key: BodyKey) -> Markup | None:
        span = self.index.get((str(key[0]), key[1].as_posix(), key[2]))
        if span is None:
            return None
        return Markup(self.text[span[0] : span[1]].decode())


class KeptBodies(dict):
    """``Site._bodies`` in a delta build: the bodies this build rendered (the dict's
    own items), else those the snapshot kept, except the bodies of edited files."""

    def __init__(self, own: dict, kept: dict | StoredBodies, edited: set[str]) -> None:
        super().__init__(own)
        self.kept = kept
        self.edited = edited

    def get(self, key: BodyKey, default: Markup | None = None) -> Markup | None:
        found = dict.get(self, key)
        if found is None and str(key[0]) not in self.edited:
            found = self.kept.get(key)
            if found is not None:
                self[key] = found
        return default if found is None else found


def make_snapshot(
    site: Site,
    theme: Theme,
    build_id: str,
    stamps: Stamps,
    fronts: dict[str, str],
    model_reads: set[Dep],
    steps: dict[str, StepRecord],
    pages: dict[str, Entry],
    global_key: str,
    pickled_site: PickledSite | None = None,
) -> Snapshot:
    """``pickled_site``: what :func:`pickle_site` gave for ``site`` and ``theme``."""
    snapshot = Snapshot(site, theme, build_id, stamps, fronts, model_reads, steps, {})
    snapshot.global_key = global_key
    snapshot.routes = {str(r.output): n for n, r in enumerate(site.router.routes)}
    snapshot.sources = _sources(site) if pickled_site is None else {}  # else pickled in it
    snapshot.pickled_site = pickled_site
    routed = snapshot.routes
    snapshot.derived = {rel: entry for rel, entry in pages.items() if rel not in routed}
    shown = {dep[1] for entry in snapshot.derived.values() for dep in entry.deps if dep[0] == "b"}
    snapshot.rendered = {k: v for k, v in site.bodies.items() if k[1].as_posix() in shown}
    snapshot.add_entries(pages)
    return snapshot


def _sources(site: Site) -> dict[str, list[Page]]:
    sources: dict[str, list[Page]] = {}
    for page in site.model.pages:
        if not page.virtual:
            sources.setdefault(str(page.source), []).append(page)
    return sources


def snapshot_path(cache_path: Path) -> Path:
    return cache_path.with_suffix(".site")


_PAGE_MEMOS = ("dir", "_deps", "_listed")  # Page.dir, incremental.page_dep's tuples, Page.listed
# What a snapshot keeps of each page read from a file in its own small pickle, loaded
# when the page is first used: a delta build touches few pages.
LAZY_FIELDS = ("source", "doc", "meta", "data")


def _stored(doc: Document, source: str) -> StoredDocument:
    """``doc`` to pickle: no body, no scalars (read again from the file if asked)."""
    stored = StoredDocument.__new__(StoredDocument)
    stored.__dict__.update(doc.__dict__)
    stored.__dict__.pop("body", None)  # a stored document may not have read it yet
    stored.__dict__.pop("scalars", None)
    stored.__dict__["source"] = source
    return stored


class PageStore:
    """The pages of a loaded snapshot, and the pickled :data:`LAZY_FIELDS` of each:
    ``fill`` gives a page its fields (``StoredPage.__getattr__`` calls it on first use)."""

    def __init__(self, data: bytes | memoryview, ends: list[int]) -> None:
        self.data = data
        self.ends = ends  # page n's pickle is data[ends[n - 1]:ends[n]]
        self.pages: list[Page] = []

    def __reduce__(self) -> tuple:
        """Pickled as its pages only: unpickled, it is the store being loaded (its
        pickles and their ends are in the snapshot file beside it)."""
        return (_current_store, (), self.pages)

    def __setstate__(self, pages: list[Page]) -> None:
        self.pages = pages

    def fill(self, page: Page, number: int) -> None:
        global _loading
        start = self.ends[number - 1] if number else 0
        previous, _loading = _loading, self
        try:
            fields = pickle.loads(self.data[start : self.ends[number]])
        except Exception as exc:  # noqa: BLE001 - a damaged file: the build starts over
            raise DamagedSnapshot(f"{page.rel}: {exc}") from exc
        finally:
            _loading = previous
        page.__dict__.update(fields)
        del page.__dict__["_pending"]


_loading: PageStore | None = None  # the store whose pickles are being loaded


class StoredPage(Page):
    """A page of a loaded snapshot. Its :data:`LAZY_FIELDS` stay pickled in the store
    (``_pending``: the store and the page's number) until first used; the keys lists
    sort by are kept beside it (``_listed``), so sorting every article does not load
    every article; ``rel`` is kept as text (``_rel``) and made a path on first use."""

    def listed(self, key: str, default: Any = None) -> Any:
        state = self.__dict__
        if "meta" in state or "_listed" not in state:
            return self.meta.get(key, default)
        report_read(self)  # what reading the page's meta would have reported
        return state["_listed"].get(key, default)

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":  # pickle asks for __setstate__ and the like
            raise AttributeError(name)
        state = self.__dict__
        if name == "rel" and "_rel" in state:
            rel = state["rel"] = PurePosixPath(state.pop("_rel"))
            return rel
        pending = state.get("_pending")
        if pending is None:
            raise AttributeError(name)
        pending[0].fill(self, pending[1])
        return object.__getattribute__(self, name)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)  # (unpickling looks for it: not via __getattr__)

    def __getstate__(self) -> dict[str, Any]:
        if "_pending" in self.__dict__:
            self.__getattr__("doc")  # pickled whole
        return self.__dict__

    __hash__ = None  # type: ignore[assignment]  # as Page (a dataclass with eq)


class DamagedSnapshot(Exception):
    """A page's pickle in the snapshot file could not be loaded: the delta build stops
    before it writes anything, and a full build runs instead."""


def _current_store() -> PageStore:
    assert _loading is not None
    return _loading


def _page_number(number: int) -> Page:
    assert _loading is not None
    return _loading.pages[number]


def pickle_site(site: Site, theme: Theme) -> PickledSite:
    """The largest part of a snapshot, pickled on its own: the loaded site (without its
    render memos, see ``Site.__getstate__``), the theme, and which pages each file holds.
    The site is final once images are processed, so a full build pickles it while pages
    render. Page bodies stay in their files (see :class:`StoredDocument`).

    Returns the site's pickle, then the :data:`LAZY_FIELDS` of its pages read from
    files, each page's pickled on its own (one string, and where each pickle ends): a
    delta build unpickles those of the pages it uses only."""
    site.model.make_indexes()
    pages = site.model.pages
    numbers = {id(page): n for n, page in enumerate(pages)}
    lazy: set[int] = set()
    buffer, ends = io.BytesIO(), []
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _dispatch_table(lambda page: _page_ref(page, numbers))
    for n, page in enumerate(pages):
        state = page.__dict__
        if "_pending" in state:  # a snapshot's page not used yet
            page.__getattr__("doc")
        if not page.virtual and isinstance(page.doc, Document):
            fields = {name: state[name] for name in LAZY_FIELDS}
            fields["doc"] = _stored(page.doc, str(page.source))
            pickler.dump(fields)
            pickler.clear_memo()
            lazy.add(n)
        ends.append(buffer.tell())
    store = PageStore(b"", [])
    store.pages = pages
    core = _dispatch_table(lambda page: _page_core(page, numbers, lazy, store))
    return _dumps((store, site, theme, _sources(site)), core), buffer.getvalue(), ends


def _page_ref(page: Page, numbers: dict[int, int]) -> tuple:
    number = numbers.get(id(page))
    if number is None:  # not in the model: pickled whole
        return page.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
    return (_page_number, (number,))


def _page_core(page: Page, numbers: dict[int, int], lazy: set[int], store: PageStore) -> tuple:
    """A page in the site's pickle: what is not in its own pickle, and where that is."""
    number = numbers.get(id(page), -1)
    state = page.__dict__.copy()  # then popped: quicker than a filtering comprehension
    for name in _PAGE_MEMOS:
        state.pop(name, None)
    rel = state.pop("rel", None)
    if rel is not None:  # as text, made a path on first use (StoredPage.__getattr__)
        state["_rel"] = str(rel)
    if number in lazy:
        meta = state["meta"]
        for name in LAZY_FIELDS:
            del state[name]
        state["_pending"] = (store, number)
        state["_listed"] = {key: meta[key] for key in LISTED if key in meta}
    return (object.__new__, (StoredPage,), state)


def save_snapshot(path: Path, snapshot: Snapshot) -> None:
    site = snapshot.pickled_site or pickle_site(snapshot.site, snapshot.theme)
    rendered = StoredBodies.pickled(snapshot.rendered_bodies())
    rest = dataclasses.replace(
        snapshot, site=None, theme=None, sources={}, pickled_site=None, rendered=b""
    )
    core, data, ends = site
    sections = [core, _dumps(rest), rendered, data]
    head = pickle.dumps((FORMAT, sys.version_info[:2], [len(s) for s in sections], ends), 5)
    parts = (len(head).to_bytes(8, "little"), head, *sections)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("wb") as fh:
            fh.write(signing.header(path, *parts))  # see mmsite.config.signing
            for part in parts:
                fh.write(part)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def load_snapshot(path: Path) -> Snapshot | None:
    """The snapshot :func:`save_snapshot` wrote; None if there is none or it does not
    fit this mmsite and Python. The file is read once; its parts are unpickled from
    that copy, the pages' own pickles when each page is first used."""
    global _loading
    try:
        with no_gc():
            raw = signing.read_verified(path)
            if raw is None:
                return None  # none, or not written by mmsite for this site
            size = int.from_bytes(raw[:8], "little")
            version, python, sizes, ends = pickle.loads(raw[8 : 8 + size])
            if (version, python) != (FORMAT, sys.version_info[:2]):
                return None
            core, rest, rendered, data = _sections(raw, 8 + size, sizes)
            snapshot = pickle.loads(rest)
            snapshot.rendered = bytes(rendered)
            previous, _loading = _loading, PageStore(data, ends)
            try:
                _, snapshot.site, snapshot.theme, snapshot.sources = pickle.loads(core)
            finally:
                _loading = previous
    except Exception:  # noqa: BLE001 - no snapshot only means a full build
        return None
    return snapshot


def _sections(raw: memoryview, start: int, sizes: list[int]) -> list[memoryview]:
    parts = []
    for size in sizes:
        parts.append(raw[start : start + size])
        start += size
    if start != len(raw):
        raise ValueError("snapshot file cut short")
    return parts


def _dumps(data: object, table: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = table or _dispatch_table()
    pickler.dump(data)
    return buffer.getvalue()


def _dispatch_table(page: Callable[[Page], tuple] | None = None) -> dict:
    """Paths pickled as their text (pathlib's own pickle is a tuple of their parts,
    each parsed again and joined). ``page``: how to pickle pages."""
    table = copyreg.dispatch_table.copy()
    for cls in (PurePosixPath, PosixPath):
        table[cls] = _reduce_path
    if page is not None:
        table[Page] = page
    return table


def _reduce_path(path: PurePath) -> tuple:
    return (type(path), (str(path),))


# -- what an edit touches ------------------------------------------------------


def patch_bodies(snapshot: Snapshot, paths: set[str]) -> bool:
    """Give the snapshot's pages the current bodies of ``paths``; False when one of them
    changed more than its body (or cannot be read: the full build reports that)."""
    for path in sorted(paths):
        try:
            doc = parse_file(Path(path))
        except (MmsiteError, OSError):
            return False
        if front_digest(doc) != snapshot.fronts.get(path):
            return False
        for page in snapshot.pages_from(path):
            if ("b", page.rel.as_posix(), page.lang) in snapshot.model_reads:
                return False
            page.doc = dataclasses.replace(page.doc, body=doc.body)
    return True


def body_deps(snapshot: Snapshot, paths: set[str]) -> set[Dep]:
    return {
        ("b", page.rel.as_posix(), page.lang)
        for path in paths
        for page in snapshot.pages_from(path)
    }


def fresh_site(snapshot: Snapshot, edited: set[str], shown: bool = True) -> Site:
    """The snapshot's site with a new reporter and without memos. Rendered bodies of
    files not in ``edited`` are kept: they depend on the body, the routes and the
    images, and only bodies changed. ``shown``: a step that shows bodies (a feed) runs
    again, so the bodies the snapshot kept for it are worth loading."""
    site = snapshot.site
    own = {k: v for k, v in site.bodies.items() if str(k[0]) not in edited}
    site.reset_caches()
    site.bodies = KeptBodies(own, snapshot.rendered_bodies() if shown else {}, edited)
    site.reporter = Reporter()
    return site
