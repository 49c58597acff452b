"""The build pipeline, serially, as the README's stage table reads:

    load config -> content model -> feature model steps -> routes -> render -> outputs -> commit

Every stage comes from the features' registry (:mod:`mmsite.features.registry`): this
module names no feature. Caching, delta builds, parallel rendering and the stamp check
are :mod:`mmsite.engine.build`'s business around these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from mmsite.config.options import Config, load_config
from mmsite.config.theme import Theme
from mmsite.content.model import DocumentLoader, load_content
from mmsite.content.strict import check_front_matter
from mmsite.errors import BuildErrors, MmsiteError, Reporter
from mmsite.features.builtin import builtin_registry
from mmsite.features.registry import ModelContext, Registry
from mmsite.features.site import PageView, Site
from mmsite.i18n.editions import Strings, editions
from mmsite.i18n.routing import Route, Router

if TYPE_CHECKING:
    import jinja2

    from mmsite.engine.incremental import Session
    from mmsite.engine.result import BuildResult
    from mmsite.output.tree import OutputTree
    from mmsite.render.templates import Prepared

# progress(done, total) while pages render; the CLI draws a counter on a terminal.
Progress = Callable[[int, int], None]
PAGES = "pages"  # the stage that renders every route


@dataclass(frozen=True)
class Stage:
    """One step of the pipeline: ``name`` is unique (records of what it read are kept
    under it), ``shows`` the routes whose bodies it includes, ``beside``: it reads no
    page it writes, so it may run while other processes render pages."""

    name: str
    run: Callable[[Build], None]
    shows: Callable[[Site], list[Route]] | None = None
    beside: bool = False


@dataclass
class Build:
    """Everything one build step needs (a :class:`mmsite.features.site.StepContext`)."""

    site: Site
    theme: Theme
    env: jinja2.Environment
    out: OutputTree
    result: BuildResult
    cache: Session
    progress: Progress | None = None
    jobs: int | None = None  # processes for page rendering; None: one per CPU
    stages: list[Stage] = field(default_factory=list)
    # work that needs only the loaded site (saving caches): runs while pages render
    meanwhile: list[Callable[[], None]] = field(default_factory=list)
    done: set[str] = field(default_factory=set)  # stages already run
    # pages not rendered: their files have mistakes already reported (the build fails;
    # rendering them would only repeat those mistakes as template errors)
    skip: set[Path] = field(default_factory=set)
    # bodies prepared while the model was built (render.warm_bodies): taken before the
    # pages render, in every process
    warmed: Callable[[], Prepared] | None = None

    @property
    def config(self) -> Config:
        return self.site.config

    @property
    def beside(self) -> list[Stage]:
        """The stages right after the pages that may run while pages render."""
        after = self.stages[[s.name for s in self.stages].index(PAGES) + 1 :]
        beside = []
        for stage in after:
            if not stage.beside:
                break
            beside.append(stage)
        return beside

    def render_template(self, names: list[str], context: dict[str, Any]) -> str:
        from mmsite.render.templates import render_template

        return render_template(self.env, names, context)

    def page_context(self, route: Route, view: PageView | None = None) -> dict[str, Any]:
        from mmsite.render.templates import context_for

        return context_for(self.site, route, view)

    def render_page(self, route: Route) -> str:
        from mmsite.render.templates import context_for, render_template, template_names

        return render_template(self.env, template_names(route.page), context_for(self.site, route))

    def derived(self, rel: PurePosixPath | str, produce: Callable[[], bytes]) -> None:
        self.cache.write_derived(rel, produce)


def registry_for(registry: Registry | None) -> Registry:
    return registry if registry is not None else builtin_registry()


def site_config(
    root: Path, registry: Registry | None = None, base_url: str | None = None
) -> Config:
    """site.yaml, with the sections and ``outputs:`` switches the features declare
    (the built-in features' without ``registry``)."""
    registry = registry_for(registry)
    config = load_config(root, registry.config_sections, registry.output_switches)
    return config.with_base_url(base_url) if base_url else config


def load_site(
    config: Config,
    registry: Registry,
    reporter: Reporter,
    drafts: bool = False,
    documents: DocumentLoader | None = None,
) -> tuple[Site, Theme]:
    """Content model -> strict front matter and the features' model steps (their
    mistakes reported together) -> routes -> UI strings."""
    from mmsite.render.templates import render_body

    theme = Theme.find(config)
    errors: list[MmsiteError] = []  # every file's and every feature's mistakes in one run
    model = load_content(config, include_drafts=drafts, documents=documents, errors=errors)
    # front matter is strict: keys no feature declares (the pages that could be read; the
    # others are left out with their translations, so the model steps run on the rest)
    errors += check_front_matter(model.pages, registry.front_matter, theme.has_template)
    strings = Strings.load(theme.i18n_dirs, config, reporter)
    context = ModelContext(config, model, strings, reporter)
    for model_step in registry.model_steps:  # every feature's mistakes in one run
        try:
            model_step(context)
        except BuildErrors as exc:
            errors += exc.errors
        except MmsiteError as exc:
            errors.append(exc)
    try:
        router = Router(config, model, editions(config))
    except MmsiteError:
        if errors:  # a mistake already found may be the cause: report those
            raise BuildErrors(errors) from None
        raise
    site = Site(config, model, router, strings, reporter, registry)
    site.renderer = render_body
    if errors:
        raise SiteErrors(errors, site, theme)
    return site, theme


class SiteErrors(BuildErrors):
    """Mistakes found while loading the site; the site without the broken pages comes
    with them, so a build can look for the mistakes of the later stages (templates,
    links) and report them all in one run."""

    def __init__(self, errors: list[MmsiteError], site: Site, theme: Theme) -> None:
        super().__init__(errors)
        self.site, self.theme = site, theme

    def __reduce__(self) -> tuple:
        return (BuildErrors, (self.errors,))


def stages(
    registry: Registry, config: Config, render_pages: Callable[[Build], None]
) -> list[Stage]:
    """The steps before the pages (static files, resources, images), the pages, then
    every output whose ``outputs:`` switch is on."""
    before = [
        Stage(f"{feature.name}.{step.__name__}", step)
        for feature in registry.features
        for step in feature.before_pages
    ]
    outputs = [
        Stage(output.name, output.write, output.shows, output.beside_pages)
        for output in registry.outputs
        if output.switch is None or config.outputs.on(output.switch)
    ]
    return [*before, Stage(PAGES, render_pages), *outputs]


def environment(site: Site, theme: Theme, cache_dir: Path | None) -> jinja2.Environment:
    """One Jinja environment per build, with the features' template globals."""
    from mmsite.render.templates import make_environment

    env = make_environment(theme, cache_dir)
    for setup in site.registry.template_setup:
        setup(env, site)
    return env


def run(build: Build, step: Callable[[Build, Stage], None] | None = None) -> None:
    """Every stage not yet done, in order (``step`` runs one, recording what it read)."""
    for stage in build.stages:
        if stage.name in build.done:
            continue
        if step is not None:
            step(build, stage)
        else:
            stage.run(build)
        build.done.add(stage.name)


def input_paths(config: Config, theme: Theme, registry: Registry) -> tuple[list[str], list[str]]:
    """What a build reads: (folders, single files) for :mod:`mmsite.engine.stamps`:
    content, the theme, the site's templates, static files and UI strings, site.yaml,
    and what the features declare (:class:`mmsite.features.registry.Inputs`)."""
    root = config.root
    folders = [str(config.content_dir), *(str(f) for f in theme.folders)]
    folders += [str(root / name) for name in ("templates", "static", "i18n")]
    files = [str(config.path)]
    for path in registry.input_paths(config):
        if not path.resolve().is_relative_to(root.resolve()):
            raise MmsiteError(f"a feature reads {path}, outside the site folder", config.path)
        (folders if path.is_dir() else files).append(str(path))
    return folders, files
