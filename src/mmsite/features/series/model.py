"""Interview series: a folder ``content/series/<name>/`` with an ``_index.md`` and one page
per part. This module validates article front matter, orders the parts, generates the tag
pages, and answers "which parts does this edition show, and where is this one".

It knows nothing of HTML: templates get plain objects through :mod:`mmsite.series_views`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from babel import Locale

from mmsite.config.options import Config
from mmsite.content.model import INDEX, ContentModel, Group, Page, virtual_page
from mmsite.content.strict import FrontMatter
from mmsite.errors import BuildErrors, MmsiteError
from mmsite.features.registry import ModelContext
from mmsite.i18n.editions import Strings

SECTION = "series"
TAGS = "tags"
INTERVIEWEE_KEYS = frozenset({"name", "company", "country", "role"})
WORDS = re.compile(r"\w+(?:['’-]\w+)*")
WORDS_PER_MINUTE = 200
# Scripts written without spaces between words: Han, Hiragana, Katakana, Thai.
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")
CHARS_PER_MINUTE = {"ja": 500, "zh": 300, "th": 1000}


@functools.cache
def _territories() -> frozenset[str]:
    """ISO 3166 country codes CLDR names; loaded on first use (Babel's locale data)."""
    return frozenset(code for code in Locale("en").territories if re.fullmatch(r"[A-Z]{2}", code))


def __getattr__(name: str) -> Any:
    if name == "COUNTRIES":  # the country codes, as when they were built at import
        return _territories()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Interviewee:
    name: str
    company: str = ""
    country: str = ""  # ISO 3166-1 alpha-2
    role: str = ""


@dataclass(frozen=True)
class Tag:
    slug: str  # URL segment and identity: "customer-service"
    name: str  # as written: "customer service"


@dataclass
class Series:
    name: str  # folder name below content/series/
    index: Group  # series/<name>/_index.md and its translations
    parts: list[Group] = field(default_factory=list)  # in reading order


@dataclass
class Catalog:
    """Every series in the site, and which series each article belongs to."""

    series: dict[str, Series]
    of_group: dict[str, Series]  # article group key -> its series

    def series_of(self, group: Group) -> Series | None:
        return self.of_group.get(group.key)


# -- parsing one article -----------------------------------------------------


def slugify(text: str) -> str:
    """``"Customer service"`` -> ``customer-service``; letters of any script are kept."""
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    text = re.sub(r"[\s_/]+", "-", text)
    text = re.sub(r"[^\w-]", "", text)
    return re.sub(r"-{2,}", "-", text).strip("-")


def _text(page: Page, key: str, required: bool = False) -> None:
    value = page.doc.meta.get(key)
    if value is None:
        if required:
            raise page.error(f"an article needs {key}", key, hint=f"add `{key}: ...`")
        return
    if not isinstance(value, str) or not value.strip():
        raise page.error(f"{key} must be text, got {value!r}", key)


def _check_image(page: Page, value: Any, resources: set[PurePosixPath]) -> None:
    if not isinstance(value, str) or not value.strip():
        raise page.error(f"image must be a file name or https URL, got {value!r}", "image")
    parts = urlsplit(value)
    if parts.scheme:
        if parts.scheme != "https" or not parts.netloc:
            raise page.error("image URLs must start with https://", "image")
        return
    if (page.dir / value) not in resources:
        raise page.error(
            f"image {value!r} not found beside the page",
            "image",
            hint=f"put {value} in content/{page.dir}/ or fix the file name",
        )


def _check_interviewee(page: Page, value: Any) -> None:
    if not isinstance(value, dict):
        raise page.error(
            "interviewee must be a mapping",
            "interviewee",
            hint="interviewee: {name: Ana Ruiz, company: Tela, country: ES}",
        )
    unknown = sorted(set(value) - INTERVIEWEE_KEYS)
    if unknown:
        raise page.error(
            f"interviewee: unknown key {unknown[0]!r}",
            "interviewee",
            hint="known keys: " + ", ".join(sorted(INTERVIEWEE_KEYS)),
        )
    for key in INTERVIEWEE_KEYS:
        item = value.get(key)
        if (key == "name" and item is None) or (
            item is not None and (not isinstance(item, str) or not item.strip())
        ):
            raise page.error(f"interviewee.{key} must be text, got {item!r}", "interviewee")
    country = value.get("country")
    if country is not None and country not in _territories():
        raise page.error(
            f"interviewee.country {country!r} is not an ISO 3166 country code",
            "interviewee",
            hint="use two capital letters: AU, FR, EG, US, GB",
        )


def _check_tags(page: Page, value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
        raise page.error("tags must be a list of words", "tags", hint="tags: [outsourcing, asia]")
    for tag in value:
        if not slugify(tag):
            raise page.error(f"tag {tag!r} has no letters or digits", "tags")


def is_article(page: Page) -> bool:
    """A page inside a series folder, not its index."""
    return not page.is_index and series_name(page) is not None


# the keys an article may write beyond every page's (front matter is strict)
ARTICLE = FrontMatter(
    frozenset({"author", "interviewee", "part", "tags"}), kind="article", applies=is_article
)


@dataclass(frozen=True)
class Newsletter:
    """A series' sign-up form: its provider's POST address and the e-mail field's name."""

    action: str
    field_name: str = "email"


FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-\[\]]{0,63}")


def is_series_index(page: Page) -> bool:
    """``series/<name>/_index.md`` (any language)."""
    return page.is_index and len(page.rel.parts) == 3 and page.rel.parts[0] == SECTION


def newsletter(page: Page) -> Newsletter | None:
    """The series' form in the page's language (a translation may give its own list's
    address; it inherits the default language's otherwise). Checked in
    :func:`check_newsletter`: here only a valid value is read."""
    value = page.meta.get("newsletter")
    if not isinstance(value, dict) or list(_newsletter_mistakes(page, value)):
        return None
    return Newsletter(value["action"], value.get("field", "email"))


def check_newsletter(page: Page, value: Any) -> Iterator[MmsiteError]:
    yield from _newsletter_mistakes(page, value)


def _newsletter_mistakes(page: Page, value: Any) -> Iterator[MmsiteError]:
    hint = "newsletter: {action: https://buttondown.com/api/emails/embed-subscribe/you}"
    if not isinstance(value, dict) or "action" not in value:
        yield page.error(
            "newsletter needs the address your provider's form posts to", "newsletter", hint=hint
        )
        return
    unknown = sorted(set(value) - {"action", "field"})
    if unknown:
        yield page.error(f"newsletter has no key {unknown[0]!r} (action, field)", "newsletter")
    action = value["action"]
    parts = urlsplit(action) if isinstance(action, str) else None
    if parts is None or parts.scheme != "https" or not parts.hostname or parts.username:
        yield page.error(
            f"newsletter action must be an https:// address, got {action!r}",
            "newsletter",
            hint=hint,
        )
    name = value.get("field", "email")
    if not isinstance(name, str) or not FIELD_NAME.fullmatch(name):
        yield page.error(
            f"newsletter field must be a form field name, got {name!r}",
            "newsletter",
            hint="field: email (Mailchimp: EMAIL; Kit: email_address)",
        )


SERIES_INDEX = FrontMatter(
    frozenset({"newsletter"}),
    kind="series",
    applies=is_series_index,
    values={"newsletter": check_newsletter},
)


def check_article(page: Page, resources: set[PurePosixPath]) -> None:
    """Validate the front matter this file writes itself (translations inherit the rest)."""
    meta = page.doc.meta
    if "date" not in page.meta:
        raise page.error(
            "an article needs a date", hint="add `date: 2026-03-14` to the front matter"
        )
    _text(page, "author")
    if "part" in meta:
        part = meta["part"]
        if not isinstance(part, int) or isinstance(part, bool) or part < 1:
            raise page.error(f"part must be a whole number from 1, got {part!r}", "part")
    if "interviewee" in meta:
        _check_interviewee(page, meta["interviewee"])
    if "tags" in meta:
        _check_tags(page, meta["tags"])
    if "image" in meta:
        _check_image(page, meta["image"], resources)


def interviewee(page: Page) -> Interviewee | None:
    data = page.meta.get("interviewee")
    if not isinstance(data, dict):
        return None
    return Interviewee(**{k: v.strip() for k, v in data.items()})


def tags(page: Page) -> list[Tag]:
    seen: dict[str, Tag] = {}
    for name in page.meta.get("tags") or []:
        tag = Tag(slugify(name), name.strip())
        seen.setdefault(tag.slug, tag)
    return list(seen.values())


def reading_minutes(page: Page) -> int:
    """Words at 200 a minute; Chinese and Japanese characters (kana, kanji) and Thai
    letters, written without spaces between words, by character: a Japanese reader reads
    about 500 a minute, a Chinese one 300, a Thai one 1,000 (about 200 words)."""
    body = page.body
    if not body.isascii():
        chars = len(UNSPACED.findall(body))
        if chars:
            rate = CHARS_PER_MINUTE.get(page.lang.split("-")[0], 500)
            words = len(WORDS.findall(UNSPACED.sub(" ", body)))
            return max(1, round(chars / rate + words / WORDS_PER_MINUTE))
    return max(1, round(len(WORDS.findall(body)) / WORDS_PER_MINUTE))


# -- the catalog -------------------------------------------------------------


def series_name(page: Page) -> str | None:
    """``series/<name>/...`` -> name; None outside a series folder."""
    parts = page.rel.parts[:-1]  # page.dir.parts, without making page.dir
    if len(parts) >= 2 and parts[0] == SECTION:
        return parts[1]
    return None


def _order_key(group: Group) -> tuple[int, str]:
    part = group.default.meta.get("part")
    return (part if isinstance(part, int) else 10**9, group.default.stem)


def collect(model: ContentModel) -> Catalog:
    """Series and their parts, in reading order (``part:``, else file name)."""
    series: dict[str, Series] = {}
    loose: dict[str, list[Group]] = {}
    for group in model.groups.values():
        page = group.default
        name = series_name(page)
        if name is None or page.virtual:
            continue
        if page.is_index and page.dir == PurePosixPath(SECTION, name):
            series[name] = Series(name, group)
        elif not page.is_index:
            loose.setdefault(name, []).append(group)
    of_group = {}
    for name, groups in loose.items():
        if name in series:
            series[name].parts = sorted(groups, key=_order_key)
            of_group.update({g.key: series[name] for g in groups})
    return Catalog(dict(sorted(series.items())), of_group)


def shown(group: Group, lang: str, config: Config) -> Page | None:
    """The page an edition in ``lang`` shows for ``group`` (the router's policy)."""
    page = group.pages.get(lang)
    if page is None and config.missing_translation == "fallback":
        page = group.pages.get(config.default_language)
    return page


# -- the model step ----------------------------------------------------------


def _validate(model: ContentModel, catalog: Catalog) -> list[MmsiteError]:
    errors: list[MmsiteError] = []
    resources = set(model.resources)
    for group in model.groups.values():
        first = group.default
        name = series_name(first)
        if name is None or first.virtual:
            continue
        if first.is_index:
            for page in group.pages.values():
                if "image" in page.doc.meta:
                    try:
                        _check_image(page, page.doc.meta["image"], resources)
                    except MmsiteError as exc:
                        errors.append(exc)
            continue
        if name not in catalog.series:
            errors.append(
                first.error(
                    f"article is in content/{SECTION}/{name}/ which has no _index.md",
                    hint=f"create content/{SECTION}/{name}/_index.md with the series title",
                )
            )
            continue
        for page in group.pages.values():
            try:
                check_article(page, resources)
            except MmsiteError as exc:
                errors.append(exc)
    for series in catalog.series.values():
        errors += _duplicate_parts(series)
    return errors


def _duplicate_parts(series: Series) -> list[MmsiteError]:
    errors = []
    seen: dict[int, Page] = {}
    for group in series.parts:
        page = group.default
        part = page.meta.get("part")
        if not isinstance(part, int):
            continue
        if part in seen:
            errors.append(
                page.error(
                    f"part {part} is also used by {seen[part].rel}",
                    "part",
                    hint="give each part of a series its own number",
                )
            )
        seen[part] = page
    return errors


def _layouts(model: ContentModel, catalog: Catalog) -> None:
    listing = model.section_index(PurePosixPath(SECTION))
    for group in [listing] if listing else []:
        for page in group.pages.values():
            page.meta.setdefault("layout", "series/list")
    for series in catalog.series.values():
        for page in series.index.pages.values():
            page.meta.setdefault("layout", "series/index")
        for group in series.parts:
            for page in group.pages.values():
                page.meta.setdefault("layout", "series/article")


def _tag_names(model: ContentModel, catalog: Catalog, config: Config) -> dict[str, dict[str, Tag]]:
    """lang -> tag slug -> tag, from the article each language shows."""
    found: dict[str, dict[str, Tag]] = {}
    for series in catalog.series.values():
        for group in series.parts:
            for lang in config.languages:
                page = shown(group, lang, config)
                for tag in tags(page) if page else []:
                    found.setdefault(lang, {}).setdefault(tag.slug, tag)
    return found


def _add_generated(config: Config, model: ContentModel, catalog: Catalog, strings: Strings) -> None:
    source = config.content_dir / SECTION
    if model.section_index(PurePosixPath(SECTION)) is None and catalog.series:
        pages = [
            virtual_page(
                source,
                f"{SECTION}/{INDEX}.md",
                lang,
                {"title": strings.translate(lang, "series_list_title")},
            )
            for lang in config.languages
        ]
        model.add_virtual(f"{SECTION}/{INDEX}", pages, config.default_language)
    found = _tag_names(model, catalog, config)
    if not found:
        return
    if model.section_index(PurePosixPath(TAGS)) is None:
        pages = [
            virtual_page(
                source,
                f"{TAGS}/{INDEX}.md",
                lang,
                {
                    "title": strings.translate(lang, "tags_title"),
                    "slug": strings.translate(lang, "tags_slug"),
                    "menu": False,
                    "listed": False,
                },
            )
            for lang in found
        ]
        model.add_virtual(f"{TAGS}/{INDEX}", pages, config.default_language)
    for page in model.section_index(PurePosixPath(TAGS)).pages.values():  # type: ignore[union-attr]
        page.meta.setdefault("layout", "series/tags")
    slugs = sorted({slug for by_slug in found.values() for slug in by_slug})
    for slug in slugs:
        pages = [
            virtual_page(
                source,
                f"{TAGS}/{slug}.md",
                lang,
                {
                    "title": strings.translate(lang, "tag_title", tag=by_slug[slug].name),
                    "tag": by_slug[slug].slug,
                    "tag_name": by_slug[slug].name,
                    "layout": "series/tag",
                },
            )
            for lang, by_slug in found.items()
            if slug in by_slug
        ]
        model.add_virtual(f"{TAGS}/{slug}", pages, config.default_language)


def series_step(ctx: ModelContext) -> None:
    """Validate articles, set their layouts, add the series list and tag pages."""
    config, model = ctx.config, ctx.model
    catalog = collect(model)
    errors = _validate(model, catalog)
    if errors:
        raise BuildErrors(errors)
    model.data[SECTION] = catalog  # generated pages below are virtual: collect skips them
    if not catalog.series:
        return
    _add_generated(config, model, catalog, ctx.strings)
    _layouts(model, catalog)


@functools.lru_cache(maxsize=8192, typed=True)  # feeds sort every article by it; many share a date
def iso_datetime(value: dt.date | dt.datetime) -> str:
    """RFC 3339 for feeds: a date is midnight UTC; a naive time is taken as UTC."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat().replace("+00:00", "Z")
