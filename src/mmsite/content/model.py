"""Discover ``content/``, parse front matter, and build the page model.

The model knows nothing of HTML or URLs: a :class:`Page` is one language version of a
content file with its front matter merged over the default-language file's, and a
:class:`Group` holds the translations of one page.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol, TypeVar
from urllib.parse import unquote

from babel import Locale, UnknownLocaleError

from mmsite.cached import cached_property
from mmsite.config.options import Config
from mmsite.config.yamlutil import why_not_a_date
from mmsite.content.frontmatter import Document, read_source, split_front_matter
from mmsite.errors import BuildErrors, MmsiteError, relpath

INDEX = "_index"
I18N_DIR = "i18n"
# Fields a translation never inherits from the default-language file.
NOT_INHERITED = frozenset({"slug", "draft", "translation_key", "aliases", "url"})
SAFE_SEGMENT = re.compile(r"^[^\s/\\?#%<>\"'`|*:\x00-\x1f]+$")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
LAYOUT = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*")  # a template below templates/
HIDDEN = re.compile(r"^[.#]|~$")  # dotfiles, editor backups and lock files


@dataclass
class Page:
    """One language version of a content file."""

    source: Path
    rel: PurePosixPath  # path below content/, e.g. products/smoked-salt.fr.md
    lang: str
    stem: str  # file name without language suffix and .md ("_index" for sections)
    doc: Document
    meta: dict[str, Any] = field(default_factory=dict)  # own front matter over inherited
    group: Group | None = None
    virtual: bool = False  # made by the build (category, tag pages), not read from a file
    # What model steps parsed from the front matter, by feature ("product": Product ...).
    data: dict[str, Any] = field(default_factory=dict)
    # Markets (keys) this page is not published in, e.g. a product without a price there.
    hidden_markets: set[str] = field(default_factory=set)
    # A generated page routed below another page's URL (page 2 of a list), see Below.
    below: Below | None = None
    # The editions (codes) a generated page is published in; None: wherever it is shown.
    editions: frozenset[str] | None = None

    @cached_property
    def dir(self) -> PurePosixPath:
        return self.rel.parent

    @property
    def refs_dir(self) -> PurePosixPath:
        """The folder relative references in its front matter (images) start from: its
        own, or for a page routed below another (page 2 of a list), that page's."""
        if self.below is None:
            return self.dir
        return self.below.group.pages.get(self.lang, self.below.group.default).dir

    @property
    def is_index(self) -> bool:
        return self.stem == INDEX

    @property
    def kind(self) -> str:
        if self.is_index:
            return "section" if self.dir.parts else "home"  # dir "." has no parts
        return "page"

    @property
    def section(self) -> str:
        """Top-level folder below content/ ('' for the root)."""
        parts = self.dir.parts
        return parts[0] if parts else ""

    @property
    def title(self) -> str:
        title = self.listed("title")
        return self.meta["title"] if title is None else title

    @property
    def slug(self) -> str:
        own = self.doc.meta.get("slug")
        if own:
            return own
        return self.dir.name if self.is_index else self.stem

    @property
    def summary(self) -> str:
        return self.meta.get("summary", "") or ""

    @property
    def date(self) -> dt.date | None:
        return self.listed("date")

    @property
    def weight(self) -> int:
        return self.listed("weight", 0)

    def listed(self, key: str, default: Any = None) -> Any:
        """``meta.get(key, default)`` for the :data:`LISTED` keys that order and title
        lists (a store of pages may keep them apart, see :mod:`mmsite.engine.delta`)."""
        return self.meta.get(key, default)

    @property
    def draft(self) -> bool:
        return bool(self.doc.meta.get("draft", False))

    @property
    def body(self) -> str:
        if _read_hook is not None:
            _read_hook(self, "b")
        return self.doc.body

    def line_of(self, key: str) -> int | None:
        return self.doc.line_of(key)

    def error(self, message: str, key: str | None = None, hint: str | None = None) -> MmsiteError:
        return MmsiteError(message, self.source, self.line_of(key) if key else None, hint)


@dataclass(frozen=True, eq=False)
class Below:
    """Where a generated page is routed: at ``tail`` below the URL ``group`` has in the
    same edition (page 2 of a list: the list's group, ``"page/2/"``; each segment of
    ``tail`` is checked as a slug is)."""

    group: Group
    tail: str


