"""Parallel rendering gives the same bytes, errors and warnings as one process; the Jinja
bytecode cache never serves a stale template; generated pages get their own body."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import re
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import REPO, build_site, page, parse_html, text_of
from mmsite.cached import cached_property
from mmsite.content.frontmatter import Document
from mmsite.engine import build as build_module
from mmsite.engine import parallel
from mmsite.engine.pipeline import site_config
from mmsite.errors import BuildErrors, MmsiteError
from mmsite.output.tree import wait_for_cleanup
from mmsite.render import templates as render

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402

PARENT = os.getpid()

needs_fork = pytest.mark.skipif(
    parallel.job_count(2, 1000) < 2, reason="no fork start method on this platform"
)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def assert_can_fork() -> None:
    """Builds stay in one process while other threads run: a fixture that leaves a
    thread behind would make the parallel tests compare a serial build with itself."""
    wait_for_cleanup(30)  # earlier tests' background deletions
    threads = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    assert parallel.job_count(2, 1000) == 2, f"threads left running: {threads}"


@needs_fork
def test_parallel_build_is_byte_identical_to_serial(demo_site: Path, tmp_path: Path) -> None:
    assert_can_fork()
    for site in (demo_site, generate(tmp_path / "bench", 60, 3)["mmsite-full"]):
        one = build_site(site, output=tmp_path / f"{site.name}-1", jobs=1)
        two = build_site(site, output=tmp_path / f"{site.name}-2", jobs=2)
        assert (one.pages, one.files, one.warnings) == (two.pages, two.files, two.warnings)
        serial, forked = files(tmp_path / f"{site.name}-1"), files(tmp_path / f"{site.name}-2")
        assert serial.keys() == forked.keys()
        assert [name for name in serial if serial[name] != forked[name]] == []


def broken_site(make_site) -> Path:
    pages = {"content/_index.md": page("Home")}
    for n in range(12):
        body = f"Intro.\n\nSee [missing](missing-{n}.md)." if n % 3 == 0 else "Fine."
        pages[f"content/p{n:02d}.md"] = page(f"P{n}", body)
    pages["templates/page.html"] = "{{ t('no_such_ui_string') }} {{ page.content }}"
    return make_site(pages)


@needs_fork
def test_worker_errors_and_warnings_match_a_serial_build(make_site, tmp_path: Path) -> None:
    site = broken_site(make_site)
    caught = []
    for jobs in (1, 2):
        with pytest.raises(BuildErrors) as error:
            build_site(site, jobs=jobs)
        caught.append([(e.path, e.line, e.message) for e in error.value.errors])
    assert caught[0] == caught[1]
    assert len(caught[0]) == 4  # 4 broken pages, each reported once (not once per language)
    assert all(line == 6 and path.name.startswith("p") for path, line, _ in caught[0])
    (site / "content/p00.md").write_text(page("P0"))
    for n in (3, 6, 9):
        (site / f"content/p{n:02d}.md").write_text(page(f"P{n}"))
    warnings = [build_site(site, jobs=jobs).warnings for jobs in (1, 2)]
    assert warnings[0] == warnings[1]
    assert any("no_such_ui_string" in w for w in warnings[1])


def test_errors_survive_the_trip_between_processes() -> None:
    error = MmsiteError("bad thing", Path("content/a.md"), 3, "fix it")
    again = pickle.loads(pickle.dumps(BuildErrors([error])))
    assert isinstance(again, BuildErrors)
    assert str(again) == str(BuildErrors([error]))
    assert (again.errors[0].line, again.errors[0].hint) == (3, "fix it")


def crash_in_a_child(take) -> list[int]:
    if os.getpid() != PARENT:
        raise ValueError("a bug in a worker")
    return []


def taken(take) -> list[int]:
    numbers = []
    while (chunk := take()) is not None:
        numbers += chunk
        time.sleep(0.001)
    return numbers


@needs_fork
def test_processes_share_the_items_and_a_crashing_worker_fails_the_build() -> None:
    shares = parallel.map_shared(3, 100, taken, chunk=7)
    assert len(shares) == 3
    assert sorted(n for share in shares for n in share) == list(range(100))  # each once
    assert all(share == sorted(share) for share in shares)
    ran = []
    assert parallel.map_shared(1, 5, taken, first=lambda: ran.append(1)) == [[0, 1, 2, 3, 4]]
    assert ran == [1]
    with pytest.raises(parallel.WorkerFailed, match="a bug in a worker"):
        parallel.map_shared(2, 10, crash_in_a_child)


def count_until_stopped(stopped, emit) -> None:
    number = 0
    while not stopped() and number < 100_000:
        emit(number)
        number += 1
        time.sleep(0.0005)
    emit("stopped" if stopped() else "ran out")


def crash_after_the_share(stopped, emit) -> None:
    emit(1)
    raise ValueError("a bug after the share")


@needs_fork
def test_children_go_on_after_their_share_until_asked_to_stop() -> None:
    later: list[parallel.Later] = []
    shares = parallel.map_shared(2, 50, taken, chunk=5, then=count_until_stopped, later=later)
    assert sorted(n for share in shares for n in share) == list(range(50))
    assert len(later) == 1
    time.sleep(0.2)  # this process goes on meanwhile
    made = later[0].get()
    assert made[-1] == "stopped"
    assert made[:-1] == list(range(len(made) - 1)) and len(made) > 10  # in order, all of it
    assert later[0].get() == []  # once

    later = []
    parallel.map_shared(2, 10, taken, then=crash_after_the_share, later=later)
    with pytest.raises(parallel.WorkerFailed, match="a bug after the share"):
        later[0].get()

    later = []
    before = set(multiprocessing.active_children())
    parallel.map_shared(2, 10, taken, then=count_until_stopped, later=later)
    children = set(multiprocessing.active_children()) - before
    assert len(children) == 1  # one child goes on counting until stopped
    later[0].close()  # a failed build: nothing is read, nothing left running
    assert [process.is_alive() for process in children] == [False]

    later = []
    assert parallel.map_shared(1, 3, taken, then=count_until_stopped, later=later) == [[0, 1, 2]]
    assert later == []  # one process: nothing goes on


def test_job_count(monkeypatch) -> None:
    monkeypatch.delenv("MMSITE_JOBS", raising=False)
    assert parallel.job_count(None, 10) == 1  # small sites stay in one process
    assert parallel.job_count(4, 2) <= 2
    monkeypatch.setenv("MMSITE_JOBS", "1")
    assert parallel.job_count(None, 10_000) == 1


def test_jinja_bytecode_cache_is_used_and_never_stale(make_site) -> None:
    site = make_site(
        {
            "content/_index.md": page("Home"),
            "content/a.md": page("A", "Body."),
            "templates/page.html": "<p id=v>one {{ page.title }}</p>",
        }
    )
    build_site(site)
    cached = list((site / ".mmsite-cache" / "jinja").iterdir())
    assert cached
    assert text_of(parse_html(site / "public/a/index.html").find(".//p[@id='v']")) == "one A"
    template = site / "templates/page.html"
    template.write_text("<p id=v>two {{ page.title }}</p>")
    build_site(site)
    assert text_of(parse_html(site / "public/a/index.html").find(".//p[@id='v']")) == "two A"


def test_generated_pages_do_not_show_another_pages_body(tmp_path: Path) -> None:
    site = generate(tmp_path / "bench", 8, 1)["mmsite-full"]
    build_site(site, jobs=1)
    category = parse_html(site / "public/products/category/pantry/index.html")
    product = parse_html(site / "public/products/product-00000/index.html")
    product_headings = {h.get("id") for h in product.iter("h2")} - {None}
    assert product_headings
    assert not product_headings & {h.get("id") for h in category.iter("h2")}


@needs_fork
def test_parallel_builds_record_and_reuse_the_incremental_cache(tmp_path: Path) -> None:
    site = generate(tmp_path / "bench", 80, 3)["mmsite"]
    first = build_site(site, jobs=2)
    assert first.rendered == first.pages and first.reused == 0
    second = build_site(site, jobs=2)  # every child's cache records were kept
    assert (second.rendered, second.reused) == (0, first.pages)
    edited = site / "content/products/product-00001.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n")
    third = build_site(site, jobs=2)
    assert 1 <= third.rendered < 10 and third.reused == first.pages - third.rendered
    assert "One more line." in (site / "public/products/product-00001/index.html").read_text()


@needs_fork
def test_content_parsed_in_several_processes_reports_errors_like_one(make_site) -> None:
    assert_can_fork()
    pages = {"content/_index.md": page("Home")}
    for n in range(parallel.MIN_ITEMS):  # enough for the parse to be shared
        pages[f"content/p{n:03d}.md"] = page(f"P{n}", "Body.")
    pages["content/p017.md"] = "---\ntitle: [unclosed\n---\nBody.\n"
    site = make_site(pages)
    caught = []
    for jobs in (1, 2):
        with pytest.raises(BuildErrors) as error:
            build_site(site, jobs=jobs, cache=False)
        caught.append([(e.path, e.line, e.message) for e in error.value.errors])
    assert caught[0] == caught[1]
    assert [(path.name, line) for path, line, _ in caught[0]] == [("p017.md", 2)]  # the [


@needs_fork
def test_prefill_adopts_what_the_children_parsed(make_site) -> None:
    from mmsite.content.frontmatter import split_front_matter
    from mmsite.content.model import discover
    from mmsite.engine.incremental import DocumentCache
    from mmsite.engine.pipeline import site_config

    def parse(path: Path) -> Document:
        return split_front_matter(path.read_text(encoding="utf-8"), path)

    pages = {"content/_index.md": page("Home")}
    for n in range(parallel.MIN_ITEMS):
        pages[f"content/p{n:03d}.md"] = page(f"P{n}", f"Body {n}.", price="{USD: 1.10}")
    files, _ = discover(site_config(make_site(pages)))
    assert_can_fork()
    cache = DocumentCache()
    cache.jobs = 2
    cache.prefill(files, parse)
    assert set(cache.fronts()) == {str(path) for path in files}
    for path in files:  # every later load is a hit, equal to a fresh parse
        doc = cache.load(path, lambda: pytest.fail("parsed again"))
        fresh = parse(path)
        assert (doc.meta, doc.body, doc.key_lines, doc.scalars) == (
            fresh.meta,
            fresh.body,
            fresh.key_lines,
            fresh.scalars,
        )
    assert cache.hits == 0  # straight from prefill: no stamp checked again
    for path in files:  # after that, stamps are checked: every load is a hit
        cache.load(path, lambda: pytest.fail("parsed again"))
    assert cache.hits == len(files)
    # children send front matter only: their documents read bodies where pages render
    # (from the file as it is then), this process's documents have theirs
    again = DocumentCache()
    again.jobs = 2
    again.prefill(files, parse)
    for path in files:
        path.write_text(path.read_text(encoding="utf-8") + "Later.\n", encoding="utf-8")
    later = [again.load(path, lambda: pytest.fail("parsed again")).body for path in files]
    assert 0 < sum(body.endswith("Later.\n") for body in later) < len(files)


@needs_fork
def test_each_body_is_rendered_once_across_processes(tmp_path: Path, monkeypatch) -> None:
    """The feeds show article bodies: the build's own process renders those articles
    before it runs the feeds, so no body is rendered by two processes."""
    from mmsite.render import templates as render

    assert_can_fork()
    site = generate(tmp_path / "bench", 40, 2)["mmsite-outputs"]
    log = tmp_path / "rendered.log"
    real = render.render_markdown

    def counted(text: str, locale: str, *args, **kwargs) -> str:
        with open(log, "a", encoding="utf-8") as fh:  # one short append per call
            fh.write(f"{os.getpid()} {hash((text, locale))}\n")
        return real(text, locale, *args, **kwargs)

    monkeypatch.setattr(render, "render_markdown", counted)
    counts = []
    for jobs in (1, 2):
        log.write_text("")
        build_site(site, output=tmp_path / f"out-{jobs}", jobs=jobs, cache=False)
        lines = [line.split() for line in log.read_text().splitlines()]
        counts.append(sorted(body for _, body in lines))
        processes = {pid for pid, _ in lines}
    assert len(processes) == 2  # the second build really rendered in two processes
    assert counts[1] == counts[0]  # every body as often as in one process


def _asked_in(record: Path, answer: bool = True) -> bool:
    record.write_text(str(os.getpid()), encoding="utf-8")
    return answer


@needs_fork
def test_an_answer_is_found_in_a_forked_child(tmp_path: Path) -> None:
    assert_can_fork()
    record = tmp_path / "pid"
    forked = parallel.Answer(lambda: _asked_in(record, False))
    assert forked.get() is False
    assert record.read_text(encoding="utf-8") != str(os.getpid())
    here = parallel.Answer(lambda: _asked_in(record), jobs=1)
    assert here.get() is True
    assert record.read_text(encoding="utf-8") == str(os.getpid())


@needs_fork
def test_an_answer_the_child_cannot_give_is_asked_here() -> None:
    assert_can_fork()
    parent = os.getpid()

    def question() -> bool:
        if os.getpid() != parent:
            raise RuntimeError("fails in the child")
        return True

    assert parallel.Answer(question).get() is True


@needs_fork
def test_an_answer_not_needed_stops_its_child() -> None:
    assert_can_fork()
    started = time.perf_counter()
    answer = parallel.Answer(lambda: time.sleep(30) or True)
    answer.close()
    assert time.perf_counter() - started < 10
    answer.close()  # twice is harmless


@needs_fork
def test_bodies_prepared_while_the_model_loads_give_the_same_bytes(
    tmp_path: Path, monkeypatch
) -> None:
    """A prefill child prepares the Markdown of the documents it parsed while this process
    builds the model; pages then use them instead of rendering again, byte for byte."""
    from mmsite.engine.incremental import DocumentCache

    assert_can_fork()
    site = generate(tmp_path / "bench", 120, 3)["mmsite-full"]
    warm_bodies = render.warm_bodies
    # never stopped early: the child prepares every body it parsed
    monkeypatch.setattr(
        build_module,
        "warm_bodies",
        lambda config, rules=(): (
            lambda docs, stopped, emit: warm_bodies(config, rules)(docs, lambda: False, emit)
        ),
    )
    here, load = os.getpid(), DocumentCache.load

    def slow_here(self, path: Path, parse) -> Document:
        def parse_slowly() -> Document:  # the prefill child parses (and prepares) most
            if os.getpid() == here:
                time.sleep(0.005)
            return parse()

        return load(self, path, parse_slowly)

    monkeypatch.setattr(DocumentCache, "load", slow_here)
    log, render_markdown = tmp_path / "used.txt", render.render_markdown

    def counting(text: str, locale: str, *args, prepared: str | None = None, **kwargs) -> str:
        if prepared is not None:  # in every process: appended to one file
            with log.open("a", encoding="utf-8") as file:
                file.write(f"{hash((text, locale))}\n")
        return render_markdown(text, locale, *args, prepared=prepared, **kwargs)

    adopted: list[int] = []
    taken = DocumentCache.warmed

    def adopting(self) -> dict:  # what the build takes from the prefill children
        warm = taken(self)
        adopted.append(len(warm))
        return warm

    monkeypatch.setattr(render, "render_markdown", counting)
    monkeypatch.setattr(DocumentCache, "warmed", adopting)
    two = build_site(site, output=tmp_path / "two", jobs=2)
    used = log.read_text(encoding="utf-8").split()
    assert len(adopted) == 1 and adopted[0] > 100
    assert 100 < len(used) <= adopted[0]  # each prepared body is used once, by any process
    monkeypatch.undo()
    one = build_site(site, output=tmp_path / "one", jobs=1)
    assert (one.pages, one.files, one.warnings) == (two.pages, two.files, two.warnings)
    serial, forked = files(tmp_path / "one"), files(tmp_path / "two")
    assert serial.keys() == forked.keys()
    assert [name for name in serial if serial[name] != forked[name]] == []


def test_a_prepared_body_is_used_only_for_the_text_it_was_made_from(make_site) -> None:
    from mmsite.errors import Reporter

    site_root = make_site({"content/_index.md": page("Home"), "content/a.md": page("A", "Hi")})
    config = site_config(site_root)
    made: list[dict] = []
    docs = {str(site_root / "content/a.md"): Document({}, "Some *text*.\n", 1, {})}
    render.warm_bodies(config)(docs, lambda: False, made.append)
    warm = {key: value for batch in made for key, value in batch.items()}
    assert [value[2] for value in warm.values()] == [b"<p>Some <em>text</em>.</p>\n"]
    # marked, so that a page body taken from them shows it
    ahead = {key: (*value[:2], b"<p>prepared ahead</p>\n") for key, value in warm.items()}
    (key,) = ahead

    def site_with(body: str) -> tuple[render.Site, object]:
        (site_root / "content/a.md").write_text(page("A", body), encoding="utf-8")
        site, _ = build_module.load_site(site_root, build_module.BuildOptions(), Reporter())
        routes = site.router.routes
        return site, next(r for r in routes if (str(r.page.source), r.edition.locale) == key)

    site, route = site_with("Other text.")
    site.prepared = dict(ahead)
    assert site.body(route) == "<p>Other text.</p>\n"  # another body: rendered as usual
    site, route = site_with("Some *text*.")
    once = dict(ahead)
    site.prepared = once
    assert site.body(route) == "<p>prepared ahead</p>\n"
    site.reset_caches()
    site.prepared = once  # the same prepared bodies again: the one used is gone
    assert site.body(route) == "<p>Some <em>text</em>.</p>\n"  # used once


def test_cached_property_computes_once_per_instance_and_forgets_on_delete() -> None:
    calls: list[int] = []

    class Thing:
        def __init__(self, n: int) -> None:
            self.n = n

        @cached_property
        def double(self) -> int:
            """Twice n."""
            calls.append(self.n)
            return 2 * self.n

    one, two = Thing(1), Thing(2)
    assert (one.double, one.double, two.double) == (2, 2, 4)
    assert calls == [1, 2]
    del one.double
    one.n = 5
    assert one.double == 10 and calls == [1, 2, 5]
    assert isinstance(Thing.double, cached_property) and Thing.double.__doc__ == "Twice n."


@needs_fork
def test_a_failed_load_stops_the_child_preparing_bodies(make_site) -> None:
    assert_can_fork()
    pages = {"content/_index.md": page("Home")}
    for n in range(260):  # enough to parse in two processes
        pages[f"content/p{n:03d}.md"] = page(f"P{n}", "Some *text*.\n\n## A heading\n")
    pages["content/p007.md"] = "---\ntitle: [unclosed\n---\nBody.\n"
    site = make_site(pages)
    with pytest.raises(BuildErrors):
        build_site(site, jobs=2)
    assert multiprocessing.active_children() == []


# -- quick paths that must answer what the general code answers --------------------------

_HTML_PIECES = st.sampled_from(
    ['href="', 'src="', 'srcset="', "x", "_", "é", " ", '"', "=", "a.jpg 2x,", "../p/", "#f", ">"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_HTML_PIECES, max_size=14).map("".join))
def test_absolute_html_quick_scan_answers_what_the_word_boundary_regex_does(html: str) -> None:
    from urllib.parse import urljoin

    from mmsite.features import feeds

    base = "https://shop.example/fr/a/"

    def absolute(match: re.Match[str]) -> str:  # the reference: each URL_ATTR match joined
        name, value = match.groups()
        if name == "srcset":
            items = [item.split() for item in value.split(",") if item.strip()]
            value = ", ".join(" ".join([urljoin(base, url), *rest]) for url, *rest in items)
        else:
            value = urljoin(base, value)
        return f'{name}="{value}"'

    assert feeds.absolute_html(html, base) == feeds.URL_ATTR.sub(absolute, html)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["https://", "http://", "HTTPS://", "https:", "mailto:"]),
    st.text(st.sampled_from("ab.:/?#[]@%é -"), max_size=12),
)
def test_links_to_the_web_pass_the_resolver_as_urlsplit_would_let_them(
    scheme: str, rest: str
) -> None:
    from urllib.parse import urlsplit

    from mmsite.render import links

    resolve = links.link_resolver(SimpleNamespace(page=None), SimpleNamespace(model=None))

    def answer() -> str | type[Exception]:
        try:
            return resolve(scheme + rest, "link", None)
        except ValueError as exc:  # urlsplit refusing a netloc
            return type(exc)

    def urlsplit_lets_it() -> str | type[Exception]:  # a web or mailto link: as written
        try:
            urlsplit(scheme + rest)
        except ValueError as exc:
            return type(exc)
        return scheme + rest

    assert answer() == urlsplit_lets_it()


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("ab./é"), max_size=12))
def test_snapshot_paths_come_back_as_pathlib_makes_them(text: str) -> None:
    """A snapshot pickles paths as their text: each unpickles as the same path."""
    from pathlib import PosixPath, PurePosixPath

    from mmsite.engine.delta import _dumps

    for path in (PurePosixPath(text), PosixPath(text)):
        back = pickle.loads(_dumps(path))
        assert type(back) is type(path) and back == path and back.parts == path.parts
        assert str(back) == str(path) and hash(back) == hash(path)


def test_a_childs_share_arrives_whole() -> None:
    """What a render child sends (paths as text on the way) is what it had."""
    from pathlib import PurePosixPath

    from mmsite.engine.incremental import Entry

    done = build_module.Rendered(pages=3, linked=1, rendered=2, reused=1)
    done.written = {PurePosixPath("a/index.html"), PurePosixPath("fr/b/index.html")}
    done.fresh = {PurePosixPath("a/index.html")}
    done.entries = {"a/index.html": Entry((("m", "a.md", "en"),), (1, 2, 3))}
    done.digests = {("m", "a.md", "en"): "d1"}
    done.warnings, done.errors = [(2, "careful")], [(1, MmsiteError("bad", Path("x.md"), 3))]
    back = pickle.loads(pickle.dumps(done, pickle.HIGHEST_PROTOCOL))
    assert back.written == done.written and back.fresh == done.fresh
    assert back.fresh <= back.written and all(type(p) is PurePosixPath for p in back.written)
    assert (back.pages, back.linked, back.rendered, back.reused) == (3, 1, 2, 1)
    assert back.entries == done.entries and back.digests == done.digests
    assert back.warnings == done.warnings and str(back.errors[0][1]) == str(done.errors[0][1])


def test_bench_table_names_the_corpus_it_reused(tmp_path: Path, capsys) -> None:
    """``bench/run.py --no-generate`` prints the size of the corpus it finds, not its own
    defaults."""
    import run

    generate(tmp_path / "bench", 6, 2)
    argv = ["--no-generate", "--out", str(tmp_path / "bench"), "--only", "mmsite"]
    run.main([*argv, "--runs", "1", "--no-rebuild"])
    out = capsys.readouterr().out
    assert "6 pages x 2 languages, median of 1 clean builds" in out
    assert "1000 pages" not in out
