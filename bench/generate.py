"""Write one synthetic corpus as three sites: mmsite, Hugo and Pelican.

The same pages (N products + M articles in series, in L languages, ~600 words of Markdown
each with headings, lists, links, a table and a code block) are written three times, each
in its tool's own format, with comparably minimal templates: a page template that prints
the title and the body, and a list template that prints one link per child page.

    python bench/generate.py --pages 3000 --languages 3 --out /tmp/mmsite-bench

``--pages`` is pages per language; a quarter of them are series articles. Output is
deterministic (seeded), so every run compares the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

CORPUS_FILE = "corpus.json"  # its size, for bench/run.py --no-generate
LANGS = [
    ("en", "en_US", "USD"),
    ("fr", "fr_FR", "EUR"),
    ("es", "es_ES", "EUR"),
    ("de", "de_DE", "EUR"),
    ("it", "it_IT", "EUR"),
    ("pt", "pt_BR", "BRL"),
    ("nl", "nl_NL", "EUR"),
    ("ar", "ar_EG", "EGP"),
]

REGIONS = {"USD": "us", "EUR": "eu", "BRL": "br", "EGP": "eg"}

# A few hundred words per language, enough to make varied, realistic-looking prose.
WORDS = {
    "en": "salt sea harvest tide batch flake smoked oak cellar jar kitchen crystal brine "
    "cornish harbour morning weather season slow small careful hand pan shallow steel dry "
    "warm store grain crisp clean bright mineral sweet bitter taste finish table dish "
    "tomato butter bread potato caramel egg fish roast grill market order ship parcel box "
    "gift customer founder team maker village coast cliff wind rain sun summer winter "
    "spring autumn week day night buyer shop price currency checkout link page story",
    "fr": "sel mer récolte marée lot flocon fumé chêne salière pot cuisine cristal saumure "
    "port matin météo saison lent petit soigneux main bac acier sec chaud réserve grain "
    "croquant propre vif minéral doux amer goût finale table plat tomate beurre pain "
    "pomme caramel œuf poisson rôti marché commande colis boîte cadeau client fondatrice "
    "équipe village côte falaise vent pluie soleil été hiver printemps automne semaine",
    "es": "sal mar cosecha marea lote escama ahumada roble salero tarro cocina cristal "
    "salmuera puerto mañana tiempo temporada lento pequeño cuidadoso mano bandeja acero "
    "seco cálido almacén grano crujiente limpio mineral dulce amargo sabor mesa plato "
    "tomate mantequilla pan patata caramelo huevo pescado asado mercado pedido paquete "
    "caja regalo cliente fundadora equipo pueblo costa acantilado viento lluvia verano",
}


def words_for(lang: str) -> list[str]:
    return (WORDS.get(lang) or WORDS["en"]).split()


@dataclass
class Item:
    kind: str  # "product" | "article"
    stem: str
    index: int
    series: str = ""


def sentence(rng: random.Random, words: list[str], lang: str) -> str:
    chosen = rng.choices(words, k=rng.randint(8, 18))
    text = " ".join(chosen)
    roll = rng.random()
    if roll < 0.08:
        text += ' and "' + " ".join(rng.choices(words, k=3)) + '"'
    elif roll < 0.14 and lang == "en":
        text += " we don't rush it"
    elif roll < 0.2:
        text += " -- " + " ".join(rng.choices(words, k=4))
    elif roll < 0.26:
        text += " *" + rng.choice(words) + "* **" + rng.choice(words) + "**"
    elif roll < 0.3:
        text += " `" + rng.choice(words) + "`"
    return text[:1].upper() + text[1:] + "."


def paragraph(rng: random.Random, words: list[str], lang: str) -> str:
    return " ".join(sentence(rng, words, lang) for _ in range(rng.randint(3, 5)))


def body(rng: random.Random, item: Item, lang: str, items: list[Item]) -> str:
    """About 600 words: headings, paragraphs, a list, links, a table and a code block."""
    words = words_for(lang)
    parts: list[str] = []
    for section in range(4):
        parts.append("## " + " ".join(rng.choices(words, k=3)).capitalize())
        parts.append(paragraph(rng, words, lang))
        parts.append(paragraph(rng, words, lang))
        if section == 0:
            parts.append("\n".join(f"- {' '.join(rng.choices(words, k=5))}" for _ in range(5)))
        if section == 1:
            rows = [f"| {rng.choice(words)} | {rng.randint(1, 999)} g |" for _ in range(4)]
            parts.append("| Item | Amount |\n|------|-------:|\n" + "\n".join(rows))
        if section == 2:
            parts.append(
                "1. "
                + " ".join(rng.choices(words, k=6))
                + "\n2. "
                + " ".join(rng.choices(words, k=6))
                + "\n3. see [the supplier](https://example.org/"
                + rng.choice(words)
                + ")"
            )
        if section == 3 and item.kind == "article":
            parts.append("```sh\ncurl -s https://api.example.org/orders | jq '.[] | .sku'\n```")
        if section == 3 and rng.random() < 0.25:
            other = rng.choice(items)
            parts.append(f"Compare with [{other.stem}]({link_from(item, other)}).")
    return "\n\n".join(parts) + "\n"


def link_from(item: Item, other: Item) -> str:
    """A relative link between two content files (same layout in all three sites)."""
    here = "products" if item.kind == "product" else f"series/{item.series}"
    there = "products" if other.kind == "product" else f"series/{other.series}"
    if here == there:
        return f"{other.stem}.md"
    up = "../" * len(here.split("/"))
    return f"{up}{there}/{other.stem}.md"


def corpus(pages: int) -> list[Item]:
    articles = pages // 4
    products = pages - articles
    items = [Item("product", f"product-{i:05d}", i) for i in range(products)]
    items += [
        Item("article", f"{i % 50 + 1:02d}-interview-{i:05d}", i, f"series-{i // 50:03d}")
        for i in range(articles)
    ]
    return items


def title_of(rng: random.Random, lang: str) -> str:
    return " ".join(rng.choices(words_for(lang), k=3)).capitalize()


def meta_for(item: Item, lang: str, currencies: list[str], rng: random.Random) -> dict[str, str]:
    day = date(2024, 1, 1) + timedelta(days=item.index % 700)
    base = {"title": title_of(rng, lang), "summary": paragraph(rng, words_for(lang), lang)[:140]}
    if item.kind == "product":
        prices = ", ".join(f"{c}: {10 + item.index % 40}.50" for c in currencies)
        base.update(sku=f"SKU-{item.index:05d}", price=f"{{{prices}}}")
        base.update(availability="in_stock", category="pantry")
    else:
        base.update(date=day.isoformat(), author="Editor", part=str(int(item.stem[:2])))
    return base


def yaml_value(value: str) -> str:
    if value.startswith("{") or value.isdigit() or value[:4].isdigit():
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def yaml_front(meta: dict[str, str]) -> str:
    lines = [f"{k}: {yaml_value(v)}" for k, v in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# -- mmsite -------------------------------------------------------------------

MMSITE_PAGE = """<!doctype html>
<html lang="{{ html_lang }}"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body><h1>{{ page.title }}</h1>
{{ page.content }}
</body></html>
"""
MMSITE_LIST = """<!doctype html>
<html lang="{{ html_lang }}"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body><h1>{{ page.title }}</h1>
{{ page.content }}
<ul>
{% for child in page.children %}<li><a href="{{ child.url }}">{{ child.title }}</a></li>
{% endfor %}</ul>
</body></html>
"""


# What every mmsite build writes beside its pages, turned off (site.yaml ``outputs:``).
PAGES_ONLY = (
    "outputs: {sitemap: false, robots: false, feeds: false, merchant_feeds: false,"
    " not_found: false, search: false}\n"
)
# Hugo has no search index: the minimal-template sites leave it out; the default theme's
# site builds it (pip install 'mmsite[search]'), as a default build does.
NO_SEARCH = "outputs: {search: false}\n"
OUTPUTS_CONFIG = "site-outputs.yaml"  # the same site.yaml with every output on
ONE_PAGE_LISTS = "pagination: {size: 10000}\n"  # no page 2 (the default theme's site has them)


def write_mmsite(root: Path, items: list[Item], langs: list[tuple[str, str, str]]) -> None:
    languages = "\n".join(f"  {code}: {{locale: {loc}}}" for code, loc, _ in langs)
    currencies: dict[str, list[str]] = {}
    for code, _, cur in langs:
        currencies.setdefault(cur, []).append(code)
    markets = "\n".join(
        f"  {REGIONS[cur]}: {{currency: {cur}, languages: [{', '.join(codes)}]}}"
        for cur, codes in currencies.items()
    )
    config = (
        "title: Bench Salt Co.\nbase_url: https://bench.example/\ndefault_language: en\n"
        f"languages:\n{languages}\nmarkets:\n{markets}\n"
    )
    write(root / OUTPUTS_CONFIG, config)
    # The minimal site writes its pages only, as Hugo's pages-only configuration does,
    # and lists every child on one page, as Hugo's list template (``range .Pages``) does.
    write(root / "site.yaml", config + PAGES_ONLY + ONE_PAGE_LISTS)
    # Section templates come before page.html in the lookup (render.template_names):
    # without these, products and articles would render with the default theme's
    # full templates (JSON-LD, buy buttons, series navigation) in the "minimal" site.
    for name in ["page.html", "products/page.html", "series/article.html"]:
        write(root / "templates" / name, MMSITE_PAGE)
    lists = ["section.html", "home.html", "products/section.html", "series/index.html"]
    for name in lists + ["series/list.html", "products/category.html", "products/categories.html"]:
        write(root / "templates" / name, MMSITE_LIST)
    content = root / "content"
    for code, _, _ in langs:
        suffix = "" if code == langs[0][0] else f".{code}"
        rng = random.Random(f"idx-{code}")
        write(content / f"_index{suffix}.md", yaml_front({"title": title_of(rng, code)}))
        write(content / "products" / f"_index{suffix}.md", yaml_front({"title": "Shop"}))
        for series in sorted({i.series for i in items if i.series}):
            write(
                content / "series" / series / f"_index{suffix}.md",
                yaml_front({"title": series.replace("-", " ").title()}),
            )
    for item, code, meta, text in rendered_items(items, langs):
        suffix = "" if code == langs[0][0] else f".{code}"
        folder = "products" if item.kind == "product" else f"series/{item.series}"
        write(content / folder / f"{item.stem}{suffix}.md", yaml_front(meta) + "\n" + text)


def rendered_items(items: list[Item], langs: list[tuple[str, str, str]]):
    currencies = sorted({cur for _, _, cur in langs})
    for item in items:
        for code, _, _ in langs:
            rng = random.Random(f"{item.stem}-{code}")
            yield item, code, meta_for(item, code, currencies, rng), body(rng, item, code, items)


# -- Hugo ---------------------------------------------------------------------

HUGO_SINGLE = """<!doctype html>
<html lang="{{ .Lang }}"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1>
{{ .Content }}
</body></html>
"""
HUGO_LIST = """<!doctype html>
<html lang="{{ .Lang }}"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1>
{{ .Content }}
<ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>
</body></html>
"""
HUGO_404 = """<!doctype html>
<html lang="{{ .Lang }}"><head><meta charset="utf-8"><title>Not found</title></head>
<body><h1>Not found</h1></body></html>
"""


def write_hugo(root: Path, mmsite_root: Path, langs: list[tuple[str, str, str]]) -> None:
    write_hugo_configs(root, langs)
    write(root / "layouts" / "_default" / "single.html", HUGO_SINGLE)
    write(root / "layouts" / "_default" / "list.html", HUGO_LIST)
    write(root / "layouts" / "index.html", HUGO_LIST)
    write(root / "layouts" / "404.html", HUGO_404)
    shutil.copytree(mmsite_root / "content", root / "content")


def write_hugo_configs(root: Path, langs: list[tuple[str, str, str]]) -> None:
    """Two configurations of the same Hugo site: ``config.toml`` writes the pages only;
    ``config-outputs.toml`` also writes what every mmsite build writes beside its pages,
    with Hugo's own defaults for them: a sitemap per language, RSS feeds (capped at 20
    items, mmsite's ``feed_limit``), robots.txt and a 404 page per language."""
    languages = "\n".join(
        f"[languages.{code}]\nweight = {n + 1}\nlanguageName = '{code}'"
        for n, (code, _, _) in enumerate(langs)
    )
    common = (
        "baseURL = 'https://bench.example/'\ntitle = 'Bench Salt Co.'\n"
        f"defaultContentLanguage = '{langs[0][0]}'\n"
    )
    markup = (
        "[markup.goldmark.renderer]\nunsafe = false\n"
        "[markup.goldmark.extensions]\ntypographer = true\ntable = true\nstrikethrough = true\n"
        f"{languages}\n"
    )
    write(
        root / "config.toml",
        common
        + "disableKinds = ['taxonomy', 'term', 'RSS', 'sitemap', 'robotsTXT', '404']\n"
        + markup,
    )
    write(
        root / "config-outputs.toml",
        common
        + "disableKinds = ['taxonomy', 'term']\nenableRobotsTXT = true\n"
        + markup
        + "[services.rss]\nlimit = 20\n",
    )


