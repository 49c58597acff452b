"""Deploy figures: ``mmsite deploy`` of a built site to moto's S3 server on 127.0.0.1.

    python bench/generate.py --pages 3000 --languages 3 --out /tmp/mmsite-bench
    (cd /tmp/mmsite-bench/mmsite && mmsite build)
    python bench/deploy_s3.py /tmp/mmsite-bench/mmsite

Three deploys: the first (everything goes up), an unchanged re-deploy, and one after
editing one page and rebuilding. Each prints mmsite's own summary line (files, bytes,
HTTP requests made, seconds). Needs ``pip install 'mmsite[test]'`` (boto3, moto[server]).
The site's output folder is left as the last build made it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from moto.server import ThreadedMotoServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mmsite(site: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mmsite", *args, "--site", str(site)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def summary(out: str) -> str:
    return out.strip().splitlines()[-1]


def main() -> None:
    site = Path(sys.argv[1]).resolve()
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ |= {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    try:
        import boto3

        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="bench")
        deploy = ("deploy", "s3://bench/site", "--endpoint-url", endpoint)
        print("first deploy:   ", summary(mmsite(site, *deploy)))
        print("unchanged:      ", summary(mmsite(site, *deploy)))
        page = sorted((site / "content").rglob("*.md"))[10]  # one page, the same every run
        page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence.\n")
        print("rebuild:        ", summary(mmsite(site, "build")))
        print("one page edited:", summary(mmsite(site, *deploy)))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
