"""What several verbs share: the build options (``--site``, ``--output``, ``--drafts``
...), the :class:`BuildOptions` they make, and how a build's result is reported."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mmsite.engine.build import BuildOptions, Progress
    from mmsite.engine.result import BuildResult


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions as written; an option's default shown when it has one worth saying
    (not None, not an on/off flag) and its help does not say it already."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            "(default" in text
            or default in (None, False, True, argparse.SUPPRESS)
            or not action.option_strings
        ):
            return text
        return f"{text} (default: %(default)s)"


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    """``-v`` and ``-q``, accepted before the command and after it (``mmsite -q build``,
    ``mmsite build -q``): nothing is set unless given; :func:`verbosity` reads them."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--verbose", "-v", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    group.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print only errors, warnings and findings (no summary or progress lines)",
    )


def verbosity(args: argparse.Namespace) -> None:
    """Give ``args.verbose`` and ``args.quiet`` their values, wherever they were given."""
    args.verbose = getattr(args, "verbose", False)
    args.quiet = getattr(args, "quiet", False)


def add_common(parser: argparse.ArgumentParser) -> None:
    """The options of ``build``, ``serve`` and ``check``."""
    parser.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")
    parser.add_argument("--output", "-o", type=Path, help="output folder (default: public/)")
    parser.add_argument("--base-url", help="override base_url, e.g. for preview deploys")
    parser.add_argument("--drafts", action="store_true", help="include draft pages")
    parser.add_argument(
        "--no-cache", action="store_true", help="render every page (ignore .mmsite-cache/)"
    )
    parser.add_argument(
        "--jobs", "-j", type=int, help="processes for rendering pages (default: one per CPU)"
    )


def output_path(args: argparse.Namespace) -> Path | None:
    """``--output``, absolute (relative to the current folder); None when not given."""
    output = args.output
    if output is not None and not output.is_absolute():
        output = Path.cwd() / output
    return output


def build_options(args: argparse.Namespace) -> BuildOptions:
    from mmsite.engine.build import BuildOptions

    return BuildOptions(
        drafts=args.drafts,
        base_url=args.base_url,
        output=output_path(args),
        cache=not args.no_cache,
        jobs=args.jobs,
        progress=progress_line() if sys.stderr.isatty() and not args.quiet else None,
    )


def progress_line() -> Progress:
    """A ``rendering 1234/9000 pages`` counter on the terminal, redrawn at most 10x/s."""
    last = [0.0]

    def show(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] > 0.1:
            last[0] = now
            end = "\r\033[K" if done == total else ""
            sys.stderr.write(f"\rrendering {done}/{total} pages{end}")
            sys.stderr.flush()

    return show


def report(result: BuildResult) -> None:
    """A build's warnings on stderr, then its summary line."""
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(result.summary())
