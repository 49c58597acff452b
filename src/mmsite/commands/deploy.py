"""``mmsite deploy s3://BUCKET[/PREFIX]``: upload the built site to S3-compatible storage
(AWS S3, Cloudflare R2, Backblaze B2, MinIO), only what changed, then delete what the site
no longer has.

The work is in :mod:`mmsite.output.deploy` (and boto3, the ``deploy`` extra), imported
only when the command runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mmsite.commands.options import output_path

if TYPE_CHECKING:
    from mmsite.output.deploy import LocalFile

HELP = "upload the built site to S3, R2, B2 or MinIO (only changed files)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="s3://BUCKET[/PREFIX]")
    parser.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")
    parser.add_argument("--output", "-o", type=Path, help="output folder (default: public/)")
    parser.add_argument(
        "--base-url", help="the base URL the site was built with, if not site.yaml's"
    )
    parser.add_argument("--endpoint-url", help="S3 API address for R2, B2 or MinIO (default: AWS)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")


def run(args: argparse.Namespace) -> int:
    from mmsite.engine.pipeline import site_config
    from mmsite.output import deploy

    started = time.monotonic()
    target = deploy.parse_target(args.target)
    config = site_config(args.site.resolve())
    output = output_path(args) or config.output_dir
    base_path = urlsplit(args.base_url or config.base_url).path or "/"
    files = deploy.local_files(output, base_path if base_path.endswith("/") else base_path + "/")
    store = deploy.Store(target, args.endpoint_url)
    plan = deploy.make_plan(target, files, store.listing(), store.stored_md5)
    if args.dry_run:
        for line in plan.lines():
            print(line)
        print(
            f"dry run: would upload {len(plan.uploads)} file(s) ({size(plan.upload_bytes)}), "
            f"leave {len(plan.unchanged)} unchanged, delete {len(plan.deletes)} from {target}"
        )
        return 0
    show = Progress(len(plan.uploads), plan.upload_bytes)
    deploy.run_uploads(store, plan.uploads, show.uploaded)
    show.close()
    store.delete(plan.deletes)
    for key in plan.deletes:
        print(f"deleted {key}")
    seconds = time.monotonic() - started
    print(
        f"{target}: uploaded {len(plan.uploads)} ({size(plan.upload_bytes)}), "
        f"unchanged {len(plan.unchanged)}, deleted {len(plan.deletes)}; "
        f"{store.requests} requests in {seconds:.1f} s"
    )
    return 0


def size(count: int) -> str:
    if count < 1000:
        return f"{count:,} bytes"
    if count < 1_000_000:
        return f"{count / 1000:.1f} kB"
    return f"{count / 1_000_000:.1f} MB"


class Progress:
    """A bar redrawn in place on a terminal; one plain line per upload otherwise (CI)."""

    def __init__(self, total: int, total_bytes: int) -> None:
        self.total, self.total_bytes = total, total_bytes
        self.done = self.bytes = 0
        self.tty = sys.stdout.isatty()
        self.last = 0.0

    def uploaded(self, f: LocalFile) -> None:
        self.done += 1
        self.bytes += f.size
        if not self.tty:
            print(f"uploaded {f.rel} ({f.content_type}; {f.cache_control})")
            return
        now = time.monotonic()
        if self.done == self.total or now - self.last > 0.1:
            self.last = now
            filled = 30 * self.done // max(self.total, 1)
            bar = "#" * filled + "." * (30 - filled)
            sys.stdout.write(
                f"\r[{bar}] {self.done}/{self.total} files, {size(self.bytes)}"
                f" of {size(self.total_bytes)}"
            )
            sys.stdout.flush()

    def close(self) -> None:
        if self.tty and self.total:
            sys.stdout.write("\n")