# Front-matter keys that lists sort and title by (see Page.listed).
LISTED = ("title", "date", "weight")

T = TypeVar("T")

# Incremental builds record which pages a render reads (see mmsite.incremental).
ReadHook = Callable[[Page, str], None]  # (page, "m" for meta | "b" for body)
_read_hook: ReadHook | None = None


def set_read_hook(hook: ReadHook | None) -> None:
    global _read_hook
    _read_hook = hook


def report_read(page: Page, kind: str = "m") -> None:
    """Tell the read hook that ``page``'s front matter (``"m"``) or body (``"b"``) was
    read where the page could not see it (a field kept apart from the page)."""
    if _read_hook is not None:
        _read_hook(page, kind)


def report_reads(pages: Iterable[Page], kind: str = "m") -> None:
    """Tell the incremental engine that ``pages`` were read (what was read from them
    long ago, say when a memo was made, decides what is shown now)."""
    if _read_hook is not None:
        _report([(page, kind) for page in pages])


def _report(reads: list[tuple[Page, str]], hook: ReadHook | None = None) -> None:
    """Reads made earlier, reported at once to ``hook`` (the current read hook when
    None): through its ``bulk`` when it has one (the incremental engine's do), else one
    by one."""
    hook = hook or _read_hook
    if hook is None:
        return
    bulk = getattr(hook, "bulk", None)
    if bulk is not None:
        bulk(reads)
    else:
        for page, kind in reads:
            hook(page, kind)


Memo = dict[Any, tuple[Any, list[tuple["Page", str]]]]  # key -> (value, its page reads)


def remembered(memo: Memo, key: Any, make: Callable[[], T]) -> T:
    """``make()`` once per ``key`` in ``memo``, and the page reads it made reported
    again each time the value is reused: the incremental engine must see that an
    output read what a list was made from (say, every article's date for "the newest
    20"), whichever output made the list first."""
    found = memo.get(key)
    if found is not None:
        _report(found[1])
        return found[0]
    outer = _read_hook
    reads: dict[tuple[int, str], tuple[Page, str]] = {}

    def hook(page: Page, kind: str) -> None:
        reads.setdefault((id(page), kind), (page, kind))
        if outer is not None:
            outer(page, kind)

    def bulk(more: list[tuple[Page, str]]) -> None:
        for page, kind in more:
            reads.setdefault((id(page), kind), (page, kind))
        if outer is not None:
            _report(more, outer)

    hook.bulk = bulk  # type: ignore[attr-defined]
    set_read_hook(hook)
    try:
        value = make()
    finally:
        set_read_hook(outer)
    memo[key] = (value, list(reads.values()))
    return value


def _missing(page: Page, name: str) -> Any:
    raise AttributeError(name)


class _Tracked:
    """A page field as a data descriptor: reads are reported to the read hook as reads
    of the page's front matter (``meta``, and ``data``: what features parsed from it)."""

    def __init__(self, name: str, default: Callable[[], Any]) -> None:
        self.name = name
        self.default = default

    def __get__(self, page: Page | None, owner: type) -> Any:
        if page is None:
            return self.default()  # the dataclass default
        if _read_hook is not None:
            _read_hook(page, "m")
        try:
            return page.__dict__[self.name]
        except KeyError:  # a page that loads its fields on first use (a subclass's)
            return getattr(type(page), "__getattr__", _missing)(page, self.name)

    def __set__(self, page: Page, value: Any) -> None:
        page.__dict__[self.name] = value


Page.meta = _Tracked("meta", dict)  # type: ignore[assignment]
Page.data = _Tracked("data", dict)  # type: ignore[assignment]


@dataclass
class Group:
    """The translations of one page, keyed by language code."""

    key: str
    pages: dict[str, Page] = field(default_factory=dict)
    default_language: str = ""

    @property
    def default(self) -> Page:
        """The default-language page, else the first translation."""
        page = self.pages.get(self.default_language)
        return page if page is not None else next(iter(self.pages.values()))


