"""The build pipeline: config -> content model -> routes -> rendered files -> output swap."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .assets import publish_static
from .config import Config, load_config
from .content import ContentModel, load_content
from .errors import BuildErrors, MmsiteError, Reporter
from .hostfiles import write_headers, write_not_found_pages, write_redirects
from .i18n import Strings, editions
from .images import check_front_matter, is_processed, process_images
from .output import OutputTree, drop_cache
from .render import (
    Site,
    context_for,
    language_label,
    make_environment,
    render_template,
    template_names,
)
from .routing import Router
from .seo import write_robots, write_sitemap
from .theme import Theme


@dataclass
class BuildOptions:
    drafts: bool = False
    base_url: str | None = None
    output: Path | None = None
    clean: bool = False  # drop .mmsite-cache/ first; the output is still swapped atomically


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

    def summary(self) -> str:
        images = (
            f"{self.images} images ({self.images_processed} processed), " if self.images else ""
        )
        return (
            f"{self.pages} pages, {self.files} files, {images}{self.languages} languages "
            f"in {self.seconds:.2f} s -> {self.output}"
        )


@dataclass
class Build:
    """Everything one build step needs."""

    site: Site
    theme: Theme
    env: jinja2.Environment
    out: OutputTree
    result: BuildResult

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


def render_pages(build: Build) -> None:
    errors: list[MmsiteError] = []
    for route in build.site.router.routes:
        try:
            html = render_template(
                build.env, template_names(route.page), context_for(build.site, route)
            )
        except MmsiteError as exc:
            if exc.path is None:  # e.g. no template: say which page asked for it
                exc.path = route.page.source
            errors.append(exc)
            continue
        if build.out.exists(route.output):
            errors.append(
                MmsiteError(f"/{route.path} is also a static or resource file", route.page.source)
            )
            continue
        build.out.write(route.output, html)
        build.result.pages += 1
    if errors:
        raise BuildErrors(errors)


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


# Extensions insert their steps here (feeds, sitemap, images ...). Order matters:
# static files come first so templates can ask for fingerprinted asset names.
STEPS: list[Step] = [
    publish_static,
    copy_resources,
    process_images,
    render_pages,
    write_language_picker,
    write_not_found_pages,
    write_sitemap,
    write_robots,
    write_redirects,
    write_headers,
]
MODEL_STEPS: list[ModelStep] = [check_front_matter]


def load_site(root: Path, options: BuildOptions, reporter: Reporter) -> tuple[Site, Theme]:
    config = load_config(root)
    if options.base_url:
        config = config.with_base_url(options.base_url)
    theme = Theme.find(config)
    model = load_content(config, include_drafts=options.drafts)
    for model_step in MODEL_STEPS:
        model_step(config, model, reporter)
    router = Router(config, model, editions(config))
    strings = Strings.load(theme.i18n_dirs, config, reporter)
    return Site(config, model, router, strings, reporter), theme


def build(root: Path, options: BuildOptions | None = None) -> BuildResult:
    """Build the site in ``root``; raise :class:`MmsiteError` on any user mistake."""
    options = options or BuildOptions()
    started = time.perf_counter()
    reporter = Reporter()
    site, theme = load_site(root, options, reporter)
    output = options.output or site.config.output_dir
    if options.clean:
        drop_cache(root)
    tree = OutputTree(output, root)
    result = BuildResult(output=output, languages=len(site.config.languages))
    try:
        context = Build(site, theme, make_environment(theme), tree, result)
        for step in STEPS:
            step(context)
        result.files = len(tree.written)
        tree.commit()
    except BaseException:
        tree.abort()
        raise
    result.seconds = time.perf_counter() - started
    result.warnings = reporter.warnings
    return result


# -- interview series: article model, template context, Q&A markup, Atom feeds ----------
def _register_series() -> None:
    from . import feeds, markdown, qa, render, series, series_views

    MODEL_STEPS.append(series.series_step)
    STEPS.insert(STEPS.index(render_pages) + 1, feeds.write_feeds)
    render.CONTEXT_PROCESSORS.append(series_views.context)
    markdown.EXTRA_RULES.append(("mmsite_qa", qa.qa_rule))


_register_series()

# Features register their MODEL_STEPS, STEPS and context processors when imported.
from . import commerce  # noqa: E402, F401
