"""Jinja2 rendering: environment, filters, and the per-page template context.

Templates see plain view objects (:class:`PageView`), never files or the router.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
from markupsafe import Markup

from .cached import cached_property
from .config import Config
from .content import ContentModel, Page, language_of
from .errors import MmsiteError, Reporter
from .frontmatter import Document
from .i18n import Edition, Strings, format_date, format_number, parse_locale
from .images import ImageSet, PageImage, markdown_images, og_image, page_images
from .incremental import TrackingEnvironment
from .incremental import Warm as WarmFunction
from .links import link_resolver
from .markdown import prepare, render_markdown
from .routing import Route, Router
from .theme import Theme

# Extensions (storefront, series, seo ...) add context to every page: f(view) -> dict.
# A processor marked with @provides(keys) runs only when a template uses one of them.
CONTEXT_PROCESSORS: list[Callable[[PageView], dict[str, Any]]] = []


def provides(*keys: str) -> Callable[[Callable], Callable]:
    """Declare the context keys a processor returns: it then runs on first use (a page
    whose templates never name them never computes them; what it reads is still tracked,
    as it runs inside the render)."""

    def mark(processor: Callable) -> Callable:
        processor.provides = keys  # type: ignore[attr-defined]
        return processor

    return mark


class Deferred:
    """One processor's values, computed when a template first looks one of them up."""

    __slots__ = ("compute", "values")

    def __init__(self, compute: Callable[[], dict[str, Any]]) -> None:
        self.compute = compute
        self.values: dict[str, Any] | None = None

    def get(self, key: str) -> Any:
        if self.values is None:
            self.values = self.compute()
        return self.values[key]


class LazyContext(jinja2.runtime.Context):
    """A template context that computes :class:`Deferred` values on lookup (every
    lookup, in includes and imports too, goes through ``resolve_or_missing``)."""

    def resolve_or_missing(self, key: str) -> Any:
        value = super().resolve_or_missing(key)
        if type(value) is Deferred:
            return value.get(key)
        return value


def language_label(edition: Edition, editions: list[Edition]) -> str:
    """Native name: "Français", or "English (United Kingdom)" when a language has editions
    in several markets."""
    locale = parse_locale(edition.locale)
    name = locale.get_language_name(locale) or edition.lang
    name = name[:1].upper() + name[1:]
    if edition.market and sum(e.lang == edition.lang for e in editions) > 1:
        region = locale.territories.get(edition.market.region, edition.market.region)
        name = f"{name} ({region})"
    return name


# (file, locale) -> (length, hash, UTF-8 HTML) of a body prepared ahead (see warm_bodies):
# bytes are decoded where used, not all at once when the build takes them
Prepared = dict[tuple[str, str], tuple[int, int, bytes]]


def warm_bodies(config: Config) -> WarmFunction:
    """``warm(documents, stopped, emit)``: each document's body prepared for the fast
    Markdown engine in its own language's locale (:func:`mmsite.markdown.prepare`),
    emitted a few at a time, until ``stopped()``. A prefill child runs it with the
    documents it parsed while the build's own process builds the model; :meth:`Site.body`
    then only resolves links. Keyed by file and checked against the body's length and
    hash (equal within one build's processes): a generated page naming another's file,
    or a file edited meanwhile, renders as usual."""

    def warm(
        documents: dict[str, Document],
        stopped: Callable[[], bool],
        emit: Callable[[Prepared], None],
    ) -> None:
        made: Prepared = {}
        for path, doc in documents.items():
            if stopped():
                break
            language = config.languages.get(language_of(Path(path), config) or "")
            body = doc.body
            if language is None or not body:
                continue
            prepared = prepare(body, language.locale)
            if prepared is not None:
                made[(path, language.locale)] = (len(body), hash(body), prepared.encode())
                if len(made) == 32:
                    emit(made)
                    made = {}
        emit(made)

    return warm


