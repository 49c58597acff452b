"""Incremental builds: skip pages whose inputs did not change since the last build.

Two caches live in ``.mmsite-cache/build/`` in the site folder (never in the output):

* **documents**: parsed front matter per content file, keyed by the file's
  ``(mtime_ns, ctime_ns, size, inode)``, so an unchanged file is not read or parsed again.
* **pages**: for every rendered output, the inputs its bytes were made from, as recorded
  while rendering it: the templates Jinja loaded (names tried and missing too), the pages
  whose front matter or body it read (its own, the menu's, a section's children ...),
  plus a global key (mmsite's code, site.yaml, options, UI strings, asset names, and the
  site's structure: every route and resource). A page is reused when the digest of
  those recorded inputs is unchanged *and* the previous output file is still the one we
  wrote (same inode, size, mtime): it is hard-linked into the new output, keeping its
  inode and mtime. Anything else is rendered again.

Dependencies are recorded by watching reads of :attr:`Page.meta` and :attr:`Page.body`
(see :func:`mmsite.content.set_read_hook`) and template loads (:class:`TrackingEnvironment`).
Features therefore need no registration as long as what they show of another page
comes from that page's ``meta``, ``data`` or ``body``. Files read from elsewhere are
declared as the feature's inputs (:class:`mmsite.features.registry.Inputs`): their
bytes are part of the global key.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import jinja2

from mmsite.config import signing
from mmsite.config.clock import build_date
from mmsite.content import model as content
from mmsite.content.frontmatter import Document, StoredDocument
from mmsite.engine import parallel
from mmsite.engine.stamps import cache_name, code_stamps, digest
from mmsite.errors import MmsiteError

if TYPE_CHECKING:
    from mmsite.config.theme import Theme
    from mmsite.content.model import Page
    from mmsite.i18n.routing import Route
    from mmsite.output.tree import OutputTree
    from mmsite.render.templates import Site
    from mmsite.render.templates import WarmFunction as Warm

CACHE_DIR = ".mmsite-cache"
FORMAT = 12  # bump when the cache layout or key recipe changes

PageId = tuple[str, str]  # (rel, lang)
# ("m"|"b", rel, lang), ("t", template name, "") or ("g", group name, ""): a group
# stands for the front matter of many pages a memo read (see memo_deps)
Dep = tuple[str, str, str]
# memo read lists -> their deps, by id (memo_deps); Page is known to type checkers only
Converted = dict[int, tuple[list[tuple["Page", str]], list[Dep]]]
Groups = dict[str, tuple[Dep, ...]]  # group name -> the front-matter deps it stands for
# A memo that read the front matter of at least this many pages records them as one
# group: an output then names one input where it named hundreds (every product page
# shows related products, made from the whole catalog).
GROUP_AT_LEAST = 16


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cycle collector while a large pickle loads or the model is built:
    that allocates hundreds of thousands of containers, and each collection would scan
    them all. What was made is then *frozen* (never scanned again): it lives until the
    build ends, where :func:`mmsite.build.build` unfreezes it. Halves the load time of
    a 9,000-page snapshot."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


def code_digest() -> str:
    """mmsite's own code: a new version (or an edited extension) invalidates the cache."""
    return digest(str(FORMAT), *code_stamps())


# -- parsed documents ----------------------------------------------------------


def front_digest(doc: Document) -> str:
    """A document's front matter as parsed (values, key lines, where the body starts)
    and the text of the scalars inside its values (prices are read from the text: YAML
    reads ``12.10`` and ``12.1`` alike): equal digests mean an edit changed the body only."""
    return _front_digest(DocumentCache.front(doc), doc.scalars)


def _front_digest(front: bytes, scalars: dict) -> str:
    return digest(front, repr(list(scalars.items())))


