"""``reportkit preview``: serve a year's pages from memory, rebuild what a change touches, reload.

Threads: the HTTP server (stdlib ``ThreadingHTTPServer``) answers from the page cache and
holds one server-sent-events stream per open page; the *calling* thread owns the kernel,
polls the watched files and builds, one page at a time (so Ctrl-C lands there and the kernel
is shut down before the command returns). A page asked for that is not built yet is queued
and the request waits for it; a change rebuilds at once only the pages open in a browser,
the others are dropped and rebuilt when next asked for.
"""
from __future__ import annotations

import json
import queue
import re
import sys
import threading
from collections import Counter
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import parse_qs, urlsplit

from .. import params
from ..errors import InvalidInput
from ..masters import project_notebook
from .pages import Page, Pages, PreviewEngine, reload_script
from .targets import INDEX, SUMMARY, Sources, Target, Watcher, affected, inside, report

EVENTS = "/_preview/events"
POLL = 0.02        # seconds between two looks at the watched files (≈0.2 ms each: 1 % of a core)
KEEPALIVE = 15.0   # an SSE comment this often keeps proxies and browsers from dropping the stream
WAIT = 300.0       # longest a request waits for its page
ORDER = {"report": 0, "index": 1, "summary": 2}  # a report first: it is what the analyst watches
_PATH = re.compile(r"^/(\d{4})/([A-Za-z0-9_.-]+)\.html$")


