"""``mmsite serve``: live reload over server-sent events, error overlay, rebuild on save."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import html5lib
import pytest

from helpers import REPO, page, text_of
from mmsite.commands.devserver import EVENTS_PATH, DevServer
from mmsite.engine.build import BuildOptions

TIMEOUT = 10.0


class Events:
    """Read server-sent events with a socket timeout; every wait is bounded."""

    def __init__(self, url: str) -> None:
        host, port = url.split("//")[1].rstrip("/").rsplit(":", 1)
        self.conn = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
        self.conn.request("GET", EVENTS_PATH)
        self.response = self.conn.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next(self, name: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        event, data = None, []
        while time.monotonic() < deadline:
            line = self.response.fp.readline().decode("utf-8")
            if not line:
                break
            line = line.rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
            elif line == "":
                if event == name:
                    return "\n".join(data)
                event, data = None, []
        raise AssertionError(f"no {name!r} event within {TIMEOUT} s")

    def close(self) -> None:
        self.conn.close()


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def heading(html: bytes) -> str:
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    return text_of(next(doc.iter("h1")))


@pytest.fixture
def served(make_site) -> Iterator[tuple[DevServer, Path]]:
    root = make_site(
        {
            "content/_index.md": page("Home", "Welcome."),
            "content/about.md": page("About", "Who we are."),
            "content/about.fr.md": page("À propos", "Qui nous sommes."),
            "content/news.md": page("News", "Soon.", draft="true"),
        }
    )
    server = DevServer(root, BuildOptions(drafts=True), port=0, log=lambda text: None)
    server.start()
    try:
        yield server, root
    finally:
        server.stop()


def test_save_rebuilds_page_and_sends_reload(served) -> None:
    server, root = served
    assert server.url.startswith("http://127.0.0.1:")
    status, html = fetch(server.url + "about/")
    assert status == 200 and heading(html) == "About"
    assert b"data-mmsite-live-reload" in html and EVENTS_PATH.encode() in html
    # the script is added while serving, never written to disk
    on_disk = (server.output / "about/index.html").read_bytes()
    assert b"mmsite-live-reload" not in on_disk
    events = Events(server.url)
    try:
        before = {p: p.stat().st_ino for p in server.output.rglob("*.html")}
        (root / "content/about.md").write_text(page("About", "We make salt."))
        events.next("reload")
        assert b"We make salt." in fetch(server.url + "about/")[1]
        last = server.last
        assert last is not None and last.rendered == 2 < last.pages
        # about.ar is a fallback to the English text: it changes too
        rewritten = {p.as_posix() for p in last.changed}
        assert rewritten == {"about/index.html", "ar/about/index.html"}
        assert (server.output / "fr/about/index.html").stat().st_ino == before[
            server.output / "fr/about/index.html"
        ]
    finally:
        events.close()


def test_build_error_overlay_then_recovery(served) -> None:
    server, root = served
    events = Events(server.url)
    try:
        (root / "content/about.md").write_text("---\ntitle: [broken <b>\n---\n")
        message = json.loads(events.next("build-error"))["message"]
        assert "about.md" in message
        # the last good pages are still served, and a tab opened now gets the error too
        status, html = fetch(server.url + "about/")
        assert status == 200 and heading(html) == "About"
        late = Events(server.url)
        try:
            assert "about.md" in json.loads(late.next("build-error"))["message"]
        finally:
            late.close()
        (root / "content/about.md").write_text(page("About again", "Fixed."))
        events.next("reload")
        assert heading(fetch(server.url + "about/")[1]) == "About again"
        assert server.broadcaster.error is None
    finally:
        events.close()


def test_overlay_script_escapes_the_message() -> None:
    from mmsite.commands.devserver import RELOAD_SCRIPT, Broadcaster

    assert b"textContent" in RELOAD_SCRIPT and b"innerHTML" not in RELOAD_SCRIPT
    hub = Broadcaster()
    client = hub.subscribe()
    hub.failed("</script><script>alert(1)</script>")
    data = client.get(timeout=1)
    assert data is not None
    # one data line of JSON; the page shows it with textContent, never as HTML
    payload = data.split(b"data: ", 1)[1]
    assert payload.count(b"\n") == 2
    assert json.loads(payload)["message"] == "</script><script>alert(1)</script>"


def test_drafts_served_with_badge_and_404_page_has_reload(served) -> None:
    server, _ = served
    status, html = fetch(server.url + "news/")
    assert status == 200 and b"badge-draft" in html
    status, html = fetch(server.url + "no-such-page/")
    assert status == 404 and b"data-mmsite-live-reload" in html
    # serve builds into its own folder with the local base URL: public/ is not touched
    assert ".mmsite-cache" in server.output.parts
    assert not (server.root / "public").exists()


def test_cli_serve_prints_url_and_serves(make_site) -> None:
    root = make_site({"content/_index.md": page("Home", "Welcome.")})
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mmsite", "serve", "--site", str(root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        line = ""
        deadline = time.monotonic() + 30
        while "serving" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline() if proc.stdout else ""
            if not line and proc.poll() is not None:
                break
        assert "http://127.0.0.1:" in line
        url = line.split(" at ")[1].split()[0]
        status, html = fetch(url)
        assert status == 200 and heading(html) == "Home"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# -- hostile requests (issue 28) --------------------------------------------------------


def raw_request(server: DevServer, head: bytes) -> bytes:
    """Send ``head`` as is; the whole answer (the server closes after an error)."""
    import socket

    port = server.httpd.server_address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(head)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io"])
def test_other_host_names_are_refused(served, host: str) -> None:
    """DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 must
    not read the preview (drafts included)."""
    server, _root = served
    answer = raw_request(server, f"GET /news/ HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.0 403"), answer[:80]
    assert b"Soon." not in answer


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:1", "[::1]:80"])
def test_local_host_names_are_served(served, host: str) -> None:
    server, _root = served
    answer = raw_request(
        server, f"GET /about/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    )
    assert answer.startswith(b"HTTP/1.0 200"), answer[:80]


@pytest.mark.parametrize(
    "path",
    [
        "/about/%00",
        "/%00.html",
        "/a%00b/",
        "/" + "x" * 5000,
        "/" + "x/" * 3000,
        "/" + "y" * 300 + ".html",
    ],
    ids=["nul-in-folder", "nul-html", "nul-middle", "5000-chars", "3000-folders", "300-char-name"],
)
def test_nul_and_long_paths_get_an_answer_not_a_traceback(served, path: str, capfd) -> None:
    server, _root = served
    for method in ("GET", "HEAD"):
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        answer = raw_request(server, head.encode())
        assert answer.split(b" ", 2)[1] in (b"400", b"404"), answer[:80]
    assert "Traceback" not in capfd.readouterr().err
    assert fetch(server.url + "about/")[0] == 200  # and the server still serves


def test_idle_connections_are_closed(served, monkeypatch) -> None:
    """A connection that sends nothing is closed after the idle timeout (here shortened)."""
    import socket

    server, _root = served
    monkeypatch.setattr(server.handler, "timeout", 0.5)
    port = server.httpd.server_address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        started = time.monotonic()
        assert sock.recv(1) == b""  # closed by the server, not by our own timeout
        assert time.monotonic() - started < TIMEOUT
