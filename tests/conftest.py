"""Shared fixtures: build real sites in tmp_path."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Tests run against this checkout's code, even when another copy is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from helpers import BASIC_CONFIG, write_site  # noqa: E402


@pytest.fixture
def make_site(tmp_path: Path):
    """``make_site({"content/_index.md": "---\\ntitle: Home\\n---\\n"}, config=...)``."""

    def make(files: dict[str, str | bytes], config: str | None = BASIC_CONFIG) -> Path:
        return write_site(tmp_path / "site", files, config)

    return make


# Hypothesis profiles. ``dev`` (default) keeps local runs quick; ``fuzz`` is what CI runs
# (.ci/run exports HYPOTHESIS_PROFILE=fuzz): >= 10,000 examples over tests/test_fuzz_*.py.
# A test may still set its own max_examples; profiles scale the ones that do not.
settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("fuzz", max_examples=1500, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
