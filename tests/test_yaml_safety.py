"""YAML is loaded safely: no Python objects, no alias bombs, no self-reference."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from helpers import build_site, page
from mmsite.config.yamlutil import MAX_ALIASES, load_yaml
from mmsite.errors import MmsiteError


def laughs(levels: int, width: int) -> str:
    lines = ['a0: &a0 "lol"']
    for n in range(1, levels + 1):
        refs = ", ".join([f"*a{n - 1}"] * width)
        lines.append(f"a{n}: &a{n} [{refs}]")
    return "\n".join(lines) + "\ntitle: boom\n"


@pytest.mark.parametrize(
    ("levels", "width"),
    [(9, 10), (8, 9), (30, 2), (12, 8)],  # billion laughs; 43 million under the alias cap; ...
)
def test_billion_laughs_is_refused_quickly(levels: int, width: int) -> None:
    started = time.perf_counter()
    with pytest.raises(MmsiteError) as caught:
        load_yaml(laughs(levels, width), Path("bomb.md"))
    assert caught.value.path == Path("bomb.md")
    assert "alias" in str(caught.value) or "expands" in str(caught.value)
    assert time.perf_counter() - started < 10  # generous: it takes milliseconds


def test_bomb_in_front_matter_names_the_file(make_site) -> None:
    bomb = "---\n" + laughs(8, 9) + "---\nBody\n"
    root = make_site({"content/_index.md": page("Home"), "content/bomb.md": bomb})
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    assert "bomb.md" in str(caught.value)
    assert not (root / "public").exists()


def test_a_few_aliases_are_fine() -> None:
    text = "base: &b {USD: 1}\nprice: *b\nother: *b\n"
    assert load_yaml(text, Path("p.md")) == {
        "base": {"USD": 1},
        "price": {"USD": 1},
        "other": {"USD": 1},
    }


def test_too_many_aliases() -> None:
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n"
    with pytest.raises(MmsiteError, match="aliases"):
        load_yaml(text, Path("p.md"))


@pytest.mark.parametrize("text", ["a: &a [*a]", "a: &a {b: *a}", "a: &a [1, [2, *a]]"])
def test_self_referring_aliases_are_refused(text: str) -> None:
    with pytest.raises(MmsiteError, match="refers to the value that contains it"):
        load_yaml(text, Path("p.md"))


@pytest.mark.parametrize(
    "text",
    [
        "x: !!python/object/apply:os.system ['echo pwned']",
        "x: !!python/name:os.system",
        "x: !!python/object:builtins.dict {}",
    ],
)
def test_python_tags_are_refused(text: str, tmp_path: Path) -> None:
    with pytest.raises(MmsiteError) as caught:
        load_yaml(text, Path("p.md"))
    assert caught.value.line == 1


@pytest.mark.parametrize(
    ("text", "line"), [("title: x\ndate: 2026-02-30\n", 2), ("a: 1\nb: 2\na: 3\n", 3)]
)
def test_bad_values_point_at_their_line(text: str, line: int) -> None:
    with pytest.raises(MmsiteError) as caught:
        load_yaml(text, Path("p.md"))
    assert caught.value.line == line
