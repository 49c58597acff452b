"""What ``mmsite check`` runs (:mod:`mmsite.commands.check`): read a built site and its
content model; report what would hurt visitors.

The checks every site has are plain functions in :data:`CHECKS` (name -> function);
the features register theirs (``Feature(checks=...)``). Each gets a
:class:`~mmsite.features.checking.CheckContext` (the model, the routes, the parsed
output) and yields :class:`~mmsite.features.checking.Finding` s.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mmsite.errors import MmsiteError, relpath
from mmsite.features import xmlout
from mmsite.features.checking import ERROR, NOTE, WARNING, CheckContext, Finding, Reference
from mmsite.features.site import Site
from mmsite.features.translations.feature import required as translations_required
from mmsite.i18n.routing import Route
from mmsite.output.tree import MARKER

Check = Callable[[CheckContext], Iterable[Finding]]
# What every site is checked for; the features add theirs (``Feature(checks=...)``).
CHECKS: dict[str, Check] = {}


def register(name: str) -> Callable[[Check], Check]:
    def add(func: Check) -> Check:
        CHECKS[name] = func
        return func

    return add


def all_checks(site: Site) -> dict[str, Check]:
    """The core checks, then the features' (by name)."""
    return {**CHECKS, **{check.name: check.run for check in site.registry.checks}}


def check_list() -> str:
    """``mmsite check --list``: each check of the built-in features, one line each:
    its name and the first sentence of its docstring."""
    from mmsite.features.builtin import builtin_registry

    checks = {**CHECKS, **{check.name: check.run for check in builtin_registry().checks}}
    width = max(map(len, checks))
    return "\n".join(f"{name:<{width}}  {_summary(run)}".rstrip() for name, run in checks.items())


def _summary(run: Check) -> str:
    text = " ".join((run.__doc__ or "").replace("``", "").split())
    return text.split(". ")[0].rstrip(".")


# -- the checks ------------------------------------------------------------------


@register("links")
def check_links(ctx: CheckContext) -> Iterator[Finding]:
    """Internal links, anchors and images in every HTML file. One written in a page's
    Markdown is reported once at its line there, naming the pages that show it."""
    sources = BodyLines(ctx)
    from_body: dict[tuple[str, int, str], list[str]] = defaultdict(list)
    for rel in ctx.html_files:
        for ref, message in _broken(ctx, rel):
            source = sources.find(rel, ref.url)
            if source is None:
                yield Finding(ERROR, "links", ctx.where(rel), message, ref.line)
            else:
                from_body[(*source, message)].append(rel)
    for (where, line, message), outputs in from_body.items():
        more = f" and {len(outputs) - 1} more" if len(outputs) > 1 else ""
        yield Finding(ERROR, "links", where, f"{message} (in {outputs[0]}{more})", line)


def _broken(ctx: CheckContext, rel: str) -> Iterator[tuple[Reference, str]]:
    for ref in ctx.doc(rel).refs:
        if ref.url.lower().startswith("javascript:"):
            yield ref, "javascript: URL"
            continue
        resolved = ctx.resolve(rel, ref.url)
        if resolved is None:
            continue
        target, fragment = resolved
        if target is None:
            yield ref, f"{'missing image' if ref.is_image else 'broken link'} {ref.url}"
        elif fragment and target.endswith(".html") and fragment not in ctx.doc(target).ids:
            yield ref, f"missing anchor #{fragment} in {ref.url}"


class BodyLines:
    """Where a URL of a built page was written in the Markdown of the page it shows:
    (content file, line), from the same parser and link resolver the build used."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self._urls: dict[str, dict[str, int]] = {}

    def find(self, rel: str, url: str) -> tuple[str, int] | None:
        route = self.ctx.route_by_output.get(rel)
        if route is None or route.page.virtual:
            return None
        if rel not in self._urls:
            self._urls[rel] = self._written(route)
        line = self._urls[rel].get(url)
        if line is None:
            return None
        return relpath(route.page.source, self.ctx.site.config.root).as_posix(), line

    def _written(self, route: Route) -> dict[str, int]:
        """Every link and image URL of the page's body as the build wrote it -> its line."""
        from mmsite.render.links import link_resolver
        from mmsite.render.markdown import parser

        page = route.page
        resolve = link_resolver(route, self.ctx.router)
        body = page.body
        lines = body.split("\n")
        found: dict[str, int] = {}
        for block in parser("en", False).parse(body):
            if block.type != "inline" or not block.children or not block.map:
                continue
            for token in block.children:
                written = token.attrGet("href" if token.type == "link_open" else "src")
                if token.type not in ("link_open", "image") or not isinstance(written, str):
                    continue
                kind = "image" if token.type == "image" else "link"
                try:
                    url = resolve(written, kind, None)
                except MmsiteError:
                    continue
                at = _line_of(lines, block.map, written)
                found.setdefault(url, page.doc.body_line + at)
        return found