class Site:
    """Everything the render stage knows: built once per build."""

    def __init__(
        self,
        config: Config,
        model: ContentModel,
        router: Router,
        strings: Strings,
        reporter: Reporter,
    ) -> None:
        self.config = config
        self.model = model
        self.router = router
        self.strings = strings
        self.reporter = reporter
        self.editions = router.editions
        self.asset_names: dict[str, str] = {}  # logical name -> published name (fingerprints)
        self._bodies: dict[tuple[Path, PurePosixPath, str], Markup] = {}
        self._menus: dict[str, list[Route]] = {}
        self.images: dict[PurePosixPath, ImageSet] = {}  # filled by the images build step

    def reset_caches(self) -> None:
        """Forget rendered bodies and every memo (private attributes, including those
        extensions add): used before a delta build reuses this site."""
        for name in [n for n in self.__dict__ if n.startswith("_")]:
            del self.__dict__[name]
        self._bodies = {}
        self._menus = {}

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without render caches (see :mod:`mmsite.delta`)."""
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._bodies = {}
        self._menus = {}

    def title(self, edition: Edition) -> str:
        return edition.language.title or self.config.title

    def body(self, route: Route) -> Markup:
        """A page body rendered once per (file, edition language). Keyed by ``rel`` too:
        generated pages (categories, 404) name another page's file as their source."""
        key = (route.page.source, route.page.rel, route.edition.lang)
        source = route.page.body  # read even when memoised: incremental builds track it
        html = self._bodies.get(key)
        if html is None:
            html = Markup(
                render_markdown(
                    source,
                    route.edition.locale,
                    self.config.markdown.unsafe_html,
                    link_resolver(route, self.router),
                    {"t": functools.partial(self.strings.translate, route.page.lang)},
                    image=markdown_images(self, route),
                    prepared=self._prepared(route, source),
                )
            )
            self._bodies[key] = html
        return html

    def _prepared(self, route: Route, source: str) -> str | None:
        """The body a prefill child prepared ahead (:func:`warm_bodies`), if it is this one."""
        warm: Prepared | None = self.__dict__.get("_warm")
        if not warm:
            return None
        made = warm.pop((str(route.page.source), route.edition.locale), None)
        if made is None or made[:2] != (len(source), hash(source)):
            return None  # not prepared, or another text (a generated page, an edit)
        return made[2].decode()

    def adopt_warm(self, warm: Prepared) -> None:
        """Bodies prepared ahead by :func:`warm_bodies`; each is used once, then dropped."""
        self._warm = warm

    def menu(self, edition: Edition) -> list[Route]:
        """Top-level sections and pages of one edition, unless ``menu: false``."""
        routes = self._menus.get(edition.code)
        if routes is None:
            routes = []
            for group in self.model.children_of(PurePosixPath(".")):
                route = self.router.get(group, edition)
                if route is not None and group.default.meta.get("menu") is not False:
                    routes.append(route)
            routes.sort(key=lambda r: (r.group.default.weight, r.page.title))
            self._menus[edition.code] = routes
        return routes

    def language_label(self, edition: Edition) -> str:
        labels = self.__dict__.setdefault("_labels", {})  # a memo: reset_caches drops it
        label = labels.get(edition.code)
        if label is None:
            label = labels[edition.code] = language_label(edition, self.editions)
        return label

    def asset(self, name: str) -> str:
        return self.router.base_path + self.asset_names.get(name, name)

    def view(self, route: Route) -> PageView:
        return PageView(self, route)


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
            items.append(
                {
                    "code": edition.code,
                    "hreflang": edition.hreflang,
                    "label": self.site.language_label(edition),
                    "url": route.url,
                    "current": edition.code == self.edition.code,  # codes are unique
                    "fallback": route.fallback,
                }
            )
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
        return [
            {
                "title": route.page.title,
                "url": route.url,
                "active": self.route.url.startswith(route.url),
            }
            for route in self.site.menu(self.edition)
        ]

    @property
    def home_url(self) -> str:
        return self.site.router.base_path + self.edition.prefix


# -- environment -------------------------------------------------------------


def _locale_filter(func: Callable[..., str]) -> Callable[..., str]:
    @jinja2.pass_context
    def wrapper(context: jinja2.runtime.Context, value: Any, *args: Any, **kw: Any) -> str:
        return func(value, context["locale"], *args, **kw)

    return wrapper


def make_environment(theme: Theme, cache_dir: Path | None = None) -> jinja2.Environment:
    """One environment per build: templates compile once; with ``cache_dir`` their
    bytecode is kept on disk between builds (Jinja checks the source's mtime)."""
    bytecode_cache = None
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        bytecode_cache = jinja2.FileSystemBytecodeCache(str(cache_dir))
    env = TrackingEnvironment(
        loader=jinja2.FileSystemLoader([str(p) for p in theme.template_dirs]),
        bytecode_cache=bytecode_cache,
        auto_reload=False,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.context_class = LazyContext
    env.filters["format_date"] = _locale_filter(format_date)
    env.filters["format_number"] = _locale_filter(format_number)
    return env


def template_names(page: Page) -> list[str]:
    names = []
    layout = page.meta.get("layout")
    if layout:
        names.append(f"{layout}.html")
    if page.section:
        names.append(f"{page.section}/{page.kind}.html")
    names += [f"{page.kind}.html", "page.html"]
    return names


def context_for(site: Site, route: Route, view: PageView | None = None) -> dict[str, Any]:
    view = view or site.view(route)
    edition = route.edition
    # t(key, count=None, **values): UI strings of this edition's language
    t = functools.partial(site.strings.translate, edition.lang)
    context: dict[str, Any] = {
        "site": site,
        "site_title": site.title(edition),
        "page": view,
        "edition": edition,
        "lang": edition.lang,
        "locale": edition.locale,
        "html_lang": edition.hreflang,
        "dir": edition.direction,
        "t": t,
        "asset": site.asset,
    }
    for processor in CONTEXT_PROCESSORS:
        keys = getattr(processor, "provides", None)
        if keys is None:
            context.update(processor(view))
        else:
            deferred = Deferred(functools.partial(processor, view))
            context.update(dict.fromkeys(keys, deferred))
    return context


def render_template(env: jinja2.Environment, names: list[str], context: dict[str, Any]) -> str:
    """Render, turning template mistakes into errors that name the template and line."""
    try:
        template = env.select_template(names)
        return template.render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise MmsiteError(f"template syntax: {exc.message}", exc.filename, exc.lineno) from exc
    except jinja2.TemplateNotFound as exc:
        raise MmsiteError(f"no template among {', '.join(names)}: {exc}") from exc
    except (jinja2.UndefinedError, TypeError, ValueError, AttributeError, KeyError) as exc:
        where = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".html")]
        frame = where[-1] if where else None
        raise MmsiteError(
            f"template error: {exc}",
            frame.filename if frame else None,
            frame.lineno if frame else None,
        ) from exc
