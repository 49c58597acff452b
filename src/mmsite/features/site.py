"""The site every feature reads: configuration, the page model, routes, UI strings,
and :class:`PageView`, what templates see as ``page``.

Features read pages through the model and keep what they compute in
:meth:`Site.memo`: the engine records which pages a memo's value was made from and
reports those reads again whenever the value is reused, so a feature written plainly
is correct in incremental builds (see docs/architecture.md, "Tracking").
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from markupsafe import Markup

from mmsite.cached import cached_property
from mmsite.config.options import Config
from mmsite.content.model import ContentModel, Memo, Page, remembered
from mmsite.errors import Reporter
from mmsite.features.pictures import ImageSet, PageImage, og_image, page_images
from mmsite.features.registry import Registry
from mmsite.i18n.editions import Edition, Strings, currency_symbol, language_label, parse_locale
from mmsite.i18n.routing import Route, Router

if TYPE_CHECKING:
    import jinja2

    from mmsite.config.theme import Theme

T = TypeVar("T")
# (file, rel, edition code) -> rendered body: one per edition, since links resolve to
# the pages of the reader's edition (a product missing in one market is not linked there)
BodyKey = tuple[Path, PurePosixPath, str]
# renders a route's body (installed by the engine: mmsite.render.templates.render_body)
BodyRenderer = Callable[["Site", Route, str], Markup]


class Site:
    """Everything the build steps and templates know: built once per build."""

    def __init__(
        self,
        config: Config,
        model: ContentModel,
        router: Router,
        strings: Strings,
        reporter: Reporter,
        registry: Registry | None = None,
    ) -> None:
        self.config = config
        self.model = model
        self.router = router
        self.strings = strings
        self.reporter = reporter
        self.registry = registry or Registry()
        self.editions = router.editions
        self.asset_names: dict[str, str] = {}  # logical name -> published name (fingerprints)
        self.images: dict[PurePosixPath, ImageSet] = {}  # filled by the images build step
        self.renderer: BodyRenderer | None = None  # set by the engine
        self.bodies: dict[BodyKey, Markup] = {}  # rendered bodies (the engine's memo)
        self.prepared: dict = {}  # bodies prepared ahead by the engine (used once each)
        self._memos: dict[str, Memo] = {}

    def memo(self, name: str, key: Any, make: Callable[[], T]) -> T:
        """``make()`` once per ``(name, key)`` in this build. The pages ``make`` read are
        recorded with the value and reported again each time it is reused, so an output
        that shows a memoised list depends on what the list was made from. ``key`` must
        hold everything the value depends on besides pages (the edition, a category)."""
        return remembered(self._memos.setdefault(name, {}), key, make)

    def reset_caches(self) -> None:
        """Forget rendered bodies and every memo: used before a delta build reuses
        this site (the engine then keeps the bodies it can, see mmsite.engine.delta)."""
        self._memos = {}
        self.bodies = {}
        self.prepared = {}

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without what a build computes from it (memos, rendered bodies)."""
        state = dict(self.__dict__)
        state.update(_memos={}, bodies={}, prepared={}, registry=None, renderer=None)
        return state

    def title(self, edition: Edition) -> str:
        return edition.language.title or self.config.title

    def body(self, route: Route) -> Markup:
        """A page body rendered once per (file, edition). Keyed by ``rel`` too:
        generated pages (categories, 404) name another page's file as their source."""
        key = (route.page.source, route.page.rel, route.edition.code)
        source = route.page.body  # read even when memoised: incremental builds track it
        html = self.bodies.get(key)
        if html is None:
            if self.renderer is None:
                raise RuntimeError("no body renderer installed (the engine sets one)")
            html = self.bodies[key] = self.renderer(self, route, source)
        return html

    def menu(self, edition: Edition, name: str = "main") -> list[Route]:
        """Top-level sections and pages of one edition in the ``main`` menu (unless
        ``menu: false`` or ``footer``) or in the ``footer`` one (``menu: footer``)."""
        return self.memo("menu", (edition.code, name), lambda: self._menu(edition, name))

    def _menu(self, edition: Edition, name: str) -> list[Route]:
        routes = []
        for group in self.model.children_of(PurePosixPath(".")):
            route = self.router.get(group, edition)
            if route is not None and _menu_of(group.default.meta.get("menu")) == name:
                routes.append(route)
        # the same order in every language: weight, then the default language's titles
        routes.sort(key=lambda r: (r.group.default.weight, r.group.default.title, r.group.key))
        return routes

    def language_label(self, edition: Edition) -> str:
        return self.memo("label", edition.code, lambda: language_label(edition, self.editions))

    def asset(self, name: str) -> str:
        return self.router.base_path + self.asset_names.get(name, name)

    def view(self, route: Route) -> PageView:
        return PageView(self, route)


def language_item(
    site: Site, edition: Edition, url: str, current: bool, fallback: bool
) -> dict[str, Any]:
    """One entry of the language switcher: the edition's own name and its currency."""
    return {
        "code": edition.code,
        "hreflang": edition.hreflang,
        "label": site.language_label(edition),
        "url": url,
        "current": current,
        "fallback": fallback,
        "currency": edition.currency,
        "currency_symbol": currency_symbol(edition),
    }


def _menu_of(value: Any) -> str | None:
    """The menu a top-level page is in: ``main`` unless its front matter says otherwise."""
    if value is False:
        return None
    return "footer" if value == "footer" else "main"


