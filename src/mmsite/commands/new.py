"""``mmsite new``: a new site, product or article.

The files it writes are in :mod:`mmsite.commands.scaffold`, imported only when the
command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mmsite.errors import MmsiteError

HELP = "new site, product or article"
USAGE = "mmsite new SITE_DIR | mmsite new product NAME | mmsite new article SERIES NAME"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = USAGE
    parser.add_argument("what", nargs="+", metavar="ARG")
    parser.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")


NEEDS = {"product": "mmsite new product NAME", "article": "mmsite new article SERIES NAME"}


def _check_arguments(what: list[str]) -> None:
    """``mmsite new product`` without its name is a mistake, not a site in ./product/."""
    kind = what[0]
    if kind in NEEDS and len(what) != len(NEEDS[kind].split()) - 2:
        raise MmsiteError(
            f"usage: {NEEDS[kind]}",
            hint=f"to make a new site in a folder named {kind}, write: mmsite new ./{kind}",
        )


def run(args: argparse.Namespace) -> int:
    from mmsite.commands import scaffold

    what = args.what
    _check_arguments(what)
    if what[0] == "product" and len(what) == 2:
        made = [scaffold.new_product(args.site.resolve(), what[1])]
    elif what[0] == "article" and len(what) == 3:
        made = [scaffold.new_article(args.site.resolve(), what[1], what[2])]
    elif len(what) == 1:
        made = scaffold.new_site(Path(what[0]))
    else:
        raise MmsiteError(f"usage: {USAGE}")
    for path in made:
        print(f"created {path}")
    if what[0] in ("product", "article") and len(what) > 1:
        print("it is a draft: preview it with `mmsite serve --drafts`, remove draft: to publish")
    elif len(what) == 1:
        from mmsite.commands.sitefiles import next_steps

        print(next_steps(what[0]))
    return 0
