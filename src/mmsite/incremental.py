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
Extensions therefore need no registration as long as what they show of another page
comes from that page's ``meta`` or ``body``. Data read from elsewhere must feed the
global key through :data:`GLOBAL_INPUTS`.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import jinja2

from . import content
from .frontmatter import Document

if TYPE_CHECKING:
    from .content import Page
    from .output import OutputTree
    from .render import Site
    from .routing import Route
    from .theme import Theme

CACHE_DIR = ".mmsite-cache"
FORMAT = 1  # bump when the cache layout or key recipe changes

# Extensions that read data outside pages' meta/body (a data file, an API snapshot)
# add f(site) -> bytes here; it becomes part of every page's key.
GLOBAL_INPUTS: list[Callable[[Site], bytes]] = []

PageId = tuple[str, str]  # (rel, lang)
Dep = tuple[str, str, str]  # ("m"|"b", rel, lang) or ("t", template name, "")


def digest(*parts: bytes | str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
        h.update(b"\x00")
    return h.hexdigest()


def code_digest() -> str:
    """mmsite's own code: a new version (or an edited extension) invalidates the cache."""
    folder = Path(__file__).parent
    stats = [
        f"{p.name}:{st.st_size}:{st.st_mtime_ns}"
        for p in sorted(folder.rglob("*.py"))
        for st in [p.stat()]
    ]
    return digest(str(FORMAT), *stats)


# -- parsed documents ----------------------------------------------------------


class DocumentCache:
    """Parsed front matter per file. Entries are kept pickled so every build gets fresh,
    unshared objects (model steps may change ``meta`` in place)."""

    def __init__(self, entries: dict[str, tuple[tuple[int, ...], bytes]] | None = None) -> None:
        self.entries = entries or {}
        self.used: set[str] = set()
        self.hits = 0

    @staticmethod
    def stamp(path: Path) -> tuple[int, ...]:
        st = path.stat()
        return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)

    def load(self, path: Path, parse: Callable[[], Document]) -> Document:
        key = str(path)
        self.used.add(key)
        stamp = self.stamp(path)
        entry = self.entries.get(key)
        if entry is not None and entry[0] == stamp:
            self.hits += 1
            return pickle.loads(entry[1])
        doc = parse()
        self.entries[key] = (stamp, pickle.dumps(doc, pickle.HIGHEST_PROTOCOL))
        return doc

    def prune(self) -> None:
        self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        self.used = set()


# -- recording what a render reads ------------------------------------------


class TrackingEnvironment(jinja2.Environment):
    """A Jinja environment that reports every template name it looks up."""

    on_load: Callable[[str], None] | None = None

    def _load_template(self, name: str, globals: Any) -> jinja2.Template:  # noqa: A002
        if self.on_load is not None:
            self.on_load(name)
        return super()._load_template(name, globals)


@dataclass
class Reads:
    deps: set[Dep] = field(default_factory=set)
    warnings: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class Entry:
    key: str  # digest of the global key and every recorded dependency
    deps: tuple[Dep, ...]
    stat: tuple[int, int, int]  # (inode, size, mtime_ns) of the output file we wrote
    warnings: tuple[tuple[str, str | None], ...] = ()


@dataclass
class Report:
    rendered: int = 0  # pages rendered
    reused: int = 0  # pages skipped (inputs unchanged) and linked from the last build


