"""Pagination of long lists: the catalog, category pages, tag pages, a series' index of
its parts and the list of series.

Page 1 of a list stays at the list's own URL; page N is a generated page routed below
it (``/fr/produits/page/2/``, :class:`~mmsite.content.model.Below`), with the list's
layout and front matter, so the list's own templates render it. Its route exists in
each edition whose list is that long (an edition may show fewer products: a market
where some are not sold), so the sitemap, ``hreflang``, the canonical check and the
link check see every page as any other. The model step counts each list's items per
edition as the list's views will show them (:func:`list_items`); templates take the
current page's slice with ``pager.items(list)``.

``site.yaml``::

    pagination:
      size: 24            # items per page of every list (default 24)
      catalog: 12         # per list: catalog, category, tag, series, series_list
      segment: {de: seite}   # the URL segment, else the UI string ``pager_segment``
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, TypeVar

from mmsite.config.options import Config, ConfigSection, SectionContext, mapping, only
from mmsite.content.model import INDEX, Below, ContentModel, Group, Page, virtual_page
from mmsite.errors import BuildErrors, MmsiteError
from mmsite.features.commerce.catalog import CATEGORY_DIR
from mmsite.features.commerce.product import SECTION as PRODUCTS
from mmsite.features.commerce.product import product_of
from mmsite.features.registry import Feature, ModelContext, provides
from mmsite.features.series import model as series_model
from mmsite.features.site import PageView
from mmsite.i18n.editions import Edition, editions, format_number
from mmsite.i18n.routing import shown_page

T = TypeVar("T")

KEY = "pagination"
LISTS = ("catalog", "category", "tag", "series", "series_list")
DEFAULT_SIZE = 24  # a grid of 2, 3 or 4 per row fills its rows; the demo stays one page
MAX_SIZE = 10_000
# front matter a page N does not take from its list (its own URL, menus, redirects)
NOT_COPIED = frozenset({"aliases", "slug", "translation_key", "menu", "url", "draft", "weight"})


@dataclass(frozen=True)
class PaginationOptions:
    size: int = DEFAULT_SIZE
    sizes: dict[str, int] = field(default_factory=dict)  # per list (LISTS), over size
    segments: dict[str, str] = field(default_factory=dict)  # lang -> URL segment

    def size_of(self, kind: str) -> int:
        return self.sizes.get(kind, self.size)


def _size(value: Any, keys: tuple[str, ...], ctx: SectionContext) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_SIZE:
        raise ctx.lines.error(
            keys, f"must be a whole number of items per page (1 to {MAX_SIZE})", hint="size: 24"
        )
    return value


def _word(word: str) -> bool:
    """Letters and digits of any script (with their marks: Thai, Devanagari), nothing else."""
    return (
        bool(word)
        and word[0].isalnum()
        and all(c.isalnum() or unicodedata.category(c).startswith("M") for c in word)
    )


def check_segment_text(value: Any) -> str | None:
    """Why ``value`` cannot be the pagination URL segment (None: it can)."""
    if not isinstance(value, str) or not all(map(_word, value.split("-"))):
        return "must be one URL-safe word: letters and digits, words joined by -"
    if value != value.lower():
        return "must be lowercase"
    if value.isdigit():
        return "must not be a number (the page number follows it)"
    return None


def _segments(value: Any, ctx: SectionContext) -> dict[str, str]:
    keys = (KEY, "segment")
    if isinstance(value, str):
        value = dict.fromkeys(ctx.languages, value)
    data = mapping(value, keys, ctx.lines)
    only(data, set(ctx.languages), keys, ctx.lines)
    for lang, text in data.items():
        why = check_segment_text(text)
        if why:
            raise ctx.lines.error((*keys, lang), f"{text!r} {why}", hint="e.g. page, seite, pagina")
    return dict(data)


def parse_pagination(value: Any, ctx: SectionContext) -> PaginationOptions:
    data = mapping(value, (KEY,), ctx.lines)
    only(data, {"size", "segment", *LISTS}, (KEY,), ctx.lines)
    size = _size(data["size"], (KEY, "size"), ctx) if "size" in data else DEFAULT_SIZE
    sizes = {kind: _size(data[kind], (KEY, kind), ctx) for kind in LISTS if kind in data}
    segments = _segments(data["segment"], ctx) if "segment" in data else {}
    return PaginationOptions(size, sizes, segments)


def pagination_options(config: Config) -> PaginationOptions:
    return config.section(KEY)


# -- splitting ---------------------------------------------------------------


def page_count(items: int, size: int) -> int:
    """Pages of ``size`` needed for ``items`` (an empty list still has its page 1)."""
    return max(1, math.ceil(items / size))


def page_slice(items: Sequence[T], number: int, total: int, size: int) -> Sequence[T]:
    """Page ``number`` of ``total``: ``size`` items; the last page takes all the rest."""
    start = (number - 1) * size
    return items[start:] if number >= total else items[start : start + size]


AROUND = 2  # page numbers linked either side of the current one


def page_window(number: int, total: int, around: int = AROUND) -> list[int]:
    """Page numbers to link from page ``number`` of ``total``, 0 for a gap:
    ``page_window(6, 12)`` -> ``[1, 0, 4, 5, 6, 7, 8, 0, 12]``."""
    shown = sorted({1, total, *range(max(1, number - around), min(total, number + around) + 1)})
    out: list[int] = []
    for n in shown:
        if out and n - out[-1] == 2:
            out.append(n - 1)  # a gap of one page: link it rather than "…"
        elif out and n - out[-1] > 2:
            out.append(0)
        out.append(n)
    return out


# -- what each list shows, per edition (as the list's views show it) ---------------


@dataclass(frozen=True)
class PagedList:
    """A list cut into pages: its kind (LISTS), size, and the groups of its pages
    (``groups[0]`` is the list itself)."""

    kind: str
    size: int
    groups: tuple[Group, ...]


ListKey = tuple[str, str]  # (kind, what: a category key, a tag slug, a series name)


def tally(config: Config, model: ContentModel, edition: Edition) -> Counter[ListKey]:
    """How many items each list shows in ``edition``, in one pass over the products and
    the articles (what the lists' views show: the routes this edition has)."""
    counts: Counter[ListKey] = Counter()
    for group in model.groups.values():
        page = shown_page(config, group, edition) if product_of(group.default) else None
        product = product_of(page) if page is not None else None
        if product is not None:
            counts["catalog", ""] += 1
            if product.category:
                counts["category", product.category] += 1
    catalog = model.data.get(series_model.SECTION)
    for series in catalog.series.values() if catalog else ():
        parts = [p for p in (shown_page(config, g, edition) for g in series.parts) if p]
        counts["series", series.name] = len(parts)
        if parts and shown_page(config, series.index, edition) is not None:
            counts["series_list", ""] += 1
        for page in parts:
            for slug in {tag.slug for tag in series_model.tags(page)}:
                counts["tag", slug] += 1
    return counts


def lists(model: ContentModel) -> Iterator[tuple[ListKey, Group]]:
    """Every list that may be paginated, with its group."""
    catalog_group = model.section_index(PurePosixPath(PRODUCTS))
    if catalog_group is not None:
        yield ("catalog", ""), catalog_group
    tags_dir = PurePosixPath(series_model.TAGS)
    for group in list(model.groups.values()):
        page = group.default
        if not page.virtual or page.is_index:
            continue
        if page.dir == PurePosixPath(CATEGORY_DIR):
            yield ("category", page.meta["category"]), group
        elif page.dir == tags_dir and "tag" in page.meta:
            yield ("tag", page.meta["tag"]), group
    catalog = model.data.get(series_model.SECTION)
    if not catalog or not catalog.series:
        return
    listing = model.section_index(PurePosixPath(series_model.SECTION))
    if listing is not None:
        yield ("series_list", ""), listing
    for series in catalog.series.values():
        yield ("series", series.name), series.index


# -- the model step: pages 2..N ----------------------------------------------------


def segment_for(ctx: ModelContext, lang: str) -> str:
    options = pagination_options(ctx.config)
    segment = options.segments.get(lang) or ctx.strings.translate(lang, "pager_segment")
    why = check_segment_text(segment)
    if why:
        raise MmsiteError(
            f"the UI string pager_segment in {lang!r} ({segment!r}) {why}",
            ctx.config.path,
            hint=f"set pagination: {{segment: {{{lang}: page}}}} in site.yaml, "
            f"or fix pager_segment in i18n/{lang}.yaml",
        )
    return segment


def _page_rel(page: Page, number: int) -> str:
    """Where page ``number`` of ``page`` sits in the model (not its URL: see Below)."""
    if page.is_index:  # keeps its kind ("section"): the list's template by section
        return f"{page.dir}/_paged/{number}/{INDEX}.md"
    return f"{page.dir}/{page.stem}/_paged/{number}.md"


def _add_pages(ctx: ModelContext, group: Group, number: int, shown_in: frozenset[str]) -> Group:
    pages = []
    for lang, page in group.pages.items():
        meta = {k: v for k, v in page.meta.items() if k not in NOT_COPIED}
        meta.update({"menu": False, "listed": False})
        tail = f"{segment_for(ctx, lang)}/{number}/"
        paged = virtual_page(page.source, _page_rel(page, number), lang, meta)
        paged.below = Below(group, tail)
        paged.editions = shown_in
        paged.data[KEY] = number
        pages.append(paged)
    return ctx.model.add_virtual(f"{group.key}/_paged/{number}", pages, group.default_language)


def paginate_step(ctx: ModelContext) -> None:
    """Model step: add page 2..N of every list longer than its page size."""
    config, options = ctx.config, pagination_options(ctx.config)
    counts = {e.code: (e, tally(config, ctx.model, e)) for e in editions(config)}
    found: dict[str, PagedList] = {}
    errors: list[MmsiteError] = []
    for key, group in list(lists(ctx.model)):
        size = options.size_of(key[0])
        totals = {
            code: page_count(tallied[key], size)
            for code, (edition, tallied) in counts.items()
            if shown_page(config, group, edition) is not None
        }
        groups = [group]
        for number in range(2, max(totals.values(), default=1) + 1):
            shown_in = frozenset(code for code, total in totals.items() if total >= number)
            try:
                groups.append(_add_pages(ctx, group, number, shown_in))
            except MmsiteError as exc:
                errors.append(exc)
                break
        found[group.key] = PagedList(key[0], size, tuple(groups))
    if errors:
        raise BuildErrors(list({(e.path, e.message): e for e in errors}.values()))
    ctx.model.data[KEY] = found


# -- what templates see ------------------------------------------------------------


@dataclass(frozen=True)
class PageLink:
    number: int
    text: str  # the number in the locale's digits
    url: str
    absolute: str  # with scheme and host (rel=prev/next)
    current: bool


@dataclass(frozen=True)
class Pager:
    """One page of a list, as its template sees it (``pager``)."""

    number: int
    total: int
    size: int
    links: tuple[PageLink, ...]
    title: str  # "Page 2 of 5", in the page's language and digits

    @property
    def prev(self) -> PageLink | None:
        return self.links[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> PageLink | None:
        return self.links[self.number] if self.number < self.total else None

    @property
    def window(self) -> list[PageLink | None]:
        """The links a page shows: the first, the last and :data:`AROUND` either side
        of this one; None where numbers are left out (an ellipsis)."""
        return [self.links[n - 1] if n else None for n in page_window(self.number, self.total)]

    def items(self, items: Sequence[T]) -> Sequence[T]:
        """This page's part of the whole list."""
        return page_slice(items, self.number, self.total, self.size)


def list_group(page: Page, group: Group) -> Group:
    """The list a route shows: the list itself for page N of it."""
    return page.below.group if page.below is not None else group


def pager_of(view: PageView) -> Pager | None:
    site, edition = view.site, view.edition
    paged = site.model.data.get(KEY, {}).get(list_group(view.page, view.route.group).key)
    if paged is None:
        return None
    routes = []
    for group in paged.groups:
        route = site.router.get(group, edition)
        if route is None:
            break
        routes.append(route)
    number = view.page.data.get(KEY, 1)
    if number > len(routes):
        return None
    locale = edition.locale
    links = tuple(
        PageLink(
            n, format_number(n, locale), route.url, site.router.absolute(route.url), n == number
        )
        for n, route in enumerate(routes, 1)
    )
    title = site.strings.translate(
        edition.lang,
        "pager_title",
        number=links[number - 1].text,
        total=format_number(len(routes), locale),
    )
    return Pager(number, len(routes), paged.size, links, title)


@provides("pager")
def pager_context(view: PageView) -> dict[str, Any]:
    """``pager``: the page of its list a route shows (None on a page that is no list)."""
    return {"pager": pager_of(view)}


FEATURE = Feature(
    "pagination",
    config=(ConfigSection(KEY, parse_pagination),),
    model=(paginate_step,),
    context=(pager_context,),
)
