"""Jinja2 rendering: environment, filters, and the per-page template context.

Templates see plain view objects (:class:`PageView`), never files or the router.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import traceback
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.ext
from markupsafe import Markup

from mmsite.config import signing
from mmsite.config.options import Config
from mmsite.config.theme import Theme
from mmsite.content.frontmatter import Document
from mmsite.content.model import Page, language_of
from mmsite.errors import MmsiteError
from mmsite.features.pictures import markdown_images
from mmsite.features.registry import MarkdownRule
from mmsite.features.site import PageView, Site
from mmsite.i18n.editions import format_date, format_number
from mmsite.i18n.routing import Route
from mmsite.i18n.typography import Respace, spacing_for
from mmsite.render.links import link_resolver
from mmsite.render.markdown import prepare, render_markdown


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
        # Jinja's own lookup, inlined: every name a template reads comes through here
        if key in self.vars:
            value = self.vars[key]
        elif key in self.parent:
            value = self.parent[key]
        else:
            return jinja2.runtime.missing
        if type(value) is Deferred:
            return value.get(key)
        return value


# (file, locale) -> (length, hash, UTF-8 HTML) of a body prepared ahead (see warm_bodies):
# bytes are decoded where used, not all at once when the build takes them
Prepared = dict[tuple[str, str], tuple[int, int, bytes]]
# warm(documents, stopped, emit): what a prefill child makes from the documents it parsed
WarmFunction = Callable[[dict[str, Document], Callable[[], bool], Callable[[dict], None]], None]


_DICT_ATTRIBUTES = frozenset(dir(dict))  # ``{{ d.items }}`` is the method, as in Jinja


class TrackingEnvironment(jinja2.Environment):
    """A Jinja environment that reports every template name it looks up."""

    on_load: Callable[[str], None] | None = None

    def _load_template(self, name: str, globals: Any) -> jinja2.Template:  # noqa: A002
        if self.on_load is not None:
            self.on_load(name)
        return super()._load_template(name, globals)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``obj.attribute`` as Jinja reads it: the attribute, else the item. A plain dict
        (a view's ``seo``, a switcher entry) has no such attribute unless ``dict`` has
        it: its item is read at once, without raising and catching AttributeError."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:  # Jinja's own, inlined (it runs for nearly every dot in a template)
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one dict: the environment's, overlaid with its own.
        Jinja's ``ChainMap`` is copied key by key into every render's context (about a
        quarter of the time of rendering a small template); a build sets its globals
        before any template loads (``install_picture``)."""
        return {**self.globals, **(d or {})}


def warm_bodies(config: Config, rules: tuple[MarkdownRule, ...] = ()) -> WarmFunction:
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
            prepared = prepare(body, language.locale, rules, language.typography)
            if prepared is not None:
                made[(path, language.locale)] = (len(body), hash(body), prepared.encode())
                if len(made) == 32:
                    emit(made)
                    made = {}
        emit(made)

    return warm


# -- environment -------------------------------------------------------------


# Values a locale filter's result is remembered for: equal values of these types always
# format alike (unlike Decimals, 1.0 and 1.00, or datetimes in two time zones).
_REMEMBERED = (int, dt.date)
_REMEMBER_AT_MOST = 4096


def _locale_filter(func: Callable[..., str]) -> Callable[..., str]:
    """``func(value, locale, ..., numbers=...)`` as a filter in the page's locale and its
    edition's numbering system (``numbers``). Babel is slow and pages repeat the same few
    numbers and dates ("Part 2 of 5" on every card): their text is remembered, per filter
    (the environment lives for one build)."""
    made: dict[tuple[Any, ...], str] = {}

    @jinja2.pass_context
    def wrapper(context: jinja2.runtime.Context, value: Any, *args: Any, **kw: Any) -> str:
        locale = context["locale"]
        numbers = context.get("numbers")
        if type(value) not in _REMEMBERED or kw or not all(type(a) is str for a in args):
            kw.setdefault("numbers", numbers)
            return func(value, locale, *args, **kw)
        key = (type(value), value, locale, numbers, *args)
        text = made.get(key)
        if text is None:
            if len(made) >= _REMEMBER_AT_MOST:
                made.clear()
            text = made[key] = func(value, locale, *args, numbers=numbers)
        return text

    return wrapper


