"""Command line: ``mmsite build | serve | check | new | clean | deploy | translations``.

Each verb is a module of this package with ``HELP`` (its line in ``mmsite --help``),
``add_arguments(parser)`` (its options) and ``run(args) -> int`` (its exit code); this
module holds the top-level parser and dispatches to them. Every command imports every
verb module to build the parser, so a verb module stays small and imports what does
the work (the build pipeline: Jinja, Babel, Markdown ...; :mod:`~mmsite.commands.devserver`,
:mod:`~mmsite.commands.checks`, :mod:`~mmsite.commands.scaffold`) inside ``run``:
``mmsite build`` with nothing to do answers from :mod:`mmsite.engine.stamps` alone.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from typing import Protocol

from mmsite import __version__
from mmsite.commands import build, check, clean, deploy, new, serve, translations
from mmsite.commands.options import HelpFormatter, add_verbosity, verbosity
from mmsite.errors import BuildErrors, MmsiteError


class Verb(Protocol):
    HELP: str  # its line in ``mmsite --help``; DESCRIPTION (optional) heads its own help

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


# In the order `mmsite --help` lists them.
VERBS: dict[str, Verb] = {
    "build": build,
    "clean": clean,
    "serve": serve,
    "new": new,
    "check": check,
    "deploy": deploy,
    "translations": translations,
}


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mmsite",
        description="Static sites for micro-multinationals.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mmsite {__version__}")
    add_verbosity(parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, verb in VERBS.items():
        description = getattr(verb, "DESCRIPTION", None) or verb.HELP[0].upper() + verb.HELP[1:]
        sub = commands.add_parser(
            name, help=verb.HELP, description=description, formatter_class=HelpFormatter
        )
        verb.add_arguments(sub)
        add_verbosity(sub)
    return parser


# What -q silences: the lines that say what went well (summaries, "created ...").
# check prints its findings and translations its table either way.
QUIET_STDOUT = frozenset({"build", "clean", "serve", "new", "deploy"})


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    verbosity(args)
    try:
        if args.quiet and args.command in QUIET_STDOUT:
            with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
                return VERBS[args.command].run(args)
        return VERBS[args.command].run(args)
    except MmsiteError as exc:
        if args.verbose:
            traceback.print_exc()
        plain = exc.path is not None or isinstance(exc, BuildErrors)
        print(str(exc) if plain else f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def run() -> None:
    """The ``mmsite`` command: :func:`main`, then exit without tearing the interpreter
    down. Freeing a loaded 9,000-page site object by object took 0.8 s after the work
    was done (mypy exits the same way). Output is flushed first; files are closed by
    then, and background deletions were already given their time."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`... | head`)
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
