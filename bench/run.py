"""Build one synthetic corpus with mmsite, Hugo and Pelican, side by side, and print a table.

    python bench/run.py --pages 3000 --languages 3

Generates the corpus (bench/generate.py) unless ``--no-generate``, then runs clean builds of
every tool in turn, alternating (mmsite, Hugo, Pelican, mmsite, ...) ``--runs`` times, and
prints tool, pages (HTML files written), median wall seconds, pages/s, peak RSS and the
ratios of like with like. mmsite and Hugo each run twice with minimal templates: ``mmsite``
and ``hugo`` write the pages only (mmsite's ``outputs:`` all off; Hugo's sitemap, RSS,
robots.txt and 404 pages off), ``mmsite (sitemap+feeds)`` and ``hugo (sitemap+feeds)``
also write what a default mmsite build writes beside its pages (mmsite: sitemap, robots.txt,
Atom feeds, merchant feeds, 404 pages; Hugo, with its defaults for them in
``config-outputs.toml``: a sitemap per language, RSS capped at 20 items like mmsite's
``feed_limit``, robots.txt, a 404 page per language). ``mmsite (default theme)`` is the same
content with the real default theme and every output. Pelican writes pages only. After the
clean builds it times mmsite rebuilds of ``mmsite (sitemap+feeds)``: nothing changed, one
article edited (in no feed), one article its series' feed carries; each as the whole
command and as the build step mmsite prints (the stamp check and imports before it are not
in that figure).

Tools: Hugo from Debian (``apt-get install -y hugo``). Pelican in its own venv::

    python -m venv /tmp/pelican-venv && /tmp/pelican-venv/bin/pip install pelican markdown

then pass ``--pelican /tmp/pelican-venv/bin/pelican`` or set ``MMSITE_BENCH_PELICAN``
(that path is also tried by default). A missing tool is skipped, and the table says so.

Peak RSS: "peak RSS" is the largest single process (from ``wait4``); "tree RSS" is the
largest sum over the process tree, sampled every 20 ms (counts memory shared between forked
workers more than once, so it is an upper bound).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import corpus_size, generate  # noqa: E402

DEFAULT_PELICAN = "/tmp/pelican-venv/bin/pelican"
# Hugo also writing what mmsite writes beside its pages (sitemap, feeds, robots.txt, 404)
HUGO_OUTPUTS = "hugo (sitemap+feeds)"
MMSITE_OUTPUTS = "mmsite (sitemap+feeds)"  # the same with mmsite's default outputs
# (mmsite tool, the tool it is compared with)
RATIOS = [("mmsite", "hugo"), (MMSITE_OUTPUTS, HUGO_OUTPUTS), ("mmsite", "pelican")]


@dataclass
class Tool:
    name: str
    site: Path
    command: list[str]
    output: Path
    clean: list[Path]  # removed before a clean build (output, caches)
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    seconds: float
    pages: int
    peak_kib: int
    tree_kib: int
    stdout: str = ""
    cpu: float = 0.0  # user + system seconds of the process and the children it waited for


def tree_rss_kib(pid: int) -> int:
    """RSS of a process and all its descendants (Linux /proc)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    stack += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def measure(tool: Tool) -> Run:
    for path in tool.clean:
        shutil.rmtree(path, ignore_errors=True)
    # Let the disk settle: deleting ~10,000 files leaves writeback (and discards) that
    # would slow whichever tool runs next.
    os.sync()
    time.sleep(2)
    return timed(tool)


def timed(tool: Tool) -> Run:
    with tempfile.TemporaryFile() as out:
        run = _timed(tool, out)
        out.seek(0)
        run.stdout = out.read().decode(errors="replace")
    return run


