"""A small shop in English, French and Japanese for the search tests (tests/test_search.py
and tests/browser/test_search_browser.py): words that occur in one language only."""

from __future__ import annotations

CONFIG = """\
title: Salt Search
base_url: https://search.example/
default_language: en
languages:
  en: {locale: en_US}
  fr: {locale: fr_FR}
  ja: {locale: ja_JP}
markets:
  us: {currency: USD, languages: [en]}
  eu: {currency: EUR, languages: [fr]}
  jp: {currency: JPY, languages: [ja]}
commerce:
  categories:
    pantry: {en: Pantry, fr: Épicerie fine, ja: 食料品}
    gifts: {en: Gifts, fr: Cadeaux, ja: ギフト}
"""

SMOKED = """\
---
title: Smoked salt
sku: SALT-1
price: {USD: 12.50, EUR: 11.90, JPY: 1800}
category: pantry
checkout: {stripe: https://buy.stripe.com/test_1}
---
Flakes of sea salt, cold-smoked over oak for a week.
"""
SMOKED_FR = """\
---
title: Sel fumé
slug: sel-fume
---
Des flocons de sel de mer, fumés à froid sur du chêne pendant une semaine.
"""
SMOKED_JA = """\
---
title: 燻製塩
---
オーク材で一週間じっくり燻製にした海塩のフレークです。
"""
BOX = """\
---
title: Gift box
sku: BOX-1
price: {USD: 40, EUR: 36, JPY: 5800}
category: gifts
checkout: {stripe: https://buy.stripe.com/test_2}
---
Three salts in a wooden box, with a recipe card.
"""
BOX_FR = """\
---
title: Coffret cadeau
slug: coffret
---
Trois sels dans un coffret en bois, avec une fiche recette.
"""
BOX_JA = """\
---
title: ギフトボックス
---
木箱に入った三種類の塩とレシピカード。
"""
HOME = {
    "en": "---\ntitle: Home\n---\nSea salt from the coast, harvested by hand.\n",
    "fr": "---\ntitle: Accueil\n---\nDu sel de mer récolté à la main sur la côte.\n",
    "ja": "---\ntitle: ホーム\n---\n海岸で手摘みした海塩。\n",
}
PRODUCTS = {"en": "Shop", "fr": "Boutique", "ja": "ショップ"}

FILES: dict[str, str] = {
    "content/products/smoked-salt.md": SMOKED,
    "content/products/smoked-salt.fr.md": SMOKED_FR,
    "content/products/smoked-salt.ja.md": SMOKED_JA,
    "content/products/gift-box.md": BOX,
    "content/products/gift-box.fr.md": BOX_FR,
    "content/products/gift-box.ja.md": BOX_JA,
}
for _lang, _text in HOME.items():
    FILES["content/_index.md" if _lang == "en" else f"content/_index.{_lang}.md"] = _text
for _lang, _title in PRODUCTS.items():
    _name = "content/products/_index.md" if _lang == "en" else f"content/products/_index.{_lang}.md"
    FILES[_name] = f"---\ntitle: {_title}\n---\n"
