"""The extension points: what a feature declares, and the registry the engine reads.

A feature is a :class:`Feature`: its ``site.yaml`` section, its model steps (parse its
front matter, add generated pages), the front-matter keys it reads (front matter is
strict: a key nobody declares is an error), the context it adds to every page's template, the
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

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmsite.config.options import Config, ConfigSection
from mmsite.content.model import ContentModel
from mmsite.content.strict import FrontMatter
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
    when every rule says no (a rule without one sends every document to markdown-it-py).
    ``env(site, route)`` gives what the rule reads from the env for one page (its labels
    in the page's language, say), beside ``t`` (the page's UI strings)."""

    name: str
    rule: Callable[[StateCore], None]
    may_apply: Callable[[str], bool] | None = None
    # f(site, route) -> entries the rule reads from the Markdown env for that page
    env: Callable[[Any, Any], dict[str, Any]] | None = None


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
    # the front-matter keys it reads, and on which pages: front matter is strict, a
    # key no feature declares is an error (see mmsite.content.strict)
    front_matter: tuple[FrontMatter, ...] = ()


class Registry:
    """The features of one build, in order (their steps and outputs run in this order).
    What the engine reads for every page (context processors, Markdown rules) is
    gathered once, when first asked after the last :meth:`add`."""

    def __init__(self, features: Iterable[Feature] = ()) -> None:
        self.features: list[Feature] = []
        self._gathered: dict[str, tuple[Any, ...]] = {}
        for feature in features:
            self.add(feature)

    def add(self, feature: Feature) -> None:
        if any(f.name == feature.name for f in self.features):
            raise ValueError(f"feature {feature.name!r} is registered twice")
        self.features.append(feature)
        self._gathered = {}

    def _all(self, name: str) -> tuple[Any, ...]:
        found = self._gathered.get(name)
        if found is None:
            found = self._gathered[name] = tuple(
                item for feature in self.features for item in getattr(feature, name)
            )
        return found

    @property
    def config_sections(self) -> tuple[ConfigSection, ...]:
        return self._all("config")

    @property
    def model_steps(self) -> tuple[ModelStep, ...]:
        return self._all("model")

    @property
    def context_processors(self) -> tuple[ContextProcessor, ...]:
        return self._all("context")

    @property
    def template_setup(self) -> tuple[TemplateSetup, ...]:
        return self._all("templates")

    @property
    def outputs(self) -> tuple[Output, ...]:
        return self._all("outputs")

    @property
    def output_switches(self) -> tuple[str, ...]:
        return tuple(o.switch for o in self.outputs if o.switch is not None)

    @property
    def markdown_rules(self) -> tuple[MarkdownRule, ...]:
        return self._all("markdown")

    @property
    def front_matter(self) -> tuple[FrontMatter, ...]:
        return self._all("front_matter")

    @property
    def checks(self) -> tuple[Check, ...]:
        return self._all("checks")

    def input_paths(self, config: Config) -> list[Path]:
        """The declared inputs, absolute (relative ones are below the site folder)."""
        return [
            path if path.is_absolute() else config.root / path
            for inputs in self._all("inputs")
            for path in inputs.paths(config)
        ]
