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


class _Both(dict):
    """A dict subclass with an attribute: Jinja's own lookup order applies to it."""

    label = "attribute"


DOTS = (
    "{{ d.label }}|{{ d.items is callable }}|{{ d.keys is callable }}|{{ s.label }}|"
    "{{ o.real }}|{{ l.0 }}|{{ d.get('label') }}|{{ d.missing is defined }}|"
    "{{ (ds|selectattr('current')|list)|length }}"
)


@pytest.mark.parametrize("undefined", [jinja2.Undefined, jinja2.StrictUndefined])
def test_dots_read_as_in_jinja(undefined: type[jinja2.Undefined]) -> None:
    """A template's ``x.name`` gives what Jinja's own environment gives: a plain dict's
    item (its methods stay methods), an attribute before an item for anything else,
    undefined when neither exists."""
    values = {
        "d": {"label": "item", "items": "shadowed?"},
        "s": _Both(label="item"),
        "o": 3,
        "l": ["zero"],
        "ds": [{"current": True}, {"current": False}],
    }
    seen = []
    for env_class in (TrackingEnvironment, jinja2.Environment):
        env = env_class(undefined=undefined)
        seen.append(env.from_string(DOTS).render(values))
    assert seen[0] == seen[1] == "item|True|True|attribute|3|zero|item|False|1"
    env = TrackingEnvironment(undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError, match="has no attribute 'missing'"):
        env.from_string("{{ d.missing }}").render(values)


def test_locale_filters_give_each_value_its_own_text(tmp_path: Path) -> None:
    """``format_number`` and ``format_date`` remember what they wrote for a value in a
    locale: each value and locale keeps its own text (as the functions write it), the
    filter's arguments count, and what is not remembered (Decimals, datetimes) is
    written each time."""
    import datetime as dt
    from decimal import Decimal

    from mmsite.config.theme import Theme, builtin_themes
    from mmsite.i18n.editions import format_date, format_number
    from mmsite.render.templates import make_environment

    env = make_environment(Theme("default", [builtin_themes() / "default"], tmp_path))
    template = env.from_string(
        "{{ n|format_number }}|{{ m|format_number }}|{{ a|format_number }}|"
        "{{ b|format_number }}|{{ d|format_date }}|{{ d|format_date('short') }}|"
        "{{ t|format_date }}"
    )
    values = {
        "n": 1234,
        "m": 1234.5,
        "a": Decimal("1.5"),
        "b": Decimal("1.25"),
        "d": dt.date(2026, 3, 1),
        "t": dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC),
    }
    for _twice in range(2):
        for locale in ("en_US", "fr_FR", "ar_EG"):
            expected = [format_number(values[k], locale) for k in "nmab"] + [
                format_date(values["d"], locale),
                format_date(values["d"], locale, "short"),
                format_date(values["t"], locale),
            ]
            assert template.render(values, locale=locale).split("|") == expected
    assert len(set(template.render(values, locale=x) for x in ("en_US", "fr_FR"))) == 2