class BuildCache:
    """Cache state for one output folder. ``path=None`` keeps it in memory only (serve)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.documents = DocumentCache()
        self.pages: dict[str, Entry] = {}
        self.output: str = ""
        if path is not None and path.is_file():
            self._read(path)

    @classmethod
    def for_site(cls, root: Path, output: Path, enabled: bool = True) -> BuildCache:
        if not enabled:
            return cls(None)
        name = digest(str(output.resolve()))[:16]
        return cls(root / CACHE_DIR / "build" / f"{name}.pickle")

    def _read(self, path: Path) -> None:
        try:
            with path.open("rb") as fh:
                data = pickle.load(fh)
            if data.get("format") != FORMAT:
                return
            self.documents = DocumentCache(data["documents"])
            self.pages = data["pages"]
            self.output = data["output"]
        except Exception:  # noqa: BLE001 - a damaged cache is only a slower build
            self.documents = DocumentCache()
            self.pages = {}

    def save(self) -> None:
        self.documents.prune()
        if self.path is None:
            return
        data = {
            "format": FORMAT,
            "documents": self.documents.entries,
            "pages": self.pages,
            "output": self.output,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        (self.path.parent.parent / ".gitignore").write_text("*\n", encoding="utf-8")
        tmp = self.path.with_suffix(f".tmp-{os.getpid()}")
        with tmp.open("wb") as fh:
            pickle.dump(data, fh, pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)

    def session(
        self, site: Site, theme: Theme, env: jinja2.Environment, out: OutputTree
    ) -> Session:
        if self.output != str(out.final):
            self.pages = {}
            self.output = str(out.final)
        return Session(self, site, theme, env, out)


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
        self.current: dict[str, Entry] = {}
        self._pages: dict[PageId, Page] = {(p.rel.as_posix(), p.lang): p for p in site.model.pages}
        self._dep_digests: dict[Dep, str] = {}
        self._global: str | None = None

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
                config.path.read_bytes(),
                repr(config),
                repr(sorted(site.strings.tables.items())),
                repr(sorted(site.asset_names.items())),
                "\n".join(routes),
                "\n".join(resources),
                *(fn(site) for fn in GLOBAL_INPUTS),
            )
        return self._global

    def _dep_digest(self, dep: Dep) -> str:
        value = self._dep_digests.get(dep)
        if value is None:
            value = self._compute(dep)
            self._dep_digests[dep] = value
        return value

    def _compute(self, dep: Dep) -> str:
        kind, name, lang = dep
        if kind == "t":
            for folder in self.theme.template_dirs:
                path = folder / name
                if path.is_file():
                    return digest(str(path), path.read_bytes())
            return "-"
        page = self._pages.get((name, lang))
        if page is None:
            return "gone"
        if kind == "m":
            return digest(repr(page.meta))
        return digest(page.body)

    def key_of(self, deps: Iterable[Dep]) -> str:
        return digest(self.global_key, *(f"{d}={self._dep_digest(d)}" for d in sorted(deps)))

    # -- reuse ------------------------------------------------------------

    def reuse(self, rel: PurePosixPath) -> bool:
        """Link the previous output of ``rel`` when none of its inputs changed."""
        entry = self.previous.get(str(rel))
        if entry is None or self.key_of(entry.deps) != entry.key:
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
            own = (route.page.rel.as_posix(), route.page.lang)
            reads.deps.update({("m", *own), ("b", *own)})
            yield reads

    @contextmanager
    def _tracking(self) -> Iterator[Reads]:
        reads = Reads()
        add = reads.deps.add

        def on_read(page: Page, kind: str) -> None:
            add((kind, page.rel.as_posix(), page.lang))

        def on_template(name: str) -> None:
            add(("t", name, ""))

        reporter = self.site.reporter
        content.set_read_hook(on_read)
        self.env.on_load = on_template  # type: ignore[attr-defined]
        reporter.capture = reads.warnings
        try:
            yield reads
        finally:
            content.set_read_hook(None)
            self.env.on_load = None  # type: ignore[attr-defined]
            reporter.capture = None

    def write_derived(self, rel: PurePosixPath | str, produce: Callable[[], bytes]) -> None:
        """Write an output made from pages but not a page itself (an Atom feed): the
        previous file is kept when nothing ``produce`` read last time changed. Not
        counted as a rendered or unchanged page."""
        rel = PurePosixPath(rel)
        entry = self.previous.get(str(rel))
        if (
            entry is not None
            and self.key_of(entry.deps) == entry.key
            and self.out.link_previous(rel, entry.stat)
        ):
            for message, path in entry.warnings:
                self.site.reporter.warn(message, path)
            self.current[str(rel)] = entry
            return
        with self._tracking() as reads:
            data = produce()
        self.out.write(rel, data)
        deps = tuple(sorted(reads.deps))
        self.current[str(rel)] = Entry(
            self.key_of(deps), deps, self.out.stat(rel), tuple(reads.warnings)
        )

    def record(self, rel: PurePosixPath, reads: Reads) -> None:
        """Remember the inputs of an output just written (call after ``out.write``)."""
        stat = self.out.stat(rel)
        deps = tuple(sorted(reads.deps))
        self.current[str(rel)] = Entry(self.key_of(deps), deps, stat, tuple(reads.warnings))
        self.report.rendered += 1

    def finish(self) -> None:
        """Call after the output was committed."""
        self.cache.pages = self.current
        self.cache.save()
