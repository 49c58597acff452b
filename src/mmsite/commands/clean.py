"""``mmsite clean``: delete the output folder and ``.mmsite-cache/``, only if mmsite made
them."""

from __future__ import annotations

import argparse
from pathlib import Path

from mmsite.output.tree import clean

HELP = "delete the output folder and .mmsite-cache/ (only if mmsite made them)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")
    parser.add_argument("--output", "-o", type=Path, help="output folder (default: public/)")


def run(args: argparse.Namespace) -> int:
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
