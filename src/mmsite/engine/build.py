"""The build pipeline: config -> content model -> routes -> rendered files -> output swap."""

from __future__ import annotations

import collections
import dataclasses
import functools
import gc
import os
import pickle
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from mmsite.config.options import Config
from mmsite.config.theme import Theme
from mmsite.content import model as content
from mmsite.content.model import DocumentLoader, Page
from mmsite.engine import delta, parallel, pipeline, stamps
from mmsite.engine.incremental import BuildCache, Dep, Session, new_build_id, no_gc, page_dep
from mmsite.engine.pipeline import PAGES, Build, Progress, Stage
from mmsite.engine.result import BuildResult, unchanged_result
from mmsite.errors import BuildErrors, MmsiteError, Reporter
from mmsite.features.registry import Registry
from mmsite.features.site import Site
from mmsite.output.inplace import InPlaceOutput, SwapOutput
from mmsite.output.tree import MARKER, OutputTree, drop_cache, output_lock, stat_key
from mmsite.render import markdown
from mmsite.render.templates import (
    render_body,
    warm_bodies,
)

__all__ = ["Build", "BuildOptions", "BuildResult", "Progress", "build", "load_site"]

CACHE_DIR = ".mmsite-cache"  # below the site root; safe to delete
# What pickling a site raises when a feature kept something that cannot be saved in
# its pages' data (a closure, a lock): the build goes on without a delta snapshot, and
# the next edit is an incremental full build, equal to a clean one all the same.
UNPICKLABLE = (pickle.PicklingError, TypeError, AttributeError)


@dataclass
class BuildOptions:
    drafts: bool = False
    base_url: str | None = None
    output: Path | None = None
    jobs: int | None = None  # page-rendering processes; None: MMSITE_JOBS or one per CPU
    clean: bool = False  # drop .mmsite-cache/ first; the output is still swapped atomically
    cache: bool = True  # incremental: reuse unchanged pages (.mmsite-cache/build/)
    # Update the output folder file by file instead of swapping in a new one: for a
    # folder nothing else serves (`mmsite serve`'s own); changed files are still
    # renamed into place only after the whole build succeeded.
    in_place: bool = False
    progress: Progress | None = None
    # the features of this build: the built-in ones unless a program using mmsite
    # passes its own (mmsite.features.builtin.builtin_registry(extra_feature))
    registry: Registry | None = None


@dataclass
class Rendered:
    """What one process changed in the build state while rendering (files are already
    on disk); a child process sends it to the parent, which applies it to its own."""

    pages: int = 0
    written: set[PurePosixPath] = field(default_factory=set)
    fresh: set[PurePosixPath] = field(default_factory=set)
    linked: int = 0
    entries: dict[str, Any] = field(default_factory=dict)  # incremental cache records
    digests: dict[Dep, str] = field(default_factory=dict)  # input digests computed
    groups: dict[str, tuple[Dep, ...]] = field(default_factory=dict)  # groups made
    rendered: int = 0
    reused: int = 0
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (route index, text)
    errors: list[tuple[int, MmsiteError]] = field(default_factory=list)  # (route index, error)

    def __reduce__(self) -> tuple:
        """The output paths as text (a child sends this to the parent at the end, when
        nothing else runs: unpickling ~6,000 paths parsed each one again)."""
        state = dict(self.__dict__)
        state["written"] = list(map(str, self.written))
        state["fresh"] = list(map(str, self.fresh))
        return (_rendered, (state,))


def _rendered(state: dict[str, Any]) -> Rendered:
    done = Rendered.__new__(Rendered)
    paths = {text: PurePosixPath(text) for text in state["written"]}
    done.__dict__.update(state)
    done.written = set(paths.values())
    done.fresh = {paths.get(text) or PurePosixPath(text) for text in state["fresh"]}
    return done


