"""Which translations are current, outdated or missing.

A translation is *outdated* when its default-language source changed (body or a
translatable field, see :mod:`.fields`) in a commit after the translation's own last
commit. The history comes from :mod:`.history` (one ``git log``, one ``git cat-file``
for the versions compared); outside git nothing is outdated and :attr:`Report.state`
says why.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mmsite.content.model import ContentModel, Page
from mmsite.features.translations.fields import Translatable, count_words, of_page, translatable
from mmsite.features.translations.history import History, read_history

CURRENT, OUTDATED, MISSING = "current", "outdated", "missing"
NOT_GIT = "not a git repository: outdated translations are not checked"
SHALLOW = (
    "shallow git clone: outdated translations are judged on the commits fetched only; "
    "fetch the whole history (actions/checkout: `fetch-depth: 0`, or `git fetch --unshallow`)"
)


@dataclass(frozen=True)
class Change:
    """How the source changed since the translation's last commit."""

    when: dt.datetime  # the newest source commit that changed something translatable
    since: dt.datetime | None  # the translation's last commit
    fields: tuple[str, ...]  # translatable fields that differ
    added: int  # body lines added
    removed: int  # body lines removed
    words: int  # words to translate again (changed fields and added lines)

    def describe(self) -> str:
        parts = list(self.fields)
        if self.added or self.removed:
            parts.append(f"body +{self.added}/-{self.removed} lines")
        return ", ".join(parts)


@dataclass(frozen=True)
class Entry:
    """One translation (or missing translation) of one source file."""

    lang: str
    source: str  # the default-language file, relative to the site folder
    translation: str  # the translation's file (as it is or would be named)
    status: str
    words: int  # words to translate: all of the source's when missing
    change: Change | None = None


@dataclass
class Report:
    state: str  # "ok" | "not_git" | "shallow"
    entries: list[Entry] = field(default_factory=list)

    def of(self, status: str, lang: str | None = None) -> list[Entry]:
        return [e for e in self.entries if e.status == status and lang in (None, e.lang)]


def site_path(page: Page) -> str:
    """A page's file relative to the site folder (``content/...``), as git names it."""
    return f"content/{page.rel}"


def translation_name(source: str, lang: str) -> str:
    """``content/products/salt.md`` -> ``content/products/salt.fr.md``."""
    return source[: -len(".md")] + f".{lang}.md"


def _pairs(model: ContentModel, root: Path, languages: Iterable[str], default: str):
    for group in model.groups.values():
        base = group.pages.get(default)
        if base is None or base.virtual:
            continue
        source = site_path(base)
        for lang in languages:
            if lang != default:
                yield base, source, lang, group.pages.get(lang)


def _body_diff(old: str, new: str) -> tuple[int, int, int]:
    added = removed = words = 0
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith(("+++", "---", "@@")):
            continue
        if line.startswith("+"):
            added += 1
            words += count_words(line[1:])
        elif line.startswith("-"):
            removed += 1
    return added, removed, words


def compare(old: Translatable, new: Translatable, when: dt.datetime, since: dt.datetime | None):
    before, after = old.field_dict(), new.field_dict()
    names = tuple(sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n)))
    added, removed, words = _body_diff(old.body, new.body)
    words += sum(count_words(after.get(n, "")) for n in names)
    return Change(when, since, names, added, removed, words)


def _candidates(history: History, source: str, translation: Page | None, root: Path):
    """(translation's last commit, newer source commits), or None when current."""
    if translation is None:
        return None
    last = history.last_commit(site_path(translation))
    if last is None:  # never committed: written after everything in the log
        return None
    newer = history.since(source, last)
    return (last, newer) if newer else None


def translation_report(
    model: ContentModel, root: Path, languages: Iterable[str], default: str,
    history: History | None = None,
) -> Report:  # fmt: skip
    """Every non-default language's status for every source file (virtual pages aside)."""
    history = history or read_history(root)
    pairs = list(_pairs(model, root, list(languages), default))
    report = Report(history.state)
    wanted: list[str | None] = []
    pending = {}
    for _base, source, lang, page in pairs:
        if history.state != "not_git":
            found = _candidates(history, source, page, root)
            if found is not None:
                last, newer = found
                old = history.version_at(source, last)
                versions = [history.made.get((c.sha, source)) for c in reversed(newer)]
                pending[(source, lang)] = (
                    last,
                    old,
                    list(zip(reversed(newer), versions, strict=True)),
                )
                wanted += [old, *versions]
    blobs = history.texts([v for v in wanted if v]) if wanted else {}
    for base, source, lang, page in pairs:
        if page is None:
            words = of_page(base.doc.meta, base.doc.body).words()
            name = translation_name(source, lang)
            report.entries.append(Entry(lang, source, name, MISSING, words))
            continue
        name = site_path(page)
        change = _change(pending.get((source, lang)), blobs, base.source)
        if change is None:
            report.entries.append(Entry(lang, source, name, CURRENT, 0))
        else:
            report.entries.append(Entry(lang, source, name, OUTDATED, change.words, change))
    report.entries.sort(key=lambda e: (e.lang, e.source))
    return report


def _change(found, blobs: dict[str, str], path: Path) -> Change | None:
    """``found``: (translation's last commit, the source's version then, the source's
    newer commits with their versions, oldest first)."""
    if found is None:
        return None
    last, old_id, newer = found
    old = translatable(blobs.get(old_id) if old_id else None, path)
    prev, changed_at = old, None
    for commit, version_id in newer:
        version = translatable(blobs.get(version_id) if version_id else None, path)
        if version != prev:
            changed_at, prev = commit.when, version
    if changed_at is None or prev == old:
        return None
    return compare(old, prev, changed_at, last.when)


def status_table(report: Report, languages: list[str]) -> str:
    """One row per language: current, outdated, missing, words to translate."""
    head = ("language", CURRENT, OUTDATED, MISSING, "words")
    rows = [head]
    for lang in languages:
        entries = [e for e in report.entries if e.lang == lang]
        counts = [sum(e.status == s for e in entries) for s in (CURRENT, OUTDATED, MISSING)]
        rows.append((lang, *map(str, counts), str(sum(e.words for e in entries))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )
