"""The build pipeline: config -> content model -> routes -> rendered files -> output swap."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from . import markdown, parallel
from .assets import publish_static
from .commerce.catalog import load_products
from .commerce.feed import write_merchant_feeds
from .commerce.views import storefront_context
from .config import Config, load_config
from .content import ContentModel, DocumentLoader, load_content
from .errors import BuildErrors, MmsiteError, Reporter
from .feeds import write_feeds
from .hostfiles import write_headers, write_not_found_pages, write_redirects
from .i18n import Strings, editions
from .images import check_front_matter, is_processed, process_images
from .incremental import BuildCache, Session
from .output import OutputTree, drop_cache
from .qa import may_apply, qa_rule
from .render import (
    CONTEXT_PROCESSORS,
    Site,
    context_for,
    language_label,
    make_environment,
    render_template,
    template_names,
)
from .routing import Router
from .seo import seo_context, write_robots, write_sitemap
from .series import series_step
from .series_views import context as series_context
from .theme import Theme

CACHE_DIR = ".mmsite-cache"  # below the site root; safe to delete
# progress(done, total) while pages render; the CLI draws a counter on a terminal.
Progress = Callable[[int, int], None]


@dataclass
class BuildOptions:
    drafts: bool = False
    base_url: str | None = None
    output: Path | None = None
    jobs: int | None = None  # page-rendering processes; None: MMSITE_JOBS or one per CPU
    clean: bool = False  # drop .mmsite-cache/ first; the output is still swapped atomically
    cache: bool = True  # incremental: reuse unchanged pages (.mmsite-cache/build/)
    progress: Progress | None = None


@dataclass
class BuildResult:
    output: Path
    pages: int = 0
    files: int = 0
    seconds: float = 0.0
    languages: int = 0
    images: int = 0  # source images published
    images_processed: int = 0  # of those, how many needed Pillow (cache misses)
    warnings: list[str] = field(default_factory=list)
    # build report: pages rendered vs reused; files whose bytes changed vs linked
    rendered: int = 0
    reused: int = 0
    changed: set[PurePosixPath] = field(default_factory=set)
    linked: int = 0

    def summary(self) -> str:
        images = (
            f"{self.images} images ({self.images_processed} processed), " if self.images else ""
        )
        return (
            f"{self.pages} pages, {images}{self.languages} languages "
            f"in {self.seconds:.2f} s ({self.rendered} rendered, {self.reused} unchanged; "
            f"{len(self.changed)} files written) -> {self.output}"
        )


@dataclass
class Build:
    """Everything one build step needs."""

    site: Site
    theme: Theme
    env: jinja2.Environment
    out: OutputTree
    result: BuildResult
    cache: Session
    progress: Progress | None = None
    jobs: int | None = None  # processes for page rendering; None: one per CPU

    @property
    def config(self) -> Config:
        return self.site.config


Step = Callable[[Build], None]
# Runs after content is read and before routing: (config, model, reporter) -> None.
# Extensions parse their front matter (products, articles) and add generated pages here.
ModelStep = Callable[[Config, ContentModel, Reporter], None]


def copy_resources(build: Build) -> None:
    """Files beside pages are published at their path below content/. Photos are not
    copied raw (they may carry GPS EXIF): :func:`process_images` publishes them."""
    for rel, path in build.site.model.resources.items():
        if not is_processed(rel):
            build.out.copy(rel, path)


@dataclass
class Rendered:
    """What one slice of routes changed in the build state (files are already on disk);
    a child process sends it to the parent, which applies it to its own state."""

    pages: int = 0
    written: set[PurePosixPath] = field(default_factory=set)
    fresh: set[PurePosixPath] = field(default_factory=set)
    linked: int = 0
    entries: dict[str, Any] = field(default_factory=dict)  # incremental cache records
    rendered: int = 0
    reused: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[tuple[int, MmsiteError]] = field(default_factory=list)  # (route index, error)


def render_slice(build: Build, index: int, count: int) -> Rendered:
    """Render routes ``index``, ``index + count``, ... (reusing unchanged ones) and write
    each page at once; return what changed since the slice started."""
    out, session, reporter = build.out, build.cache, build.site.reporter
    written, fresh, linked = set(out.written), set(out.fresh), out.linked
    entries, report, warned = set(session.current), session.report, len(reporter.warnings)
    rendered, reused = report.rendered, report.reused
    done = Rendered()
    routes = build.site.router.routes
    for number in range(index, len(routes), count):
        route = routes[number]
        if build.progress is not None and index == 0:
            build.progress(number + 1, len(routes))
        if out.exists(route.output):
            clash = f"/{route.path} is also a static or resource file"
            done.errors.append((number, MmsiteError(clash, route.page.source)))
            continue
        done.pages += 1
        if session.reuse(route.output):
            continue
        with session.tracking(route) as reads:
            try:
                html = render_template(
                    build.env, template_names(route.page), context_for(build.site, route)
                )
            except MmsiteError as exc:
                if exc.path is None:  # e.g. no template: say which page asked for it
                    exc.path = route.page.source
                done.errors.append((number, exc))
                continue
        out.write(route.output, html)
        session.record(route.output, reads)
    done.written, done.fresh, done.linked = (
        out.written - written,
        out.fresh - fresh,
        out.linked - linked,
    )
    done.entries = {k: v for k, v in session.current.items() if k not in entries}
    done.rendered, done.reused = report.rendered - rendered, report.reused - reused
    done.warnings = reporter.warnings[warned:]
    return done


def _adopt(build: Build, done: Rendered) -> None:
    """Apply a child's slice to this process's build state."""
    build.out.written |= done.written
    build.out.fresh |= done.fresh
    build.out.linked += done.linked
    build.cache.current.update(done.entries)
    build.cache.report.rendered += done.rendered
    build.cache.report.reused += done.reused
    for warning in done.warnings:
        build.site.reporter.add(warning)


def render_pages(build: Build) -> None:
    """Render every route across ``build.jobs`` processes (byte-identical to one);
    routes whose recorded inputs are unchanged are linked from the previous build
    instead (see :mod:`mmsite.incremental`)."""
    routes = build.site.router.routes
    jobs = parallel.job_count(build.jobs, len(routes))
    results = parallel.map_slices(jobs, lambda index, count: render_slice(build, index, count))
    errors: list[tuple[int, MmsiteError]] = []
    for index, done in enumerate(results):
        if index:  # slice 0 ran in this process
            _adopt(build, done)
        build.result.pages += done.pages
        errors += done.errors
    if errors:
        raise BuildErrors(error for _, error in sorted(errors, key=lambda item: item[0]))


def write_language_picker(build: Build) -> None:
    """With the default language in a subfolder, ``/index.html`` lets visitors choose."""
    if not build.config.default_language_in_subdir:
        return
    site = build.site
    homes = [
        {
            "edition": e,
            "url": site.router.base_path + e.prefix,
            "label": language_label(e, site.editions),
        }
        for e in site.editions
    ]
    context = {
        "site": site,
        "site_title": build.config.title,
        "homes": homes,
        "asset": site.asset,
        "default": site.editions[0],
    }
    build.out.write("index.html", render_template(build.env, ["language-picker.html"], context))


# The pipeline, in order. Static files come first so templates can ask for
# fingerprinted asset names; images are processed before pages show them.
STEPS: list[Step] = [
    publish_static,
    copy_resources,
    process_images,
    render_pages,
    write_merchant_feeds,
    write_feeds,
    write_language_picker,
    write_not_found_pages,
    write_sitemap,
    write_robots,
    write_redirects,
    write_headers,
]
# After content is read, before routing: features parse their front matter and add
# generated pages (categories, tags).
MODEL_STEPS: list[ModelStep] = [check_front_matter, series_step, load_products]
# What features add to every page's template context, and to Markdown.
CONTEXT_PROCESSORS.extend([seo_context, series_context, storefront_context])
markdown.EXTRA_RULES.append(("mmsite_qa", qa_rule))
markdown.FAST_PATH_CHECKS["mmsite_qa"] = may_apply


def load_site(
    root: Path, options: BuildOptions, reporter: Reporter, documents: DocumentLoader | None = None
) -> tuple[Site, Theme]:
    config = load_config(root)
    if options.base_url:
        config = config.with_base_url(options.base_url)
    theme = Theme.find(config)
    model = load_content(config, include_drafts=options.drafts, documents=documents)
    for model_step in MODEL_STEPS:
        model_step(config, model, reporter)
    router = Router(config, model, editions(config))
    strings = Strings.load(theme.i18n_dirs, config, reporter)
    return Site(config, model, router, strings, reporter), theme


def build(
    root: Path,
    options: BuildOptions | None = None,
    cache: BuildCache | None = None,
    background_cleanup: bool = False,
) -> BuildResult:
    """Build the site in ``root``; raise :class:`MmsiteError` on any user mistake.

    ``cache`` keeps incremental state between builds in one process (``mmsite serve``);
    without it the on-disk cache of the output folder is used (unless ``options.cache``
    is false). ``background_cleanup`` deletes the replaced output in a thread."""
    options = options or BuildOptions()
    started = time.perf_counter()
    reporter = Reporter()
    root = root.resolve()
    if options.clean:
        drop_cache(root)
    output = options.output or load_config(root).output_dir
    if cache is None:
        cache = BuildCache.for_site(root, output, options.cache)
    site, theme = load_site(root, options, reporter, cache.documents)
    output = options.output or site.config.output_dir
    tree = OutputTree(output, root)
    result = BuildResult(output=output, languages=len(site.config.languages))
    try:
        env = make_environment(theme, root / CACHE_DIR / "jinja")
        session = cache.session(site, theme, env, tree)
        context = Build(site, theme, env, tree, result, session, options.progress, options.jobs)
        for step in STEPS:
            step(context)
        result.files = len(tree.written)
        tree.commit(background_cleanup)
    except BaseException:
        tree.abort()
        raise
    session.finish()
    result.rendered, result.reused = session.report.rendered, session.report.reused
    result.changed, result.linked = tree.fresh, tree.linked
    result.seconds = time.perf_counter() - started
    result.warnings = reporter.warnings
    return result