def render_routes(
    build: Build, take: parallel.Take, here: bool, order: Sequence[int] | None = None
) -> Rendered:
    """Render the routes ``take()`` hands out (reusing unchanged ones) and write each
    page at once; return what changed since this call started. ``here``: this is the
    build's own process (it shows progress). ``order``: ``take()`` gives positions in
    this list of route numbers."""
    out, session, reporter = build.out, build.cache, build.site.reporter
    written, fresh, linked = set(out.written), set(out.fresh), out.linked
    entries, report = set(session.current), session.report
    digests, groups = len(session.dep_digests), len(session.groups)
    rendered, reused = report.rendered, report.reused
    done = Rendered()
    routes = build.site.router.routes
    order = order if order is not None else range(len(routes))
    while (positions := take()) is not None:
        if build.progress is not None and here:  # routes not in order are done first
            build.progress(positions.stop + len(routes) - len(order), len(routes))
        for number in map(order.__getitem__, positions):
            with reporter.capturing() as warned:
                _render_route(build, number, done)
            done.warnings += [(number, text) for text in warned]
    done.written, done.fresh, done.linked = (
        out.written - written,
        out.fresh - fresh,
        out.linked - linked,
    )
    done.entries = {k: v for k, v in session.current.items() if k not in entries}
    done.digests = dict(list(session.dep_digests.items())[digests:])
    done.groups = dict(list(session.groups.items())[groups:])
    done.rendered, done.reused = report.rendered - rendered, report.reused - reused
    return done


def _render_route(build: Build, number: int, done: Rendered) -> None:
    route = build.site.router.routes[number]
    if build.skip and route.page.source in build.skip:
        return
    if route.output in build.out.written:
        clash = f"/{route.path} is also a static or resource file"
        done.errors.append((number, MmsiteError(clash, route.page.source)))
        return
    done.pages += 1
    session = build.cache
    if session.reuse(route.output):
        return
    with session.tracking(route) as reads:
        try:
            html = build.render_page(route)
        except MmsiteError as exc:
            if exc.path is None:  # e.g. no template: say which page asked for it
                exc.path = route.page.source
            done.errors.append((number, exc))
            return
    build.out.write(route.output, html)
    session.record(route.output, reads)


def _adopt(build: Build, done: Rendered) -> None:
    """Apply a child's share to this process's build state."""
    clash = build.out.written & done.written
    if clash:  # found before (plan_pages); a feature's step wrote a page's file
        rel = sorted(clash)[0]
        raise MmsiteError(f"two outputs write {rel}", build.out.owner(rel))
    build.out.written |= done.written
    build.out.fresh |= done.fresh
    build.out.linked += done.linked
    build.cache.current.update(done.entries)
    build.cache.dep_digests.update(done.digests)
    build.cache.groups.update(done.groups)
    build.cache.report.rendered += done.rendered
    build.cache.report.reused += done.reused


def render_pages(build: Build) -> None:
    """Render every route across ``build.jobs`` processes (byte-identical to one);
    routes whose recorded inputs are unchanged are linked from the previous build
    instead (see :mod:`mmsite.incremental`). With several processes, this one first
    runs the stages in ``build.beside`` (they do not read the pages) while the children
    render, then renders too; it first renders the pages whose bodies those stages show
    (``Stage.shows``), so each body is rendered once. ``build.meanwhile`` runs first in
    any case."""
    routes, reporter = build.site.router.routes, build.site.reporter
    plan_pages(build)
    if build.warmed is not None:
        build.site.prepared = build.warmed()
    jobs = parallel.job_count(build.jobs, len(routes))
    mark, parent = len(reporter.warnings), os.getpid()
    beside: list[str] = []
    mine = _shown_beside(build) if jobs > 1 else []
    taken = set(mine)
    rest = [number for number in range(len(routes)) if number not in taken]
    own: list[Rendered] = []
    failed: list[MmsiteError] = []  # by the stages beside the pages

    def first() -> None:
        for work in build.meanwhile:
            work()
        if jobs == 1:
            return
        own.append(render_routes(build, _once(len(mine)), here=False, order=mine))
        with reporter.capturing() as warned:
            for stage in build.beside:
                try:
                    run_step(build, stage)
                except BuildErrors as exc:  # reported with the pages' (all in one run)
                    failed.extend(exc.errors)
                except MmsiteError as exc:
                    failed.append(exc)
        beside.extend(warned)
        build.done.update(stage.name for stage in build.beside)

    if jobs == 1:
        first()
    results = parallel.map_shared(
        jobs,
        len(rest),
        lambda take: render_routes(build, take, os.getpid() == parent, rest),
        first if jobs > 1 else None,
    )
    errors: list[tuple[int, MmsiteError]] = []
    warnings: list[tuple[int, str]] = []
    for index, done in enumerate(own + results):
        if index > len(own):  # own and results[0] are this process's share
            _adopt(build, done)
        build.result.pages += done.pages
        errors += done.errors
        warnings += done.warnings
    # the order of one process: pages by route, then the steps that ran beside them
    reporter.replace_since(mark, [text for _, text in sorted(warnings)] + beside)
    if errors or failed:
        pages = [error for _, error in sorted(errors, key=lambda item: item[0])]
        raise BuildErrors(_once_each(pages + failed))


