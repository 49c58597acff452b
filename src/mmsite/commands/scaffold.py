"""What ``mmsite new`` makes (:mod:`mmsite.commands.new`): a working two-language shop
skeleton that deploys (its CI and host files: :mod:`mmsite.commands.sitefiles`), and new
product/article files.

Templates come from the built-in theme; the scaffold holds only content, site.yaml and
the site's own UI strings. Front matter follows the content format (docs: FORMAT).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

from mmsite.commands.legalpages import LEGAL_FILES
from mmsite.commands.sitefiles import deploy_files
from mmsite.config.options import CONFIG_FILE
from mmsite.content.frontmatter import split_front_matter
from mmsite.engine.pipeline import site_config
from mmsite.errors import MmsiteError

SITE_YAML = """\
# Your site. Reference: README.md (site.yaml) in the mmsite repository.
title: {title}
base_url: https://example.com/     # your domain; `mmsite build --base-url` overrides it
theme: default
default_language: en
missing_translation: fallback      # show the English page, marked, until it is translated
languages:
  en: {{locale: en_US, title: {title}}}
  fr: {{locale: fr_FR}}
markets:
  eu: {{currency: EUR, languages: [en, fr]}}
commerce:
  brand: {title}                   # products' brand in merchant feeds (Google Shopping)
  categories:                      # a name per language (`mmsite check` says which are missing)
    general: {{en: General, fr: Général}}
  shipping:                        # your terms: shown on product pages and in merchant feeds
    eu: {{rate: 6.90, countries: [FR, DE, ES, IT, NL, BE],
          handling_days: [1, 2], transit_days: [3, 7]}}
  returns: {{days: 30, fees: customer}}
markdown: {{unsafe_html: false}}
"""

FILES: dict[str, str] = {
    "content/_index.md": """\
---
title: {title}
summary: Small batches, shipped worldwide.
---
Welcome! Edit `content/_index.md` to change this page, then run `mmsite serve`.
""",
    "content/_index.fr.md": """\
---
title: {title}
summary: Petites séries, expédiées dans le monde entier.
---
Bienvenue ! Modifiez `content/_index.fr.md` pour changer cette page.
""",
    "content/products/_index.md": """\
---
title: Shop
summary: Everything we make.
---
""",
    "content/products/_index.fr.md": """\
---
title: Boutique
slug: boutique
summary: Tout ce que nous fabriquons.
---
""",
    "content/products/first-product.md": """\
---
title: Our first product
sku: SKU-001
summary: One sentence that makes someone want it.
price: {{EUR: 19.00}}
availability: in_stock
category: general
checkout:
  stripe: https://buy.stripe.com/ReplaceWithYourLink   # check --strict fails until replaced
---
Describe what it is, how you make it, and who it is for.
""",
    "content/products/first-product.fr.md": """\
---
title: Notre premier produit
slug: premier-produit
summary: Une phrase qui donne envie.
---
Décrivez ce que c’est, comment vous le fabriquez et pour qui.
""",
    "content/series/interviews/_index.md": """\
---
title: Interviews
summary: Conversations with people building small global companies.
---
""",
    "content/series/interviews/_index.fr.md": """\
---
title: Entretiens
slug: entretiens
summary: Conversations avec celles et ceux qui bâtissent de petites entreprises mondiales.
---
""",
    "content/series/interviews/01-first-interview.md": """\
---
title: "Our first interview"
date: {today}
author: Your Name
interviewee: {{name: Founder Name, company: Company, country: FR}}
part: 1
tags: [founders]
summary: Who they are, and why they sell worldwide.
---
**Why did you start selling abroad?**

Write the answer here.
""",
    "content/series/interviews/01-first-interview.fr.md": """\
---
title: "Notre premier entretien"
slug: premier-entretien
summary: Qui ils sont, et pourquoi ils vendent dans le monde entier.
---
**Pourquoi avez-vous commencé à vendre à l’étranger ?**

Écrivez la réponse ici.
""",
    "i18n/en.yaml": """\
# Your own UI strings; they override the theme's (themes/default/i18n/en.yaml).
footer_tagline: Made by a small team, shipped worldwide.
""",
    "i18n/fr.yaml": """\
