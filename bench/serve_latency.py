"""Measure the editor's loop: clean build, unchanged rebuild, one-file rebuild, and the
time from saving a file to `mmsite serve` having the rebuilt page (reload event sent),
for an edit of the text (a delta build) and an edit of the front matter (a title: a
full incremental build).

    PYTHONPATH=src python bench/serve_latency.py --pages 3000 --languages 3
    PYTHONPATH=src python bench/serve_latency.py --demo

The generated site has ``pages`` articles per language, spread over 30 sections.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from mmsite.commands.devserver import DevServer
from mmsite.engine.build import BuildOptions, build

REPO = Path(__file__).resolve().parents[1]
LANGS = [("en", "en_US"), ("fr", "fr_FR"), ("es", "es_ES"), ("ar", "ar_EG"), ("de", "de_DE")]
BODY = "\n\n".join(
    f"Paragraph {i}: salt from the *Cornish* sea, [harvested](https://example.com/) by hand."
    for i in range(6)
)


def generate(root: Path, pages: int, languages: int) -> Path:
    langs = LANGS[:languages]
    lines = ["title: Bench", "base_url: https://bench.example/", "languages:"]
    lines += [f"  {code}: {{locale: {locale}}}" for code, locale in langs]
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sections = 30
    for code, _ in langs:
        suffix = "" if code == "en" else f".{code}"
        home = root / "content" / f"_index{suffix}.md"
        home.write_text(f"---\ntitle: Home {code}\n---\nHello.\n", encoding="utf-8")
        for s in range(sections):
            folder = root / "content" / f"s{s:02d}"
            folder.mkdir(exist_ok=True)
            index = folder / f"_index{suffix}.md"
            index.write_text(f"---\ntitle: Section {s} {code}\n---\n", encoding="utf-8")
        for n in range(pages):
            path = root / "content" / f"s{n % sections:02d}" / f"page-{n:05d}{suffix}.md"
            path.write_text(
                f"---\ntitle: Page {n} {code}\ndate: 2026-01-{n % 28 + 1:02d}\n"
                f"summary: About page {n}.\n---\n{BODY}\n",
                encoding="utf-8",
            )
    return root


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def serve_latency(root: Path, edit: Path, url_path: str, runs: int) -> dict[str, list[float]]:
    """Seconds from writing ``edit`` until the server finished the rebuild: text edits,
    then title edits."""
    done = threading.Event()
    server = DevServer(root, BuildOptions(), port=0, log=lambda text: None)
    original = server.broadcaster.reload

    def reload(build_id: int) -> None:
        original(build_id)
        done.set()

    server.broadcaster.reload = reload  # type: ignore[method-assign]
    server.start()
    times: dict[str, list[float]] = {"text": [], "title": []}
    try:
        text = edit.read_text(encoding="utf-8")
        for kind in times:
            for i in range(runs):
                done.clear()
                started = time.perf_counter()
                if kind == "text":
                    edit.write_text(text + f"\nEdit {i}.\n", encoding="utf-8")
                    expect = f"Edit {i}."
                else:
                    edit.write_text(text.replace("title: ", f"title: T{i} ", 1), encoding="utf-8")
                    expect = f"T{i} "
                if not done.wait(timeout=120):
                    raise SystemExit("no rebuild within 120 s")
                times[kind].append(time.perf_counter() - started)
                page = server.output / url_path / "index.html"
                assert expect in page.read_text(encoding="utf-8")
                time.sleep(0.2)
    finally:
        server.stop()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=3000, help="pages per language")
    parser.add_argument("--languages", type=int, default=3)
    parser.add_argument("--demo", action="store_true", help="measure the demo site instead")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", help="where to make the site (e.g. /dev/shm: tmpfs)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        root = Path(tmp) / "site"
        if args.demo:
            root.mkdir()
            shutil.copytree(REPO / "content", root / "content")
            shutil.copy(REPO / "site.yaml", root / "site.yaml")
            edit, url_path = root / "content/about.md", "about"
        else:
            generate(root, args.pages, args.languages)
            edit, url_path = root / "content/s07/page-00007.md", "s07/page-00007"
        first = build(root, BuildOptions())
        print(f"site: {first.pages} pages")
        print(f"clean build:        {first.seconds:.2f} s")
        unchanged = [build(root, BuildOptions()).seconds for _ in range(args.runs)]
        print(f"unchanged rebuild:  {statistics.median(unchanged):.3f} s (median of {args.runs})")
        one, kinds = [], set()
        for i in range(args.runs):
            edit.write_text(edit.read_text(encoding="utf-8") + f"\nBuild edit {i}.\n")
            result = build(root, BuildOptions())
            one.append(result.seconds)
            kinds.add(result.kind)
        print(
            f"one page's text edited: {statistics.median(one):.3f} s "
            f"(build(), median; {', '.join(sorted(kinds))})"
        )
        for kind, latency in serve_latency(root, edit, url_path, args.runs).items():
            print(
                f"serve save->rebuilt ({kind} edit): {statistics.median(latency) * 1000:.0f} ms "
                f"median, {max(latency) * 1000:.0f} ms max (incl. watchdog, {args.runs} runs)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
