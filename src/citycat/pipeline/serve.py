"""``citycat serve``: build, serve the site on loopback, rebuild when an input changes.

With a ``Live`` catalogue, paths under ``/api`` are CKAN's Action API (``citycat.api.actions``), answered
from the catalogue of the last good build; everything else is a file of the built site.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from citycat.model.findings import ERROR, Finding
from citycat.source import inputs


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every input file (what a change to the catalogue or theme touches)."""
    return inputs.stamps(root, inputs.BUILD)


MAX_BODY = 1 << 20  # bytes of a POST body to the API; a larger one is refused unread
MAX_FIELDS = 200  # parameters in a query string or form


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


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files of the built site, with its 404 page, and no directory listings; with a
    ``Live`` catalogue on the server, CKAN's Action API under /api."""

    timeout = 60  # seconds a connection may stay silent (a stalled client does not keep a thread)

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
        data = self.rfile.read(length) if length else b""
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

    def end_headers(self):
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format, *args):  # quiet: the terminal shows rebuilds, not every request
        pass


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"help": None, "success": False, "error": {"__type": kind, "message": message}}


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
    server = http.server.ThreadingHTTPServer((host, port), factory)
    server.daemon_threads = True
    server.live = live
    server.session = session
    return server


def watch(
    root: Path,
    rebuild: Callable[[], None],
    stop: threading.Event,
    interval: float = 0.25,
    seen: dict[str, tuple[int, int]] | None = None,
) -> None:
    """Call ``rebuild`` after the inputs change (and stay unchanged for one interval). ``seen``:
    the inputs as the last build read them (taken before it started, so that an edit made
    while it ran, or before this thread first looks, is rebuilt too)."""
    seen = snapshot(root) if seen is None else seen
    while not stop.wait(interval):
        now = snapshot(root)
        if now != seen:
            time.sleep(interval)  # let an editor finish writing
            seen = snapshot(root)
            rebuild()


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
