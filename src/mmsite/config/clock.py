"""The build's date: what "today" is for dated content (a sale that ends).

Deterministic on purpose: ``MMSITE_TODAY=2026-06-30`` fixes it (tests, reproducible
builds, previewing a sale's last day); without it, it is the current date in UTC. The
engine puts it in the build's environment key, so an incremental build on a later day
is a full build when the date matters.
"""

from __future__ import annotations

import datetime as dt
import os

from mmsite.errors import MmsiteError

ENV = "MMSITE_TODAY"


def build_date() -> dt.date:
    """``MMSITE_TODAY`` (YYYY-MM-DD), else today's date in UTC."""
    value = os.environ.get(ENV, "").strip()
    if not value:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise MmsiteError(
            f"{ENV}={value!r} is not a date", hint=f"write e.g. {ENV}=2026-06-30, or unset it"
        ) from None