@jinja2.pass_context
def _finalize(context: jinja2.runtime.Context, value: Any) -> Any:
    """What every ``{{ ... }}`` prints: text (not Markup: bodies are spaced when rendered)
    gets the edition's spaces around punctuation (``spacing``, see :func:`context_for`):
    UI strings, titles, summaries. URLs, dates in attributes and JSON hold no such space."""
    if type(value) is str and value:
        respace = context.parent.get("spacing")  # set by context_for; a dict: ~0.1 µs
        if respace is not None:
            return respace(value)
    return value


class SignedBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's bytecode cache, each file signed (:mod:`mmsite.config.signing`): compiled
    templates are code, and a file in the cache folder that mmsite did not write for this
    path is never loaded (the template is compiled again)."""

    # Part of each file's key: what the environment compiles into every template (its
    # ``finalize``); bytecode an older mmsite compiled without it is not loaded.
    COMPILED_WITH = "finalize-spacing"

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return f"{super().get_cache_key(name, filename)}-{self.COMPILED_WITH}"

    def file_of(self, bucket: jinja2.bccache.Bucket) -> Path:
        """Where Jinja's own cache keeps ``bucket`` (its ``pattern`` in its ``directory``)."""
        return Path(self.directory) / (self.pattern % (bucket.key,))

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path = self.file_of(bucket)
        data = signing.read_verified(path)
        if data is not None:
            bucket.bytecode_from_string(bytes(data))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path = self.file_of(bucket)
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            signing.write_signed(path, bucket.bytecode_to_string())


_CACHE_KEYS = (str, int, float, bool, type(None))


class CachedExtension(jinja2.ext.Extension):
    """``{% cached key, ... %}...{% endcached %}``: the block rendered once per build, per
    edition and per key, then its HTML reused (Hugo's ``partialCached``). For what many
    pages repeat alike, a product card on every list and product page. The keys must
    name everything the block shows besides the edition (a product's URL, a heading
    level): text, numbers, booleans or none. What the block read (pages, templates) is
    recorded again on each reuse, so incremental builds see it."""

    tags = {"cached"}

    def parse(self, parser: jinja2.parser.Parser) -> jinja2.nodes.Node:
        lineno = next(parser.stream).lineno
        keys = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcached",), drop_needle=True)
        where = jinja2.nodes.Const((parser.name, parser.filename, lineno))
        call = self.call_method(
            "_cached", [jinja2.nodes.ContextReference(), where, jinja2.nodes.List(keys)]
        )
        return jinja2.nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _cached(
        self,
        context: jinja2.runtime.Context,
        where: tuple[str | None, str | None, int],
        keys: list[Any],
        caller: Callable[[], str],
    ) -> Markup:
        bad = [key for key in keys if not isinstance(key, _CACHE_KEYS)]
        if bad:
            raise MmsiteError(
                f"template error: a cached key must be text, a number, true/false or none, "
                f"not {type(bad[0]).__name__} (cache on item.url, not item)",
                where[1],
                where[2],
            )
        env, site, edition = self.environment, context.get("site"), context.get("edition")
        if site is None:  # a page that is no site page (the language picker): as written
            return Markup(caller())

        def render() -> tuple[Markup, tuple[str, ...]]:
            loaded: list[str] = []
            outer = env.on_load  # type: ignore[attr-defined]

            def on_load(name: str) -> None:
                loaded.append(name)
                if outer is not None:
                    outer(name)

            env.on_load = on_load  # type: ignore[attr-defined]
            try:
                return Markup(caller()), tuple(dict.fromkeys(loaded))
            finally:
                env.on_load = outer  # type: ignore[attr-defined]

        key = (where[0], where[2], getattr(edition, "code", ""), *keys)
        html, templates = site.memo("cached", key, render)
        on_load = env.on_load  # type: ignore[attr-defined]
        if on_load is not None:  # (the first time too: recording a name twice is once)
            for name in templates:
                on_load(name)
        return html


