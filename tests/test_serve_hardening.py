"""``citycat serve`` attacked: a watcher that must survive a failing rebuild, clients that flood,
trickle or lie, malformed requests, and an output folder inside the watched theme.

Each test is an attack that succeeded before the server was hardened (issue 18). None measures
speed: ``bench/serve_load.py`` does.
"""

from __future__ import annotations

import contextlib
import select
import socket
import subprocess
import sys
import threading
import time

import pytest

from citycat.pipeline.build import build
from citycat.pipeline.serve import make_server, snapshot, watch
from tests.conftest import CASES, TODAY, assemble


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = assemble(tmp_path_factory.mktemp("c") / "c", CASES / "good")
    out = root.parent / "public"
    build(root, out, TODAY)
    return out


@contextlib.contextmanager
def running(out, **limits):
    """The site served on a free loopback port, with some limits made small for the test."""
    server = make_server(out, 0)
    for name, value in limits.items():
        setattr(server, name, value)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def exchange(port: int, data: bytes, wait: float = 20.0) -> bytes:
    """Send raw bytes, return everything the server answers until it closes (or ``wait`` passes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        s.sendall(data)
        chunks = []
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


def status(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1."), answer[:200]
    return int(answer.split(b" ", 2)[1])


# ---------------------------------------------------------------------------------------------
# The watcher


def test_the_watcher_survives_a_failing_rebuild_and_rebuilds_the_next_change(tmp_path):
    # a 5,000-digit integer or a full disk made the callback raise: the watcher thread died and
    # no later edit was ever rebuilt
    root = assemble(tmp_path / "c", CASES / "good")
    calls, errors = [], []

    def rebuild():
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")

    stop = threading.Event()
    thread = threading.Thread(
        target=watch,
        args=(root, rebuild, stop, 0.05),
        kwargs={"on_error": errors.append, "seen": snapshot(root)},
        daemon=True,
    )
    thread.start()
    path = root / "datasets.yaml"
    try:
        for n, edit in enumerate(("# first edit\n", "# fixed\n"), start=1):
            path.write_text(path.read_text("utf-8") + edit, "utf-8")
            deadline = time.monotonic() + 20
            while len(calls) < n and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(calls) == n, f"edit {n} was not rebuilt"
    finally:
        stop.set()
        thread.join(5)
    assert [type(e) for e in errors] == [ValueError]  # reported once, to the owner's words
    assert "4300 digits" in str(errors[0])


def test_the_default_report_of_a_failing_rebuild_is_one_line_in_the_catalogue_language(tmp_path, capfd):
    root = assemble(tmp_path / "c", CASES / "good")
    stop = threading.Event()

    def rebuild():
        stop.set()
        raise OSError(28, "No space left on device", str(root / "public" / "index.html"))

    path = root / "datasets.yaml"
    seen = snapshot(root)
    thread = threading.Thread(
        target=watch, args=(root, rebuild, stop, 0.05), kwargs={"seen": seen}, daemon=True
    )
    thread.start()
    path.write_text(path.read_text("utf-8") + "# edit\n", "utf-8")
    thread.join(20)
    err = capfd.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("citycat: ")
    assert "No space left on device" in lines[0] and "index.html" in lines[0]


def test_a_rebuild_that_failed_half_way_is_followed_by_a_full_build(tmp_path):
    # the session kept the state of a rebuild stopped half-way and built the next one on it
    from citycat.pipeline.rebuild import Session

    root = assemble(tmp_path / "c", CASES / "good")
    session = Session(root, tmp_path / "public", TODAY, "public", parts=1)
    session.build()
    real = session.rebuild_entries

    def full_disk(*args):
        session.rebuild_entries = real
        raise OSError(28, "No space left on device")

    session.rebuild_entries = full_disk
    path = root / "datasets.yaml"
    path.write_text(path.read_text("utf-8").replace("Danh sách", "Danh mục", 1), "utf-8")
    with pytest.raises(OSError):
        session.rebuild()
    built, report = session.rebuild()
    assert built is not None and report.full


# ---------------------------------------------------------------------------------------------
# Malformed requests: an answer, never a traceback


@pytest.mark.parametrize(
    "request_bytes, expected",
    [
        (b"GET /index.html%00.txt HTTP/1.1\r\nHost: x\r\n\r\n", {400}),
        (b"GET /%ed%a0%80 HTTP/1.1\r\nHost: x\r\n\r\n", {400, 404}),
        (b"GET /%ff%fe/ HTTP/1.1\r\nHost: x\r\n\r\n", {400, 404}),
        (b"NONSENSE\r\n\r\n", {400}),
        (b"GET / HTTP/9.9\r\n\r\n", {505}),
        (b"GET / HTTP/1.1\r\nno colon here\r\n\r\n", {200, 400}),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 70000 + b"\r\n\r\n", {431}),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", {414}),
        (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {400, 404, 501, 505}),
        (b"POST /index.html HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", {405}),
    ],
)
def test_a_malformed_request_is_answered_without_a_traceback(site, capfd, request_bytes, expected):
    with running(site) as port:
        answer = exchange(port, request_bytes)
    assert status(answer) in expected, answer[:300]
    assert "Traceback" not in capfd.readouterr().err


def test_a_post_whose_body_never_comes_is_answered_408_and_dropped(site, capfd, tmp_path):
    # a Content-Length larger than the body: the server waited 60 s, then answered 500
    from citycat.pipeline.serve import Live, make_server

    root = assemble(tmp_path / "c", CASES / "good")
    built = build(root, tmp_path / "public", TODAY)
    server = make_server(built.out, 0, live=Live(built.catalogue, TODAY, "public", warm=False))
    server.body_timeout = 0.5
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        body = b'{"id": "x"}'
        head = b"POST /api/3/action/package_show HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        answer = exchange(server.server_address[1], head + b"Content-Length: 1000\r\n\r\n" + body)
    finally:
        server.shutdown()
        server.server_close()
    assert status(answer) == 408
    assert b'"success":false' in answer
    assert "Traceback" not in capfd.readouterr().err


# ---------------------------------------------------------------------------------------------
# Slow and many clients


def test_a_client_trickling_its_headers_is_dropped(site):
    # one header line every few seconds kept a thread for ever (the timeout restarted at each byte)
    with running(site, head_timeout=1.0) as port, socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"GET / HTTP/1.1\r\n")
        s.settimeout(0.2)
        closed = False
        for i in range(100):  # 20 s of trickling at most: the server must hang up long before
            try:
                s.sendall(b"X-Slow-%d: 1\r\n" % i)
                if s.recv(65536) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except (ConnectionResetError, BrokenPipeError):
                closed = True
                break
        assert closed, "the server kept a trickling client for 20 s"


def test_idle_connections_do_not_each_get_a_thread(site):
    # a thread per connection with no cap: 100 silent connections were 100 threads
    with running(site) as port:
        before = threading.active_count()
        sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
        try:
            time.sleep(0.5)
            grown = threading.active_count() - before
        finally:
            for s in sockets:
                s.close()
    assert grown <= 2, f"{grown} threads for 100 idle connections"


def test_a_burst_of_connections_is_queued_not_dropped(site):
    # a listen backlog of 5: connections beyond it were dropped by the kernel (their SYN retried
    # after 1 s, 3 s, 7 s...). Here the server does not accept at all while 200 connect at once
    server = make_server(site, 0)
    sockets = [socket.socket() for _ in range(200)]
    try:
        for s in sockets:
            s.setblocking(False)
            s.connect_ex(server.server_address)
        pending, deadline = set(sockets), time.monotonic() + 5
        while pending and time.monotonic() < deadline:
            _, done, _ = select.select([], list(pending), [], 0.1)
            pending -= set(done)
        failed = [s for s in sockets if s not in pending and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)]
    finally:
        for s in sockets:
            s.close()
        server.server_close()
    assert not pending and not failed, f"{len(pending) + len(failed)} of 200 connections were not queued"


def test_keep_alive_answers_several_requests_on_one_connection(site):
    with running(site) as port, socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        stream = s.makefile("rb")
        for _ in range(3):
            s.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            line = stream.readline()
            assert line.startswith(b"HTTP/1.1 200"), line
            length = None
            while (header := stream.readline()) not in (b"\r\n", b""):
                name, _, value = header.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            assert length is not None
            stream.read(length)


# ---------------------------------------------------------------------------------------------
# An output folder inside the watched theme


@pytest.mark.parametrize("lang, words", [("vi", "nằm trong site/"), ("en", "is inside site/")])
def test_serve_refuses_an_output_folder_inside_a_watched_folder(tmp_path, lang, words):
    # `serve --out site/public` crashed at start-up (its own swap seen as an edit of the theme)
    root = assemble(tmp_path / "c", CASES / "good")
    (root / "catalogue" / "settings.yaml").write_text(
        (root / "catalogue" / "settings.yaml").read_text("utf-8") + f"\ndefault_language: {lang}\n", "utf-8"
    )
    command = [sys.executable, "-m", "citycat", "serve", "--root", str(root), "--out", "site/public"]
    command += ["--port", "0", "--today", TODAY.isoformat()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert words in done.stderr and "internal error" not in done.stderr
    assert not (root / "site" / "public").exists()
