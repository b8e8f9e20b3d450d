"""``citycat serve``: build, serve the site on loopback, rebuild when an input changes.

With a ``Live`` catalogue, paths under ``/api`` are CKAN's Action API (``citycat.api.actions``), answered
from the catalogue of the last good build; everything else is a file of the built site.

The server (``SiteServer``) holds load and hostile clients: a listen backlog of ``BACKLOG``, a fixed
pool of ``WORKERS`` threads (an accepted connection waits for one; past ``WAITING`` waiting, it
is closed), HTTP/1.1 keep-alive that gives its worker up as soon as another connection waits, a
deadline for a request's head (``HEAD_TIMEOUT``, however slowly it trickles in) and one for its
body (``BODY_TIMEOUT``), and no traceback for any request: a malformed one is answered 400.
``docs/security.md`` ("The live server") lists these limits.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import queue
import select
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from citycat.model.findings import ERROR, Finding
from citycat.source import inputs


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every input file (what a change to the catalogue or theme
    touches); a file removed while it is looked at is left out (the next look sees it gone)."""
    out = {}
    for path in inputs.files(root, inputs.BUILD):
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        out[str(path)] = (st.st_size, st.st_mtime_ns)
    return out


MAX_BODY = 1 << 20  # bytes of a POST body to the API; a larger one is refused unread
MAX_FIELDS = 200  # parameters in a query string or form
BACKLOG = 1024  # connections the kernel queues before the server accepts them (capped by somaxconn)
WORKERS = 64  # threads answering requests: connections beyond them wait (they never get a thread each)
WAITING = 1024  # accepted connections waiting for a worker; one more is closed at once
HEAD_TIMEOUT = 5.0  # seconds for a request's line and headers to arrive, once a worker reads them
IDLE_TIMEOUT = 5.0  # seconds a kept-alive connection may wait for its next request
BODY_TIMEOUT = 10.0  # seconds for a POST body to arrive, after its headers
SEND_TIMEOUT = 10.0  # seconds a client may leave an answer unread before it is dropped


