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


def _finding(code: str, line: int, dataset: str, value: str, level: str | None = None):
    from citycat.model.findings import Finding, Loc

    return Finding(code, Loc("datasets.yaml", line, 13), dataset, {"value": value}, level)


def test_refusals_tell_what_changed_since_the_last_refused_rebuild():
    from citycat.pipeline.serve import Refusals

    r = Refusals()
    a, b = _finding("reference-missing", 11, "a", "x"), _finding("reference-missing", 50, "b", "y")
    warn = _finding("overdue", 60, "b", "z")
    first = r.refused([a, b, warn])
    assert first.new == (a, b) and first.fixed == 0 and first.total == 2  # errors only
    moved = _finding("reference-missing", 14, "a", "x")  # lines added above it: the same mistake
    again = r.refused([moved])
    assert again.new == () and again.fixed == 1 and again.total == 1
    c = _finding("field-enum", 20, "a", "opne")
    third = r.refused([moved, c])
    assert third.new == (c,) and third.fixed == 0 and third.total == 2
    assert r.good() == 2 and r.good() is None  # good again, then nothing more to say


def test_citycat_serve_says_only_what_changed_and_when_it_is_good_again(tmp_path):
    """``citycat serve`` in the catalogue's language (Vietnamese): a refused rebuild lists its
    errors; the next lists only new ones and how many were fixed; then it says the catalogue is
    good again."""
    import os
    import queue
    import subprocess
    import sys

    root = assemble(tmp_path / "c", CASES / "good")
    command = [sys.executable, "-m", "citycat", "serve", "--root", str(root), "--out", str(tmp_path / "site")]
    command += ["--port", "0", "--today", TODAY.isoformat()]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()

    def until(start: str) -> list[str]:
        """The lines printed up to the one starting with ``start`` (included)."""
        said = []
        while True:
            said.append(lines.get(timeout=120).rstrip("\n"))
            if said[-1].startswith(start):
                return said

    path = root / "datasets.yaml"
    text = path.read_text("utf-8")
    try:
        assert until("đang phục vụ http://127.0.0.1:")[0].startswith("đã dựng ")
        two = text.replace("agency: so-y-te", "agency: so-y-tex")  # two entries
        path.write_text(two, "utf-8")
        first = until("citycat: không dựng lại")
        assert sum("lỗi[reference-missing]" in s for s in first) == 2
        assert first[-1] == "citycat: không dựng lại: danh mục còn 2 lỗi (trang tốt gần nhất vẫn được giữ)."
        path.write_text(two.replace("agency: so-y-tex", "agency: so-y-te", 1), "utf-8")
        second = until("citycat: không dựng lại")
        assert not any("lỗi[" in s for s in second), second  # the error left is not printed again
        assert "đã sửa 1 lỗi kể từ lần dựng lại trước." in second
        assert second[-1].endswith("danh mục còn 1 lỗi (trang tốt gần nhất vẫn được giữ).")
        path.write_text(text, "utf-8")
        good = until("đã dựng lại")
        assert "danh mục hết lỗi: đã sửa cả 1 lỗi." in good
        assert not any("rebuil" in s or "refused" in s or "serving" in s for s in first + second + good)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
