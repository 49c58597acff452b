"""Command line: ``mmsite build`` and ``mmsite serve``."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from mmsite import __version__
from mmsite.engine.result import BuildResult
from mmsite.errors import BuildErrors, MmsiteError
from mmsite.output.tree import clean, wait_for_cleanup

if TYPE_CHECKING:
    from mmsite.engine.build import BuildOptions, Known, Progress

# The build pipeline (Jinja, Babel, Markdown ...) is imported only when a command needs
# it: `mmsite build` with nothing to do answers from mmsite.stamps alone.

# Seconds `mmsite build` waits for the replaced output to be deleted before exiting.
CLEANUP_WAIT = 0.2


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")
    parser.add_argument("--output", "-o", type=Path, help="output folder (default: public/)")
    parser.add_argument("--base-url", help="override base_url, e.g. for preview deploys")
    parser.add_argument("--drafts", action="store_true", help="include draft pages")
    parser.add_argument("--verbose", "-v", action="store_true", help="show tracebacks")
    parser.add_argument(
        "--no-cache", action="store_true", help="render every page (ignore .mmsite-cache/)"
    )
    parser.add_argument(
        "--jobs", "-j", type=int, help="processes for rendering pages (default: one per CPU)"
    )


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mmsite", description="Static sites for micro-multinationals."
    )
    parser.add_argument("--version", action="version", version=f"mmsite {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="build the site into public/")
    _common(build_cmd)
    build_cmd.add_argument(
        "--clean",
        action="store_true",
        help="start from nothing: drop .mmsite-cache/ first (the output "
        "is still replaced only when the build succeeds)",
    )
    clean_cmd = commands.add_parser(
        "clean", help="delete the output folder and .mmsite-cache/ (only if mmsite made them)"
    )
    clean_cmd.add_argument("--site", type=Path, default=Path("."), help="site folder")
    clean_cmd.add_argument("--output", "-o", type=Path, help="output folder (default: public/)")
    clean_cmd.add_argument("--verbose", "-v", action="store_true", help="show tracebacks")
    serve = commands.add_parser(
        "serve", help="build, serve on localhost, rebuild and reload the browser on save"
    )
    _common(serve)
    serve.add_argument("--port", "-p", type=int, default=8000, help="0 picks a free port")
    serve.add_argument("--bind", default="127.0.0.1", help="address to listen on")
    new = commands.add_parser(
        "new",
        help="new site, product or article",
        description="mmsite new SITE_DIR | mmsite new product NAME | "
        "mmsite new article SERIES NAME",
    )
    new.add_argument("what", nargs="+", metavar="ARG")
    new.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")
    new.add_argument("--verbose", "-v", action="store_true", help="show tracebacks")
    check = commands.add_parser(
        "check", help="check the built site: links, anchors, images, translations, duplicates"
    )
    _common(check)
    check.add_argument("--build", action="store_true", help="build first, then check")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument(
        "--only", action="append", metavar="CHECK", help="run only this check (repeatable)"
    )
    return parser


def _output(args: argparse.Namespace) -> Path | None:
    output = args.output
    if output is not None and not output.is_absolute():
        output = Path.cwd() / output
    return output


def _options(args: argparse.Namespace) -> BuildOptions:
    from mmsite.engine.build import BuildOptions

    return BuildOptions(
        drafts=args.drafts,
        base_url=args.base_url,
        output=_output(args),
        cache=not args.no_cache,
        jobs=args.jobs,
        progress=progress_line() if sys.stderr.isatty() else None,
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


def _report(result: BuildResult) -> None:
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(result.summary())


def _last_build(args: argparse.Namespace, started: float) -> Known | BuildResult:
    """The last build's result when nothing changed since; else its state and what
    changed, for the build to use."""
    from mmsite.engine import stamps
    from mmsite.engine.result import unchanged_result

    state, changes = stamps.check(args.site.resolve(), args.drafts, args.base_url, _output(args))
    if state is not None and changes is not None and changes.none:
        return unchanged_result(state, started)
    return state, changes


def cmd_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    known = None if args.clean or args.no_cache else _last_build(args, started)
    if isinstance(known, BuildResult):
        _report(known)
        return 0
    from mmsite.engine.build import build

    options = _options(args)
    if args.clean:
        options.clean = True
    _report(build(args.site.resolve(), options, background_cleanup=True, known=known))
    # The new output is in place; the replaced one is deleted in a thread. Wait briefly;
    # what is left stays marked and is deleted by the next build.
    wait_for_cleanup(CLEANUP_WAIT)
    return 0


def cmd_clean(args: argparse.Namespace) -> int:
    root = args.site.resolve()
    output = args.output
    if output is None:
        from mmsite.engine.pipeline import site_config

        output = site_config(root).output_dir
    elif not output.is_absolute():
        output = Path.cwd() / output
    removed = clean(output, root)
    for path in removed:
        print(f"deleted {path}")
    if not removed:
        print("nothing to clean")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from mmsite.commands.serve import DevServer

    DevServer(args.site, _options(args), args.bind, args.port).serve_forever()
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from mmsite.commands import new as scaffold

    what = args.what
    if what[0] == "product" and len(what) == 2:
        made = [scaffold.new_product(args.site.resolve(), what[1])]
    elif what[0] == "article" and len(what) == 3:
        made = [scaffold.new_article(args.site.resolve(), what[1], what[2])]
    elif len(what) == 1:
        made = scaffold.new_site(Path(what[0]))
    else:
        raise MmsiteError(
            "usage: mmsite new SITE_DIR | mmsite new product NAME | mmsite new article SERIES NAME"
        )
    for path in made:
        print(f"created {path}")
    if what[0] in ("product", "article") and len(what) > 1:
        print("it is a draft: preview it with `mmsite serve --drafts`, remove draft: to publish")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from mmsite.commands.check import ERROR, coverage, run_checks
    from mmsite.engine.build import build, load_site
    from mmsite.errors import Reporter

    root = args.site.resolve()
    options = _options(args)
    if args.build:
        _report(build(root, options))
    site, _theme = load_site(root, options, Reporter())
    findings = run_checks(site, options.output or site.config.output_dir, args.only)
    for finding in findings:
        print(finding)
    print("\ntranslations (pages per section and language):")
    print(coverage(site).table())
    errors = sum(f.level == ERROR for f in findings)
    warnings = len(findings) - errors
    print(f"\n{errors} error(s), {warnings} warning(s)")
    return 1 if errors or (args.strict and warnings) else 0


COMMANDS = {
    "build": cmd_build,
    "serve": cmd_serve,
    "new": cmd_new,
    "check": cmd_check,
    "clean": cmd_clean,
}


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
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