class DocumentCache:
    """Parsed front matter per file. The front matter is kept pickled so every build gets
    fresh, unshared objects (model steps may change ``meta`` in place); that pickle is
    also what :func:`front_digest` hashes, so a parse pickles once. The body (a str) and
    the scalar texts (tuples) are immutable and kept as they are. Saved on disk, the
    cache leaves bodies out (nine tenths of its bytes): a hit reads its body again."""

    # path -> (stamp, pickled (meta, key_lines, body_line), front digest, body or None,
    # scalars)
    Entries = dict[str, tuple[tuple[int, ...], bytes, str, str | None, dict]]

    def __init__(self, entries: Entries | None = None) -> None:
        self.entries = entries or {}
        self.used: set[str] = set()
        self.hits = 0
        self.jobs: int | None = None  # processes for :meth:`prefill` (None: one per CPU)
        # parsed by prefill moments ago: the document (parsed here) or None (by a child)
        self._fresh: dict[str, Document | None] = {}
        # warm(documents, stopped, emit): what a prefill child goes on making (and
        # emits in dicts) from the documents it parsed while this process builds the
        # model (see :meth:`warmed`)
        self.warm: Warm | None = None
        self._later: list[parallel.Later[dict]] = []
        # stamps of the content files taken by the build's input scan (before anything
        # was read): used instead of a stat of each file again
        self.scanned: dict[str, tuple[int, ...]] = {}

    def prefill(self, paths: list[Path], parse: Callable[[Path], Document]) -> None:
        """Parse the files not in the cache across processes (parsing front matter is
        most of the time content loading takes): this process keeps the entries it
        made and adopts the children's. A file that fails to parse is left to the
        caller, which reports it when it loads it."""
        self._fresh = {}  # what an earlier build in this process left (serve)
        self.close()
        todo = [path for path in paths if str(path) not in self.entries]
        jobs = parallel.job_count(self.jobs, len(todo))
        if jobs <= 1 or len(todo) < parallel.MIN_ITEMS:  # a fork costs more than it saves
            return

        def work(take: parallel.Take) -> DocumentCache.Entries:
            made: DocumentCache.Entries = {}
            while (numbers := take()) is not None:
                for number in numbers:
                    path = todo[number]
                    with contextlib.suppress(MmsiteError):
                        doc = self.load(path, functools.partial(parse, path))
                        entry = self.entries[str(path)]
                        made[str(path)] = (*entry[:3], None, entry[4])  # sent without body
                        self._fresh[str(path)] = doc  # kept in this process only
            return made

        warm = self.warm

        def then(stopped: parallel.Stopped, emit: Callable[[dict], None]) -> None:
            if warm is not None:  # in a child: with the documents it parsed
                warm({k: d for k, d in self._fresh.items() if d is not None}, stopped, emit)

        shares = parallel.map_shared(
            jobs, len(todo), work, chunk=64, then=then if warm else None, later=self._later
        )
        for index, made in enumerate(shares):
            if index:  # the first is this process's own, already in self.entries
                self.entries.update(made)
                self._fresh.update(dict.fromkeys(made))

    def warmed(self) -> dict:
        """What the prefill children made with :attr:`warm` until now (they stop)."""
        made: dict = {}
        later, self._later = self._later, []
        for children in later:
            for share in children.get():
                made.update(share)
        return made

    def close(self) -> None:
        """Stop the prefill children still warming, if any."""
        later, self._later = self._later, []
        for children in later:
            children.close()

    @staticmethod
    def stamp(path: Path) -> tuple[int, ...]:
        st = path.stat()
        return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)

    @staticmethod
    def front(doc: Document) -> bytes:
        """The pickle :func:`front_digest` hashes (kept equal by a test)."""
        return pickle.dumps((doc.meta, doc.key_lines, doc.body_line), 4)

    def load(self, path: Path, parse: Callable[[], Document]) -> Document:
        key = str(path)
        self.used.add(key)
        if key in self._fresh:  # no need to check the stamp taken a moment ago
            doc = self._fresh.pop(key)
            return doc if doc is not None else self._document(self.entries[key], key)
        stamp = self.scanned.get(key) or self.stamp(path)
        entry = self.entries.get(key)
        if entry is not None and entry[0] == stamp:
            self.hits += 1
            return self._document(entry, key)
        doc = parse()
        front = self.front(doc)
        self.entries[key] = (
            stamp,
            front,
            _front_digest(front, doc.scalars),
            doc.body,
            dict(doc.scalars),
        )
        return doc

    @staticmethod
    def _document(entry: tuple, path: str) -> Document:
        """A fresh document from a cache entry (no object shared with the entry). An
        entry without body (read from disk, or parsed by a prefill child) gives a
        document that reads its body from ``path`` when first asked: mostly in the
        processes that render the page."""
        meta, key_lines, body_line = pickle.loads(entry[1])
        if entry[3] is None:
            return StoredDocument.of(path, meta, body_line, key_lines, dict(entry[4]))
        return Document(meta, entry[3], body_line, key_lines, dict(entry[4]))

    def fronts(self) -> dict[str, str]:
        """Front matter digest of every cached file (after :meth:`prune`: those the
        last build loaded)."""
        return {key: entry[2] for key, entry in self.entries.items()}

    def prune(self) -> None:
        self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        self.used = set()


