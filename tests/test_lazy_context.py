"""Context processors marked with @provides run only when a template uses their keys."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from helpers import REPO, build_site, page, parse_html, text_of
from mmsite.engine.build import BuildOptions, load_site
from mmsite.errors import Reporter
from mmsite.features.builtin import builtin_registry
from mmsite.features.registry import Feature, provides
from mmsite.features.site import PageView
from mmsite.render.templates import TrackingEnvironment, context_for

CALLS: list[str] = []


@provides("greeting", "shout")
def _greeting(view: PageView) -> dict[str, str]:
    CALLS.append(view.title)
    return {"greeting": f"Hello from {view.title}", "shout": view.title.upper()}


GREETING = builtin_registry(Feature("greeting", context=(_greeting,)))


@pytest.fixture
def greeting():
    CALLS.clear()
    yield CALLS


PLAIN = "<!doctype html><title>{{ page.title }}</title><h1>{{ page.title }}</h1>\n"
USES = (
    "<!doctype html><title>{{ page.title }}</title>"
    '{% include "hello.html" %}<p id="shout">{{ shout }}</p>\n'
)


def _site(make_site, template: str) -> Path:
    files = {
        "content/_index.md": page("Home"),
        "content/a.md": page("Alpha"),
        "content/b.md": page("Beta"),
        "templates/page.html": template,
        "templates/home.html": template,
        "templates/hello.html": '<p id="hello">{{ greeting }}</p>',
    }
    config = "title: T\nbase_url: https://t.example/\n"
    config += "default_language: en\nlanguages:\n  en: {locale: en_US}\n"
    return make_site(files, config=config)


def test_unused_keys_are_never_computed(make_site, greeting) -> None:
    root = _site(make_site, PLAIN)
    build_site(root, jobs=1, cache=False, registry=GREETING)
    assert greeting == []
    assert text_of(parse_html(root / "public/a/index.html").find(".//h1")) == "Alpha"


def test_used_keys_computed_once_per_page_even_through_includes(make_site, greeting) -> None:
    root = _site(make_site, USES)
    build_site(root, jobs=1, cache=False, registry=GREETING)
    assert sorted(greeting) == ["Alpha", "Beta", "Home"]  # both keys, one call per page
    doc = parse_html(root / "public/b/index.html")
    assert text_of(doc.find(".//p[@id='hello']")) == "Hello from Beta"
    assert text_of(doc.find(".//p[@id='shout']")) == "BETA"


def test_declared_keys_match_what_processors_return() -> None:
    """Every lazy processor returns exactly the keys it declares, on every demo page
    (a key it forgot to declare would be undefined in templates)."""
    site, _ = load_site(REPO, BuildOptions(), Reporter())
    lazy = [p for p in site.registry.context_processors if getattr(p, "provides", None)]
    assert len(lazy) >= 3  # seo, series, storefront
    for route in site.router.routes:
        view = site.view(route)
        for processor in lazy:
            assert set(processor(view)) == set(processor.provides), (processor, route.path)
        context = context_for(site, route, view)
        assert all(key in context for p in lazy for key in p.provides)


def _globals_seen(env_class: type[jinja2.Environment]) -> list[str]:
    env = env_class(
        loader=jinja2.DictLoader(
            {"a.html": "{{ who }}/{{ n }}", "b.html": "{{ who }}+{% include 'a.html' %}"}
        ),
        autoescape=True,
    )
    env.globals.update(who="env", n=1)
    seen = [env.get_template("a.html").render()]
    own = env.get_template("b.html", globals={"who": "own"})
    seen += [own.render(), own.render(who="var")]
    own.globals["n"] = 2  # stays in that template
    seen += [own.render(), env.get_template("a.html").render(), str(env.globals["n"])]
    return seen


def test_template_globals_are_jinjas() -> None:
    """Templates see the environment's globals under their own, as with Jinja's own
    environment (mmsite's makes one dict per template instead of a ChainMap)."""
    seen = _globals_seen(TrackingEnvironment)
    assert seen == _globals_seen(jinja2.Environment)
    env = TrackingEnvironment(loader=jinja2.DictLoader({"a.html": "{{ n }}"}))
    assert type(env.get_template("a.html").globals) is dict  # copied as one, not a ChainMap
    assert seen == ["env/1", "own+own/1", "var+var/1", "own+own/2", "env/1", "1"]
