"""``citycat serve``: the built site on loopback, its 404 page, and rebuilds on change."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request

from citycat.pipeline.build import build
from citycat.pipeline.serve import make_server, snapshot, watch
from tests.conftest import CASES, TODAY, assemble


def test_serves_pages_and_a_404(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    out = tmp_path / "public"
    build(root, out, TODAY)
    server = make_server(out, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(base + "/datasets/danh-sach-nha-thuoc/") as r:
            assert r.status == 200 and "text/html" in r.headers["Content-Type"]
            assert "danh-sach-nha-thuoc" in r.read().decode("utf-8")
        for missing in ("/khong-co/", "/static/", "/../../etc/passwd"):
            try:
                urllib.request.urlopen(base + missing)
                raise AssertionError(f"{missing} answered")
            except urllib.error.HTTPError as e:
                assert e.code == 404
                assert "<html" in e.read().decode("utf-8")
    finally:
        server.shutdown()
        server.server_close()


def test_watch_rebuilds_after_a_change(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    calls = []
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(root, lambda: calls.append(1), stop, 0.05), daemon=True)
    thread.start()
    time.sleep(0.2)
    assert calls == []
    path = root / "datasets.yaml"
    path.write_text(path.read_text("utf-8") + "\n# changed\n", "utf-8")
    deadline = time.monotonic() + 10
    while not calls and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    assert calls, "no rebuild after datasets.yaml changed"
    assert str(path) in snapshot(root)


def test_an_edit_made_before_the_watcher_first_looks_is_rebuilt(tmp_path):
    # serve takes the snapshot before its first build: an edit made while that build runs (or
    # before the watching thread starts) is not lost
    root = assemble(tmp_path / "c", CASES / "good")
    seen = snapshot(root)
    path = root / "datasets.yaml"
    path.write_text(path.read_text("utf-8") + "\n# edited during the first build\n", "utf-8")
    calls = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watch, args=(root, lambda: calls.append(1), stop, 0.05), kwargs={"seen": seen}, daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not calls and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    assert calls, "the edit made before the watcher started was never rebuilt"