@dataclass
class ContentModel:
    groups: dict[str, Group]
    resources: dict[PurePosixPath, Path]  # non-Markdown files below content/
    # What model steps derived from the whole model, by feature ("series": the catalog
    # of series). Kept in a delta build's snapshot: the model's structure is final.
    data: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def by_rel(self) -> dict[str, Page]:
        """Pages by their path below content/ as text (``str(page.rel)``): kept in a
        delta build's snapshot, where text keys need no path made or hashed."""
        return {str(page.rel): page for page in self.pages}

    @property
    def pages(self) -> list[Page]:
        return [page for group in self.groups.values() for page in group.pages.values()]

    @cached_property
    def _children(self) -> dict[PurePosixPath, list[Group]]:
        index: dict[PurePosixPath, list[Group]] = {}
        for group in self.groups.values():
            page = group.default
            if page.is_index and page.dir == PurePosixPath("."):
                continue
            parent = page.dir.parent if page.is_index else page.dir
            index.setdefault(parent, []).append(group)
        return index

    def make_indexes(self) -> None:
        """Make :attr:`by_rel` and the folder index now: a delta build's snapshot keeps
        them (the model's structure is final), so a delta build does not make them
        again from the path of every page."""
        _ = self.by_rel, self._children

    def children_of(self, directory: PurePosixPath) -> list[Group]:
        """Pages and subsection indexes directly inside ``directory``."""
        return self._children.get(directory, [])

    def add_virtual(self, key: str, pages: list[Page], default_language: str) -> Group:
        """Add generated pages (taxonomy terms, categories) as one translation group.

        Make them with :func:`virtual_page`; they are routed, listed in sitemaps and
        switchers like pages read from files.
        """
        if key in self.groups:
            raise MmsiteError(f"generated page {key!r} clashes with a content page")
        group = Group(key, {p.lang: p for p in pages}, default_language)
        for page in pages:
            page.group = group
        self.groups[key] = group
        self.__dict__.pop("by_rel", None)
        self.__dict__.pop("_children", None)
        return group

    def section_index(self, directory: PurePosixPath) -> Group | None:
        """The group of ``directory/_index.md``; directories are keyed by path."""
        key = f"{directory}/{INDEX}" if directory.parts else INDEX  # "." has no parts
        return self.groups.get(key)


def virtual_page(
    source: Path, rel: PurePosixPath | str, lang: str, meta: dict[str, Any], body: str = ""
) -> Page:
    """A generated page. ``source`` is the file errors about it should name;
    ``rel`` places it in the URL tree (``products/category/pantry.md`` ->
    ``/products/category/pantry/`` with translated section slugs)."""
    rel = PurePosixPath(rel)
    stem = rel.stem
    check_segment(stem, source)
    page = Page(source, rel, lang, stem, Document(dict(meta), body, 1, {}), dict(meta))
    page.virtual = True
    return page


# -- discovery ---------------------------------------------------------------


def language_of(path: Path, config: Config) -> str | None:
    """The language of a content file, from its name; None for a name :func:`_read` refuses."""
    try:
        return _split_name(path.name, config, path)[1]
    except MmsiteError:
        return None


def _split_name(name: str, config: Config, path: Path) -> tuple[str, str]:
    """``smoked-salt.fr.md`` -> (``smoked-salt``, ``fr``); no suffix -> default language."""
    base = name[: -len(".md")]
    stem, dot, suffix = base.rpartition(".")
    if dot and suffix in config.languages:
        return stem, suffix
    if dot and re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]+)?", suffix):
        try:
            Locale.parse(suffix.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            return base, config.default_language
        raise MmsiteError(
            f"unknown language suffix .{suffix}.md",
            path,
            hint=f"add {suffix!r} to languages in site.yaml, or rename the file "
            f"(languages: {', '.join(config.languages)})",
        )
    return base, config.default_language


def discover(config: Config) -> tuple[list[Path], dict[PurePosixPath, Path]]:
    """Markdown files and resource files below content/, in a stable order (sorted by
    path parts, as ``sorted(root.rglob("*"))``). Hidden names and ``i18n/`` are skipped,
    symbolic links to folders are not followed. Refused, all in one report: links out
    of content/ and link loops, folders nested deeper than :data:`MAX_DEPTH`, names in
    one folder that differ only in case (``About.md``, ``about.md``)."""
    root = config.content_dir
    if not root.is_dir():
        raise MmsiteError("no content/ folder", config.root, hint="create content/_index.md")
    markdown: list[Path] = []
    resources: dict[PurePosixPath, Path] = {}
    errors: list[MmsiteError] = []
    _scan(str(root), "", _Scan(root.resolve(), markdown, resources, errors))
    if errors:
        raise BuildErrors(errors)
    return markdown, resources


MAX_DEPTH = 64  # folders below content/


@dataclass
class _Scan:
    root: Path  # content/, resolved
    markdown: list[Path]
    resources: dict[PurePosixPath, Path]
    errors: list[MmsiteError]


def _scan(folder: str, rel: str, scan: _Scan, depth: int = 0) -> None:
    """Depth first, names sorted: the order of the sorted paths of a recursive glob."""
    if depth > MAX_DEPTH:
        scan.errors.append(
            MmsiteError(
                f"folders nested more than {MAX_DEPTH} deep below content/",
                folder,
                hint="move the pages up: a URL has one segment per folder",
            )
        )
        return
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda entry: entry.name)
    except PermissionError:
        return  # skipped, as a recursive glob skips it
    seen: dict[str, str] = {}
    for entry in entries:
        name = entry.name
        if HIDDEN.search(name) or (not rel and name == I18N_DIR):
            continue
        path = Path(entry.path)
        if entry.is_symlink() and not _link_ok(path, scan):
            continue
        other = seen.setdefault(name.casefold(), name)
        if other != name:  # reported, and still scanned: every mistake in one run
            scan.errors.append(_case_clash(path, other))
        below = f"{rel}/{name}" if rel else name
        if entry.is_dir(follow_symlinks=False):
            _scan(entry.path, below, scan, depth + 1)
        elif entry.is_file():
            if name.endswith(".md") and name != ".md":
                scan.markdown.append(path)
            else:
                scan.resources[PurePosixPath(below)] = path


