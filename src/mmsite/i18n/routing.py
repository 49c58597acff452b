"""URL routing: every (page group, edition) pair becomes a :class:`Route` with a URL
and an output path, following the site's missing-translation policy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote, urlsplit

from mmsite.cached import cached_property
from mmsite.config.options import Config
from mmsite.content.model import Below, ContentModel, Group, Page, check_segment
from mmsite.errors import BuildErrors, MmsiteError, relpath
from mmsite.i18n.editions import Edition

URL_SAFE = "/-_.~!$&'()*+,;=:@"


def quote_path(path: str) -> str:
    return quote(path, safe=URL_SAFE)


@dataclass(frozen=True)
class Route:
    group: Group
    edition: Edition
    page: Page  # the content shown: the edition's translation, or the default on fallback
    path: str  # unencoded site path below the base, e.g. "fr/produits/sel-fume/"
    url: str  # root-relative and percent-encoded, with the base path: "/fr/produits/sel-fume/"

    @property
    def fallback(self) -> bool:
        return self.page.lang != self.edition.lang

    @cached_property
    def output(self) -> PurePosixPath:
        return PurePosixPath(self.path + "index.html")  # path is "" or ends in "/"


def shown_page(config: Config, group: Group, edition: Edition) -> Page | None:
    """The page ``edition`` shows for ``group`` (its translation, or the default
    language's on fallback), None where the group has no route in that edition."""
    page = group.pages.get(edition.lang)
    if page is None and config.missing_translation != "skip":
        page = group.pages.get(config.default_language)
    if page is None:
        return None
    if edition.market and edition.market.key in page.hidden_markets:
        return None
    if page.editions is not None and edition.code not in page.editions:
        return None
    if page.below is not None and shown_page(config, page.below.group, edition) is None:
        return None
    return page


class Router:
    """Builds every route once; answers "where is this page in that edition"."""

    def __init__(self, config: Config, model: ContentModel, editions: list[Edition]) -> None:
        self.config = config
        self.model = model
        self.editions = editions
        self.base_path = urlsplit(config.base_url).path or "/"
        self.by_group: dict[str, dict[str, Route]] = {}
        self.routes: list[Route] = []
        self._folders: dict[tuple[PurePosixPath, str], str] = {}
        self._build()

    # -- building ----------------------------------------------------------

    def _shown(self, group: Group, edition: Edition) -> Page | None:
        return shown_page(self.config, group, edition)

    def _segment_for(self, directory: PurePosixPath, lang: str) -> str:
        index = self.model.section_index(directory)
        if index is None:
            return directory.name
        page = index.pages.get(lang) or index.default
        return page.slug

    def site_path(self, page: Page, edition: Edition) -> str:
        if page.below is not None:
            return self._below_path(page, page.below, edition)
        path = edition.prefix + self._folder_path(page, edition.lang)
        if page.is_index:
            return path
        check_segment(page.slug, page.source)
        return f"{path}{page.slug}/"

    def _below_path(self, page: Page, below: Below, edition: Edition) -> str:
        """A page routed below another's URL (its page 2 ...): shown only where that one is."""
        parent = self._shown(below.group, edition)
        if parent is None:
            raise MmsiteError(f"{below.group.key} is not published in {edition.code}", page.source)
        for segment in below.tail.rstrip("/").split("/"):
            check_segment(segment, page.source)
        return self.site_path(parent, edition) + below.tail

    def _folder_path(self, page: Page, lang: str) -> str:
        """The URL path of a page's folder in one language (translated section slugs,
        each followed by ``/``), worked out and checked once per folder: every page in it
        shares it. A bad slug is reported for each page until one is fixed."""
        key = (page.dir, lang)
        path = self._folders.get(key)
        if path is None:
            segments, directory = [], PurePosixPath(".")
            for part in page.dir.parts:
                directory = directory / part
                segments.append(self._segment_for(directory, lang))
            for segment in segments:
                check_segment(segment, page.source)
            path = self._folders[key] = "".join(f"{s}/" for s in segments)
        return path

    def url_of(self, site_path: str) -> str:
        return quote_path(self.base_path + site_path)

    def _build(self) -> None:
        taken: dict[str, Route] = {}
        errors: list[MmsiteError] = []
        for group in self.model.groups.values():
            routes: dict[str, Route] = {}
            for edition in self.editions:
                page = self._shown(group, edition)
                if page is None:
                    continue
                try:
                    path = self.site_path(page, edition)
                except MmsiteError as exc:
                    errors.append(exc)
                    break
                route = Route(group, edition, page, path, self.url_of(path))
                other = taken.get(path)
                if other is not None:
                    errors.append(
                        MmsiteError(
                            f"this page and {relpath(other.page.source, self.config.root)} "
                            f"both map to /{path}",
                            page.source,
                            hint="give one of them a different slug",
                        )
                    )
                    continue
                taken[path] = route
                routes[edition.code] = route
                self.routes.append(route)
            self.by_group[group.key] = routes
        if errors:
            raise BuildErrors(errors)

    # -- queries -----------------------------------------------------------

    def get(self, group: Group, edition: Edition) -> Route | None:
        routes = self.by_group.get(group.key)
        return routes.get(edition.code) if routes is not None else None

    def translations(self, route: Route) -> list[Route]:
        """Routes of the same page that are real translations (not fallbacks), in edition order."""
        return [r for r in self.by_group[route.group.key].values() if not r.fallback]

    def original(self, route: Route) -> Route:
        """Where a fallback route's content really lives (its canonical URL); any other
        route is its own (an edition per market included: ``/en-gb/x/`` is not a copy
        of ``/x/``, it shows other prices)."""
        if not route.fallback:
            return route
        for other in self.by_group[route.group.key].values():
            if other.page is route.page and not other.fallback:
                return other
        return route

    def absolute(self, url: str) -> str:
        """``/fr/x/`` -> ``https://example.com/fr/x/`` (the base URL's path is in ``url``)."""
        parts = urlsplit(self.config.base_url)
        return f"{parts.scheme}://{parts.netloc}{url}"
