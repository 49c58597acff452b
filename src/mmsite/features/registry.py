"""The extension points: what a feature declares, and the registry the engine reads.

A feature is a :class:`Feature`: its ``site.yaml`` section, its model steps (parse its
front matter, add generated pages), the context it adds to every page's template, the
steps that run before pages render (static files, images), its outputs (files written
after the pages, each with one ``outputs:`` switch), the files it reads beyond
``content/``, its Markdown rules and its checks for ``mmsite check``. The engine builds
one :class:`Registry` from the built-in features (:mod:`mmsite.features.builtin`) and
runs the pipeline from it: nothing below the engine lists features by hand.

What a step may read and how its results are cached is the engine's business: a step
reads pages and site data through :class:`~mmsite.features.site.Site` (``site.memo``
for memos), and the engine records what it read. See docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmsite.config.options import Config, ConfigSection
from mmsite.content.model import ContentModel
from mmsite.errors import Reporter
from mmsite.i18n.editions import Strings

if TYPE_CHECKING:
    import jinja2
    from markdown_it.rules_core import StateCore


# f(ctx): a build step; ctx is a StepContext (see mmsite.features.site)
Step = Callable[[Any], None]


@dataclass(frozen=True)
class ModelContext:
    """What a model step gets: the site's configuration, the page model it may add
    pages to, the UI strings (titles of generated pages) and the build's reporter."""

    config: Config
    model: ContentModel
    strings: Strings
    reporter: Reporter


# After content is read and before routing: parse front matter, add generated pages.
ModelStep = Callable[[ModelContext], None]
# f(view) -> dict added to every page's template context (see provides()).
ContextProcessor = Callable[[Any], dict[str, Any]]  # f(PageView)
# f(env, site): install template globals and filters (``picture()``), once per environment.
TemplateSetup = Callable[["jinja2.Environment", Any], None]  # f(env, site)


def provides(*keys: str) -> Callable[[ContextProcessor], ContextProcessor]:
    """Declare the context keys a processor returns: it then runs on first use (a page
    whose templates never name them never computes them; what it reads is still
    tracked, as it runs inside the render)."""

    def mark(processor: ContextProcessor) -> ContextProcessor:
        processor.provides = keys  # type: ignore[attr-defined]
        return processor

    return mark


@dataclass(frozen=True)
class MarkdownRule:
    """A markdown-it core rule run after inline parsing. ``may_apply(text)`` is a cheap
    test "could this rule change this text?": a document takes the fast engine only
    when every rule says no (a rule without one sends every document to markdown-it-py)."""

    name: str
    rule: Callable[[StateCore], None]
    may_apply: Callable[[str], bool] | None = None


@dataclass(frozen=True)
class Output:
    """Files written after the pages. ``switch``: the ``outputs:`` key that turns it
    off (None: always on); ``shows``: the routes whose rendered bodies it includes
    (rendered first, so each body is rendered once); ``beside_pages``: it reads no page
    it writes, so it may run while pages render in other processes."""

    name: str
    write: Step
    switch: str | None = None
    shows: Callable[[Any], list[Any]] | None = None  # f(site) -> routes
    beside_pages: bool = True


@dataclass(frozen=True)
class Inputs:
    """Files and folders a feature reads beyond ``content/``, templates, static files
    and UI strings, relative to the site folder (``data/prices.yaml``, ``data/``): an
    edit is a change for ``mmsite build`` (stamps) and for every page (cache keys)."""

    paths: Callable[[Config], list[Path]]


@dataclass(frozen=True)
class Check:
    """One check of ``mmsite check``: ``run(ctx)`` yields findings (see
    :mod:`mmsite.commands.checks`)."""

    name: str
    run: Callable[[Any], Iterable[Any]]


@dataclass(frozen=True)
class Feature:
    name: str
    config: tuple[ConfigSection, ...] = ()
    model: tuple[ModelStep, ...] = ()
    context: tuple[ContextProcessor, ...] = ()
    templates: tuple[TemplateSetup, ...] = ()
    before_pages: tuple[Step, ...] = ()
    outputs: tuple[Output, ...] = ()
    inputs: tuple[Inputs, ...] = ()
    markdown: tuple[MarkdownRule, ...] = ()
    checks: tuple[Check, ...] = ()


@dataclass
class Registry:
    """The features of one build, in order (their steps and outputs run in this order)."""

    features: list[Feature] = field(default_factory=list)

    def add(self, feature: Feature) -> None:
        if any(f.name == feature.name for f in self.features):
            raise ValueError(f"feature {feature.name!r} is registered twice")
        self.features.append(feature)

    def _all(self, name: str) -> Iterator[Any]:
        for feature in self.features:
            yield from getattr(feature, name)

    @property
    def config_sections(self) -> tuple[ConfigSection, ...]:
        return tuple(self._all("config"))

    @property
    def model_steps(self) -> list[ModelStep]:
        return list(self._all("model"))

    @property
    def context_processors(self) -> list[ContextProcessor]:
        return list(self._all("context"))

    @property
    def template_setup(self) -> list[TemplateSetup]:
        return list(self._all("templates"))

    @property
    def before_pages(self) -> list[Step]:
        return list(self._all("before_pages"))

    @property
    def outputs(self) -> list[Output]:
        return list(self._all("outputs"))

    @property
    def output_switches(self) -> tuple[str, ...]:
        return tuple(o.switch for o in self.outputs if o.switch is not None)

    @property
    def inputs(self) -> list[Inputs]:
        return list(self._all("inputs"))

    @property
    def markdown_rules(self) -> tuple[MarkdownRule, ...]:
        return tuple(self._all("markdown"))

    @property
    def checks(self) -> list[Check]:
        return list(self._all("checks"))

    def input_paths(self, config: Config) -> list[Path]:
        return [path for inputs in self.inputs for path in inputs.paths(config)]