def _link_ok(path: Path, scan: _Scan) -> bool:
    """A symbolic link stays inside content/ (else an error is recorded)."""
    try:
        target = path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop, before Python 3.13
        scan.errors.append(
            MmsiteError("symbolic link loop", path, hint="delete the link or point it at a file")
        )
        return False
    if target.is_relative_to(scan.root):
        return True
    scan.errors.append(
        MmsiteError(
            "symbolic link points outside content/",
            path,
            hint="copy the file into content/ instead of linking to it",
        )
    )
    return False


def _case_clash(path: Path, other: str) -> MmsiteError:
    return MmsiteError(
        f"{path.name!r} and {other!r} differ only in case",
        path,
        hint="rename one: on macOS and Windows, and on many web servers, they are one file",
    )


# -- front matter validation -------------------------------------------------


def _date(page: Page, key: str, value: object) -> dt.date | dt.datetime:
    """A front-matter date: YAML's own (``2026-03-14``) or the same text in quotes
    (``"2026-03-14"``, as CMSes and scripts write it); an impossible one says why."""
    if isinstance(value, dt.datetime):
        return value.date() if value.tzinfo is None and not value.time() else value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise page.error(
                f"{key}: {value.strip()} is not a real date: {why_not_a_date(value)}", key
            ) from None
    raise page.error(
        f"{key} must be a date like 2026-03-14, got {value!r}",
        key,
        hint=f"write it as year-month-day: {key}: 2026-03-14",
    )


def _check_common(page: Page) -> None:
    meta = page.doc.meta
    for key in ("title", "summary", "slug", "translation_key", "layout", "description"):
        if key in meta and not isinstance(meta[key], str):
            raise page.error(f"{key} must be text, got {type(meta[key]).__name__}", key)
    if "draft" in meta and not isinstance(meta["draft"], bool):
        raise page.error("draft must be true or false", "draft")
    if "weight" in meta and (
        not isinstance(meta["weight"], int) or isinstance(meta["weight"], bool)
    ):
        raise page.error("weight must be a whole number", "weight")
    for key in ("date", "updated"):
        if key in meta:
            meta[key] = _date(page, key, meta[key])
    layout = meta.get("layout")
    if layout is not None and not LAYOUT.fullmatch(layout):
        raise page.error(
            f"layout {layout!r} is not a template name",
            "layout",
            hint="name a template of the theme without .html, e.g. layout: landing",
        )
    slug = meta.get("slug")
    if slug is not None:
        check_segment(slug, page.source, page.line_of("slug"))