def _timed(tool: Tool, out: IO[bytes]) -> Run:
    env = {**os.environ, **tool.env}
    started = time.perf_counter()
    proc = subprocess.Popen(
        tool.command, cwd=tool.site, env=env, stdout=out, stderr=subprocess.PIPE
    )
    peak_tree = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not done.is_set():
            peak_tree = max(peak_tree, tree_rss_kib(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{tool.name} failed ({proc.returncode}):\n{err[-3000:]}")
    pages = sum(1 for _ in tool.output.rglob("*.html"))
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, pages, usage.ru_maxrss, max(peak_tree, usage.ru_maxrss), cpu=cpu)


def find_pelican(option: str | None) -> str | None:
    for candidate in (option, os.environ.get("MMSITE_BENCH_PELICAN"), DEFAULT_PELICAN):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("pelican")


def tools(sites: dict[str, Path], pelican: str | None) -> tuple[list[Tool], list[str]]:
    mm_env = {"PYTHONPATH": str(REPO / "src")}
    found: list[Tool] = []
    skipped: list[str] = []
    mm_sites = [
        ("mmsite", "mmsite"),
        (MMSITE_OUTPUTS, "mmsite-outputs"),
        ("mmsite (default theme)", "mmsite-full"),
    ]
    for name, key in mm_sites:
        site = sites[key]
        found.append(
            Tool(
                name,
                site,
                [sys.executable, "-m", "mmsite", "build"],
                site / "public",
                [site / "public", site / ".mmsite-cache"],
                mm_env,
            )
        )
    hugo = shutil.which("hugo")
    if hugo:
        site = sites["hugo"]
        found.append(
            Tool(
                "hugo",
                site,
                [hugo, "--quiet", "-d", "public"],
                site / "public",
                [site / "public", site / "resources"],
            )
        )
        found.append(
            Tool(
                HUGO_OUTPUTS,
                site,
                [hugo, "--quiet", "--config", "config-outputs.toml", "-d", "public-outputs"],
                site / "public-outputs",
                [site / "public-outputs", site / "resources"],
            )
        )
    else:
        skipped.append("hugo: not found (apt-get install -y hugo)")
    if pelican:
        site = sites["pelican"]
        found.append(
            Tool(
                "pelican",
                site,
                [pelican, "-q", "-s", "pelicanconf.py", "-o", "output", "content"],
                site / "output",
                [site / "output", site / "cache", site / "__pycache__"],
            )
        )
    else:
        skipped.append(
            "pelican: not found (python -m venv /tmp/pelican-venv && "
            "/tmp/pelican-venv/bin/pip install pelican markdown; or --pelican PATH)"
        )
    return found, skipped


def rebuilds(tool: Tool, runs: int) -> list[tuple[str, float, float | None]]:
    """mmsite rebuilds of an already built site: unchanged, then one article edited (the
    first, in no feed; then the last, which its series' feed carries). Each row: label,
    median seconds of the whole command, median build step as mmsite reports it."""
    measure(tool)
    unchanged = [timed(tool) for _ in range(runs)]
    rows = [("nothing changed", *_medians(unchanged))]
    articles = sorted((tool.site / "content" / "series").rglob("*-interview-*.md"))
    edits = (("one article edited", articles[0]), ("one article in a feed", articles[-1]))
    for label, article in edits:
        original = article.read_text(encoding="utf-8")
        edited = []
        try:
            for n in range(runs):
                article.write_text(original + f"\nEdited paragraph {n}.\n", encoding="utf-8")
                edited.append(timed(tool))
        finally:
            article.write_text(original, encoding="utf-8")
            timed(tool)  # back to the original text
        rows.append((label, *_medians(edited)))
    return rows


def _medians(runs: list[Run]) -> tuple[float, float | None]:
    """Whole command, and the build step mmsite prints (``... in 0.21 s (delta: ...``)."""
    steps = [re.search(r" in ([0-9.]+) s \(", run.stdout) for run in runs]
    step = statistics.median(float(m.group(1)) for m in steps) if all(steps) else None
    return statistics.median(run.seconds for run in runs), step


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def table(results: dict[str, list[Run]], skipped: list[str]) -> str:
    rate: dict[str, float] = {}
    lines = [
        f"{'tool':<24} {'pages':>7} {'median s':>9} {'pages/s':>9} {'peak RSS':>9} {'tree RSS':>9}"
        f" {'CPU s':>7}",
    ]
    for name, runs in results.items():
        seconds = statistics.median(r.seconds for r in runs)
        pages = runs[0].pages
        rate[name] = pages / seconds
        peak = max(r.peak_kib for r in runs)
        tree = max(r.tree_kib for r in runs)
        cpu = statistics.median(r.cpu for r in runs)
        lines.append(
            f"{name:<24} {pages:>7} {seconds:>9.2f} {rate[name]:>9.0f} {mib(peak):>9} "
            f"{mib(tree):>9} {cpu:>7.2f}"
        )
    for mine, other in RATIOS:
        if other in rate and mine in rate:
            lines.append(f"{mine}/{other} pages/s: {rate[mine] / rate[other]:.2f}x")
    lines.append("(CPU s: median user + system seconds, all processes of the build)")
    lines += [f"skipped {s}" for s in skipped]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="pages per language")
    parser.add_argument("--languages", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3, help="clean builds per tool")
    parser.add_argument("--out", type=Path, default=Path("/tmp/mmsite-bench"))
    parser.add_argument("--pelican", help=f"pelican executable (default {DEFAULT_PELICAN})")
    parser.add_argument("--no-generate", action="store_true", help="reuse the corpus in --out")
    parser.add_argument("--only", help="comma-separated tool names to run")
    parser.add_argument("--no-rebuild", action="store_true", help="skip the rebuild timings")
    args = parser.parse_args(argv)
    if args.no_generate:
        names = ["mmsite", "mmsite-outputs", "mmsite-full", "hugo", "pelican"]
        sites = {name: args.out / name for name in names}
    else:
        print(f"generating {args.pages} pages x {args.languages} languages in {args.out} ...")
        sites = generate(args.out, args.pages, args.languages)
    selected, skipped = tools(sites, find_pelican(args.pelican))
    if args.only:
        wanted = set(args.only.split(","))
        selected = [t for t in selected if t.name in wanted]
    results: dict[str, list[Run]] = {t.name: [] for t in selected}
    for n in range(args.runs):
        for tool in selected:
            run = measure(tool)
            results[tool.name].append(run)
            print(f"  run {n + 1}: {tool.name:<24} {run.seconds:6.2f} s {run.pages} pages")
    size = corpus_size(args.out) if args.no_generate else (args.pages, args.languages)
    corpus = f"{size[0]} pages x {size[1]} languages" if size else f"the corpus in {args.out}"
    print(f"\n{os.cpu_count()} CPUs, {corpus}, median of {args.runs} clean builds")
    print(table(results, skipped))
    mm = next((t for t in selected if t.name == MMSITE_OUTPUTS), None)
    if mm and not args.no_rebuild:
        print(f"\n{MMSITE_OUTPUTS} rebuilds (median)         whole command   build step")
        for label, whole, step in rebuilds(mm, args.runs):
            shown = f"{step:6.2f} s" if step is not None else "     -"
            print(f"  {label:<44} {whole:6.2f} s      {shown}")
        print("  (whole command: process start and imports included; build step: as printed)")


if __name__ == "__main__":
    main()