# -- recording what a render reads ------------------------------------------


def page_dep(page: Page, kind: str) -> Dep:
    """``(kind, rel, lang)``, made once per page: records share the tuples (less memory,
    smaller and faster pickles)."""
    deps = page.__dict__.get("_deps")
    if deps is None:
        rel = page.rel.as_posix()
        deps = page.__dict__["_deps"] = {"m": ("m", rel, page.lang), "b": ("b", rel, page.lang)}
    return deps[kind]


def memo_deps(reads: list[tuple[Page, str]], converted: Converted, groups: Groups) -> list[Dep]:
    """A memo's reads as deps, converted once per build: a memo is reused on many pages
    (the catalog on every product page) and its read list never changes. The list is
    kept with its deps, so its id cannot be reused by another list. Front-matter reads
    of many pages become one group dep (added to ``groups``), named by its members: the
    same reads give the same name in every build. Body reads stay single deps (a delta
    build compares edited bodies with them, see :mod:`mmsite.engine.delta`)."""
    found = converted.get(id(reads))
    if found is None or found[0] is not reads:
        found = converted[id(reads)] = (reads, _grouped(reads, groups))
    return found[1]


def _grouped(reads: list[tuple[Page, str]], groups: Groups) -> list[Dep]:
    deps = [page_dep(page, kind) for page, kind in reads]
    meta = sorted({dep for dep in deps if dep[0] == "m"})
    if len(meta) < GROUP_AT_LEAST:
        return deps
    name = digest(repr(meta))
    groups[name] = tuple(meta)
    return [("g", name, ""), *(dep for dep in deps if dep[0] != "m")]


def _recorder(deps: set[Dep], converted: Converted, groups: Groups) -> Callable[[Page, str], None]:
    """The read hook while one recording is open (nearly always): adds to it directly.
    Pages' meta is read hundreds of thousands of times in a build."""
    add = deps.add

    def on_read(page: Page, kind: str) -> None:
        made = page.__dict__.get("_deps")
        add(made[kind] if made is not None else page_dep(page, kind))

    def bulk(reads: list[tuple[Page, str]]) -> None:  # a memo's reads, reported again
        deps.update(memo_deps(reads, converted, groups))

    on_read.bulk = bulk  # type: ignore[attr-defined]
    return on_read


@dataclass
class Reads:
    deps: set[Dep] = field(default_factory=set)
    warnings: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class Entry:
    deps: tuple[Dep, ...]
    stat: tuple[int, int, int]  # (inode, size, mtime_ns) of the output file we wrote
    warnings: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class StepRecord:
    deps: frozenset[Dep]
    warnings: tuple[tuple[str, str | None], ...]