def make_environment(theme: Theme, cache_dir: Path | None = None) -> jinja2.Environment:
    """One environment per build: templates compile once; with ``cache_dir`` their
    bytecode is kept on disk between builds (Jinja checks the source's mtime)."""
    bytecode_cache = None
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        bytecode_cache = SignedBytecodeCache(str(cache_dir))
    env = TrackingEnvironment(
        loader=jinja2.FileSystemLoader([str(p) for p in theme.template_dirs]),
        bytecode_cache=bytecode_cache,
        auto_reload=False,
        cache_size=-1,  # a dict: the templates one build loads, without LRU upkeep
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
        extensions=[CachedExtension],
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


def render_body(site: Site, route: Route, source: str) -> Markup:
    """A page's Markdown body as HTML in its edition: links resolved to the edition's
    pages, images as ``<picture>``, the features' Markdown rules applied."""
    return Markup(
        render_markdown(
            source,
            route.edition.locale,
            site.config.markdown.unsafe_html,
            link_resolver(route, site.router),
            _markdown_env(site, route),
            image=markdown_images(site, route),
            prepared=_prepared(site, route, source),
            rules=site.registry.markdown_rules,
            typography=route.edition.language.typography,
        )
    )


def _markdown_env(site: Site, route: Route) -> dict[str, Any]:
    """The page's UI strings (``t``) and what the features' Markdown rules ask for."""
    env: dict[str, Any] = {"t": functools.partial(site.strings.translate, route.page.lang)}
    for rule in site.registry.markdown_rules:
        if rule.env is not None:
            env.update(rule.env(site, route))
    return env


def _prepared(site: Site, route: Route, source: str) -> str | None:
    """The body a prefill child prepared ahead (:func:`warm_bodies`), if it is this one."""
    if not site.prepared:
        return None
    made = site.prepared.pop((str(route.page.source), route.edition.locale), None)
    if made is None or made[:2] != (len(source), hash(source)):
        return None  # not prepared, or another text (a generated page, an edit)
    return made[2].decode()


def _respace(locale: str) -> Respace | None:
    spacing = spacing_for(locale)
    return spacing.respace if spacing is not None else None


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
        "numbers": edition.numbers,  # the numbering system of the numbers it writes
        "html_lang": edition.hreflang,
        "dir": edition.direction,
        "t": t,
        "asset": site.asset,
        # the language's spaces around punctuation in what templates print (_finalize)
        "spacing": _respace(edition.locale) if edition.language.typography else None,
    }
    for processor in site.registry.context_processors:
        keys = getattr(processor, "provides", None)
        if keys is None:
            context.update(processor(view))
        else:
            deferred = Deferred(functools.partial(processor, view))
            context.update(dict.fromkeys(keys, deferred))
    return context


def render_template(env: jinja2.Environment, names: list[str], context: dict[str, Any]) -> str:
    """Render, turning template mistakes into errors that name the template and line,
    and the page being rendered: anything a template raises (a failing filter, a
    division by zero, a template that includes itself) is the site's mistake."""
    try:
        template = env.select_template(names)
        return template.render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise MmsiteError(f"template syntax: {exc.message}", exc.filename, exc.lineno) from exc
    except jinja2.TemplateNotFound as exc:
        raise MmsiteError(f"no template among {', '.join(names)}: {exc}") from exc
    except MmsiteError:
        raise
    except RecursionError as exc:
        raise _template_error(
            exc, "calls itself without end (an include, extends or macro loop)", context
        ) from exc
    except jinja2.UndefinedError as exc:  # a dot or a name the context does not have
        raise _template_error(exc, f"{type(exc).__name__}: {exc}", context) from exc
    except Exception as exc:
        if not _raised_by_template(exc):
            raise  # a bug in Python code a template called: not the site's mistake
        raise _template_error(exc, f"{type(exc).__name__}: {exc}", context) from exc


def _raised_by_template(exc: BaseException) -> bool:
    """Whether ``exc`` was raised by template code itself or by Jinja (a filter given
    a wrong argument), not by Python code the template called."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return False
    origin = frames[-1].filename  # a template's frames carry its file name
    return not origin.endswith(".py") or f"{os.sep}jinja2{os.sep}" in origin


def _template_error(exc: BaseException, what: str, context: dict[str, Any]) -> MmsiteError:
    """``template.html:LINE: template error ...``, naming the page being rendered."""
    where = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".html")]
    frame = where[-1] if where else None
    view = context.get("page")
    page = getattr(view, "source", None)
    rendering = f" (rendering {page})" if page else ""
    return MmsiteError(
        f"template error{rendering}: {what}"[:2000],
        frame.filename if frame else None,
        frame.lineno if frame else None,
    )