def _stage_errors(context: Build) -> list[MmsiteError]:
    """The mistakes the stages find in a site that already has some (the build fails
    anyway: its output is never swapped in)."""
    try:
        pipeline.run(context, run_step)
    except BuildErrors as exc:
        return exc.errors
    except MmsiteError as exc:
        return [exc]
    return []


def plan_pages(build: Build) -> None:
    """Promise every page's file before any is written (:meth:`OutputTree.plan`; the
    router already refused two pages with one URL): a step that runs while other
    processes render (aliases, feeds) sees the pages' files as taken, and one that
    writes such a file is an error naming the page."""
    for route in build.site.router.routes:
        build.out.plan(route.output, route.page.source)


def _once_each(errors: list[MmsiteError]) -> list[MmsiteError]:
    """Each mistake once: a feed showing a page's body, or another language's fallback,
    meets the page's own mistakes; a template's mistake is met by every page it renders
    (said once, with the count of pages)."""
    counts = collections.Counter(_same_mistake(e) for e in errors)
    seen: set[str] = set()
    once = []
    for error in errors:
        text = _same_mistake(error)
        if text in seen:
            continue
        seen.add(text)
        if counts[text] > 1 and error.path is not None and error.path.suffix != ".md":
            others = counts[text] - 1  # the page named, and the others
            message = _RENDERING.sub(rf"\g<0> and {others} more", error.message, count=1)
            message = f"{message} (on {counts[text]} pages)"
            error = MmsiteError(message, error.path, error.line, error.hint)
        once.append(error)
    return once


# "template error (rendering about.md): ..." names the first page a template failed on
_RENDERING = re.compile(r"(?<=\(rendering )[^)]*(?=\))")


def _same_mistake(error: MmsiteError) -> str:
    """A mistake as text, without the page a template was rendering (one mistake of a
    template met by many pages is said once)."""
    return _RENDERING.sub("", str(error), count=1)


def _shown_beside(build: Build) -> list[int]:
    """Numbers of the routes whose bodies the stages in ``build.beside`` show."""
    routes = build.site.router.routes
    number = {id(route): n for n, route in enumerate(routes)}
    shown = {
        number[id(route)]
        for stage in build.beside
        if stage.shows is not None
        for route in stage.shows(build.site)
        if id(route) in number
    }
    return sorted(shown)


def _once(count: int) -> parallel.Take:
    """A ``take`` that hands out ``0 .. count - 1`` in one go."""
    left = [range(count)] if count else []
    return lambda: left.pop() if left else None


def run_step(build: Build, stage: Stage) -> None:
    """One build step, what it reads and warns recorded (see :mod:`mmsite.delta`)."""
    if stage.name == PAGES:
        stage.run(build)
        return
    build.out.step = stage.name  # named if it writes a page's file
    try:
        with build.cache.step(stage.name):
            stage.run(build)
    finally:
        build.out.step = ""


def load_site(
    root: Path,
    options: BuildOptions,
    reporter: Reporter,
    documents: DocumentLoader | None = None,
    config: Config | None = None,
) -> tuple[Site, Theme]:
    registry = pipeline.registry_for(options.registry)
    if config is None:
        config = _config(root, options)
    return pipeline.load_site(config, registry, reporter, options.drafts, documents)


def _config(root: Path, options: BuildOptions) -> Config:
    return pipeline.site_config(root, pipeline.registry_for(options.registry), options.base_url)


def input_folders(
    config: Config, theme: Theme, registry: Registry
) -> tuple[list[str], list[str], list[str]]:
    """What a build reads: (folders, single files, folders where discovery skips hidden
    names), for :mod:`mmsite.engine.stamps`."""
    folders, files = pipeline.input_paths(config, theme, registry)
    return folders, files, [str(config.content_dir)]


Known = tuple[stamps.State | None, stamps.Changes | None]