@dataclass
class Report:
    rendered: int = 0  # pages rendered
    reused: int = 0  # pages skipped (inputs unchanged) and linked from the last build


class BuildCache:
    """Cache state for one output folder. ``path=None`` keeps it in memory only (serve).

    The page records are read lazily (:meth:`load`): a delta build (see
    :mod:`mmsite.delta`) does not need them. What a delta build changes is appended to a
    small journal beside them, merged in on the next :meth:`load`."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.documents = DocumentCache()
        self.pages: dict[str, Entry] = {}
        # the digest of every input the page records name, and the global key, as of
        # the last build: the next one compares inputs, not page keys (see Session)
        self.digests: dict[Dep, str] = {}
        self.groups: Groups = {}  # the members of the group deps the page records name
        self.global_key = ""
        self.output: str = ""
        self.build_id = ""  # changes with every full build; deltas and snapshots name it
        self.loaded = path is None
        self._documents_saved = False
        self.snapshot: Any = None  # mmsite.delta.Snapshot kept in memory (serve)
        self.state: Any = None  # mmsite.stamps.State kept in memory (serve)

    @classmethod
    def for_site(cls, root: Path, output: Path, enabled: bool = True) -> BuildCache:
        if not enabled:
            return cls(None)
        return cls(root / CACHE_DIR / "build" / f"{cache_name(output)}.pickle")

    @property
    def journal_path(self) -> Path | None:
        return self.path.with_suffix(".journal") if self.path is not None else None

    def load(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        if self.path is not None and self.path.is_file():
            self._read(self.path)
        self.documents = DocumentCache(_load_documents(self.documents_path))

    def _read(self, path: Path) -> None:
        try:
            data = _load(path)
            if data is None or data.get("format") != FORMAT:
                return
            self.pages = data["pages"]
            self.digests = data["digests"]
            self.groups = data["groups"]
            self.global_key = data["global"]
            self.output = data["output"]
            self.build_id = data["build"]
            entries, digests, groups = self.read_journal()
            self.pages.update(entries)
            self.digests.update(digests)
            self.groups.update(groups)
        except Exception:  # noqa: BLE001 - a damaged cache is only a slower build
            self.pages, self.digests, self.groups, self.global_key = {}, {}, {}, ""

    def read_journal(self) -> tuple[dict[str, Entry], dict[Dep, str], Groups]:
        """Page records, input digests and groups written by delta builds since the
        last full build."""
        journal = self.journal_path
        if journal is None or not journal.is_file():
            return {}, {}, {}
        try:
            data = _load(journal)
        except Exception:  # noqa: BLE001
            return {}, {}, {}
        if data is None or data.get("format") != FORMAT or data.get("build") != self.build_id:
            return {}, {}, {}
        return data["entries"], data["digests"], data["groups"]

    def write_journal(
        self, entries: dict[str, Entry], digests: dict[Dep, str], groups: Groups
    ) -> None:
        journal = self.journal_path
        if journal is None:
            self.pages.update(entries)
            self.digests.update(digests)
            self.groups.update(groups)
            return
        old_entries, old_digests, old_groups = self.read_journal()
        data = {
            "format": FORMAT,
            "build": self.build_id,
            "entries": {**old_entries, **entries},
            "digests": {**old_digests, **digests},
            "groups": {**old_groups, **groups},
        }
        _dump(journal, data)

    @property
    def documents_path(self) -> Path | None:
        return self.path.with_suffix(".documents") if self.path is not None else None

    def save_documents(self) -> None:
        """Keep the parsed documents of the files this build loaded. They are final once
        the site is loaded, and each entry is checked against its file's stamp when read,
        so this may run early, while pages render (and stands even if the build fails)."""
        if self._documents_saved:
            return
        self._documents_saved = True
        self.documents.prune()
        path = self.documents_path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            entries = {k: (*e[:3], None, e[4]) for k, e in self.documents.entries.items()}
            _dump(path, {"format": FORMAT, "documents": entries})

    def save(self, build_id: str | None = None) -> None:
        """Save the page records of a full build, named ``build_id`` (a new name when
        None): its snapshot and the deltas after it carry the same name."""
        self.save_documents()
        self.build_id = build_id or new_build_id()
        if self.path is None:
            return
        data = {
            "format": FORMAT,
            "build": self.build_id,
            "pages": self.pages,
            "digests": self.digests,
            "groups": self.groups,
            "global": self.global_key,
            "output": self.output,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        (self.path.parent.parent / ".gitignore").write_text("*\n", encoding="utf-8")
        _dump(self.path, data)
        journal = self.journal_path
        if journal is not None:
            journal.unlink(missing_ok=True)

    def session(
        self, site: Site, theme: Theme, env: jinja2.Environment, out: OutputTree
    ) -> Session:
        if self.output != str(out.final):
            self.pages, self.digests, self.groups, self.global_key = {}, {}, {}, ""
            self.output = str(out.final)
        self._documents_saved = False
        return Session(self, site, theme, env, out)


def _declared_inputs(site: Site) -> list[bytes]:
    """Names and bytes of the files the features declare as inputs (folders: every
    file below them, in order)."""
    found = []
    for path in site.registry.input_paths(site.config):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            data = file.read_bytes() if file.is_file() else b"-"
            found.append(str(file).encode() + b"\0" + data)
    return found


def new_build_id() -> str:
    return os.urandom(8).hex()


def _load_documents(path: Path | None) -> DocumentCache.Entries:
    if path is None or not path.is_file():
        return {}
    try:
        data = _load(path)
    except Exception:  # noqa: BLE001 - a damaged cache is only a slower build
        return {}
    return data["documents"] if data is not None and data.get("format") == FORMAT else {}


def _load(path: Path) -> Any:
    """The pickle :func:`_dump` wrote at ``path``; None when there is none or it was not
    signed by mmsite for this path (:mod:`mmsite.config.signing`): never unpickled."""
    raw = signing.read_verified(path)
    if raw is None:
        return None
    with no_gc():
        return pickle.loads(raw)


def _dump(path: Path, data: Any) -> None:
    signing.write_signed(path, pickle.dumps(data, pickle.HIGHEST_PROTOCOL))


class Session:
    """One build's use of the cache: decides reuse, records renders."""

    def __init__(
        self,
        cache: BuildCache,
        site: Site,
        theme: Theme,
        env: jinja2.Environment,
        out: OutputTree,
    ) -> None:
        self.cache = cache
        self.site = site
        self.theme = theme
        self.env = env
        self.out = out
        self.report = Report()
        self.previous = cache.pages
        self._before = cache.digests  # input digests as of the last build
        self._changed_inputs: set[Dep] | None = None
        self.current: dict[str, Entry] = {}
        self._page_index: dict[PageId, Page] | None = None
        self._known: dict[PageId, Page] = {}  # see know()
        self.dep_digests: dict[Dep, str] = {}
        self._global: str | None = None
        self._stack: list[Reads] = []
        self._converted: Converted = {}  # memo reads -> deps (memo_deps)
        self.groups: Groups = {}  # the groups this build's memos made (memo_deps)
        self.steps: dict[str, StepRecord] = {}  # build step name -> what it read
        # In a delta build, the only inputs that changed (see mmsite.delta): reuse is
        # decided by them, and new records get an empty key.
        self.changed: frozenset[Dep] | None = None

    @property
    def _pages(self) -> dict[PageId, Page]:
        """Pages by (rel, lang), made on first use (a delta build rarely needs it)."""
        if self._page_index is None:
            self._page_index = {page_dep(p, "m")[1:]: p for p in self.site.model.pages}
        return self._page_index

    def know(self, pages: Iterable[Page]) -> None:
        """Pages whose inputs will be digested (a delta build's edited pages): looked up
        without indexing every page of the site."""
        self._known.update((page_dep(page, "m")[1:], page) for page in pages)

    # -- keys -------------------------------------------------------------

    @property
    def global_key(self) -> str:
        """Everything every page depends on. Computed after static files are copied
        (asset fingerprints are part of it)."""
        if self._global is None:
            site = self.site
            config = site.config
            routes = [
                f"{r.group.key}|{r.edition.code}|{r.page.rel}|{r.page.lang}|{r.path}"
                for r in site.router.routes
            ]
            resources = [f"{rel}|{path}" for rel, path in sorted(site.model.resources.items())]
            self._global = digest(
                code_digest(),
                build_date().isoformat(),  # dated content: a sale ends (config/clock.py)
                config.path.read_bytes(),
                repr(config),
                repr(sorted(site.strings.tables.items())),
                repr(sorted(site.asset_names.items())),
                "\n".join(routes),
                "\n".join(resources),
                *_declared_inputs(site),
            )
        return self._global

    @global_key.setter
    def global_key(self, value: str) -> None:
        self._global = value

    def _dep_digest(self, dep: Dep) -> str:
        value = self.dep_digests.get(dep)
        if value is None:
            value = self._compute(dep)
            self.dep_digests[dep] = value
        return value

    def _compute(self, dep: Dep) -> str:
        kind, name, lang = dep
        if kind == "t":
            for folder in self.theme.template_dirs:
                path = folder / name
                if path.is_file():
                    return digest(str(path), path.read_bytes())
            return "-"
        if kind == "g":
            members = self._members(name)
            if members is None:
                return "gone"
            return digest(*(self._dep_digest(member) for member in members))
        page = self._known.get((name, lang)) or self._pages.get((name, lang))
        if page is None:
            return "gone"
        if kind == "m":
            return digest(repr(page.meta))
        return digest(page.body)

    def unchanged(self, entry: Entry) -> bool:
        """Are the inputs recorded in ``entry`` as they were? One set of changed inputs
        is computed from the last build's input digests; nothing is unchanged when
        something every page depends on (the global key) changed."""
        if self.changed is not None:
            return self.changed.isdisjoint(entry.deps)
        changed = self._inputs_changed()
        if changed is None:
            return False
        before = self._before
        return changed.isdisjoint(entry.deps) and all(dep in before for dep in entry.deps)

    def _inputs_changed(self) -> set[Dep] | None:
        if self._changed_inputs is None:
            if self.cache.global_key != self.global_key:
                return None
            self._changed_inputs = {
                dep for dep, old in self._before.items() if self._dep_digest(dep) != old
            }
        return self._changed_inputs

    # -- reuse ------------------------------------------------------------

    def reuse(self, rel: PurePosixPath) -> bool:
        """Link the previous output of ``rel`` when none of its inputs changed."""
        entry = self.previous.get(str(rel))
        if entry is None or not self.unchanged(entry):
            return False
        if not self.out.link_previous(rel, entry.stat):
            return False
        for message, path in entry.warnings:
            self.site.reporter.warn(message, path)
        self.current[str(rel)] = entry
        self.report.reused += 1
        return True

    @contextmanager
    def tracking(self, route: Route) -> Iterator[Reads]:
        """Record what rendering ``route`` reads. The route's own page is always a
        dependency (bodies are memoised per language, so a read may not happen)."""
        with self._tracking() as reads:
            reads.deps.update({page_dep(route.page, "m"), page_dep(route.page, "b")})
            yield reads

    @contextmanager
    def _tracking(self) -> Iterator[Reads]:
        """Record reads until the block ends. Recordings nest: a read is added to every
        recording open at the time (a step records what all its outputs read)."""
        reads = Reads()
        stack, reporter = self._stack, self.site.reporter
        stack.append(reads)
        reporter.captures.append(reads.warnings)
        if len(stack) == 1:
            content.set_read_hook(_recorder(reads.deps, self._converted, self.groups))
            self.env.on_load = self._on_template  # type: ignore[attr-defined]
        else:  # nested: every open recording gets the read
            content.set_read_hook(self._nested_hook())
        try:
            yield reads
        finally:
            stack.pop()
            reporter.captures.pop()
            if not stack:
                content.set_read_hook(None)
                self.env.on_load = None  # type: ignore[attr-defined]
            elif len(stack) == 1:
                content.set_read_hook(_recorder(stack[0].deps, self._converted, self.groups))

    def _nested_hook(self) -> Callable[[Page, str], None]:
        stack = self._stack

        def on_read(page: Page, kind: str) -> None:
            dep = page_dep(page, kind)
            for reads in stack:
                reads.deps.add(dep)

        def bulk(reads: list[tuple[Page, str]]) -> None:
            deps = memo_deps(reads, self._converted, self.groups)
            for recording in stack:
                recording.deps.update(deps)

        on_read.bulk = bulk  # type: ignore[attr-defined]
        return on_read

    def _on_template(self, name: str) -> None:
        for reads in self._stack:
            reads.deps.add(("t", name, ""))

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Record what a whole build step reads and warns (see :mod:`mmsite.delta`)."""
        with self._tracking() as reads:
            yield
        self.steps[name] = StepRecord(frozenset(reads.deps), tuple(reads.warnings))

    def write_derived(self, rel: PurePosixPath | str, produce: Callable[[], bytes]) -> None:
        """Write an output made from pages but not a page itself (an Atom feed): the
        previous file is kept when nothing ``produce`` read last time changed. Not
        counted as a rendered or unchanged page."""
        rel = PurePosixPath(rel)
        entry = self.previous.get(str(rel))
        if entry is not None and self.unchanged(entry) and self.out.link_previous(rel, entry.stat):
            for message, path in entry.warnings:
                self.site.reporter.warn(message, path)
            for reads in self._stack:  # the step keeping it read what made it
                reads.deps.update(entry.deps)
            self.current[str(rel)] = entry
            return
        with self._tracking() as reads:
            data = produce()
        self.out.write(rel, data)
        deps = tuple(sorted(reads.deps))
        self.current[str(rel)] = Entry(deps, self.out.stat(rel), tuple(reads.warnings))

    def record(self, rel: PurePosixPath, reads: Reads) -> None:
        """Remember the inputs of an output just written (call after ``out.write``)."""
        stat = self.out.stat(rel)
        deps = tuple(sorted(reads.deps))
        if self.changed is None:  # the next build compares these (a delta keeps the last)
            for dep in deps:
                self._dep_digest(dep)
        self.current[str(rel)] = Entry(deps, stat, tuple(reads.warnings))
        self.report.rendered += 1

    def digests(self, deps: Iterable[Dep]) -> dict[Dep, str]:
        return {dep: self._dep_digest(dep) for dep in deps}

    def _members(self, group: str) -> tuple[Dep, ...] | None:
        """A group's members: made by this build's memos, else named by the last build."""
        return self.groups.get(group) or self.cache.groups.get(group)

    def named_groups(self, entries: Iterable[Entry]) -> Groups:
        """The members of the groups ``entries`` name, for the next build's comparison."""
        named = {}
        for entry in entries:
            for kind, name, _ in entry.deps:
                if kind == "g" and name not in named:
                    members = self._members(name)
                    if members is not None:
                        named[name] = members
        return named

    def finish(self, build_id: str | None = None) -> None:
        """Call after the output was committed."""
        self.cache.pages = self.current
        deps = {dep for entry in self.current.values() for dep in entry.deps}
        self.cache.digests = self.digests(deps)
        self.cache.groups = self.named_groups(self.current.values())
        self.cache.global_key = self.global_key
        self.cache.save(build_id)
