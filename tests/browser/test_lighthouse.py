"""Lighthouse (npm ``lighthouse``, pinned in package.json) on the demo's home, catalog, a
product and an article in English, Arabic and Japanese: mobile emulation with simulated
throttling (its defaults), in Debian's Chromium.

Every page must score 100 in accessibility and SEO and at least 95 in best practices and
performance. A failure names the page and every audit that cost it points, with its
title and the elements or resources it found. The JSON and HTML reports are written next
to the browser screenshots (``lighthouse/`` in that folder; see conftest.py).

The pages run one after the other in one Chromium (tests/browser/lighthouse.mjs), never in
parallel. Performance is simulated (Lighthouse's default throttling) from the page's own
requests and the main-thread work measured on this machine, so a busy machine lowers it:
a page under 95 is run four more times and its median run is kept (Lighthouse's advice
for variable scores); the other three categories do not depend on load. docs/lighthouse.md
says how to run it by hand, how to read the reports and how stable the scores are.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import CHROMIUM, Demo, _missing

HERE = Path(__file__).parent
SCRIPT = HERE / "lighthouse.mjs"
LIGHTHOUSE = HERE / "node_modules" / "lighthouse" / "package.json"
PAGES = {
    "home": "_index",
    "catalog": "products/_index",
    "product": "products/smoked-salt",
    "article": "series/micro-multinationals/01-global-from-day-one",
}
EDITIONS = ("en-us", "ar", "ja")
MINIMUM = {"accessibility": 100, "seo": 100, "best-practices": 95, "performance": 95}
DETAIL_ITEMS = 5  # per failing audit, in the failure message
# What the test server (http.server) does not do and a site's host does (_headers,
# docs/deploy.md): left out of failure messages, which would otherwise blame the page.
SERVER_ONLY = {"uses-text-compression", "uses-long-cache-ttl"}
RUNS = "mmsite performance runs"  # added to each report: its performance score per run


def _report_name(kind: str, edition: str) -> str:
    return f"{kind}-{edition}"


@pytest.fixture(scope="module")
def reports(demo: Demo, screenshots: Path) -> dict[str, dict]:
    """Every page's Lighthouse report (parsed JSON), by ``kind-edition``."""
    node = shutil.which("node")
    if node is None:
        _missing("node is not installed (apt-get install nodejs), so Lighthouse cannot run")
    if not LIGHTHOUSE.is_file():
        _missing(f"Lighthouse is not installed in {HERE} (cd tests/browser && npm ci)")
    if not CHROMIUM.exists():
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    folder = screenshots / "lighthouse"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    pages = [
        {"name": _report_name(kind, code), "url": demo.url(key, code)}
        for code in EDITIONS
        for kind, key in PAGES.items()
    ]
    (folder / "pages.json").write_text(json.dumps(pages, indent=1), encoding="utf-8")
    median_below = MINIMUM["performance"] / 100
    run = subprocess.run(
        [node, str(SCRIPT), str(folder / "pages.json"), str(folder), str(median_below)],
        capture_output=True,
        text=True,
        timeout=2400,
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
        check=False,
    )
    assert run.returncode == 0, f"lighthouse.mjs failed ({run.returncode}):\n{run.stderr}"
    found = {}
    runs = {}
    for line in run.stdout.splitlines():
        written = json.loads(line)
        report = json.loads(Path(written["json"]).read_text(encoding="utf-8"))
        found[written["name"]] = {**report, RUNS: written["performance"]}
        runs[written["name"]] = written["performance"]
    scores = {
        name: {**_scores(report), "performance runs": runs[name]} for name, report in found.items()
    }
    (folder / "scores.json").write_text(json.dumps(scores, indent=1), encoding="utf-8")
    return found


def _scores(report: dict) -> dict[str, int | None]:
    return {
        key: None if category["score"] is None else round(category["score"] * 100)
        for key, category in report["categories"].items()
    }


def _item(item: dict) -> str:
    """One row of an audit's details table, in a line: the element or resource first."""
    node = item.get("node")
    if isinstance(node, dict):
        where = node.get("selector") or node.get("snippet", "")
        said = node.get("explanation") or node.get("snippet", "")
        return f"{where}: {said}".replace("\n", " ")
    if "groupLabel" in item:  # main-thread work by kind
        return f"{item['groupLabel']}: {item.get('duration', 0):.0f} ms"
    parts = []
    for key in ("url", "source", "description", "label", "wastedMs", "wastedBytes", "score"):
        value = item.get(key)
        if isinstance(value, dict):
            value = value.get("url") or value.get("value") or json.dumps(value)[:120]
        if value not in (None, ""):
            parts.append(f"{key}={value}")
    return ", ".join(parts) or json.dumps(item)[:200]


def _audit_lines(report: dict, category: dict) -> list[str]:
    lines = []
    for ref in category["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if audit["scoreDisplayMode"] == "error" and ref["weight"] > 0:  # no category score
            lines.append(f"  - {ref['id']}: {audit['title']}: error {audit['errorMessage']}")
            continue
        if audit["score"] is None or audit["score"] >= 1 or ref["id"] in SERVER_ONLY:
            continue
        shown = audit.get("displayValue", "")
        lines.append(f"  - {ref['id']}: {audit['title']} (score {audit['score']}) {shown}")
        items = (audit.get("details") or {}).get("items") or []
        lines += [f"      {_item(item)}" for item in items[:DETAIL_ITEMS] if isinstance(item, dict)]
        if len(items) > DETAIL_ITEMS:
            lines.append(f"      ... {len(items) - DETAIL_ITEMS} more in the report")
    return lines


def _load(report: dict, key: str) -> str:
    """For performance: how fast this machine was (Lighthouse's benchmark index; about
    1,000 or more on an idle development machine, a few hundred when it is busy)."""
    if key != "performance":
        return ""
    index = report["environment"]["benchmarkIndex"]
    return f" (runs {report[RUNS]}, machine benchmark index {index:.0f})"


def _failures(report: dict) -> list[str]:
    lines = []
    for key, minimum in MINIMUM.items():
        category = report["categories"][key]
        score = None if category["score"] is None else round(category["score"] * 100)
        if score is None or score < minimum:
            lines.append(f"{category['title']}: {score}, needs >= {minimum}{_load(report, key)}")
            lines += _audit_lines(report, category)
    return lines


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("kind", PAGES)
def test_lighthouse_scores(reports: dict[str, dict], demo: Demo, kind: str, edition: str) -> None:
    name = _report_name(kind, edition)
    report = reports[name]
    url = demo.url(PAGES[kind], edition)
    error = report.get("runtimeError")
    assert not error, f"{name} ({url}): Lighthouse could not run: {error}"
    failures = _failures(report)
    assert not failures, "\n".join([f"{name} ({url}):", *failures])