# -- Pelican ------------------------------------------------------------------

PELICAN_ARTICLE = """<!doctype html>
<html lang="{{ article.lang }}"><head><meta charset="utf-8"><title>{{ article.title }}</title>
</head><body><h1>{{ article.title }}</h1>
{{ article.content }}
</body></html>
"""
PELICAN_INDEX = """<!doctype html>
<html><head><meta charset="utf-8"><title>{{ SITENAME }}</title></head>
<body><ul>
{% for article in articles %}
<li><a href="{{ SITEURL }}/{{ article.url }}">{{ article.title }}</a></li>
{% endfor %}</ul>
</body></html>
"""
PELICAN_CONF = """AUTHOR = "Editor"
SITENAME = "Bench Salt Co."
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "{lang}"
THEME = "theme"
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DIRECT_TEMPLATES = ["index"]
DEFAULT_PAGINATION = False
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
ARTICLE_URL = "{{category}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{category}}/{{slug}}/index.html"
ARTICLE_LANG_URL = "{{lang}}/{{category}}/{{slug}}/"
ARTICLE_LANG_SAVE_AS = "{{lang}}/{{category}}/{{slug}}/index.html"
MARKDOWN = {{
    "extension_configs": {{
        "markdown.extensions.extra": {{}},
        "markdown.extensions.smarty": {{}},
    }},
    "output_format": "html5",
}}
"""