def build(
    root: Path,
    options: BuildOptions | None = None,
    cache: BuildCache | None = None,
    background_cleanup: bool = False,
    known: Known | None = None,
) -> BuildResult:
    """Build the site in ``root``; raise :class:`MmsiteError` on any user mistake.

    ``cache`` keeps incremental state between builds in one process (``mmsite serve``);
    without it the on-disk cache of the output folder is used (unless ``options.cache``
    is false). ``background_cleanup`` deletes the replaced output in a thread. ``known``
    is the last build's state and what changed since, when the caller already compared
    them (``mmsite build`` does, before loading anything).

    With the cache on, nothing changed means nothing to do; an edit of page bodies
    only is a delta build (:mod:`mmsite.delta`); anything else a full build that reuses
    unchanged pages (:mod:`mmsite.incremental`)."""
    try:
        options = options or BuildOptions()
        if options.registry is None:  # one registry for the whole build
            options = dataclasses.replace(options, registry=pipeline.registry_for(None))
        return _build(root, options, cache, background_cleanup, known)
    finally:
        gc.unfreeze()  # what no_gc() froze (the model, caches) may be collected again


def _build(
    root: Path,
    options: BuildOptions,
    cache: BuildCache | None,
    background_cleanup: bool,
    known: Known | None,
) -> BuildResult:
    started = time.perf_counter()
    root = root.resolve()
    config = _config(root, options)
    output = options.output or config.output_dir
    output.parent.mkdir(parents=True, exist_ok=True)
    with output_lock(output):
        return _build_locked(root, options, cache, background_cleanup, known, config, started)


def _build_locked(
    root: Path,
    options: BuildOptions,
    cache: BuildCache | None,
    background_cleanup: bool,
    known: Known | None,
    config: Config,
    started: float,
) -> BuildResult:
    """:func:`_build` once this process holds the output's lock."""
    if options.clean:
        drop_cache(root)
    output = options.output or config.output_dir
    if cache is None:
        cache = BuildCache.for_site(root, output, options.cache)
    if options.cache and not options.clean:
        state, changes = known if known is not None else _compare(root, options, cache)
        if state is not None and changes is not None:
            if changes.none:
                return unchanged_result(state, started)
            try:
                result = build_delta(
                    root, options, cache, state, changes, config, started, background_cleanup
                )
            except delta.DamagedSnapshot:
                result = None  # nothing was written: build it all
            if result is not None:
                return result
        scanned = changes.inputs if changes is not None else None
    else:
        state, scanned = None, None
    try:
        return _full_build(
            root, options, cache, config, background_cleanup, started, state, scanned
        )
    finally:
        cache.documents.close()  # a prefill child still preparing bodies: a failed build


def _compare(root: Path, options: BuildOptions, cache: BuildCache) -> Known:
    """The last build's state and what changed since. In memory (``mmsite serve``) the
    output folder is the server's own (below .mmsite-cache/): it is not re-checked."""
    if cache.path is not None:
        return stamps.check(root, options.drafts, options.base_url, options.output)
    state = cache.state
    if state is None:
        return None, None
    return state, stamps.compare(state, _environment(root, options), check_output=False)


def _environment(root: Path, options: BuildOptions) -> str:
    return stamps.environment_key(
        root, stamps.options_key(options.drafts, options.base_url, options.output)
    )


