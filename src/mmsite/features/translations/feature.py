"""The translations feature: ``mmsite check`` lists outdated translations (check
``outdated-translations``) with the source's change date and how much changed; with
``translations: {outdated_notice: true}`` in site.yaml, an outdated translation shows a
notice ("the original was updated since this translation", UI string
``translation_outdated``).

The notice depends on the git history, which is an input of the build like a file: the
files that change with every commit (``.git/HEAD``, the branch's ref, ``packed-refs``)
are declared with :class:`~mmsite.features.registry.Inputs`, so a commit is a change for
``mmsite build`` and for every page's key, and an incremental build equals a clean one."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmsite.config.options import Config, ConfigSection, SectionContext, boolean, mapping, only
from mmsite.features.checking import NOTE, WARNING, CheckContext, Finding
from mmsite.features.registry import Check, Feature, Inputs, ModelContext, provides
from mmsite.features.site import PageView, Site
from mmsite.features.translations.status import (
    NOT_GIT,
    OUTDATED,
    SHALLOW,
    Entry,
    Report,
    site_path,
    translation_report,
)

CHECK = "outdated-translations"


def site_report(site: Site) -> Report:
    config = site.config
    return translation_report(site.model, config.root, config.languages, config.default_language)


def outdated_message(entry: Entry) -> str:
    change = entry.change
    assert change is not None
    since = f" (on {change.since:%Y-%m-%d})" if change.since else ""
    return (
        f"outdated: {entry.source} changed on {change.when:%Y-%m-%d} "
        f"({change.describe()}) after this translation's last change{since}; "
        f"{change.words} word(s) to translate"
    )


def check_outdated(ctx: CheckContext) -> Iterator[Finding]:
    """Translations whose source changed in a git commit after their own last one."""
    report = site_report(ctx.site)
    if report.state == "not_git":
        yield Finding(NOTE, CHECK, ".", NOT_GIT)
        return
    if report.state == "shallow":
        yield Finding(WARNING, CHECK, ".git", SHALLOW)
    for entry in report.of(OUTDATED):
        yield Finding(WARNING, CHECK, entry.translation, outdated_message(entry))


@dataclass(frozen=True)
class TranslationOptions:
    outdated_notice: bool = False  # show a notice on outdated translations
    required: tuple[str, ...] = ()  # languages where a missing translation is a warning


def parse_options(value: Any, ctx: SectionContext) -> TranslationOptions:
    keys = ("translations",)
    data = mapping(value, keys, ctx.lines)
    only(data, {"outdated_notice", "required"}, keys, ctx.lines)
    notice = data.get("outdated_notice", False)
    return TranslationOptions(
        boolean(notice, (*keys, "outdated_notice"), ctx.lines),
        required_languages(data.get("required", False), ctx),
    )


def required_languages(value: Any, ctx: SectionContext) -> tuple[str, ...]:
    """``required: [fr, es]`` or ``required: true`` (every language but the default)."""
    keys = ("translations", "required")
    if value is True:
        return tuple(ctx.languages)
    if value is False:
        return ()
    if not isinstance(value, list) or not all(isinstance(lang, str) for lang in value):
        raise ctx.lines.error(keys, "must be a list of language codes or true, e.g. [fr, es]")
    for lang in value:
        if lang not in ctx.languages:
            near = difflib.get_close_matches(lang, sorted(ctx.languages), 1, cutoff=0.5)
            hint = f"did you mean {near[0]!r}?" if near else None
            known = ", ".join(ctx.languages)
            raise ctx.lines.error(keys, f"{lang!r} is not one of the languages ({known})", hint)
    return tuple(value)


def notice_on(config: Config) -> bool:
    return config.section("translations").outdated_notice


def required(config: Config, lang: str) -> bool:
    """A missing translation into ``lang`` is a warning (``--strict`` fails), not a note."""
    return lang in config.section("translations").required


def git_state(config: Config) -> list[Path]:
    """The files a commit or a checkout changes, when the notice is on and the site
    folder holds the repository (``.git/`` inside it)."""
    git = config.root / ".git"
    if not notice_on(config) or not git.is_dir():
        return []
    found = [git / "HEAD", git / "packed-refs"]
    head = (git / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
    if head.startswith("ref: "):
        found.append(git / head[len("ref: ") :])
    return [path for path in found if path.is_file()]


def warn_untracked(ctx: ModelContext) -> None:
    config = ctx.config
    if notice_on(config) and not (config.root / ".git").is_dir():
        ctx.reporter.warn(
            "translations.outdated_notice needs the site folder to be the git repository's "
            "root (.git/ inside it): no notice is shown",
            config.path,
        )


def outdated_map(site: Site) -> dict[str, dt.date]:
    """Outdated translation file (below the site folder) -> the source's change date."""
    report = site_report(site)
    return {e.translation: e.change.when.date() for e in report.of(OUTDATED) if e.change}


@provides("translation_outdated")
def outdated_context(view: PageView) -> dict[str, Any]:
    """``translation_outdated``: ``{"date": ...}`` on an outdated translation, else None."""
    site = view.site
    page = view.page
    config = site.config
    if (
        not notice_on(config)
        or view.route.fallback
        or page.virtual
        or page.lang == config.default_language
        or not (config.root / ".git").is_dir()
    ):
        return {"translation_outdated": None}
    outdated = site.memo("translations.outdated", None, lambda: outdated_map(site))
    when = outdated.get(site_path(page))
    return {"translation_outdated": {"date": when} if when else None}


FEATURE = Feature(
    "translations",
    config=(ConfigSection("translations", parse_options),),
    model=(warn_untracked,),
    context=(outdated_context,),
    inputs=(Inputs(git_state),),
    checks=(Check(CHECK, check_outdated),),
)
