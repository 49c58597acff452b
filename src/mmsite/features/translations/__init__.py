"""Translations over time: outdated translations from git, their status per language,
the translator hand-off (XLIFF) and the notice on outdated pages."""