def _full_build(
    root: Path,
    options: BuildOptions,
    cache: BuildCache,
    config: Config,
    background_cleanup: bool,
    started: float,
    state: stamps.State | None = None,
    scanned: stamps.Stamps | None = None,
) -> BuildResult:
    """``scanned``: the input stamps the comparison with ``state`` just took (reused
    when the build reads the same folders)."""
    reporter = Reporter()
    output = options.output or config.output_dir
    theme = Theme.find(config)
    registry = pipeline.registry_for(options.registry)
    folders, files, hidden = input_folders(config, theme, registry)
    state_file = stamps.state_path(root, options.output)
    if options.cache:
        same = state is not None and (state.folders, state.files) == (folders, files)
        inputs = scanned if same and scanned is not None else None
        if inputs is None:  # taken before anything is read
            inputs = stamps.scan_inputs(folders, files, hidden)
        if cache.path is not None:
            stamps.forget(state_file)
    cache.load()
    cache.documents.jobs = options.jobs
    cache.documents.scanned = inputs if options.cache else {}
    if markdown.markdown_it_pyrs is not None:  # else there is nothing to prepare
        cache.documents.warm = warm_bodies(config, registry.markdown_rules)
    model_reads: set[Dep] = set()
    content.set_read_hook(lambda page, kind: _model_read(model_reads, page, kind))
    early: list[MmsiteError] = []  # mistakes found loading: the stages look for theirs too
    try:
        with no_gc():
            site, theme = load_site(root, options, reporter, cache.documents, config)
    except pipeline.SiteErrors as exc:
        site, theme, early = exc.site, exc.theme, exc.errors
    finally:
        content.set_read_hook(None)
    tree = _output_tree(options, cache, output, root)
    result = BuildResult(output=output, languages=len(config.languages))
    try:
        env = _environment_for(site, theme, root)
        session = cache.session(site, theme, env, tree)
        context = Build(site, theme, env, tree, result, session, options.progress, options.jobs)
        context.stages = pipeline.stages(registry, site.config, render_pages)
        context.warmed = cache.documents.warmed
        pickled: list[delta.PickledSite | None] = []
        if options.cache and cache.path is not None:
            context.meanwhile = [cache.save_documents, lambda: pickled.append(_pickle(context))]
        if early:
            context.skip = {error.path for error in early if error.path is not None}
            raise BuildErrors(_once_each(early + _stage_errors(context)))
        pipeline.run(context, run_step)
        result.files = len(tree.written)
    except BaseException:
        tree.abort()
        raise
    # the records of every page saved, the snapshot made: no cycle collections meanwhile
    with no_gc():
        build_id = new_build_id()
        saved: parallel.Answer | None = None
        try:
            if options.cache:
                cache.save_documents()  # (prunes the documents the snapshot names)
                snapshot = functools.partial(
                    delta.make_snapshot,
                    site,
                    theme,
                    build_id,
                    inputs,
                    cache.documents.fronts(),
                    model_reads,
                    session.steps,
                    session.current,
                    session.global_key,
                    pickled[0] if pickled else None,
                )
                if cache.path is not None:
                    path = delta.snapshot_path(cache.path)
                    saved = _save_snapshot(path, snapshot, options.jobs)
            tree.commit(background_cleanup)
        except BaseException:
            tree.abort()
            if saved is not None:
                saved.close()
            raise
        session.finish(build_id)
        result.rendered, result.reused = session.report.rendered, session.report.reused
        result.changed, result.linked = tree.fresh, tree.linked
        result.warnings = reporter.warnings
        if options.cache:
            state = stamps.State(
                env=_environment(root, options),
                output=str(output.resolve()),
                folders=folders,
                files=files,
                skip_hidden=hidden,
                inputs=inputs,
                outputs=_outputs(tree, output, session),
                summary=_summary(result, build_id),
                warnings=list(result.warnings),
            )
            if saved is not None:
                saved.get()  # written (or, if the child failed, written here)
            else:
                try:
                    cache.snapshot = snapshot()  # mmsite serve: kept in memory
                except UNPICKLABLE:
                    cache.snapshot = None
            _keep(cache, state_file, state)
    result.seconds = time.perf_counter() - started
    return result


def _pickle(build: Build) -> delta.PickledSite | None:
    """The snapshot's site, pickled while pages render when the steps that follow them
    are built in (they do not change the site; an extension's step might)."""
    after = build.stages[[s.name for s in build.stages].index(PAGES) + 1 :]
    if build.beside != after:
        return None
    try:
        return delta.pickle_site(build.site, build.theme)
    except UNPICKLABLE:
        return None  # the snapshot is then skipped too (see _save_snapshot)


def _save_snapshot(
    path: Path, make: Callable[[], delta.Snapshot], jobs: int | None
) -> parallel.Answer:
    """Make and write the snapshot the next delta build starts from, in a forked child
    while this process saves the page records and stamps the output (~0.1 s of the end
    of a 9,000-page build); :meth:`parallel.Answer.get` waits for it, and writes it
    here when the child could not (one process, or the child failed)."""

    def write() -> bool:
        try:
            delta.save_snapshot(path, make())
        except UNPICKLABLE:
            path.unlink(missing_ok=True)  # no delta builds until a full build can save one
            return False
        return True

    return parallel.Answer(write, jobs)


def _environment_for(site: Site, theme: Theme, root: Path) -> jinja2.Environment:
    return pipeline.environment(site, theme, root / CACHE_DIR / "jinja")


