"""What ``mmsite serve`` runs (:mod:`mmsite.commands.serve`): build, serve on localhost,
rebuild on save, reload open tabs.

* Builds go to ``.mmsite-cache/serve/public`` (not ``public/``) with ``base_url`` set to
  the local address, so drafts and localhost URLs never reach a deployable build.
* A watchdog observer watches content/, themes/, templates/, static/, i18n/ and
  site.yaml; changes are debounced and rebuilt through the incremental engine
  (:mod:`mmsite.incremental`, kept in memory between rebuilds).
* The live-reload script is added to HTML responses by the HTTP handler, so it is never
  in a built file. It listens to server-sent events at ``/__mmsite/events``: ``reload``
  after a good rebuild, ``build-error`` (the error text) after a failed one, shown as an
  overlay until the next good rebuild.
"""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
import json
import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from mmsite.config.options import CONFIG_FILE
from mmsite.engine.build import BuildOptions, BuildResult, build
from mmsite.engine.incremental import CACHE_DIR, BuildCache
from mmsite.errors import MmsiteError

EVENTS_PATH = "/__mmsite/events"
WATCHED_DIRS = ("content", "themes", "templates", "static", "i18n")
DEBOUNCE = 0.05  # seconds of quiet after the last change before rebuilding

RELOAD_SCRIPT = b"""<script data-mmsite-live-reload>
(() => {
  const es = new EventSource("/__mmsite/events");
  const show = (text) => {
    let box = document.getElementById("__mmsite_error");
    if (!box) {
      box = document.createElement("div");
      box.id = "__mmsite_error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(20,20,20,.94);color:#fff;padding:2rem;font:14px/1.5 monospace;" +
        "white-space:pre-wrap;direction:ltr;text-align:left";
      document.body.appendChild(box);
    }
    box.textContent = "mmsite: the build failed\\n\\n" + text;
  };
  es.addEventListener("reload", () => location.reload());
  es.addEventListener("build-error", (e) => show(JSON.parse(e.data).message));
})();
</script>
"""


def inject(html: bytes) -> bytes:
    """Add the live-reload script before ``</body>`` (or at the end)."""
    at = html.rfind(b"</body>")
    if at < 0:
        return html + RELOAD_SCRIPT
    return html[:at] + RELOAD_SCRIPT + html[at:]


class Broadcaster:
    """Fan out server-sent events to every open ``/__mmsite/events`` stream."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: list[queue.Queue[bytes | None]] = []
        self.error: str | None = None  # the current build error, sent to new clients

    def subscribe(self) -> queue.Queue[bytes | None]:
        client: queue.Queue[bytes | None] = queue.Queue()
        with self._lock:
            self._clients.append(client)
            if self.error is not None:
                client.put(self._error_event(self.error))
        return client

    def unsubscribe(self, client: queue.Queue[bytes | None]) -> None:
        with self._lock:
            if client in self._clients:
                self._clients.remove(client)

    def _send(self, data: bytes | None) -> None:
        with self._lock:
            for client in self._clients:
                client.put(data)

    @staticmethod
    def _error_event(message: str) -> bytes:
        return b"event: build-error\ndata: " + json.dumps({"message": message}).encode() + b"\n\n"

    def reload(self, build_id: int) -> None:
        self.error = None
        self._send(f"event: reload\ndata: {build_id}\n\n".encode())

    def failed(self, message: str) -> None:
        self.error = message
        self._send(self._error_event(message))

    def close(self) -> None:
        self._send(None)


MAX_PATH = 2048  # longer request paths are refused (no file of the site is that long)
IDLE_TIMEOUT = 30.0  # seconds a connection may wait for its next request


def local_host(host: str, bound: str) -> bool:
    """Whether a request's ``Host`` header names this machine: ``localhost`` (and
    ``*.localhost``), an IP address, or the name the server was bound to. Any other name
    is a page of another site whose DNS now points here (DNS rebinding): refused."""
    if host.startswith("["):
        name = host[1 : host.find("]")] if "]" in host else host
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost") or name == bound.lower():
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from the output folder; HTML gets the live-reload script. Requests
    for another host name (DNS rebinding), with a NUL or a path longer than
    :data:`MAX_PATH` are answered 403/400 and logged nowhere; idle connections close
    after :data:`IDLE_TIMEOUT` seconds."""

    broadcaster: Broadcaster
    heartbeat: float = 15.0
    timeout = IDLE_TIMEOUT  # socket timeout: an idle keep-alive connection is closed
    bound: str = "127.0.0.1"

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        host = self.headers.get("Host")
        if host is not None and not local_host(host.strip(), self.bound):
            self.send_error(403, "Host not allowed: mmsite serve answers localhost only")
            return False
        path = self.path.split("?", 1)[0]
        if len(self.path) > MAX_PATH or "\0" in unquote(path) or "\0" in path:
            self.send_error(400, "Bad request path")
            return False
        return True

    def send_head(self):  # noqa: ANN201 (http.server's signature)
        try:
            return super().send_head()
        except (OSError, ValueError):  # a name the file system refuses: not a file here
            self.send_error(404, "File not found")
            return None

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # keep the terminal for build messages

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        if path == EVENTS_PATH:
            self._events()
            return
        local = Path(self.translate_path(self.path))
        if path.endswith("/"):
            local = local / "index.html"
        elif _safely(local.is_dir):
            super().do_GET()  # redirects to the folder URL
            return
        if local.suffix != ".html" and _safely(local.is_file):
            super().do_GET()
            return
        page = _safely(local.read_bytes) if _safely(local.is_file) else None
        if page is None:
            self._send_html(404, inject(self._not_found(local)))
        else:
            self._send_html(200, inject(page))

    def _not_found(self, local: Path) -> bytes:
        """The site's own 404 page of the deepest edition folder above ``local`` (the
        build writes one per edition: ``fr/404.html``), else a plain one."""
        root = Path(self.directory).resolve()
        for folder in local.parents:
            if folder != root and root not in folder.parents:
                break
            page = _safely((folder / "404.html").read_bytes)
            if page is not None:
                return page
        return b"<!doctype html><title>Not found</title><body><h1>404 Not found</h1></body>"

    def _send_html(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "keep-alive")
        self.end_headers()
        client = self.broadcaster.subscribe()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            while True:
                try:
                    data = client.get(timeout=self.heartbeat)
                except queue.Empty:
                    data = b": ping\n\n"
                if data is None:
                    break
                self.wfile.write(data)
                self.wfile.flush()
        except OSError:
            pass  # the tab was closed
        finally:
            self.broadcaster.unsubscribe(client)
        self.close_connection = True


