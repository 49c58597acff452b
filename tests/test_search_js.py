"""The theme's search box script (search.js), run in Node with a stand-in DOM and a
stand-in Pagefind bundle: it shows the form, searches on submit, counts results in the
page's language, and builds no Intl object while the page loads (creating one loads the
locale's data: ~35 ms of main thread that Lighthouse counted as blocking time)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from helpers import REPO

NODE = shutil.which("node")
SCRIPT = REPO / "themes/default/static/js/search.js"
BUNDLE = (
    "data:text/javascript,"
    "export async function options() {}"
    "export function init() {}"
    "export async function search(q) { return {results: [1, 2].map((n) => ({data: async () =>"
    " ({url: '/p' + n + '/', meta: {title: q + ' ' + n}})}))}; }"
)
HARNESS = """
import {pathToFileURL} from "node:url";
const [script, lang, bundle] = JSON.parse(process.argv[1]);
const built = [];
for (const name of ["PluralRules", "NumberFormat"]) {
  const Real = Intl[name];
  Intl[name] = class extends Real {
    constructor(...args) { super(...args); built.push(name); }
  };
}
const element = (props = {}) => {
  const handlers = {};
  return Object.assign({
    hidden: true, textContent: "", children: [], dataset: {}, value: "",
    addEventListener: (type, handler) => { handlers[type] = handler; },
    fire: (type, event = {}) => handlers[type]({preventDefault() {}, ...event}),
    append(...nodes) { this.children.push(...nodes); },
    replaceChildren(...nodes) { this.children = nodes; },
    querySelector: () => null,
  }, props);
};
const parts = {
  ".search-input": element({value: "sel"}), ".search-panel": element(),
  ".search-status": element(), ".search-results": element(),
};
const form = element({
  dataset: {bundle, base: "/", results: JSON.stringify({one: "{count} result",
    other: "{count} results"}), none: "none"},
  querySelector: (selector) => parts[selector],
});
globalThis.window = globalThis;
globalThis.document = {
  documentElement: {lang},
  querySelector: (selector) => (selector === "form.search-form" ? form : null),
  createElement: () => element(),
  createTextNode: (text) => ({text}),
};
await import(pathToFileURL(script));
const atLoad = {shown: !form.hidden, built: [...built]};
form.fire("submit");
await new Promise((resolve) => setTimeout(resolve, 50));
process.stdout.write(JSON.stringify({
  atLoad,
  status: parts[".search-status"].textContent,
  panelShown: !parts[".search-panel"].hidden,
  titles: parts[".search-results"].children.map((li) => li.children[0].textContent),
}));
"""


def run_search(lang: str) -> dict:
    arg = json.dumps([str(SCRIPT), lang, BUNDLE])
    result = subprocess.run(
        [NODE, "--input-type=module", "-e", HARNESS, arg], capture_output=True, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


@pytest.mark.skipif(NODE is None, reason="needs node")
def test_loading_shows_the_form_and_builds_no_intl_object() -> None:
    seen = run_search("en-US")
    assert seen["atLoad"] == {"shown": True, "built": []}


@pytest.mark.skipif(NODE is None, reason="needs node")
@pytest.mark.parametrize(("lang", "status"), [("en-US", "2 results"), ("ar-EG", "٢ results")])
def test_a_search_lists_results_and_counts_them_in_the_page_language(
    lang: str, status: str
) -> None:
    seen = run_search(lang)
    assert seen["titles"] == ["sel 1", "sel 2"]
    assert seen["panelShown"]
    assert seen["status"] == status
