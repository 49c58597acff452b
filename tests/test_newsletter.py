"""A series' newsletter sign-up form: beside its Atom link on the series page and in every
article's contents box, posting to the provider's https address, per language."""

from __future__ import annotations

import pytest

from helpers import build_site, page, parse_html, text_of
from mmsite.errors import MmsiteError

SERIES = "content/series/talks"
ACTION = "https://buttondown.com/api/emails/embed-subscribe/kernow"


def _files(newsletter: str) -> dict[str, str]:
    return {
        "content/_index.md": page("Home"),
        f"{SERIES}/_index.md": page("Talks", newsletter=newsletter),
        f"{SERIES}/_index.fr.md": page(
            "Entretiens",
            newsletter="{action: https://buttondown.com/api/emails/embed-subscribe/kernow-fr}",
        ),
        f"{SERIES}/one.md": page("One", "Text.", date="2026-01-05"),
        f"{SERIES}/one.fr.md": page("Un", "Texte."),
    }


def _form(path):
    doc = parse_html(path)
    forms = [f for f in doc.iter("form") if f.get("class") == "newsletter"]
    assert len(forms) == 1, path
    return forms[0]


def test_the_form_posts_to_the_provider_in_each_language(make_site) -> None:
    root = make_site(_files(f"{{action: {ACTION}, field: EMAIL}}"))
    result = build_site(root)
    assert result.warnings == []
    for rel in ("series/talks/index.html", "series/talks/one/index.html"):
        form = _form(root / "public" / rel)
        assert (form.get("method"), form.get("action")) == ("post", ACTION)
        field = next(form.iter("input"))
        assert (field.get("type"), field.get("name")) == ("email", "EMAIL")
        label = next(form.iter("label"))
        assert label.get("for") == field.get("id") and text_of(label) == "Your e-mail address"
    french = _form(root / "public/fr/series/talks/one/index.html")
    assert french.get("action").endswith("/kernow-fr")  # the French list
    assert text_of(next(french.iter("button"))) == "S’abonner"
    arabic = _form(root / "public/ar/series/talks/index.html")  # inherits the default's
    assert arabic.get("action") == ACTION
    assert next(arabic.iter("input")).get("name") == "EMAIL"


def test_no_form_without_a_newsletter(make_site) -> None:
    files = _files("x")
    files[f"{SERIES}/_index.md"] = page("Talks")
    files[f"{SERIES}/_index.fr.md"] = page("Entretiens")
    root = make_site(files)
    build_site(root)
    doc = parse_html(root / "public/series/talks/index.html")
    assert [f for f in doc.iter("form") if f.get("class") == "newsletter"] == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{action: http://example.com/subscribe}", "must be an https:// address"),
        ("{action: 'javascript:alert(1)'}", "must be an https:// address"),
        ("{field: email}", "needs the address"),
        (f"{{action: {ACTION}, field: 'e mail'}}", "must be a form field name"),
        (f"{{action: {ACTION}, list: x}}", "has no key 'list'"),
    ],
)
def test_newsletter_mistakes_name_the_file_and_line(make_site, value: str, message: str) -> None:
    root = make_site(_files(value))
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    text = str(caught.value)
    assert message in text
    assert "content/series/talks/_index.md:3" in text


def test_newsletter_is_read_on_series_pages_only(make_site) -> None:
    files = _files(f"{{action: {ACTION}}}")
    files[f"{SERIES}/one.md"] = page(
        "One", "Text.", date="2026-01-05", newsletter=f"{{action: {ACTION}}}"
    )
    root = make_site(files)
    with pytest.raises(MmsiteError) as caught:
        build_site(root)
    assert "newsletter" in str(caught.value) and "one.md" in str(caught.value)
