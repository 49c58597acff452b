"""The translations feature: ``mmsite check`` lists outdated translations (check
``outdated-translations``) with the source's change date and how much changed."""

from __future__ import annotations

from collections.abc import Iterator

from mmsite.features.checking import NOTE, WARNING, CheckContext, Finding
from mmsite.features.registry import Check, Feature
from mmsite.features.site import Site
from mmsite.features.translations.status import (
    NOT_GIT,
    OUTDATED,
    SHALLOW,
    Entry,
    Report,
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
    report = site_report(ctx.site)
    if report.state == "not_git":
        yield Finding(NOTE, CHECK, ".", NOT_GIT)
        return
    if report.state == "shallow":
        yield Finding(WARNING, CHECK, ".git", SHALLOW)
    for entry in report.of(OUTDATED):
        yield Finding(WARNING, CHECK, entry.translation, outdated_message(entry))


FEATURE = Feature("translations", checks=(Check(CHECK, check_outdated),))
