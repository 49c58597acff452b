"""Strict front matter: every key a file writes must be one some part of mmsite reads.

Nobody lists every key here. The content layer declares the keys it reads itself
(:data:`COMMON`: title, slug, date ...); each feature declares the keys it reads, for
the pages it reads them on (a :class:`FrontMatter` in its
:class:`~mmsite.features.registry.Feature`), and :func:`check_front_matter` checks
every file against the union of the declarations that apply to its page. A typo
(``availabilty``) is an error naming the file, the line and the nearest known key;
free-form data for templates goes under ``params:``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mmsite.content.model import LAYOUT, Page
from mmsite.errors import MmsiteError

# check(page, value) -> the mistakes in the value of one key (page.error(...) gives the line)
ValueCheck = Callable[[Page, Any], Iterable[MmsiteError]]


def every_page(page: Page) -> bool:
    return True


@dataclass(frozen=True)
class FrontMatter:
    """The front-matter keys one feature reads, on the pages ``applies(page)`` picks.

    ``kind`` names those pages in messages ("product", "article"); ``items`` lists the
    keys of each mapping inside a key's list (``variants: [{name, sku, ...}]``);
    ``values`` checks a key's value where the feature does not parse it itself."""

    keys: frozenset[str]
    kind: str = "page"
    applies: Callable[[Page], bool] = every_page
    items: Mapping[str, frozenset[str]] = field(default_factory=dict)
    values: Mapping[str, ValueCheck] = field(default_factory=dict)


MENUS = ("main", "footer")


def boolean(key: str) -> ValueCheck:
    """A check that ``key`` is true or false (``noindex: maybe`` is a mistake)."""

    def check(page: Page, value: Any) -> Iterable[MmsiteError]:
        if not isinstance(value, bool):
            yield page.error(
                f"{key} must be true or false, got {value!r}", key, hint=f"write {key}: true"
            )

    return check


def _menu(page: Page, value: Any) -> Iterable[MmsiteError]:
    if value is not False and value not in MENUS:
        yield page.error(
            f"menu must be main, footer or false, got {value!r}",
            "menu",
            hint="menu: false keeps a page out of the menu",
        )


def _params(page: Page, value: Any) -> Iterable[MmsiteError]:
    if not isinstance(value, dict):
        yield page.error(
            "params must be a mapping of your own keys",
            "params",
            hint="e.g. params: {hero_colour: teal}",
        )


# The keys the content layer reads on every page (see mmsite.content.model); their
# types are checked as files are read (``_check_common``), menu and params here.
COMMON = FrontMatter(
    frozenset(
        {
            "title",
            "summary",
            "description",
            "slug",
            "translation_key",
            "draft",
            "date",
            "updated",
            "weight",
            "menu",
            "listed",
            "layout",
            "params",
        }
    ),
    values={"menu": _menu, "listed": boolean("listed"), "params": _params},
)


def check_front_matter(
    pages: Iterable[Page],
    declared: Iterable[FrontMatter],
    layouts: Callable[[str], bool] | None = None,
) -> list[MmsiteError]:
    """Every mistake in the front matter the files write themselves: unknown keys
    (at any level the declarations name), bad values, ``layout:`` naming no template
    (``layouts(name)``: does ``name.html`` exist?). Generated pages are not checked."""
    declarations = (COMMON, *declared)
    known = _known_anywhere(declarations)
    rules: dict[tuple[bool, ...], _Rules] = {}  # one per set of applying declarations
    errors: list[MmsiteError] = []
    for page in pages:
        if page.virtual:
            continue
        applying = tuple(d.applies(page) for d in declarations)
        found = rules.get(applying)
        if found is None:
            found = rules[applying] = _Rules.of(
                [d for d, on in zip(declarations, applying, strict=True) if on]
            )
        errors += found.check(page, known)
        if layouts is not None:
            errors += _missing_layout(page, layouts)
    return errors


