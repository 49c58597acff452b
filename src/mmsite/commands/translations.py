"""``mmsite translations``: the status of every language (current, outdated, missing;
words to translate), and the translator hand-off: ``export`` writes XLIFF for a
language, ``import`` writes the translated ``*.LANG.md`` files.

What it runs is in :mod:`mmsite.features.translations`, imported only then.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mmsite.commands.options import HelpFormatter, add_verbosity
from mmsite.errors import MmsiteError

if TYPE_CHECKING:
    from mmsite.features.site import Site
    from mmsite.features.translations.status import Report

HELP = "translation status per language; export and import XLIFF for translators"
DESCRIPTION = """\
mmsite translations              status table: current, outdated, missing, words
mmsite translations export --lang ja [--missing | --outdated] [-o FILE]
mmsite translations import FILE  write or update the *.ja.md files"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    _site_options(parser)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    export = actions.add_parser(
        "export",
        help="XLIFF of what a language lacks",
        description="Write an XLIFF 1.2 file of what a language lacks, for a CAT tool.",
        formatter_class=HelpFormatter,
    )
    _site_options(export)
    add_verbosity(export)
    export.add_argument("--lang", required=True, help="target language code, e.g. ja")
    which = export.add_mutually_exclusive_group()
    which.add_argument("--missing", action="store_true", help="only pages not translated yet")
    which.add_argument("--outdated", action="store_true", help="only outdated translations")
    export.add_argument(
        "--output", "-o", type=Path, help="XLIFF file (default: translations-LANG.xlf)"
    )
    imported = actions.add_parser(
        "import",
        help="write *.LANG.md from a translated XLIFF",
        description="Write or update the *.LANG.md files from an XLIFF file a translator "
        "filled in; untranslatable fields stay inherited.",
        formatter_class=HelpFormatter,
    )
    _site_options(imported)
    add_verbosity(imported)
    imported.add_argument("file", type=Path, help="the XLIFF file the translator returned")


def _site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site", type=Path, default=argparse.SUPPRESS, help="site folder (default: .)"
    )


def run(args: argparse.Namespace) -> int:
    args.site = getattr(args, "site", Path("."))
    site = _load(args.site.resolve())
    if args.action == "export":
        return export(site, args)
    if args.action == "import":
        return import_file(site, args.file)
    return status(site)


def _load(root: Path) -> Site:
    from mmsite.engine.build import BuildOptions, load_site
    from mmsite.errors import Reporter

    site, _theme = load_site(root, BuildOptions(), Reporter())
    return site


def _report(site: Site) -> Report:
    from mmsite.features.translations.feature import site_report
    from mmsite.features.translations.status import NOT_GIT, SHALLOW

    report = site_report(site)
    if report.state in ("not_git", "shallow"):
        print(f"warning: {NOT_GIT if report.state == 'not_git' else SHALLOW}", file=sys.stderr)
    return report


def status(site: Site) -> int:
    from mmsite.features.translations.status import MISSING, OUTDATED, status_table

    report = _report(site)
    print(
        status_table(
            report, [c for c in site.config.languages if c != site.config.default_language]
        )
    )
    for entry in report.entries:
        if entry.status == OUTDATED and entry.change is not None:
            change = entry.change
            print(
                f"{entry.lang}  outdated  {entry.translation}: {entry.source} changed on "
                f"{change.when:%Y-%m-%d} ({change.describe()}), {entry.words} words"
            )
        elif entry.status == MISSING:
            print(f"{entry.lang}  missing   {entry.translation} ({entry.words} words)")
    return 0


def _lang(site: Site, lang: str) -> str:
    config = site.config
    if lang not in config.languages or lang == config.default_language:
        others = [c for c in config.languages if c != config.default_language]
        near = difflib.get_close_matches(lang, others, 1, cutoff=0.5)
        hint = f"did you mean {near[0]!r}? " if near else ""
        raise MmsiteError(
            f"--lang {lang!r} is not a language to translate into",
            config.path,
            hint=hint + "languages in site.yaml: " + ", ".join(others),
        )
    return lang


def export(site: Site, args: argparse.Namespace) -> int:
    from mmsite.features.translations.status import CURRENT, MISSING, OUTDATED
    from mmsite.features.translations.xliff import export_xliff

    lang = _lang(site, args.lang)
    wanted = {MISSING} if args.missing else {OUTDATED} if args.outdated else {MISSING, OUTDATED}
    entries = [e for e in _report(site).entries if e.lang == lang and e.status in wanted]
    assert CURRENT not in wanted
    output = args.output or Path(f"translations-{lang}.xlf")
    if not entries:
        print(f"nothing to translate into {lang}: {output} not written")
        return 0
    output.write_bytes(export_xliff(site.config, lang, [e.source for e in entries]))
    words = sum(e.words for e in entries)
    print(f"wrote {output}: {len(entries)} file(s), {words} word(s) to translate into {lang}")
    return 0


def import_file(site: Site, path: Path) -> int:
    from mmsite.features.translations.xliff import read_xliff, write_translation

    lang, entries = read_xliff(site.config, path)
    skipped = 0
    for entry in entries:
        if entry.untranslated:
            print(
                f"skipped {entry.source}: {entry.untranslated} segment(s) without a translation",
                file=sys.stderr,
            )
            skipped += 1
            continue
        written = write_translation(site.config, lang, entry, path)
        print(f"wrote {written.relative_to(site.config.root).as_posix()}")
    return 1 if skipped else 0
