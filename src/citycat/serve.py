"""``citycat serve``: build, serve the site on loopback, rebuild when an input changes."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Callable
from pathlib import Path

WATCHED = ("datasets.yaml", "catalogue", "schemas", "samples", "site")


def snapshot(root: Path) -> dict[str, float]:
    """Modification times of every input file (what a change to the catalogue or theme touches)."""
    out = {}
    for name in WATCHED:
        path = root / name
        if path.is_file():
            out[str(path)] = path.stat().st_mtime
        elif path.is_dir():
            for p in path.rglob("*"):
                if p.is_file():
                    out[str(p)] = p.stat().st_mtime
    return out


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files of the built site, with its 404 page, and no directory listings."""

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

    def end_headers(self):
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format, *args):  # quiet: the terminal shows rebuilds, not every request
        pass


def make_server(out: Path, port: int, host: str = "127.0.0.1", handler=SiteHandler):
    factory = functools.partial(handler, directory=str(out))
    server = http.server.ThreadingHTTPServer((host, port), factory)
    server.daemon_threads = True
    return server


def watch(root: Path, rebuild: Callable[[], None], stop: threading.Event, interval: float = 0.5) -> None:
    """Call ``rebuild`` after the inputs change (and stay unchanged for one interval)."""
    seen = snapshot(root)
    while not stop.wait(interval):
        now = snapshot(root)
        if now != seen:
            time.sleep(interval)  # let an editor finish writing
            seen = snapshot(root)
            rebuild()