def inject(html: bytes, script: bytes) -> bytes:
    """``html`` with ``script`` just before its last ``</body>`` (appended when there is none)."""
    at = html.rfind(b"</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]


class Hub:
    """The open pages: one queue per server-sent-events stream, keyed by the page's path."""

    def __init__(self):
        self._lock = threading.Lock()
        self._streams: list[tuple[str, queue.Queue]] = []

    def subscribe(self, path: str) -> queue.Queue:
        q: queue.Queue = queue.Queue()
        with self._lock:
            self._streams.append((path, q))
        return q

    def unsubscribe(self, q: queue.Queue) -> None:
        with self._lock:
            self._streams = [(p, s) for p, s in self._streams if s is not q]

    def open_paths(self) -> Counter:
        with self._lock:
            return Counter(p for p, _ in self._streams)

    def publish(self, paths: list[str]) -> None:
        """Tell the streams of these pages to reload."""
        with self._lock:
            for path, q in self._streams:
                if path in paths:
                    q.put(paths)

    def close(self) -> None:
        with self._lock:
            for _, q in self._streams:
                q.put(None)  # ends the stream


class Preview:
    """The page cache, the watcher and the build loop of one preview."""

    def __init__(self, params_dir: Path, output_dir: Path, year: int, engine: PreviewEngine,
                 timeout: int = 300, log: Callable[[str], None] = lambda s: None):
        summary_notebook = project_notebook(params_dir, "summary")  # the project's, as build uses
        self.pages = Pages(params_dir, output_dir, year, engine, timeout, summary_notebook)
        self.sources = Sources(Path(params_dir), int(year), notebook=engine.warm.notebook,
                               summary_notebook=summary_notebook)
        self.watcher = Watcher(self.sources)
        self.hub, self.log, self.year = Hub(), log, int(year)
        self._cache: dict[Target, Page] = {}
        self._wanted: set[Target] = set()
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._registry = self._load_registry()

    # --- called from request threads ---------------------------------------------------
    def target_of(self, path: str) -> Optional[Target]:
        m = _PATH.match(path)
        if not m or int(m.group(1)) != self.year:
            return None
        name = m.group(2)
        if name in ("index", "summary"):
            return INDEX if name == "index" else SUMMARY
        try:
            params.check_bureau_id(name)
        except InvalidInput:
            return None  # not a bureau id: 404, never a file looked for
        return report(name)

    def page(self, target: Target, timeout: float = WAIT) -> Optional[Page]:
        """The built page, waiting for the build loop when it is not in the cache yet."""
        with self._cond:
            if target not in self._cache:
                self._wanted.add(target)
                self._cond.notify_all()
                self._cond.wait_for(lambda: target in self._cache or self._stop.is_set(), timeout)
            return self._cache.get(target)

    # --- the build loop (calling thread) ------------------------------------------------
    def want(self, target: Target) -> None:
        with self._cond:
            self._wanted.add(target)

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        self.hub.close()

    def run(self) -> None:
        """Poll, rebuild and build until :meth:`stop` (or Ctrl-C in the calling thread)."""
        while not self._stop.is_set():
            self.absorb(self.watcher.changed())
            with self._cond:
                todo = sorted(self._wanted, key=lambda t: (ORDER[t.kind], t.bureau))
                if not todo:
                    self._cond.wait(POLL)
                    continue
            self._build(todo[0])

    def absorb(self, changed: set[Path]) -> set[Target]:
        """Drop the pages ``changed`` makes stale; queue those open in a browser for a rebuild."""
        if not changed:
            return set()
        old, registry_file = self._registry, params.registry_path(self.sources.params_dir)
        if any(p.resolve() == registry_file.resolve() for p in changed):
            self._registry = self._load_registry()
        if any(p.resolve() == Path(self.sources.notebook).resolve() for p in changed):
            why = self.pages.engine.reload_notebook()
            if why:
                self.log(f"笔记本无法读取，仍用上一版：{why}")
        with self._cond:
            known = {t.bureau for t in self._cache if t.kind == "report"} | \
                    {t.bureau for t in self._wanted if t.kind == "report"}
            stale = affected(changed, self.sources, known, old, self._registry)
            open_paths = self.hub.open_paths()
            for target in stale:
                self._cache.pop(target, None)
                if target.path(self.year) in open_paths:
                    self._wanted.add(target)
        if any(p.suffix == ".py" and inside(p.resolve(), Path(self.sources.code).resolve()) for p in changed):
            self.log("reportkit 的 Python 代码已改动：报告改在新内核中生成；索引页仍用启动时的代码，重启预览后生效。")
        names = "、".join(sorted(params.display_path(p) for p in changed)[:3])
        self.log(f"已改动：{names}{' 等' if len(changed) > 3 else ''} → 影响 {len(stale)} 页")
        return stale

    def _build(self, target: Target) -> None:
        page = self.pages.build(target)
        path = target.path(self.year)
        with self._cond:
            self._wanted.discard(target)
            self._cache[target] = page
            self._cond.notify_all()
        self.hub.publish([path])
        self.log(f"{path}：{'已生成' if page.ok else '有问题，显示错误页'}（{page.timing()}）")

    def _load_registry(self):
        try:
            return self.pages.registry()
        except InvalidInput:
            return None


class Handler(BaseHTTPRequestHandler):
    """GET a page (reload script injected), or the events stream of an open page."""

    server: "PreviewServer"
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 — http.server's name
        url = urlsplit(self.path)
        preview = self.server.preview
        if url.path == EVENTS:
            return self._events(parse_qs(url.query).get("path", [""])[0])
        if url.path in ("/", f"/{preview.year}", f"/{preview.year}/"):
            return self._redirect(self.server.home)
        target = preview.target_of(url.path)
        page = preview.page(target) if target else None
        if page is None:
            return self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", "没有这个页面。".encode())
        body = inject(page.html, reload_script(url.path, EVENTS))
        self._send(page.status, "text/html; charset=utf-8", body)

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _events(self, path: str) -> None:
        hub = self.server.preview.hub
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.close_connection = True
        stream = hub.subscribe(path)
        try:
            self.wfile.write(b": open\n\n")
            self.wfile.flush()
            while True:
                try:
                    paths = stream.get(timeout=KEEPALIVE)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                if paths is None:
                    return
                data = json.dumps(paths, ensure_ascii=False)
                self.wfile.write(f"event: reload\ndata: {data}\n\n".encode("utf-8"))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            hub.unsubscribe(stream)

    def log_message(self, format, *args):  # noqa: A002 — requests are not worth a line each
        pass


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open events stream never holds up the end of the preview
    block_on_close = False

    def __init__(self, address: tuple[str, int], preview: Optional[Preview], home: str):
        self.preview, self.home = preview, home
        super().__init__(address, Handler)

    def handle_error(self, request, client_address) -> None:
        """A browser that closed its tab mid-answer is normal; anything else is one line, no traceback."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, (BrokenPipeError, ConnectionResetError, TimeoutError)):
            self.preview.log(f"预览服务器处理请求时出错：{type(exc).__name__}: {exc}")

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"