def _safely(read: Callable[[], Any]) -> Any:
    """``read()``, or None when the file system refuses the name (too long, a NUL)."""
    try:
        return read()
    except (OSError, ValueError):
        return None


class _Changes(FileSystemEventHandler):
    def __init__(self, root: Path, notify: Callable[[], None]) -> None:
        self.root = root
        self.notify = notify

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        paths = [str(event.src_path), str(getattr(event, "dest_path", "") or "")]
        for raw in paths:
            if not raw:
                continue
            path = Path(raw)
            if path.parent == self.root and path.name != CONFIG_FILE:
                continue  # the site folder itself is watched only for site.yaml
            self.notify()
            return


class DevServer:
    """The server, the watcher and the rebuild loop. ``start()`` returns once the first
    build is done and the socket listens; ``stop()`` ends everything."""

    def __init__(
        self,
        root: Path,
        options: BuildOptions,
        bind: str = "127.0.0.1",
        port: int = 8000,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.root = root.resolve()
        self.broadcaster = Broadcaster()
        names = {"broadcaster": self.broadcaster, "bound": bind}
        self.handler = handler = type("BoundHandler", (Handler,), names)
        self.output = options.output or self.root / CACHE_DIR / "serve" / "public"
        self.output.mkdir(parents=True, exist_ok=True)
        self.httpd = http.server.ThreadingHTTPServer(
            (bind, port), lambda *a: handler(*a, directory=str(self.output))
        )
        self.httpd.daemon_threads = True
        host = bind if bind not in ("0.0.0.0", "::", "") else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        self.url = f"http://{host}:{self.httpd.server_address[1]}/"
        self.options = BuildOptions(
            drafts=options.drafts,
            base_url=options.base_url or self.url,
            in_place=True,
            output=self.output,
            progress=options.progress,
        )
        self.cache = BuildCache(None)  # in memory; same engine as `mmsite build`
        self.log = log or (lambda text: print(text, file=sys.stderr, flush=True))
        self.builds = 0
        self.last: BuildResult | None = None
        self._changed = threading.Event()
        self._stopping = threading.Event()
        self._last_change = 0.0
        self._observer = Observer()
        self._threads: list[threading.Thread] = []

    # -- building ---------------------------------------------------------

    def rebuild(self) -> BuildResult | None:
        """Build once; report to the terminal and the open tabs. Never raises for
        user errors (nor for bugs: the server must survive both)."""
        started = time.perf_counter()
        try:
            result = build(self.root, self.options, self.cache, background_cleanup=True)
        except MmsiteError as exc:
            self.log(f"build failed:\n{exc}")
            self.broadcaster.failed(str(exc))
            return None
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the server
            text = "".join(traceback.format_exception(exc))
            self.log(f"build crashed (a bug in mmsite, please report it):\n{text}")
            self.broadcaster.failed(text)
            return None
        self.builds += 1
        self.last = result
        for warning in result.warnings:
            self.log(f"warning: {warning}")
        took = time.perf_counter() - started
        self.log(
            f"rebuilt in {took * 1000:.0f} ms ({result.kind}): {result.rendered} rendered, "
            f"{result.reused} unchanged, {len(result.changed)} files written"
        )
        self.broadcaster.reload(self.builds)
        return result

    def _notify(self) -> None:
        self._last_change = time.monotonic()
        self._changed.set()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            if not self._changed.wait(timeout=0.5):
                continue
            while time.monotonic() - self._last_change < DEBOUNCE:
                time.sleep(DEBOUNCE / 2)
            self._changed.clear()
            if not self._stopping.is_set():
                self.rebuild()

    # -- lifecycle --------------------------------------------------------

    def start(self) -> None:
        self.rebuild()
        events = _Changes(self.root, self._notify)
        for name in WATCHED_DIRS:
            folder = self.root / name
            if folder.is_dir():
                self._observer.schedule(events, str(folder), recursive=True)
        self._observer.schedule(events, str(self.root), recursive=False)
        self._observer.start()
        for target in (self._loop, self.httpd.serve_forever):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        self.broadcaster.close()
        with contextlib.suppress(Exception):
            self._observer.stop()
            self._observer.join(timeout=5)
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def serve_forever(self) -> None:
        self.start()
        print(f"serving {self.root.name} at {self.url} (Ctrl+C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
        self.stop()