def check_segment(segment: str, path: Path, line: int | None = None) -> None:
    """Refuse a URL segment that could escape the output folder, break URLs, hide its
    text (bidi controls, zero-width characters), take the name of a file the build
    writes (``robots.txt``), or not fit in a file name."""
    if segment in (".", "..") or not SAFE_SEGMENT.match(segment) or segment.startswith("."):
        raise MmsiteError(
            f"{segment!r} cannot be used in a URL",
            path,
            line,
            hint="a slug is one path segment: letters, digits and - (no /, .., spaces or quotes)",
        )
    hidden = _invisible(segment) if not segment.isascii() or "\x7f" in segment else None
    if hidden:
        codes = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in hidden))
        raise MmsiteError(
            f"{segment!r} holds invisible characters ({codes}): bidi controls or "
            "zero-width characters make a URL read as another",
            path,
            line,
            hint="retype the name without them",
        )
    if ("." in segment or segment[0] == "_") and _reserved(segment):
        raise MmsiteError(
            f"{segment!r} is the name of a file the build writes",
            path,
            line,
            hint="choose another slug (or file name)",
        )
    size = len(segment.encode("utf-8")) if len(segment) * 4 > MAX_SEGMENT_BYTES else 0
    if size > MAX_SEGMENT_BYTES:
        raise MmsiteError(
            f"a URL segment of {size} bytes is longer than a file name can be "
            f"({MAX_SEGMENT_BYTES} bytes)",
            path,
            line,
            hint="shorten the slug (or file name)",
        )


def _reserved(segment: str) -> bool:
    folded = segment.casefold()
    return folded in RESERVED or RESERVED_PATTERN.fullmatch(folded) is not None


def _invisible(segment: str) -> list[str]:
    """Format and control characters: bidi controls, zero-width joiners, soft hyphens,
    DEL (SAFE_SEGMENT refuses the C0 controls)."""
    return [c for c in segment if unicodedata.category(c) in ("Cf", "Cc")]


# Names the build writes (or hosts read) in a folder of the output: a page's folder
# must not take them. Compared case-folded; each holds a dot or starts with "_" (the
# only segments check_segment looks up).
RESERVED = frozenset(
    {
        "index.html",
        "404.html",
        "robots.txt",
        "sitemap.xml",
        "_headers",
        "_redirects",
        "atom.xml",
        "merchant-feed.xml",
        "favicon.ico",
        "apple-touch-icon.png",
        "icon-192.png",
        "icon-512.png",
        "manifest.webmanifest",
    }
)
RESERVED_PATTERN = re.compile(r"sitemap-\d+\.xml")
MAX_SEGMENT_BYTES = 255  # a file name on ext4, APFS, NTFS (in UTF-16 units there)


def parse_file(path: Path) -> Document:
    try:
        text = read_source(path)
    except UnicodeDecodeError as exc:
        raise MmsiteError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path) from None
    return split_front_matter(text, path)


class DocumentLoader(Protocol):
    def load(self, path: Path, parse: Callable[[], Document]) -> Document: ...


def _rel(path: Path, root: Path, root_text: str) -> PurePosixPath:
    """``path`` below ``root`` as a POSIX path; string slicing where paths are POSIX."""
    text = str(path)
    if (
        os.sep == "/"
        and text.startswith(root_text)
        and text[len(root_text) : len(root_text) + 1] == "/"
    ):
        return PurePosixPath(text[len(root_text) + 1 :])
    return PurePosixPath(path.relative_to(root).as_posix())


def _read(
    path: Path, config: Config, documents: DocumentLoader | None = None, root: Path | None = None
) -> Page:
    root = root or config.content_dir
    rel = _rel(path, root, str(root))
    stem, lang = _split_name(path.name, config, path)
    doc = parse_file(path) if documents is None else documents.load(path, lambda: parse_file(path))
    page = Page(source=path, rel=rel, lang=lang, stem=stem, doc=doc)
    if not page.is_index:
        check_segment(stem, path)
    _check_common(page)
    if page.is_index and page.dir.parts and "slug" not in doc.meta:
        check_segment(page.dir.name, path)  # the folder's name is the URL segment
    return page


def _group_key(page: Page) -> str:
    """``key:<translation_key>``, else the file's path below content/ without its
    language and ``.md`` (``journal/salt.fr.md`` -> ``journal/salt``)."""
    key = page.doc.meta.get("translation_key")
    if key:
        return f"key:{key}"
    folder = str(page.rel).rpartition("/")[0]
    return f"{folder}/{page.stem}" if folder else page.stem