def write_pelican(root: Path, items: list[Item], langs: list[tuple[str, str, str]]) -> None:
    write(root / "pelicanconf.py", PELICAN_CONF.format(lang=langs[0][0]))
    templates = root / "theme" / "templates"
    write(templates / "article.html", PELICAN_ARTICLE)
    write(templates / "index.html", PELICAN_INDEX)
    for name in ["page", "tag", "tags", "category", "categories", "author", "authors"]:
        write(templates / f"{name}.html", PELICAN_INDEX)
    write(templates / "archives.html", PELICAN_INDEX)
    write(templates / "period_archives.html", PELICAN_INDEX)
    (root / "theme" / "static").mkdir(parents=True, exist_ok=True)
    for item, code, meta, text in rendered_items(items, langs):
        folder = "products" if item.kind == "product" else item.series
        day = meta.get("date", "2024-01-01")
        head = [
            f"Title: {meta['title']}",
            f"Date: {day}",
            f"Slug: {item.stem}",
            f"Lang: {code}",
            f"Category: {folder}",
            f"Summary: {meta['summary']}",
        ]
        suffix = "" if code == langs[0][0] else f".{code}"
        path = root / "content" / folder / f"{item.stem}{suffix}.md"
        write(path, "\n".join(head) + "\n\n" + text)


