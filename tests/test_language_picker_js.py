"""The root page's language picker script, run in Node with a stand-in DOM."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from helpers import REPO

NODE = shutil.which("node")
SCRIPT = REPO / "themes/default/static/js/language-picker.js"
HARNESS = """
const fs = require("fs");
const [script, links, languages] = JSON.parse(process.argv[1]);
let target = null;
global.navigator = {languages};
global.window = {location: {replace: (url) => { target = url; }}};
global.document = {querySelectorAll: () => links.map(([tag, href]) => ({
  getAttribute: (name) => (name === "hreflang" ? tag : href),
}))};
eval(fs.readFileSync(script, "utf8"));
process.stdout.write(JSON.stringify(target));
"""
LINKS = [["en-US", "/en/"], ["en-GB", "/en-gb/"], ["fr", "/fr/"], ["ar", "/ar/"]]


def choose(languages: list[str] | None) -> str | None:
    arg = json.dumps([str(SCRIPT), LINKS, languages])
    result = subprocess.run([NODE, "-e", HARNESS, arg], capture_output=True, check=True)
    return json.loads(result.stdout)


@pytest.mark.skipif(NODE is None, reason="needs node")
@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        (["fr-CA", "en"], "/fr/"),  # primary subtag match
        (["en-GB"], "/en-gb/"),  # exact region beats the first English edition
        (["en-AU"], "/en/"),
        (["de-DE", "ar-EG"], "/ar/"),  # the first language the site has
        (["de", "ja"], None),  # none: stay on the picker (the plain list of links)
        (None, None),  # old browsers without navigator.languages
    ],
)
def test_picker_follows_navigator_languages(languages, expected) -> None:
    assert choose(languages) == expected