class PageView:
    """What a template sees as ``page``."""

    def __init__(self, site: Site, route: Route) -> None:
        self.site = site
        self.route = route
        self.page: Page = route.page
        self.edition = route.edition

    # plain fields
    title = property(lambda self: self.page.title)
    summary = property(lambda self: self.page.summary)
    description = property(lambda self: self.page.meta.get("description") or self.page.summary)
    meta = property(lambda self: self.page.meta)
    # the page's own data for custom templates (front matter is strict otherwise)
    params = property(lambda self: self.page.meta.get("params") or {})
    kind = property(lambda self: self.page.kind)
    section = property(lambda self: self.page.section)
    date = property(lambda self: self.page.date)
    updated = property(lambda self: self.page.meta.get("updated"))
    url = property(lambda self: self.route.url)
    fallback = property(lambda self: self.route.fallback)
    # only ever true with --drafts (drafts are not in the model otherwise)
    draft = property(lambda self: bool(self.page.meta.get("draft", False)))
    source = property(lambda self: self.page.rel.as_posix())

    @cached_property
    def images(self) -> list[PageImage]:
        """Front-matter images (``image:``, ``images:``) with alt text in this language;
        render with ``picture(page.image)``."""
        return page_images(self.site, self.page)

    @property
    def image(self) -> PageImage | None:
        return self.images[0] if self.images else None

    @cached_property
    def og_image(self) -> dict[str, Any] | None:
        """The 1200x630 crop of the first image: url (absolute), width, height, type, alt."""
        return og_image(self.site, self.page)

    @property
    def content(self) -> Markup:
        return self.site.body(self.route)

    @property
    def permalink(self) -> str:
        return self.site.router.absolute(self.route.url)

    @cached_property
    def canonical(self) -> str:
        """Absolute canonical URL: the original page for a fallback."""
        router = self.site.router
        return router.absolute(router.original(self.route).url)

    @cached_property
    def content_language(self) -> Edition:
        """The edition whose language the content is written in."""
        router = self.site.router
        return router.original(self.route).edition

    @property
    def content_language_name(self) -> str:
        edition = self.content_language
        locale = parse_locale(self.edition.locale)
        name = locale.languages.get(edition.lang, edition.lang)
        return name

    @cached_property
    def alternates(self) -> list[dict[str, str]]:
        """hreflang links: every real translation (this page included) and x-default."""
        router = self.site.router
        routes = router.translations(self.route)
        links = [{"hreflang": r.edition.hreflang, "href": router.absolute(r.url)} for r in routes]
        default = [r for r in routes if r.edition.lang == self.site.config.default_language]
        if self.kind == "home" and self.site.config.default_language_in_subdir:
            links.append({"hreflang": "x-default", "href": router.absolute(router.base_path)})
        elif default:
            links.append({"hreflang": "x-default", "href": router.absolute(default[0].url)})
        return links

    @cached_property
    def languages(self) -> list[dict[str, Any]]:
        """The language switcher: this page in every edition that has it."""
        items = []
        for edition in self.site.editions:
            route = self.site.router.get(self.route.group, edition)
            if route is None:
                continue
            current = edition.code == self.edition.code  # codes are unique
            items.append(language_item(self.site, edition, route.url, current, route.fallback))
        return items

    @cached_property
    def children(self) -> list[PageView]:
        """Pages and subsections directly inside this section, in this edition."""
        if not self.page.is_index:
            return []
        views = []
        for group in self.site.model.children_of(self.page.dir):
            if group.default.meta.get("listed") is False:
                continue
            route = self.site.router.get(group, self.edition)
            if route is not None:
                views.append(self.site.view(route))
        views.sort(key=lambda v: (v.page.weight, -(v.date.toordinal() if v.date else 0), v.title))
        return views

    @cached_property
    def menu(self) -> list[dict[str, Any]]:
        """Main navigation: top-level sections and pages, unless ``menu: false``."""
        return self._menu_items("main")

    @cached_property
    def footer_menu(self) -> list[dict[str, Any]]:
        """Footer links: top-level pages with ``menu: footer`` (legal notice, shipping)."""
        return self._menu_items("footer")

    def _menu_items(self, name: str) -> list[dict[str, Any]]:
        return [
            {
                "title": route.page.title,
                "url": route.url,
                "active": self.route.url.startswith(route.url),
            }
            for route in self.site.menu(self.edition, name)
        ]

    @property
    def home_url(self) -> str:
        return self.site.router.base_path + self.edition.prefix


class Writer(Protocol):
    """The output folder as a step sees it (:class:`mmsite.output.tree.OutputTree`)."""

    final: Path

    def write(self, rel: PurePosixPath | str, data: str | bytes) -> None: ...
    def copy(self, rel: PurePosixPath | str, source: Path) -> None: ...
    def exists(self, rel: PurePosixPath | str) -> bool: ...


class StepContext(Protocol):
    """What a build step gets (the engine's :class:`mmsite.engine.pipeline.Build`)."""

    site: Site
    theme: Theme
    env: jinja2.Environment
    out: Writer
    result: Any  # mmsite.engine.result.BuildResult: counters a step may add to

    @property
    def config(self) -> Config: ...

    def render_template(self, names: list[str], context: dict[str, Any]) -> str:
        """A template rendered (template errors name the template and line)."""
        ...

    def page_context(self, route: Route, view: PageView | None = None) -> dict[str, Any]:
        """The template context every page gets, with ``view`` as ``page``."""
        ...

    def derived(self, rel: PurePosixPath | str, produce: Callable[[], bytes]) -> None:
        """Write a file made from pages (a feed): kept from the last build when nothing
        ``produce`` read changed."""
        ...