def _line_of(lines: list[str], span: list[int], written: str) -> int:
    """The 0-based body line of ``span`` (a block's lines) where ``written`` appears."""
    start, end = span
    for index in range(start, min(end, len(lines))):
        if written in lines[index]:
            return index
    return start


@register("duplicates")
def check_duplicates(ctx: CheckContext) -> Iterator[Finding]:
    """Two pages of one edition with the same <title> or meta description."""
    seen: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for route in ctx.router.routes:
        if route.fallback or route.page.meta.get("noindex"):
            continue
        rel = str(route.output)
        if not (ctx.output / rel).is_file():
            continue
        doc = ctx.doc(rel)
        for what, value in (("title", doc.title), ("description", doc.description)):
            if value:
                seen[(route.edition.code, what, value)].append(route.url)
    for (edition, what, value), urls in sorted(seen.items()):
        if len(urls) > 1:
            yield Finding(
                WARNING,
                "duplicates",
                edition,
                f"same {what} {value!r} on {', '.join(sorted(urls))}",
            )


@register("xml")
def check_xml(ctx: CheckContext) -> Iterator[Finding]:
    """Every published XML file (sitemaps, Atom feeds, merchant feeds) is well-formed:
    one bad character makes feed readers and Merchant Center drop the whole file."""
    for path in sorted(ctx.output.rglob("*.xml")):
        if not path.is_file():
            continue
        try:
            ET.parse(path)
        except ET.ParseError as exc:
            rel = path.relative_to(ctx.output).as_posix()
            line = exc.position[0] if exc.position else None
            yield Finding(ERROR, "xml", rel, f"not well-formed XML: {exc}", line)


@register("characters")
def check_characters(ctx: CheckContext) -> Iterator[Finding]:
    """Content files holding characters XML 1.0 forbids (a vertical tab pasted from
    Word): the build leaves them out of feeds; they belong nowhere."""
    root = ctx.site.config.root
    for page in ctx.site.model.pages:
        if page.virtual or not page.source.is_file():
            continue
        text = page.source.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.split("\n"), 1):
            found = xmlout.forbidden(line)
            if found is not None:
                where = f"{relpath(page.source, root).as_posix()}:{number}"
                char = xmlout.describe(found.group())
                yield Finding(WARNING, "characters", where, f"control character {char}: delete it")


@dataclass
class Coverage:
    """Pages per section (rows) and language (columns): translated / total."""

    languages: list[str]
    rows: dict[str, dict[str, int]]  # section -> lang -> translated pages
    totals: dict[str, int]  # section -> pages
    missing: list[tuple[str, str, str]]  # (lang, source file, section)

    def table(self) -> str:
        width = max([len(s) for s in self.rows] + [len("section")])
        head = "section".ljust(width) + "".join(f"  {lang:>7}" for lang in self.languages)
        lines = [head]
        for section, counts in self.rows.items():
            cells = "".join(
                f"  {f'{counts[lang]}/{self.totals[section]}':>7}" for lang in self.languages
            )
            lines.append(section.ljust(width) + cells)
        return "\n".join(lines)


def coverage(site: Site) -> Coverage:
    langs = list(site.config.languages)
    rows: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    missing = []
    for group in site.model.groups.values():
        page = group.default
        if page.virtual:
            continue
        section = page.section or "(root)"
        counts = rows.setdefault(section, dict.fromkeys(langs, 0))
        totals[section] = totals.get(section, 0) + 1
        for lang in langs:
            if lang in group.pages:
                counts[lang] += 1
            else:
                source = relpath(page.source, site.config.root).as_posix()
                missing.append((lang, source, section))
    order = sorted(rows, key=lambda s: (s != "(root)", s))
    return Coverage(langs, {s: rows[s] for s in order}, totals, missing)


@register("translations")
def check_translations(ctx: CheckContext) -> Iterator[Finding]:
    """Pages missing in a language (the coverage table counts them per section): a
    warning in the languages ``translations: {required: [...]}`` names, else a note (the
    site chose ``missing_translation``: the original is shown, marked, or left out)."""
    config = ctx.site.config
    for lang, source, _section in coverage(ctx.site).missing:
        level = WARNING if translations_required(config, lang) else NOTE
        yield Finding(level, "translations", source, f"no {lang!r} translation")


# -- running -------------------------------------------------------------------


def run_checks(site: Site, output: Path, only: Iterable[str] | None = None) -> list[Finding]:
    if not (output / MARKER).is_file():
        raise MmsiteError(
            f"no built site in {output}",
            hint="run `mmsite build` first, or `mmsite check --build`",
        )
    ctx = CheckContext(site, output)
    checks = all_checks(site)
    names = list(only) if only else list(checks)
    findings: set[Finding] = set()
    for name in names:
        if name not in checks:
            raise MmsiteError(f"unknown check {name!r}", hint="checks: " + ", ".join(checks))
        findings.update(checks[name](ctx))
    return sorted(findings, key=lambda f: (f.level != ERROR, f.check, f.where, f.message))
