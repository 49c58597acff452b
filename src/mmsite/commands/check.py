"""``mmsite check``: check the built site (links, anchors, images, translations,
duplicates) and print the findings and the translation coverage.

The checks are in :mod:`mmsite.commands.checks`, imported only when the command runs.
"""

from __future__ import annotations

import argparse

from mmsite.commands.options import add_common, build_options, report
from mmsite.errors import Reporter

HELP = "check the built site: links, anchors, images, translations, duplicates"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument("--build", action="store_true", help="build first, then check")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument(
        "--only", action="append", metavar="CHECK", help="run only this check (repeatable)"
    )
    parser.add_argument("--list", action="store_true", help="name the checks and stop")


def run(args: argparse.Namespace) -> int:
    from mmsite.commands.checks import ERROR, WARNING, check_list, coverage, run_checks
    from mmsite.engine.build import build, load_site

    if args.list:
        print(check_list())
        return 0

    root = args.site.resolve()
    options = build_options(args)
    if args.build:
        report(build(root, options))
    site, _theme = load_site(root, options, Reporter())
    findings = run_checks(site, options.output or site.config.output_dir, args.only)
    for finding in findings:
        print(finding)
    print("\ntranslations (pages per section and language):")
    print(coverage(site).table())
    errors = sum(f.level == ERROR for f in findings)
    warnings = sum(f.level == WARNING for f in findings)
    print(f"\n{errors} error(s), {warnings} warning(s)")
    return 1 if errors or (args.strict and warnings) else 0
