"""``mmsite serve``: build, serve on localhost, rebuild and reload the browser on save.

The server, the watcher and the rebuild loop are in :mod:`mmsite.commands.devserver`,
imported only when the command runs (it loads the build pipeline and watchdog).
"""

from __future__ import annotations

import argparse

from mmsite.commands.options import add_common, build_options

HELP = "build, serve on localhost, rebuild and reload the browser on save"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument("--port", "-p", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on")


def run(args: argparse.Namespace) -> int:
    from mmsite.config.options import CONFIG_FILE
    from mmsite.errors import MmsiteError

    root = args.site.resolve()
    if not (root / CONFIG_FILE).is_file():  # nothing to serve: say so and stop
        raise MmsiteError(
            f"no {CONFIG_FILE} here: not a site folder (give --site DIR, or make one with "
            "`mmsite new DIR`)",
            root,
        )
    from mmsite.commands.devserver import DevServer

    DevServer(args.site, build_options(args), args.bind, args.port).serve_forever()
    return 0