footer_tagline: Fait par une petite équipe, expédié dans le monde entier.
""",
}


def slugify(name: str) -> str:
    """``"Smoked Salt (250 g)"`` -> ``smoked-salt-250-g``; keeps non-Latin letters."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    slug = re.sub(r"[^\w]+", "-", text).strip("-_")
    if not slug:
        raise MmsiteError(f"{name!r} gives an empty file name", hint="use letters or digits")
    return slug


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _create(path: Path, text: str) -> Path:
    if path.exists():
        raise MmsiteError(f"{path} already exists; not overwriting it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def new_site(folder: Path, title: str | None = None) -> list[Path]:
    if folder.exists() and any(folder.iterdir()):
        raise MmsiteError(f"{folder} exists and is not empty", hint="pick a new folder name")
    title = title or folder.resolve().name.replace("-", " ").replace("_", " ").title()
    values = {"title": _yaml_text(title), "today": dt.date.today().isoformat()}
    made = [_create(folder / CONFIG_FILE, SITE_YAML.format(**values))]
    for rel, text in FILES.items():
        made.append(_create(folder / rel, text.format(**values)))
    for rel, text in LEGAL_FILES.items():  # footer pages: legal notice, privacy, terms ...
        made.append(_create(folder / rel, text))
    for rel, text in deploy_files().items():  # .github/workflows, requirements.txt ...
        made.append(_create(folder / rel, text))
    return made


def _site(root: Path) -> Path:
    config = site_config(root)  # fails clearly outside a site
    return config.content_dir


def new_product(root: Path, name: str) -> Path:
    """``content/products/<slug>.md`` with the product fields to fill in. Nothing in it
    passes as written: the 0 prices (one per market currency) are a build error naming
    the line, the placeholder checkout link a warning of ``mmsite check`` (``--strict``
    fails)."""
    config = site_config(root)  # fails clearly outside a site
    slug = slugify(name)
    currencies = sorted({m.currency for m in config.markets.values()}) or ["EUR"]
    prices = ", ".join(f"{currency}: 0" for currency in currencies)
    text = (
        f"---\ntitle: {_yaml_text(name)}\nsku: {slug.upper()[:24]}\n"
        "summary: One sentence that makes someone want it.\n"
        f"price: {{{prices}}}   # your prices (0 is an error unless free: true)\n"
        "availability: in_stock\ncategory: general\n"
        "checkout:   # your live link; one per market if prices differ: {stripe: {us: ...}}\n"
        "  stripe: https://buy.stripe.com/ReplaceWithYourLink\n"
        "draft: true                 # remove when ready to publish\n---\n"
        "Describe what it is, how you make it, and who it is for.\n"
    )
    return _create(config.content_dir / "products" / f"{slug}.md", text)


def _part_of(path: Path) -> int:
    """An article's part number: ``part:`` in its front matter, else its NN- prefix."""
    try:
        meta = split_front_matter(path.read_text(encoding="utf-8"), path).meta
    except (MmsiteError, OSError, UnicodeDecodeError):
        meta = {}
    part = meta.get("part")
    if isinstance(part, int) and not isinstance(part, bool):
        return part
    match = re.match(r"(\d+)-", path.name)
    return int(match.group(1)) if match else 0


def new_article(root: Path, series: str, name: str) -> Path:
    """``content/series/<series>/<NN>-<slug>.md``, part = the series' last part + 1.
    A new series also gets its ``_index.md``."""
    folder = _site(root) / "series" / slugify(series)
    made_index = None
    if not (folder / "_index.md").exists():
        made_index = f"---\ntitle: {_yaml_text(series)}\nsummary: What this series is about.\n---\n"
    articles = [p for p in folder.glob("*.md") if not p.name.startswith("_index")]
    part = max((_part_of(p) for p in articles), default=0) + 1
    text = (
        f"---\ntitle: {_yaml_text(name)}\ndate: {dt.date.today().isoformat()}\n"
        "author: Your Name\n"
        "interviewee: {name: Founder Name, company: Company, country: FR}\n"
        f"part: {part}\ntags: []\nsummary: One sentence about this conversation.\n"
        "draft: true                 # remove when ready to publish\n---\n"
        "**First question?**\n\nThe answer.\n"
    )
    path = _create(folder / f"{part:02d}-{slugify(name)}.md", text)
    if made_index is not None:
        _create(folder / "_index.md", made_index)
    return path