def _output_tree(options: BuildOptions, cache: BuildCache, output: Path, root: Path) -> OutputTree:
    """A staging folder swapped in at the end, or with ``options.in_place`` (and a
    previous build in this process) the output folder updated in place."""
    state = cache.state if cache.path is None else None
    if options.in_place and state is not None and Path(state.output) == output.resolve():
        files = [rel for rel, stamp in state.outputs.items() if len(stamp) != 1]  # not folders
        return InPlaceOutput(output, root, files)
    # the replaced output is kept for the next delta build (mmsite build's, on disk)
    return OutputTree(output, root, keep_spare=options.cache and cache.path is not None)


def _outputs(tree: OutputTree, output: Path, session: Session) -> stamps.Stamps:
    """Stamps of the output files (what `mmsite build` checks next time), mostly as
    taken when each file was written (the page records have them); an output updated in
    place (serve) is not checked, its file list is enough."""
    if isinstance(tree, InPlaceOutput):
        return {str(rel): () for rel in tree.written}
    records = session.current
    files: dict[str, stamps.Stamp | None] = {MARKER: None}
    for rel in tree.written:
        entry = records.get(text := str(rel))
        files[text] = entry.stat if entry is not None else tree.written_stat(rel)
    return stamps.output_stamps(output.resolve(), files)


def _model_read(reads: set[Dep], page: Page, kind: str) -> None:
    if kind == "b":
        reads.add(page_dep(page, "b"))


def _summary(result: BuildResult, build_id: str) -> dict[str, Any]:
    return {
        "pages": result.pages,
        "files": result.files,
        "languages": result.languages,
        "images": result.images,
        "build": build_id,
    }


def _keep(cache: BuildCache, state_file: Path, state: stamps.State) -> None:
    """Remember the state for the next build (its snapshot is saved by then)."""
    if cache.path is None:
        cache.state = state
        return
    stamps.save(state_file, state)


# -- delta builds ----------------------------------------------------------------


def build_delta(
    root: Path,
    options: BuildOptions,
    cache: BuildCache,
    state: stamps.State,
    changes: stamps.Changes,
    config: Config,
    started: float,
    background_cleanup: bool = False,
) -> BuildResult | None:
    """Apply an edit of page bodies (see :mod:`mmsite.delta`); None when the change
    needs a full build. The published output is swapped like a full build's
    (:class:`SwapOutput`), ``mmsite serve``'s own folder updated in place."""
    content_dir = str(config.content_dir) + os.sep
    if changes.added or changes.removed:
        return None
    if not all(_is_page_file(path, content_dir) for path in changes.changed):
        return None
    intact = changes.output_answer(options.jobs)  # checked beside the snapshot's load
    try:
        if cache.path is None:
            snapshot = cache.snapshot
        else:
            snapshot = delta.load_snapshot(delta.snapshot_path(cache.path))
        if snapshot is None or snapshot.build_id != state.summary.get("build"):
            return None
        since = {p for p, stamp in changes.inputs.items() if snapshot.stamps.get(p) != stamp}
        if not all(_is_page_file(path, content_dir) for path in since):
            return None
        if not intact.get():
            return None
    finally:
        intact.close()
    if not delta.patch_bodies(snapshot, since):
        if cache.path is None:
            cache.snapshot = None  # its pages may be half patched
        return None
    if cache.path is not None:  # page records: the snapshot's, then what deltas changed
        cache.build_id, cache.output = snapshot.build_id, state.output
        journal = cache.read_journal()[0]
        snapshot.add_entries(journal)
        cache.pages = {**snapshot.derived, **journal}
    edited = delta.body_deps(snapshot, changes.changed)
    registry = pipeline.registry_for(options.registry)
    # steps that show bodies (feeds) and will run again: the kept bodies are worth loading
    # (a step that only depends on bodies, such as the search index, does not show them)
    showing = {output.name for output in registry.outputs if output.shows is not None}
    shown = any(record.deps & edited for name, record in snapshot.steps.items() if name in showing)
    site = delta.fresh_site(snapshot, since, shown)
    site.registry, site.renderer = registry, render_body
    output = Path(state.output)
    tree = InPlaceOutput(output, root) if cache.path is None else SwapOutput(output, root)
    result = BuildResult(output=output, languages=len(config.languages), kind="delta")
    env = _environment_for(site, snapshot.theme, root)
    session = cache.session(site, snapshot.theme, env, tree)
    session.global_key = snapshot.global_key
    session.changed = frozenset(edited)
    session.know(page for path in since for page in snapshot.pages_from(path))
    context = Build(site, snapshot.theme, env, tree, result, session)
    context.stages = pipeline.stages(registry, site.config, render_pages)
    affected = set().union(*(snapshot.bodies.get(dep, set()) for dep in edited))
    for rel, warnings in snapshot.warned.items():
        if rel not in affected:
            _replay(site.reporter, warnings)
    try:
        for stage in context.stages:
            if stage.name == PAGES:
                _render_affected(context, affected, snapshot.routes)
                continue
            record = snapshot.steps.get(stage.name)
            if record is None:
                tree.abort()
                return None
            if record.deps & edited:
                with session.step(stage.name):
                    stage.run(context)
            else:
                _replay(site.reporter, record.warnings)
        tree.commit(background_cleanup)
    except BaseException:
        tree.abort()
        raise
    snapshot.steps.update(session.steps)
    snapshot.add_entries(session.current)
    groups = session.named_groups(session.current.values())
    cache.write_journal(session.current, session.digests(edited), groups)
    if cache.path is None:
        snapshot.stamps.update({p: changes.inputs[p] for p in since})
    state.inputs = changes.inputs
    for rel in tree.removed - tree.written:  # files a step no longer writes (deleted)
        state.outputs.pop(str(rel), None)
    state.outputs.update(_output_stamps(output, tree.fresh | _folders_of(tree.removed)))
    if isinstance(tree, SwapOutput):  # every folder and the marker are new
        _restamp(output, state.outputs)
    result.pages = state.summary["pages"]
    result.files = state.summary["files"]
    result.images = state.summary["images"]
    result.rendered = session.report.rendered
    result.reused = result.pages - result.rendered
    result.changed, result.linked = tree.fresh, tree.linked
    result.warnings = site.reporter.warnings
    state.warnings = list(result.warnings)
    _keep(cache, stamps.state_path(root, options.output), state)
    result.seconds = time.perf_counter() - started
    return result


