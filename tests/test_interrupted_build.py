"""A build killed with SIGKILL while writing leaves the previous site intact, and the next
build succeeds and removes the killed build's staging folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fuzzing import tree_listing
from helpers import REPO, build_site, write_site
from mmsite.output.tree import MARKER

CONFIG = "title: Big Shop\nbase_url: https://big.example/\nlanguages:\n  en: {locale: en_US}\n"
PAGES = 600


def big_site(root: Path) -> None:
    body = "Some text with *emphasis* and a [link](../_index.md).\n\n" * 8
    files = {
        f"content/p/page-{n:05d}.md": f"---\ntitle: Page {n}\n---\n{body}" for n in range(PAGES)
    }
    files["content/p/_index.md"] = "---\ntitle: All pages\n---\n"
    write_site(root, files, None)


def test_sigkill_mid_build_keeps_previous_output(tmp_path: Path) -> None:
    root = write_site(
        tmp_path / "site", {"content/_index.md": "---\ntitle: Home\n---\nOld home.\n"}, CONFIG
    )
    build_site(root)
    output = root / "public"
    previous = tree_listing(output)
    old_home = (output / "index.html").read_bytes()
    big_site(root)

    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mmsite", "build", "--site", str(root)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    staging = root / f".public.tmp-{proc.pid}"
    deadline = time.monotonic() + 120
    try:
        # Wait until pages are being written into the staging folder.
        while not (staging / "p" / "page-00010").is_dir():
            assert proc.poll() is None, "build ended before it could be killed"
            assert time.monotonic() < deadline, "build never started writing"
            time.sleep(0.005)
        assert proc.poll() is None, "build ended before it could be killed: make the site bigger"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    written = [d for d in (staging / "p").iterdir() if d.is_dir()]
    assert 0 < len(written) < PAGES, "the kill did not land while pages were being written"
    assert tree_listing(output) == previous, "a killed build changed the published site"
    assert (output / "index.html").read_bytes() == old_home
    assert (output / MARKER).is_file()

    result = build_site(root)
    assert result.pages == PAGES + 2
    assert not staging.exists(), "the killed build's staging folder was left behind"
    leftovers = [p for p in root.glob(".public.*") if p.name != ".public.spare"]  # kept
    assert not leftovers, "leftover staging/old folders"
    assert len([d for d in (output / "p").iterdir() if d.is_dir()]) == PAGES
