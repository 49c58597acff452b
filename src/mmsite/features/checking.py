"""What ``mmsite check`` gives a check: the built output of a site, parsed on demand
(:class:`CheckContext`), and what a check yields (:class:`Finding`). The checks are
registered by the features (``Feature(checks=...)``) and by :mod:`mmsite.commands.check`
for what every site has (links, duplicates, translations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from mmsite.cached import cached_property
from mmsite.errors import relpath
from mmsite.features.site import Site
from mmsite.i18n.routing import Route

ERROR = "error"
WARNING = "warning"
NOTE = "note"  # said once, never fails a check (e.g. "not a git repository")
SKIP_SCHEMES = ("mailto:", "tel:", "data:", "sms:")
JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}


@dataclass(frozen=True, order=True)
class Finding:
    level: str  # "error" fails the check; "warning" only with --strict; "note" never
    check: str  # the check's name, e.g. "links"
    where: str  # output path (``fr/a-propos/index.html``) or source file
    message: str
    line: int | None = field(default=None, compare=False)  # line in the output file

    def __str__(self) -> str:
        at = f"{self.where}:{self.line}" if self.line else self.where
        return f"{self.level}: {at}: {self.message} [{self.check}]"


# -- parsed output -------------------------------------------------------------


@dataclass
class Reference:
    tag: str
    attr: str
    url: str
    line: int

    @property
    def is_image(self) -> bool:
        return self.tag in ("img", "source", "meta") or self.attr == "poster"


@dataclass
class HtmlDoc:
    """What the checks need from one HTML file."""

    ids: set[str] = field(default_factory=set)
    refs: list[Reference] = field(default_factory=list)
    title: str = ""
    description: str = ""
    inline: list[tuple[int, str]] = field(default_factory=list)  # (line, what) CSP needs


URL_ATTRS = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
}


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = HtmlDoc()
        self._in_title = False
        self._script_inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        line = self.getpos()[0]
        doc = self.doc
        for key in ("id", "name") if tag in ("a", "map") else ("id",):
            if values.get(key):
                doc.ids.add(values[key])
        for attr in URL_ATTRS.get(tag, ()):
            if attr not in values:
                continue
            urls = (
                [c.strip().split()[0] for c in values[attr].split(",") if c.strip()]
                if attr == "srcset"
                else [values[attr].strip()]
            )
            doc.refs += [Reference(tag, attr, url, line) for url in urls]
        if tag == "meta" and values.get("property") == "og:image" and values.get("content"):
            doc.refs.append(Reference("meta", "content", values["content"], line))
        if tag == "meta" and values.get("name") == "description":
            doc.description = values.get("content", "")
        if tag == "title":
            self._in_title = True
        if tag == "style":
            doc.inline.append((line, "inline <style> element"))
        if tag == "script" and "src" not in values:
            self._script_inline = values.get("type", "").lower() in JS_TYPES
            if self._script_inline:
                doc.inline.append((line, "inline <script>"))
        if "style" in values:
            doc.inline.append((line, f"style attribute on <{tag}>"))
        for key in values:
            if key.startswith("on"):
                doc.inline.append((line, f"{key} event handler on <{tag}>"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.doc.title += data


def parse_html(path: Path) -> HtmlDoc:
    parser = _Parser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    parser.doc.title = " ".join(parser.doc.title.split())
    return parser.doc


# -- context -------------------------------------------------------------------


class CheckContext:
    """The built output of ``site``, parsed on demand."""

    def __init__(self, site: Site, output: Path) -> None:
        self.site = site
        self.output = output
        self.router = site.router
        self._docs: dict[str, HtmlDoc] = {}

    @cached_property
    def html_files(self) -> list[str]:
        return sorted(
            p.relative_to(self.output).as_posix()
            for p in self.output.rglob("*.html")
            if p.is_file()
        )

    @cached_property
    def route_by_output(self) -> dict[str, Route]:
        return {str(route.output): route for route in self.router.routes}

    def doc(self, rel: str) -> HtmlDoc:
        if rel not in self._docs:
            self._docs[rel] = parse_html(self.output / rel)
        return self._docs[rel]

    def where(self, rel: str) -> str:
        """``fr/a-propos/index.html (content/about.fr.md)`` when a content file made it."""
        route = self.route_by_output.get(rel)
        if route is None or route.page.virtual:
            return rel
        return f"{rel} ({relpath(route.page.source, self.site.config.root).as_posix()})"

    def resolve(self, from_rel: str, url: str) -> tuple[str | None, str] | None:
        """An internal URL as (output file or None when missing, fragment); None if external."""
        if not url or url.lower().startswith(SKIP_SCHEMES):
            return None
        base = self.router.absolute(self.router.url_of(from_rel))
        parts = urlsplit(urljoin(base, url))
        site = urlsplit(self.site.config.base_url)
        if parts.scheme not in ("http", "https") or parts.netloc != site.netloc:
            return None
        fragment = unquote(parts.fragment)
        path = unquote(parts.path)
        if not path.startswith(self.router.base_path):
            return (None, fragment)
        rel = path[len(self.router.base_path) :]
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        target = self.output / rel
        if target.is_dir() and (target / "index.html").is_file():
            rel += "/index.html"
        elif not target.is_file() or ".." in PurePosixPath(rel).parts:
            return (None, fragment)
        return (rel, fragment)
