"""Shared fixtures: build real sites in tmp_path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Tests run against this checkout's code, even when another copy is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from helpers import BASIC_CONFIG, write_site  # noqa: E402


@pytest.fixture
def make_site(tmp_path: Path):
    """``make_site({"content/_index.md": "---\\ntitle: Home\\n---\\n"}, config=...)``."""

    def make(files: dict[str, str | bytes], config: str | None = BASIC_CONFIG) -> Path:
        return write_site(tmp_path / "site", files, config)

    return make
