"""The translator hand-off: export XLIFF, fill the targets, import, build, parse."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from helpers import build_site, parse_html, write_site
from mmsite.commands.cli import main
from mmsite.features.translations.segments import Code, join_blocks, protect, split_body

pytest.importorskip("translate.storage.xliff")

NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
CONFIG = """\
title: Kernow Salt
base_url: https://salt.example/
default_language: en
markets: {us: {currency: USD, languages: [en]}, jp: {currency: JPY, languages: [ja]}}
languages: {en: {locale: en_US}, ja: {locale: ja_JP, title: コーンウォールの塩}}
"""
PRODUCT = """\
---
title: Smoked salt
sku: SALT-1
summary: Cold-smoked over oak.
price: {USD: 12.00, JPY: 1800}
availability: in_stock
image_alt: A bowl of amber flakes
variants:
  - {name: Small jar, sku: SALT-1-S, price: {USD: 12.00, JPY: 1800}}
---
# Why **smoked**?

Our salt is smoked over [Cornish oak](../about.md) for `48` hours.
A second line.

- Rich
- Clean

```
keep = "as is"
```
"""
ABOUT = "---\ntitle: About us\n---\nWe are three people.\n"
# what the "translator" writes for each source text
JA = {
    "Smoked salt": "燻製塩",
    "Cold-smoked over oak.": "オークで冷燻。",
    "A bowl of amber flakes": "琥珀色のフレーク",
    "Small jar": "小瓶",
    "Why ": "なぜ",
    "smoked": "燻製",
    "?": "？",
    "Our salt is smoked over ": "私たちの塩は",
    "Cornish oak": "コーンウォールのオーク",
    " for ": "で",
    " hours.": "時間燻製します。",
    "A second line.": "二行目。",
    "Rich": "濃厚",
    "Clean": "すっきり",
    "About us": "私たちについて",
    "We are three people.": "私たちは三人です。",
}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    files = {"content/products/salt.md": PRODUCT, "content/about.md": ABOUT}
    return write_site(tmp_path / "site", files, CONFIG)


def fill_targets(path: Path) -> None:
    """Play the CAT tool: a <target> for every unit, placeholders kept, text translated."""
    ET.register_namespace("", NS["x"])
    tree = ET.parse(path)
    for unit in tree.iter(f"{{{NS['x']}}}trans-unit"):
        if unit.get("translate") == "no":
            continue
        source = unit.find("x:source", NS)
        target = ET.SubElement(unit, f"{{{NS['x']}}}target")
        target.text = JA.get(source.text or "", source.text)
        for ph in source:
            copy = ET.SubElement(target, ph.tag, ph.attrib)
            copy.text = ph.text
            copy.tail = JA.get(ph.tail or "", ph.tail)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def test_export_is_xliff_12_with_fields_blocks_and_placeholders(site: Path, tmp_path: Path):
    out = tmp_path / "ja.xlf"
    assert (
        main(["translations", "export", "--site", str(site), "--lang", "ja", "-o", str(out)]) == 0
    )
    root = ET.parse(out).getroot()
    assert root.get("version") == "1.2"
    files = {f.get("original"): f for f in root.findall("x:file", NS)}
    assert set(files) == {"content/about.md", "content/products/salt.md"}
    salt = files["content/products/salt.md"]
    assert salt.get("source-language") == "en-US" and salt.get("target-language") == "ja-JP"
    units = {u.get("id"): u for u in salt.iter(f"{{{NS['x']}}}trans-unit")}
    fields = sorted(i for i in units if i.startswith("field/"))
    # sku, price, availability are not offered: translations inherit them
    assert fields == [
        "field/image_alt", "field/summary", "field/title", "field/variants.SALT-1-S",
    ]  # fmt: skip
    heading = units["body/0001"].find("x:source", NS)
    assert [ph.text for ph in heading.findall("x:ph", NS)] == ["# ", "**", "**"]
    paragraph = units["body/0002"].find("x:source", NS)
    codes = [ph.text for ph in paragraph.findall("x:ph", NS)]
    assert codes == ["[", "](../about.md)", "`48`", "\n"]
    assert units["body/0004"].get("translate") == "no"  # fenced code


def test_round_trip_export_fill_import_build(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "ja.xlf"
    main(["translations", "export", "--site", str(site), "--lang", "ja", "-o", str(out)])
    fill_targets(out)
    assert main(["translations", "import", "--site", str(site), str(out)]) == 0
    written = (site / "content/products/salt.ja.md").read_text(encoding="utf-8")
    front = yaml.safe_load(written.split("---\n")[1])
    assert front == {
        "title": "燻製塩",
        "summary": "オークで冷燻。",
        "image_alt": "琥珀色のフレーク",
        "variants": [{"sku": "SALT-1-S", "name": "小瓶"}],
    }  # price, sku, availability stay inherited
    build_site(site)
    doc = parse_html(site / "public/ja/products/salt/index.html")
    assert doc.find(".//h1").text == "燻製塩"
    body = doc.find(".//main")
    text = "".join(body.itertext())
    assert "なぜ燻製？" in text and "私たちの塩はコーンウォールのオークで48時間燻製します。" in text
    link = [a for a in body.iter("a") if a.text == "コーンウォールのオーク"][0]
    assert urljoin("/ja/products/salt/", link.get("href")) == "/ja/about/"
    about = parse_html(site / "public/ja/about/index.html")
    assert about.find(".//h1").text == "私たちについて"
    items = [li.text for li in body.iter("li")]
    assert items[items.index("濃厚") + 1] == "すっきり"
    assert 'keep = "as is"' in text
    assert "¥1,800" in text or "￥1,800" in text  # the inherited JPY price


def test_import_updates_and_keeps_own_fields(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "ja.xlf"
    main(["translations", "export", "--site", str(site), "--lang", "ja", "-o", str(out)])
    fill_targets(out)
    own = "---\ntitle: 古い\nslug: watashitachi\nnoindex: true\n---\n古い\n"
    write_site(site, {"content/about.ja.md": own}, None)
    main(["translations", "import", "--site", str(site), str(out)])
    text = (site / "content/about.ja.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    assert yaml.safe_load(front) == {
        "title": "私たちについて", "slug": "watashitachi", "noindex": True,
    }  # fmt: skip
    assert body == "私たちは三人です。\n"
    # a current translation is not exported again (about.ja.md is not committed: current)
    out.unlink()
    main(
        ["translations", "export", "--site", str(site), "--lang", "ja", "--missing", "-o", str(out)]
    )
    assert not out.exists()


def test_untranslated_units_skip_the_file(site: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "ja.xlf"
    main(["translations", "export", "--site", str(site), "--lang", "ja", "-o", str(out)])
    assert main(["translations", "import", "--site", str(site), str(out)]) == 1
    assert "without a translation" in capsys.readouterr().err
    assert not (site / "content/about.ja.md").exists()


def test_unknown_language_is_an_error(site: Path, capsys) -> None:
    assert main(["translations", "export", "--site", str(site), "--lang", "jp"]) == 1
    err = capsys.readouterr().err
    assert "'jp' is not a language" in err and "did you mean 'ja'" in err


def test_import_refuses_files_outside_content(site: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "evil.xlf"
    out.write_text(
        f'<xliff version="1.2" xmlns="{NS["x"]}"><file original="../../etc/x.md" '
        'source-language="en-US" target-language="ja-JP" datatype="plaintext"><body>'
        '<trans-unit id="field/title"><source>a</source><target>b</target></trans-unit>'
        "</body></file></xliff>",
        encoding="utf-8",
    )
    assert main(["translations", "import", "--site", str(site), str(out)]) == 1
    assert "not a Markdown file of this site" in capsys.readouterr().err


blocks = st.lists(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1).filter(
        lambda s: s.strip() and "\n" not in s
    ),
    min_size=1,
    max_size=5,
)


@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_protect_keeps_the_text(text: str) -> None:
    pieces = protect(text)
    assert "".join(p if isinstance(p, str) else p.text for p in pieces) == text
    assert not any(isinstance(a, Code) and isinstance(b, Code) for a, b in pairwise(pieces))


@given(blocks)
def test_blocks_join_back(lines: list[str]) -> None:
    body = join_blocks([line.strip() for line in lines])
    assert join_blocks([b.text for b in split_body(body)]) == body
