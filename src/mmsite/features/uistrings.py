"""UI strings as a check: ``mmsite check`` names the strings a language lacks (the build
says the same once per language, and shows the default language's text meanwhile)."""

from __future__ import annotations

from collections.abc import Iterator

from mmsite.features.checking import WARNING, CheckContext, Finding
from mmsite.features.registry import Check, Feature


def check_ui_strings(ctx: CheckContext) -> Iterator[Finding]:
    """UI strings a language's i18n file lacks (shown in the default language)."""
    default = ctx.site.config.default_language
    for lang, keys in sorted(ctx.site.strings.missing().items()):
        yield Finding(
            WARNING,
            "ui-strings",
            f"i18n/{lang}.yaml",
            f"{len(keys)} UI string(s) missing in {lang!r}, shown in {default!r}: "
            + ", ".join(keys),
        )


FEATURE = Feature("ui-strings", checks=(Check("ui-strings", check_ui_strings),))
