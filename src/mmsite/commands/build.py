"""``mmsite build``: build the site into its output folder (``public/``).

The build pipeline (Jinja, Babel, Markdown ...) is imported only when there is something
to build: ``mmsite build`` with nothing to do answers from :mod:`mmsite.engine.stamps`
alone.
"""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from mmsite.commands.options import add_common, build_options, output_path, report
from mmsite.engine.result import BuildResult
from mmsite.output.tree import wait_for_cleanup

if TYPE_CHECKING:
    from mmsite.engine.build import Known

HELP = "build the site into public/"

# Seconds `mmsite build` waits for the replaced output to be deleted before exiting.
CLEANUP_WAIT = 0.2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument(
        "--clean",
        action="store_true",
        help="start from nothing: drop .mmsite-cache/ first (the output "
        "is still replaced only when the build succeeds)",
    )


def last_build(args: argparse.Namespace, started: float) -> Known | BuildResult:
    """The last build's result when nothing changed since; else its state and what
    changed, for the build to use."""
    from mmsite.engine import stamps
    from mmsite.engine.result import unchanged_result

    state, changes = stamps.check(
        args.site.resolve(), args.drafts, args.base_url, output_path(args)
    )
    if state is not None and changes is not None and changes.none:
        return unchanged_result(state, started)
    return state, changes


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    known = None if args.clean or args.no_cache else last_build(args, started)
    if isinstance(known, BuildResult):
        report(known)
        return 0
    from mmsite.engine.build import build

    options = build_options(args)
    if args.clean:
        options.clean = True
    report(build(args.site.resolve(), options, background_cleanup=True, known=known))
    # The new output is in place; the replaced one is deleted in a thread. Wait briefly;
    # what is left stays marked and is deleted by the next build.
    wait_for_cleanup(CLEANUP_WAIT)
    return 0