@dataclass(frozen=True)
class _Rules:
    """What the declarations that apply to a page allow and check, together."""

    allowed: frozenset[str]
    kind: str
    items: tuple[tuple[str, frozenset[str]], ...]
    values: tuple[tuple[str, ValueCheck], ...]

    @classmethod
    def of(cls, applying: list[FrontMatter]) -> _Rules:
        return cls(
            frozenset(key for d in applying for key in d.keys),
            next((d.kind for d in reversed(applying) if d.kind != "page"), "page"),
            tuple(item for d in applying for item in d.items.items()),
            tuple(value for d in applying for value in d.values.items()),
        )

    def check(self, page: Page, known: dict[str, str]) -> list[MmsiteError]:
        meta = page.doc.meta
        errors = []
        if not self.allowed.issuperset(meta):
            errors += [
                _unknown(page, key, self.allowed, known, self.kind)
                for key in meta
                if key not in self.allowed
            ]
        for key, item_keys in self.items:
            if key in meta:
                errors += _check_items(page, key, meta[key], item_keys)
        for key, check in self.values:
            if key in meta:
                errors += check(page, meta[key])
        return errors


def _missing_layout(page: Page, layouts: Callable[[str], bool]) -> list[MmsiteError]:
    layout = page.doc.meta.get("layout")
    if not isinstance(layout, str) or not LAYOUT.fullmatch(layout) or layouts(layout):
        return []
    return [
        page.error(
            f"layout {layout!r}: there is no template {layout}.html",
            "layout",
            hint=f"add templates/{layout}.html to the site or its theme, or remove layout:",
        )
    ]


def _known_anywhere(declarations: Iterable[FrontMatter]) -> dict[str, str]:
    """Key -> the kind of page it belongs to, for "sku is a product key"."""
    known: dict[str, str] = {}
    for declaration in declarations:
        for key in declaration.keys:
            known.setdefault(key, declaration.kind)
    return known


def nearest(key: str, candidates: Iterable[str]) -> str | None:
    """The known key closest to a misspelt one (difflib), if any is close."""
    found = difflib.get_close_matches(key, sorted(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def _unknown(
    page: Page, key: str, allowed: frozenset[str], known: dict[str, str], kind: str
) -> MmsiteError:
    close = nearest(key, allowed)
    if close is not None:
        hint = f"did you mean {close}:? Your own data goes under params:"
    elif key in known:
        hint = f"{key}: is read on {known[key]} pages only; your own data goes under params:"
    else:
        hint = f"put your own data under params:, e.g. params: {{{key}: ...}}"
    article = "an" if kind[:1] in "aeiou" else "a"
    return page.error(f"unknown front matter key {key!r} for {article} {kind}", key, hint=hint)


def _check_items(page: Page, key: str, value: Any, item_keys: frozenset[str]) -> list[MmsiteError]:
    """Unknown keys inside the mappings of a list (``variants``), each at its line."""
    if not isinstance(value, list):
        return []  # the feature that reads the key says what it must be
    errors = []
    scalars = page.doc.scalars
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            continue
        for name in item:
            if name in item_keys:
                continue
            line = _line_in(scalars, (key, index, name)) or page.line_of(key)
            close = nearest(str(name), item_keys)
            hint = f"did you mean {close}:?" if close else "known: " + ", ".join(sorted(item_keys))
            errors.append(
                MmsiteError(
                    f"unknown key {name!r} in {key} item {index + 1}", page.source, line, hint
                )
            )
    return errors


Scalars = Mapping[tuple[Any, ...], tuple[str, int]]


def _line_in(scalars: Scalars, path: tuple[Any, ...]) -> int | None:
    """The line of the scalar at ``path``, or of the first scalar below it."""
    found = scalars.get(path)
    if found is not None:
        return found[1]
    lines = [line for at, (_text, line) in scalars.items() if at[: len(path)] == path]
    return min(lines) if lines else None