def generate(out: Path, pages: int, languages: int) -> dict[str, Path]:
    langs = LANGS[:languages]
    if out.exists():
        shutil.rmtree(out)
    items = corpus(pages)
    sites = {"mmsite": out / "mmsite", "hugo": out / "hugo", "pelican": out / "pelican"}
    write_mmsite(sites["mmsite"], items, langs)
    # The same content and minimal templates with every output on (sitemap, feeds, ...),
    # and with the real default theme, every output on.
    for name, templates in (("mmsite-outputs", True), ("mmsite-full", False)):
        site = out / name
        site.mkdir(parents=True)
        shutil.copy(sites["mmsite"] / OUTPUTS_CONFIG, site / "site.yaml")
        if templates:
            with (site / "site.yaml").open("a", encoding="utf-8") as file:
                file.write(NO_SEARCH + ONE_PAGE_LISTS)
        (site / "content").symlink_to(sites["mmsite"] / "content", target_is_directory=True)
        if templates:  # a copy: a link out of the site folder is refused (issue 28)
            shutil.copytree(sites["mmsite"] / "templates", site / "templates")
        sites[name] = site
    write_hugo(sites["hugo"], sites["mmsite"], langs)
    write_pelican(sites["pelican"], items, langs)
    (out / CORPUS_FILE).write_text(json.dumps({"pages": pages, "languages": languages}) + "\n")
    return sites


def corpus_size(out: Path) -> tuple[int, int] | None:
    """(pages per language, languages) of the corpus ``generate`` wrote in ``out``."""
    try:
        size = json.loads((out / CORPUS_FILE).read_text())
        return int(size["pages"]), int(size["languages"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="pages per language")
    parser.add_argument("--languages", type=int, default=3, choices=range(1, len(LANGS) + 1))
    parser.add_argument("--out", type=Path, default=Path("/tmp/mmsite-bench"))
    args = parser.parse_args(argv)
    sites = generate(args.out, args.pages, args.languages)
    for name, path in sites.items():
        print(f"{name}: {path}")


if __name__ == "__main__":
    main()