class Live:
    """The catalogue the API answers from: the last good build's (a failed rebuild keeps it)."""

    def __init__(self, catalogue, today: dt.date, edition: str, warm: bool = True):
        self.catalogue, self.today, self.edition, self.warm = catalogue, today, edition, warm
        self._api, self._api_of = None, None
        self._lock = threading.Lock()
        self._prepare()

    def update(self, built) -> None:
        if built is not None and getattr(built, "catalogue", None) is not None:
            self.catalogue = built.catalogue
            self._prepare()

    def _prepare(self) -> None:
        """Map the catalogue for the API now, beside the server (seconds at 10,000 datasets),
        rather than during the first request."""
        if self.warm and self.catalogue is not None:

            def prepare():
                try:
                    self.api()
                except Exception:  # noqa: BLE001 - the request that needs it reports the error
                    pass

            threading.Thread(target=prepare, daemon=True).start()

    def api(self):
        """The API of the current catalogue, made once per catalogue."""
        from citycat.api.actions import Api

        with self._lock:
            c = self.catalogue
            if self._api is None or self._api_of is not c:
                self._api, self._api_of = Api(c, self.today, self.edition), c
            return self._api

    def route(self, path: str, params: Any) -> tuple[int, Any]:
        return self.api().route(path, params)


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _params(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Query or form pairs as CKAN reads them: one value as a string, a repeated key as a list."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            out[key] = (out[key] if isinstance(out[key], list) else [out[key]]) + [value]
        else:
            out[key] = value
    return out


def _pairs(text: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise BadRequest(400, f"more than {MAX_FIELDS} parameters") from None


class Reader:
    """A connection's bytes with a deadline over a whole read (a request's head, or its body),
    however slowly they trickle in: a socket timeout alone restarts at every byte. Offers what
    ``http.server`` reads with: ``readline(limit)`` and ``read(size)``."""

    def __init__(self, sock):
        self.sock, self.buffer, self.deadline = sock, bytearray(), float("inf")

    def start(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def pending(self) -> bool:
        return bool(self.buffer)

    def _fill(self) -> bool:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request took too long to arrive")
        self.sock.settimeout(left)
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def _take(self, n: int) -> bytes:
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out

    def readline(self, limit: int = -1) -> bytes:
        start = 0
        while True:
            end = self.buffer.find(b"\n", start)
            if end >= 0 and (limit < 0 or end < limit):
                return self._take(end + 1)
            if 0 <= limit <= len(self.buffer):
                return self._take(limit)
            start = len(self.buffer)
            if not self._fill():
                return self._take(len(self.buffer))

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self.buffer) < size) and self._fill():
            pass
        return self._take(len(self.buffer) if size < 0 else min(size, len(self.buffer)))

    def close(self) -> None:
        self.buffer.clear()


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files of the built site, with its 404 page, and no directory listings; with a
    ``Live`` catalogue on the server, CKAN's Action API under /api."""

    protocol_version = "HTTP/1.1"  # keep-alive: every answer says its Content-Length
    default_request_version = "HTTP/1.0"  # a malformed request line is answered with a status line too
    timeout = SEND_TIMEOUT  # for writes; reads have their deadlines (``Reader``)
    disable_nagle_algorithm = True  # no 40 ms wait for a delayed ACK between two writes
    wbufsize = 1 << 16  # an answer's head and body leave in one write (flushed after each request)

    def setup(self):
        super().setup()
        self.rfile = Reader(self.connection)
        self.requests = 0

    def handle_expect_100(self):
        ok = super().handle_expect_100()
        self.wfile.flush()  # "100 Continue" must leave before the body is awaited
        return ok

    def handle_one_request(self):
        """One request, its head read within ``HEAD_TIMEOUT``; a kept-alive connection waits
        for its next request at most ``IDLE_TIMEOUT``, and not at all while another waits for
        a worker."""
        server = self.server
        if self.requests and not self.rfile.pending() and not self._next_request(server):
            self.close_connection = True
            return
        self.requests += 1
        self.rfile.start(getattr(server, "head_timeout", HEAD_TIMEOUT))
        super().handle_one_request()

    def _next_request(self, server) -> bool:
        """Whether the next request starts on this connection before it idles out or the
        worker is wanted for another connection."""
        deadline = time.monotonic() + getattr(server, "idle_timeout", IDLE_TIMEOUT)
        busy = getattr(server, "busy", lambda: False)
        poller = select.poll()  # not select.select: a descriptor may be past 1,024
        poller.register(self.connection, select.POLLIN)
        while True:  # a request already on its way when another connection starts waiting gets 50 ms
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                if poller.poll(min(left, 0.05) * 1000):
                    return True
            except OSError:
                return False
            if busy():
                return False

    def end_headers(self):
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        busy = getattr(self.server, "busy", None)
        if not self.close_connection and busy is not None and busy():
            self.send_header("Connection", "close")  # another connection waits for this worker
        super().end_headers()

    def send_head(self):
        """The file, or 400 for a path no file can have (a NUL byte, bytes that are no name)."""
        try:
            path = unquote(urlsplit(self.path).path, errors="surrogatepass")
            if "\x00" in path:
                raise ValueError("a NUL byte in the path")
            path.encode("utf-8", "surrogateescape")
            return super().send_head()
        except ValueError:  # UnicodeError too
            self.send_error(400, "Bad request: this path names no file")
            return None

    def list_directory(self, path):  # noqa: D102 - never list a folder
        self.send_error(404)
        return None

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    # The API

    def _live(self) -> Live | None:
        live = getattr(self.server, "live", None)
        if live is None:
            return None
        path = urlsplit(self.path).path
        return live if path == "/api" or path.startswith("/api/") else None

    def do_GET(self):
        if self._live():
            return self._api()
        self._wait()
        return super().do_GET()

    def do_HEAD(self):
        if self._live():
            return self._api(head=True)
        self._wait()
        return super().do_HEAD()

    def _wait(self) -> None:
        """While a rebuild's feeds are still being written, hold a request for one of them
        (``citycat.pipeline.rebuild.Session.wait_for``): never answer with a stale feed."""
        session = getattr(self.server, "session", None)
        if session is not None:
            session.wait_for(urlsplit(self.path).path.lstrip("/"))

    def do_POST(self):
        if self._live():
            return self._api()
        self.send_error(405)

    def do_OPTIONS(self):
        if not self._live():
            return self.send_error(405)
        self.send_response(204)
        self.send_header("Allow", "GET, HEAD, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _body(self) -> dict[str, Any]:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise BadRequest(411, "send the body with a Content-Length, not chunked")
        raw_length = self.headers.get("Content-Length") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            raise BadRequest(400, "the Content-Length is not a number")
        if length > MAX_BODY:
            self.close_connection = True  # the body stays unread
            raise BadRequest(413, f"the body is larger than {MAX_BODY} bytes")
        self.rfile.start(getattr(self.server, "body_timeout", BODY_TIMEOUT))
        try:
            data = self.rfile.read(length) if length else b""
        except TimeoutError:
            self.close_connection = True
            raise BadRequest(408, "the body did not arrive in time (is the Content-Length right?)") from None
        if len(data) < length:
            self.close_connection = True
            raise BadRequest(400, "the body ended early")
        if not data.strip():
            return {}
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest(400, "the body is not UTF-8") from None
        kind = self.headers.get_content_type()
        if kind == "application/x-www-form-urlencoded":
            return _params(_pairs(text))
        if kind.startswith("multipart/"):
            raise BadRequest(400, "multipart bodies (file uploads) are not accepted: send JSON")
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            raise BadRequest(400, "JSON Error: the body is not valid JSON") from None
        if not isinstance(value, dict):
            raise BadRequest(400, "JSON Error: the request data must be a JSON object")
        return value

    def _api(self, head: bool = False) -> None:
        live = self._live()
        split = urlsplit(self.path)
        try:
            params = _params(_pairs(split.query))
            if self.command == "POST":
                params.update(self._body())
            status, body = live.route(split.path, params)
        except BadRequest as e:
            status, body = e.status, _error("Bad Request", f"Bad request - {e}")
        except Exception as e:  # a bug in citycat: say so in CKAN's shape, keep serving
            self.log_error("API error: %s: %s", type(e).__name__, e)
            status, body = 500, _error("Internal Server Error", "Internal server error")
        data = json.dumps(body, separators=(",", ":")).encode("ascii")
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def log_message(self, format, *args):  # quiet: the terminal shows rebuilds, not every request
        pass


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"help": None, "success": False, "error": {"__type": kind, "message": message}}


class SiteServer(http.server.HTTPServer):
    """An HTTP server with a real listen backlog and a fixed pool of worker threads: a connection
    waits for a worker instead of getting a thread of its own, and a failing request is one
    line on stderr, never a traceback."""

    request_queue_size = BACKLOG

    def __init__(self, address, handler, workers: int = WORKERS, waiting: int = WAITING):
        super().__init__(address, handler)
        self.head_timeout, self.idle_timeout, self.body_timeout = HEAD_TIMEOUT, IDLE_TIMEOUT, BODY_TIMEOUT
        self._waiting: queue.Queue = queue.Queue(maxsize=waiting)
        self._workers = [
            threading.Thread(target=self._work, name=f"citycat-serve-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in self._workers:
            thread.start()

    def busy(self) -> bool:
        """Whether a connection waits for a worker."""
        return not self._waiting.empty()

    def process_request(self, request, client_address):
        try:
            self._waiting.put_nowait((request, client_address))
        except queue.Full:  # far more connections than the pool can answer: refuse this one
            self.shutdown_request(request)

    def _work(self) -> None:
        while True:
            item = self._waiting.get()
            if item is None:
                return
            request, client_address = item
            try:
                self.finish_request(request, client_address)
            except Exception:  # noqa: BLE001 - handle_error says it in one line
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    def handle_error(self, request, client_address):
        """One line on stderr for a request that failed in the server (a reset, a bug)."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return  # the client went away or stalled: nothing to report
        print(f"citycat serve: a request failed: {type(exc).__name__}: {exc}", file=sys.stderr)

    def server_close(self):
        super().server_close()
        for _ in self._workers:
            try:
                self._waiting.put_nowait(None)
            except queue.Full:
                break


def make_server(
    out: Path,
    port: int,
    host: str = "127.0.0.1",
    handler=SiteHandler,
    live: Live | None = None,
    session: Any = None,
):
    """The site in ``out`` on ``host:port``; with ``live``, CKAN's Action API under /api too;
    with ``session`` (``citycat.pipeline.rebuild.Session``), requests for feeds wait for its rebuilds."""
    factory = functools.partial(handler, directory=str(out))
    server = SiteServer((host, port), factory)
    server.live = live
    server.session = session
    return server


def watch(
    root: Path,
    rebuild: Callable[[], None],
    stop: threading.Event,
    interval: float = 0.25,
    seen: dict[str, tuple[int, int]] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
) -> None:
    """Call ``rebuild`` after the inputs change (and stay unchanged for one interval). ``seen``:
    the inputs as the last build read them (taken before it started, so that an edit made
    while it ran, or before this thread first looks, is rebuilt too).

    Any exception from ``rebuild`` (or from looking at the inputs) is given to ``on_error``
    (default: one line on stderr, ``rebuild_failed``) once, and watching goes on: the server
    keeps the last good site and the next change is rebuilt."""
    on_error = on_error or functools.partial(rebuild_failed, root)
    reported = None  # the last error reported: the same one again is not repeated
    while seen is None and not stop.is_set():
        try:
            seen = snapshot(root)
        except Exception as exc:  # noqa: BLE001 - an input folder being replaced: look again
            reported = _report(on_error, exc, reported)
            stop.wait(interval)
    while not stop.wait(interval):
        try:
            now = snapshot(root)
            if now == seen:
                continue
            time.sleep(interval)  # let an editor finish writing
            seen = snapshot(root)
            rebuild()
            reported = None
        except Exception as exc:  # noqa: BLE001 - whatever it is, the watcher must live on
            reported = _report(on_error, exc, reported)


def _report(on_error: Callable[[BaseException], None], exc: BaseException, reported: str | None) -> str:
    said = f"{type(exc).__name__}: {exc}"
    if said != reported:
        try:
            on_error(exc)
        except Exception:  # noqa: BLE001 - a failing report must not stop the watcher either
            pass
    return said


def describe(exc: BaseException) -> str:
    """An exception in a few words: an OS error's own words and file, else its type and message
    (cut to 300 characters)."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 300 else text[:299] + "…"


def rebuild_failed(root: Path, exc: BaseException) -> None:
    """``watch``'s default report: one line on stderr, in the catalogue's language."""
    from citycat.cli.words import language_of, say

    print(f"citycat: {say('serve.rebuild_failed', language_of(root), error=describe(exc))}", file=sys.stderr)


def _same(f: Finding) -> tuple:
    """What makes two findings the same mistake across edits: not its line, which moves when
    lines are added above it."""
    return (f.code, f.loc.file if f.loc else "", f.dataset, json.dumps(f.params, sort_keys=True, default=str))


@dataclass(frozen=True)
class Change:
    """The errors of a refused rebuild against the last refused one: the new ones, how many of
    the last ones are fixed, how many there are now."""

    new: tuple[Finding, ...]
    fixed: int
    total: int


class Refusals:
    """What ``citycat serve`` says of refused rebuilds: the errors new since the last refused
    one and how many it fixed, never the whole list again; and when the catalogue is good again."""

    def __init__(self) -> None:
        self.last: dict[tuple, Finding] | None = None  # None: the last build was good

    def refused(self, findings) -> Change:
        now = {_same(f): f for f in findings if f.level == ERROR}
        before = self.last or {}
        self.last = now
        new = tuple(f for k, f in now.items() if k not in before)
        return Change(new, sum(1 for k in before if k not in now), len(now))

    def good(self) -> int | None:
        """After a good build: how many errors the refused rebuilds had (None: there were none)."""
        last, self.last = self.last, None
        return None if last is None else len(last)