def load_content(
    config: Config,
    include_drafts: bool = False,
    documents: DocumentLoader | None = None,
    errors: list[MmsiteError] | None = None,
) -> ContentModel:
    """Read every page; collect all user errors and raise them together.

    ``documents`` (an :class:`mmsite.incremental.DocumentCache`) skips re-parsing
    unchanged files. With ``errors``, the mistakes are added to it instead and the model
    is returned without the pages that could not be read (nor their translations), so
    the later stages can find their own mistakes in the same run."""
    files, resources = discover(config)
    prefill = getattr(documents, "prefill", None)  # parse in several processes first
    if prefill is not None:
        prefill(files, parse_file)
    groups: dict[str, Group] = {}
    collected: list[MmsiteError] = [] if errors is None else errors
    broken: set[str] = set()  # group keys (by file name) of the files that failed
    root = config.content_dir
    for path in files:
        try:
            page = _read(path, config, documents, root)
        except MmsiteError as exc:
            collected.append(exc)
            broken.add(_name_key(path, config, root))
            continue
        if page.draft and not include_drafts:
            continue
        key = _group_key(page)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(key, {}, config.default_language)
        other = group.pages.get(page.lang)
        if other is not None:
            collected.append(
                MmsiteError(
                    f"two {page.lang!r} versions of one page: this file and "
                    f"{relpath(other.source, config.root)}",
                    path,
                    hint="keep one file per language, or use different translation_key values",
                )
            )
            continue
        group.pages[page.lang] = page
        page.group = group
    groups = {key: group for key, group in groups.items() if key not in broken}
    for group in groups.values():
        _inherit(group, collected)
    groups = {key: group for key, group in groups.items() if _drop_untitled(group)}
    collected += _slug_case_clashes(groups.values())
    if collected and errors is None:
        raise BuildErrors(collected)
    return ContentModel(groups=dict(sorted(groups.items())), resources=resources)


def _drop_untitled(group: Group) -> bool:
    """Leave out the pages without a title (an error already): the group is kept when
    its default-language page has one."""
    if not group.default.meta.get("title"):
        return False
    for lang in [lang for lang, page in group.pages.items() if not page.meta.get("title")]:
        del group.pages[lang]
    return True


def _name_key(path: Path, config: Config, root: Path) -> str:
    """The group key a file has by its name (as :func:`_group_key` without
    ``translation_key``): its translations are left out with it."""
    rel = path.relative_to(root).as_posix()
    folder = rel.rpartition("/")[0]
    try:
        stem = _split_name(path.name, config, path)[0]
    except MmsiteError:
        stem = path.name
    return f"{folder}/{stem}" if folder else stem


def _slug_case_clashes(groups: Iterable[Group]) -> list[MmsiteError]:
    """Pages of one language in one folder whose slugs differ only in case
    (``slug: About`` beside ``about.md``): one folder on macOS and Windows."""
    errors = []
    seen: dict[tuple[str, PurePosixPath, str], Page] = {}
    for group in groups:
        for page in group.pages.values():
            if page.dir == PurePosixPath(".") and page.is_index:
                continue  # the home page has no segment
            folder = page.dir.parent if page.is_index else page.dir
            other = seen.setdefault((page.lang, folder, page.slug.casefold()), page)
            if other.slug != page.slug:
                errors.append(
                    MmsiteError(
                        f"slug {page.slug!r} differs only in case from {other.slug!r} "
                        f"of {other.source.name}",
                        page.source,
                        page.line_of("slug"),
                        hint="rename one: on macOS and Windows they are one folder",
                    )
                )
    return errors


def _inherit(group: Group, errors: list[MmsiteError]) -> None:
    base = group.default
    inherited = {k: v for k, v in base.doc.meta.items() if k not in NOT_INHERITED}
    for page in group.pages.values():
        page.meta = {**inherited, **page.doc.meta} if page is not base else dict(base.doc.meta)
        if not page.meta.get("title"):
            errors.append(
                MmsiteError(
                    "missing title",
                    page.source,
                    1,
                    hint='add `title: "..."` to the front matter',
                )
            )


def content_path(base: PurePosixPath, target: str) -> PurePosixPath | None:
    """A relative link target below content/, from the folder ``base`` (None: outside)."""
    joined = posixpath.normpath(posixpath.join(str(base), unquote(target)))
    if joined.startswith("../") or joined == "..":
        return None
    return PurePosixPath(joined)