def _is_page_file(path: str, content_dir: str) -> bool:
    return (
        path.startswith(content_dir)
        and path.endswith(".md")
        and not path[len(content_dir) :].startswith("i18n" + os.sep)
    )


def _replay(reporter: Reporter, warnings: tuple[tuple[str, str | None], ...]) -> None:
    for message, path in warnings:
        reporter.warn(message, path)


def _render_affected(build: Build, outputs: set[str], index: dict[str, int]) -> None:
    """Render the routes whose output is in ``outputs`` (``index``: output -> route
    number), in route order."""
    errors: list[MmsiteError] = []
    routes = build.site.router.routes
    for number in sorted(index[rel] for rel in outputs if rel in index):
        route = routes[number]
        with build.cache.tracking(route) as reads:
            try:
                html = build.render_page(route)
            except MmsiteError as exc:
                if exc.path is None:
                    exc.path = route.page.source
                errors.append(exc)
                continue
        build.out.write(route.output, html)
        build.cache.record(route.output, reads)
    if errors:
        raise BuildErrors(errors)


def _restamp(output: Path, outputs: stamps.Stamps) -> None:
    """New stamps of the folders and the marker of a swapped-in output (its other files
    are the previous ones, linked, or in ``outputs`` already)."""
    base = str(output)
    for rel, stamp in outputs.items():
        if len(stamp) == 1:
            outputs[rel] = (os.stat(f"{base}/{rel}" if rel else base).st_mtime_ns,)
    if MARKER in outputs:
        outputs[MARKER] = stat_key(f"{base}/{MARKER}")


def _folders_of(rels: set[PurePosixPath]) -> set[PurePosixPath]:
    return {rel.parent for rel in rels}


def _output_stamps(output: Path, rels: set[PurePosixPath]) -> stamps.Stamps:
    """New stamps of rewritten files and of the folders they were renamed in (and of
    folders given themselves, where files were deleted)."""
    found: stamps.Stamps = {}
    for rel in rels:
        path = output.joinpath(*rel.parts)
        if path.is_dir():
            found[str(rel) if str(rel) != "." else ""] = (path.stat().st_mtime_ns,)
            continue
        if not path.exists():  # a folder emptied by deletions, removed with them
            continue
        st = path.stat()
        found[str(rel)] = (st.st_ino, st.st_size, st.st_mtime_ns)
        folder = rel.parent
        found[str(folder) if str(folder) != "." else ""] = (path.parent.stat().st_mtime_ns,)
    return found
