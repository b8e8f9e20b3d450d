"""``citycat check-links`` against a real HTTP server on 127.0.0.1, started here; and the state file
it writes, read by load, validate and build, which never touch the network."""

from __future__ import annotations

import json
import socket
import struct
import subprocess
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import MappingProxyType
from urllib.parse import quote, unquote

import pytest

from citycat.quality import linkcheck, links
from citycat.source.load import load
from tests.conftest import CASES, TODAY, assemble, drain

OPTIONS = ["--timeout", "0.5", "--retries", "2", "--backoff", "0.05", "--delay", "0.01", "--per-host", "2"]
BIG = 32 * 1024 * 1024  # far more than loopback's socket buffers: only a client that reads it gets it all


class Server(ThreadingHTTPServer):
    """Answers each path in its own way and records what it saw: hits per path, methods, and
    the most requests it ever had in flight at once."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.hits: Counter[str] = Counter()
            self.methods: list[tuple[str, str]] = []
            self.agents: set[str] = set()
            self.in_flight = 0
            self.most_in_flight = 0
            self.big_sent_whole = False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request, client_address) -> None:
        pass  # resets and clients that hang up are what these tests are about


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, *args) -> None:
        pass

    def do_HEAD(self) -> None:
        self.route(head=True)

    def do_GET(self) -> None:
        self.route(head=False)

    def route(self, head: bool) -> None:
        s = self.server
        path = self.path
        with s.lock:
            s.hits[path] += 1
            n = s.hits[path]
            s.methods.append((self.command, path))
            s.agents.add(self.headers.get("User-Agent", ""))
            s.in_flight += 1
            s.most_in_flight = max(s.most_in_flight, s.in_flight)
        self.counted = True
        try:
            self.answer(path, n, head)
        finally:
            self.done()

    def done(self) -> None:
        """The request leaves the count just before its answer goes out: the client cannot start
        another one in its place before it has that answer (or has given up waiting)."""
        if self.counted:
            self.counted = False
            with self.server.lock:
                self.server.in_flight -= 1

    def answer(self, path: str, n: int, head: bool) -> None:
        if path in ("/ok", "/data.csv"):
            return self.send(200, b"a,b\n1,2\n", head, "text/csv; charset=utf-8")
        if path == "/moved":
            return self.send(301, b"", head, location="/data.csv")
        if path.startswith("/chain/"):
            step = int(path.rsplit("/", 1)[1])
            return self.send(302, b"", head, location=f"/chain/{step + 1}" if step < 3 else "/ok")
        if path == "/loop/a":
            return self.send(302, b"", head, location="/loop/b")
        if path == "/loop/b":
            return self.send(302, b"", head, location=f"{self.server.base}/loop/a")
        if path.startswith("/many/"):
            return self.send(302, b"", head, location=f"/many/{int(path.rsplit('/', 1)[1]) + 1}")
        if path == "/redirect-ftp":
            return self.send(302, b"", head, location="ftp://files.example.org/x.csv")
        if path.startswith("/away?to="):  # a redirect to wherever the test says
            return self.send(302, b"", head, location=unquote(path.split("=", 1)[1]))
        if path == "/redirect-nowhere":
            return self.send(301, b"", head)
        if path == "/missing":
            return self.send(404, b"not here", head)
        if path == "/flaky":  # the first two requests (HEAD and GET of one attempt) fail
            return self.send(500 if n <= 2 else 200, b"x", head)
        if path == "/broken":
            return self.send(500, b"x", head)
        if path == "/limited":
            if n == 1:
                return self.send(429, b"slow down", head, retry_after="1")
            return self.send(200, b"x", head, "application/json")
        if path == "/slow":
            self.done()  # the client gives up on it: its next request may come while this one waits
            self.server.stopping.wait(5)  # far beyond the client's timeout
            return self.send(200, b"late", head)
        if path == "/reset":  # close the connection without a word: RST, not FIN
            self.done()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return None
        if path in ("/no-head", "/internal/lgsp-7f3a"):
            if head:
                return self.send(405, b"", head)
            return self.send(200, b"<p>ok</p>", head, "text/html")
        if path == "/big":
            if head:
                return self.send(501, b"", head)
            return self.send_big()
        if path.startswith("/polite/"):
            self.server.stopping.wait(0.05)
            return self.send(200, b"x", head)
        return self.send(404, b"", head)

    def send(self, status, body, head, media="text/plain", location=None, retry_after=None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        if retry_after:
            self.send_header("Retry-After", retry_after)
        self.done()
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def send_big(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(BIG))
        self.done()
        self.end_headers()
        chunk = b"\0" * 65536
        try:
            for _ in range(BIG // len(chunk)):
                self.wfile.write(chunk)
        except OSError:
            self.close_connection = True
            return
        self.server.big_sent_whole = True

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass


@pytest.fixture(scope="module")
def server():
    s = Server()
    thread = threading.Thread(target=s.serve_forever, daemon=True)
    thread.start()
    yield s
    s.stopping.set()
    s.shutdown()
    s.server_close()


def point_at(root: Path, base: str, datasets: dict[str, str], websites: list[str]) -> None:
    """Replace the good case's URLs: ``datasets`` maps each URL written in datasets.yaml to its
    new one; the agencies' websites take ``websites`` in order (the rest keep theirs)."""
    path = root / "datasets.yaml"
    text = path.read_text("utf-8")
    for old, new in datasets.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new if "://" in new else base + new)
    path.write_text(text, "utf-8")
    path = root / "catalogue" / "agencies.yaml"
    lines = path.read_text("utf-8").split("\n")
    queue = list(websites)
    for i, line in enumerate(lines):
        if line.startswith("    website: "):
            lines[i] = f"    website: {base}{queue.pop(0) if queue else f'/polite/{i}'}"
    assert not queue
    path.write_text("\n".join(lines), "utf-8")
    assert all(u.startswith(base + "/") for u in links.targets(load(root).catalogue))  # never the internet


NHA_THUOC = "https://dulieu.hanoi.gov.vn/files/danh-sach-nha-thuoc.csv"
HANH_NGHE = "https://api.hanoi.gov.vn/lgsp/nguoi-hanh-nghe"
INTERNAL = "https://lgsp.hanoi.gov.vn/internal/syt/hanh-nghe-7f3a"
GIA_DAT = "https://dulieu.hanoi.gov.vn/files/bang-gia-dat.xlsx"
WEBSITES = [
    "/missing",
    "/broken",
    "/limited",
    "/slow",
    "/reset",
    "/loop/a",
    "/many/0",
    "/redirect-ftp",
    "/redirect-nowhere",
    "/chain/1",
    "/big",
    "/no-head",
    "/ok",  # also a distribution's URL: checked once, both places named
]


def check_links(root: Path, *args: str, allow_private: bool = True) -> subprocess.CompletedProcess:
    """The CLI; the test server is on loopback, which citycat asks only with --allow-private."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")}
    more = ["--allow-private"] if allow_private else []
    return subprocess.run(
        [sys.executable, "-m", "citycat", "check-links", "-C", str(root), *more, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,  # no proxy variables: 127.0.0.1 is asked directly
    )


@pytest.fixture(scope="module")
def checked(server, tmp_path_factory):
    """The good case pointed at the server, checked once by the CLI: (root, state, run)."""
    root = assemble(tmp_path_factory.mktemp("links") / "c", CASES / "good")
    point_at(
        root,
        server.base,
        {NHA_THUOC: "/ok", HANH_NGHE: "/moved", INTERNAL: "/internal/lgsp-7f3a", GIA_DAT: "/flaky"},
        WEBSITES,
    )
    server.reset()
    run = check_links(root, *OPTIONS)
    state_text = (root / links.STATE).read_text("utf-8")
    seen = (Counter(server.hits), list(server.methods), set(server.agents), server.most_in_flight)
    return root, state_text, run, seen


def result_of(checked, server, path: str) -> dict:
    return json.loads(checked[1])["links"][server.base + path]


def test_the_cli_writes_the_state_and_lists_broken_links(checked, server):
    root, text, run, _ = checked
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and "━" not in run.stderr  # no progress bar without a terminal
    state = json.loads(text)
    assert state["version"] == 1 and state["checked"].endswith("+07:00")
    urls = set(links.targets(load(root).catalogue))
    assert set(state["links"]) == urls  # every URL, each once
    for url in (server.base + "/missing", server.base + "/slow", server.base + "/reset"):
        assert url in run.stdout  # whole, in the table of broken links
    assert "Liên kết hỏng" in run.stdout  # Vietnamese by default
    assert "/data.csv" not in run.stdout.split("Liên kết hỏng")[1]  # only broken ones are listed


def test_the_state_file_is_deterministic_json(checked):
    text = checked[1]
    doc = json.loads(text)
    assert text == json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert text == links.dumps(doc)
    for value in doc["links"].values():
        assert set(value) == {
            "ok",
            "status",
            "checked",
            "final_url",
            "redirects",
            "error",
            "content_type",
            "elapsed_ms",
            "since",
            "failures",
        }
        assert value["since"] == value["checked"]  # first run: every answer is new
        assert value["failures"] == (0 if value["ok"] else 1)
        assert value["checked"].endswith("+07:00") and isinstance(value["elapsed_ms"], int)


def test_answers_and_redirects(checked, server):
    base = server.base
    ok = result_of(checked, server, "/ok")
    assert ok["ok"] is True and ok["status"] == 200 and ok["error"] is None
    assert ok["content_type"] == "text/csv" and ok["redirects"] == [] and ok["final_url"] == base + "/ok"

    moved = result_of(checked, server, "/moved")
    assert moved["ok"] is True and moved["status"] == 200
    assert moved["redirects"] == [{"status": 301, "url": base + "/moved"}]
    assert moved["final_url"] == base + "/data.csv"

    chain = result_of(checked, server, "/chain/1")
    assert chain["ok"] is True and chain["final_url"] == base + "/ok"
    assert chain["redirects"] == [{"status": 302, "url": f"{base}/chain/{i}"} for i in (1, 2, 3)]

    missing = result_of(checked, server, "/missing")
    assert (missing["ok"], missing["status"], missing["error"]) == (False, 404, None)


def test_redirects_that_go_wrong(checked, server):
    base = server.base
    loop = result_of(checked, server, "/loop/a")
    assert (loop["ok"], loop["status"], loop["error"]) == (False, 302, "redirect-loop")
    assert [h["url"] for h in loop["redirects"]] == [base + "/loop/a", base + "/loop/b"]
    assert loop["final_url"] == base + "/loop/a"

    many = result_of(checked, server, "/many/0")
    assert (many["ok"], many["error"]) == (False, "too-many-redirects")
    assert len(many["redirects"]) == linkcheck.Settings().max_redirects + 1

    ftp = result_of(checked, server, "/redirect-ftp")
    assert (ftp["ok"], ftp["status"], ftp["error"]) == (False, 302, "unsupported-scheme")
    assert ftp["final_url"] == "ftp://files.example.org/x.csv"  # recorded, never followed

    nowhere = result_of(checked, server, "/redirect-nowhere")
    assert (nowhere["ok"], nowhere["status"], nowhere["error"]) == (False, 301, "redirect-without-location")


def test_retries(checked, server):
    hits = checked[3][0]
    flaky = result_of(checked, server, "/flaky")
    assert flaky["ok"] is True and flaky["status"] == 200
    assert hits["/flaky"] == 3  # HEAD 500 and GET 500, then a retry: HEAD 200

    broken = result_of(checked, server, "/broken")
    assert (broken["ok"], broken["status"], broken["error"]) == (False, 500, None)
    assert hits["/broken"] == 2 * 3  # HEAD and GET, in 1 attempt + 2 retries, then given up

    limited = result_of(checked, server, "/limited")
    assert limited["ok"] is True and limited["content_type"] == "application/json"
    assert hits["/limited"] == 2  # 429 with Retry-After (no GET behind a rate limit), then 200

    missing_hits = hits["/missing"]
    assert missing_hits == 2  # HEAD 404, GET 404: an answer, never retried


def test_timeouts_and_resets(checked, server):
    hits = checked[3][0]
    slow = result_of(checked, server, "/slow")
    assert (slow["ok"], slow["status"], slow["error"]) == (False, None, "timeout")
    reset = result_of(checked, server, "/reset")
    assert (reset["ok"], reset["status"], reset["error"]) == (False, None, "connection-reset")
    assert hits["/reset"] == 3  # retried twice


def test_head_refused_then_get_without_downloading_the_body(checked, server):
    methods = checked[3][1]
    no_head = result_of(checked, server, "/no-head")
    assert no_head["ok"] is True and no_head["status"] == 200 and no_head["content_type"] == "text/html"
    assert [m for m, p in methods if p == "/no-head"] == ["HEAD", "GET"]
    big = result_of(checked, server, "/big")
    assert big["ok"] is True and big["content_type"] == "application/zip"
    assert not server.big_sent_whole  # the client hung up after the headers


def test_one_url_checked_once_and_every_place_named(checked, server):
    hits = checked[3][0]
    assert hits["/ok"] == 1 + 1  # once itself, once at the end of the /chain redirects
    where = links.targets(load(checked[0]).catalogue)[server.base + "/ok"].where
    assert where == (
        "danh-sach-nha-thuoc: distributions[0].download_url",
        "agencies/so-dan-toc-va-ton-giao: website",
    )


def test_internal_distributions_are_checked_and_marked(checked, server):
    url = server.base + "/internal/lgsp-7f3a"
    assert result_of(checked, server, "/internal/lgsp-7f3a")["ok"] is True
    found = links.targets(load(checked[0]).catalogue)
    assert found[url].internal is True
    assert found[server.base + "/moved"].internal is False


def test_politeness_and_user_agent(checked):
    agents, most = checked[3][2], checked[3][3]
    assert most <= 2  # --per-host 2: never more at once, whatever --concurrency allows
    assert len(agents) == 1 and next(iter(agents)).startswith("citycat/")
    assert "https://dulieu.hanoi.gov.vn/" in next(iter(agents))  # the catalogue's base_url: who asks


def test_per_host_limit_of_one(server, tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    paths = {url: f"/polite/{i}" for i, url in enumerate((NHA_THUOC, HANH_NGHE, INTERNAL, GIA_DAT))}
    point_at(root, server.base, paths, [f"/polite/{i}" for i in range(4, 17)])
    server.reset()
    run = check_links(root, "--per-host", "1", "--concurrency", "8", "--delay", "0", "-q")
    assert run.returncode == 0, run.stderr
    assert server.hits and server.most_in_flight == 1
    assert all(v["ok"] for v in json.loads((root / links.STATE).read_text())["links"].values())


def test_rerun_keeps_unchecked_results_and_drops_removed_urls(checked, server, tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    (root / "catalogue").mkdir(exist_ok=True)
    (root / links.STATE).write_text(checked[1], "utf-8")
    point_at(
        root,
        server.base,
        {NHA_THUOC: "/ok", HANH_NGHE: "/moved", INTERNAL: "/internal/new", GIA_DAT: "/flaky"},
        WEBSITES[:2],
    )
    before = json.loads(checked[1])["links"]
    server.reset()
    dry = check_links(root, "--only-failed", "--dry-run")
    assert dry.returncode == 0 and not server.hits  # no request at all
    listed = [line.split("\t")[0] for line in dry.stdout.splitlines()[1:]]
    assert server.base + "/missing" in listed and server.base + "/ok" not in listed
    assert server.base + "/internal/new" in listed  # never checked before

    run = check_links(root, "--only-failed", "--lang", "en", *OPTIONS)
    assert run.returncode == 0, run.stderr
    assert "Broken links" in run.stdout
    after = json.loads((root / links.STATE).read_text("utf-8"))["links"]
    assert after[server.base + "/ok"] == before[server.base + "/ok"]  # OK last time: kept as it was
    assert server.hits["/ok"] == 0 and server.hits["/missing"] == 2
    missing = after[server.base + "/missing"]
    assert missing["failures"] == 2 and missing["since"] == before[server.base + "/missing"]["since"]
    assert server.base + "/slow" not in after  # no longer in the catalogue: dropped
    assert set(after) == set(links.targets(load(root).catalogue))


def test_output_elsewhere_and_usage_errors(checked, server, tmp_path):
    root = checked[0]
    before = (root / links.STATE).read_bytes()
    out = tmp_path / "elsewhere.json"
    run = check_links(root, "--output", str(out), "--dataset", "danh-sach-nha-thuoc", *OPTIONS)
    assert run.returncode == 0, run.stderr
    assert (root / links.STATE).read_bytes() == before  # the committed state is left alone
    assert set(json.loads(out.read_text())["links"]) == set(json.loads(before)["links"])
    for args in (
        ["--concurrency", "0"],
        ["--timeout", "x"],
        ["--dataset", "no-such-dataset"],
        ["--output", str(tmp_path)],
    ):
        bad = check_links(root, *args)
        assert bad.returncode == 2, (args, bad.stdout, bad.stderr)
        assert "Traceback" not in bad.stderr
    assert check_links(tmp_path).returncode == 2  # not a catalogue


def test_a_catalogue_that_cannot_be_read_is_refused(make_case):
    root = make_case("yaml-tab")
    run = check_links(root, "--dry-run")
    assert run.returncode == 1 and "yaml-tab" in run.stderr and "Traceback" not in run.stderr
    assert not (root / links.STATE).exists()


def test_urls_other_than_http_are_never_requested():
    results = linkcheck.run(
        ["ftp://files.example.org/a.csv", "javascript:alert(1)", "file:///etc/passwd", "http://", "dulieu"],
        linkcheck.Settings(timeout=0.2, retries=0),
    )
    assert {u: r["error"] for u, r in results.items()} == {
        "ftp://files.example.org/a.csv": "unsupported-scheme",
        "javascript:alert(1)": "unsupported-scheme",
        "file:///etc/passwd": "unsupported-scheme",
        "http://": "invalid-url",
        "dulieu": "invalid-url",
    }
    assert all(r["status"] is None and r["ok"] is False for r in results.values())


def test_retry_wait_honours_retry_after_within_the_cap():
    s = linkcheck.Settings(backoff=1.0, max_wait=30.0)
    assert [linkcheck.retry_wait(a, None, s) for a in range(4)] == [1.0, 2.0, 4.0, 8.0]
    assert linkcheck.retry_wait(0, "7", s) == 7.0
    assert linkcheck.retry_wait(3, "2", s) == 8.0  # never shorter than the backoff
    assert linkcheck.retry_wait(0, "3600", s) == 30.0  # capped
    assert linkcheck.retry_wait(0, "Wed, 21 Oct 2015 07:28:00 GMT", s) == 1.0  # a past date
    assert linkcheck.retry_wait(0, "soon", s) == 1.0


def test_merge_keeps_drops_and_replaces():
    old = {"https://a": {"ok": True}, "https://b": {"ok": False}, "https://gone": {"ok": True}}
    new = {"https://b": {"ok": True}}
    state = links.merge(MappingProxyType(old), new, ["https://a", "https://b", "https://c"], "T")
    assert state["version"] == 1 and state["checked"] == "T"
    assert list(state["links"]) == ["https://a", "https://b"]  # c never checked, "gone" dropped
    assert state["links"]["https://b"]["ok"] is True and state["links"]["https://b"]["since"] == "T"
    assert state["links"]["https://a"] == {"ok": True}  # not checked this time: kept as it was


def test_merge_counts_failures_in_a_row_and_since_when():
    def run(previous, ok, when):
        new = {"https://a": links.result(status=200 if ok else 404, final_url="https://a", checked=when)}
        return links.merge(previous, new, ["https://a"], when)["links"]

    state = run({}, True, "D1")
    assert (state["https://a"]["since"], state["https://a"]["failures"]) == ("D1", 0)
    state = run(state, True, "D2")
    assert (state["https://a"]["since"], state["https://a"]["failures"]) == ("D1", 0)  # still up since D1
    state = run(state, False, "D3")
    assert (state["https://a"]["since"], state["https://a"]["failures"]) == ("D3", 1)  # down since D3
    state = run(state, False, "D4")
    assert (state["https://a"]["since"], state["https://a"]["failures"]) == ("D3", 2)
    state = run(state, True, "D5")
    assert (state["https://a"]["since"], state["https://a"]["failures"]) == ("D5", 0)


# --- Reading the state: load, validate and build --------------------------------------------


def test_the_state_loads_read_only_into_the_catalogue(checked, server):
    c = load(checked[0]).catalogue
    assert isinstance(c.links, MappingProxyType)
    assert c.links[server.base + "/ok"]["status"] == 200
    with pytest.raises(TypeError):
        c.links["x"] = {}  # type: ignore[index]
    with pytest.raises(TypeError):
        c.links[server.base + "/ok"]["ok"] = False  # type: ignore[index]


def test_no_state_file_means_no_links(good):
    loaded = load(good)
    assert dict(loaded.catalogue.links) == {} and not loaded.findings


def test_a_damaged_state_file_is_a_warning(good):
    from citycat.pipeline.validate import validate

    state = json.loads(links.dumps({"version": 1, "checked": "T", "links": {}}))
    state["links"] = {
        "https://dulieu.hanoi.gov.vn/a.csv": {"ok": True, "status": 200, "redirects": []},
        "https://dulieu.hanoi.gov.vn/b.csv": {"ok": "yes", "status": 200},
    }
    (good / links.STATE).write_text(json.dumps(state), "utf-8")
    loaded = load(good)
    assert list(loaded.catalogue.links) == ["https://dulieu.hanoi.gov.vn/a.csv"]  # the good entry stays
    result = validate(good, TODAY, use_cache=False)
    found = [f for f in result.findings if f.code == "link-status-invalid"]
    assert len(found) == 1 and found[0].level == "warning" and "b.csv" in found[0].message("en")
    assert result.ok()  # never an error

    (good / links.STATE).write_text("{not json", "utf-8")
    result = validate(good, TODAY, use_cache=False)
    assert [(f.code, f.loc.line) for f in result.findings] == [("link-status-invalid", 1)]
    assert dict(load(good).catalogue.links) == {}


@pytest.fixture
def offline(monkeypatch):
    """No connection can be opened: any attempt fails the test (a guard, not a stand-in)."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network used: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nowhere
    return attempts


def test_validate_and_build_only_read_the_state(checked, server, tmp_path, offline):
    from citycat.pipeline.build import build
    from citycat.pipeline.validate import validate

    root = checked[0]
    result = validate(root, TODAY, use_cache=False)
    assert result.ok(), [f.code for f in result.errors()]
    assert "link-status-invalid" not in {f.code for f in result.findings}
    out = tmp_path / "public"
    build(root, out, TODAY)
    assert offline == []
    # the state is never published, and nothing of an internal URL's result leaks into the public site
    secret = server.base + "/internal/lgsp-7f3a"
    for path in (p for p in out.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", "replace")
        assert "lgsp-7f3a" not in text, path
        assert json.dumps(secret)[1:-1] not in text, path
        assert path.name != "link-status.json"


def test_validate_and_build_never_import_the_http_client(good, tmp_path):
    (good / links.STATE).write_text(links.dumps({"version": 1, "checked": "T", "links": {}}), "utf-8")
    code = (
        "import sys, datetime as dt\n"
        "from citycat.pipeline.validate import validate\n"
        "from citycat.pipeline.build import build\n"
        f"assert validate({str(good)!r}, dt.date(2026, 11, 28), use_cache=False).ok()\n"
        f"build({str(good)!r}, {str(tmp_path / 'out')!r}, dt.date(2026, 11, 28))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'httpcore') "
        "or m == 'citycat.quality.linkcheck'))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_hosts_take_turns_in_the_queue():
    assert linkcheck.interleave(["http://a/1", "http://a/2", "http://b/1"]) == [
        "http://a/1",
        "http://b/1",
        "http://a/2",
    ]


def test_a_progress_bar_on_a_terminal_only(server, tmp_path):
    import os
    import pty

    root = assemble(tmp_path / "c", CASES / "good")
    point_at(
        root, server.base, {NHA_THUOC: "/ok", HANH_NGHE: "/ok?2", INTERNAL: "/ok?3", GIA_DAT: "/ok?4"}, []
    )
    shown = {}
    for args in ((), ("--quiet",)):
        leader, follower = pty.openpty()
        env = {**os.environ, "TERM": "xterm", "COLUMNS": "100"}
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
            env.pop(name, None)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "citycat",
                "check-links",
                "-C",
                str(root),
                "--delay",
                "0",
                "--allow-private",
                *args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=follower,
            env=env,
        )
        os.close(follower)
        output = drain(leader)
        assert proc.wait(timeout=120) == 0
        shown[args] = output.decode("utf-8", "replace")
    assert "Kiểm tra liên kết" in shown[()] and "21/21" in shown[()]
    assert "Kiểm tra liên kết" not in shown[("--quiet",)]


def test_refused_connections_and_tls_failures_have_their_codes(server):
    spare = socket.socket()
    spare.bind(("127.0.0.1", 0))
    closed = spare.getsockname()[1]
    spare.close()  # nothing listens there any more
    tls_to_plain = server.base.replace("http://", "https://") + "/ok"  # a TLS hello to a plain HTTP server
    results = linkcheck.run(
        [f"http://127.0.0.1:{closed}/x", tls_to_plain],
        linkcheck.Settings(timeout=1, retries=0, delay=0, allow_private=True),
    )
    assert results[f"http://127.0.0.1:{closed}/x"]["error"] == "connection-refused"
    assert results[tls_to_plain]["error"] == "tls"
    assert all(r["status"] is None and not r["ok"] for r in results.values())


def test_runs_where_an_event_loop_already_runs():
    """A program with its own running loop (a notebook, Playwright's sync API in this very test
    session) can still call the checker: it runs on a thread of its own."""
    import asyncio

    from citycat.quality import linkcheck

    async def inside():
        return linkcheck.run(["ftp://example.org/a.csv"], linkcheck.Settings())

    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # a thread of the test's own with a loop
        result = pool.submit(asyncio.run, inside()).result()
    assert result["ftp://example.org/a.csv"]["error"] == "unsupported-scheme"


# --- issue 18: loopback and private addresses are not asked -----------------------------------


def test_loopback_and_private_addresses_are_not_asked(server, tmp_path):
    """The attack: a catalogue's URLs pointing at services only this machine (or its network)
    reaches, their answers committed in the state file. Without --allow-private nothing is
    requested; each entry says why it was not checked, and the run says it in the user's words."""
    root = assemble(tmp_path / "c", CASES / "good")
    point_at(
        root, server.base, {NHA_THUOC: "/ok", HANH_NGHE: "/moved", INTERNAL: "/ok?i", GIA_DAT: "/ok?g"}, []
    )
    server.reset()
    run = check_links(root, *OPTIONS, "--lang", "en", allow_private=False)
    assert run.returncode == 0, run.stderr
    assert not server.hits  # not one request reached the loopback server
    state = json.loads((root / links.STATE).read_text("utf-8"))["links"]
    assert state and all(u.startswith(server.base) for u in state)
    assert all(
        e["error"] == "private-address" and e["status"] is None and not e["ok"] for e in state.values()
    )
    assert (
        f"{len(state)} links lead to non-public addresses" in run.stderr and "--allow-private" in run.stderr
    )
    vi = check_links(root, "--dry-run", allow_private=False)  # a dry run sends nothing anyway
    assert vi.returncode == 0 and not server.hits
    results = linkcheck.run(
        [
            "http://[::1]:9/x",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.1.2.3/",
            "http://0.0.0.0:9/",
        ],
        linkcheck.Settings(timeout=0.5, retries=0, delay=0),
    )
    assert {r["error"] for r in results.values()} == {"private-address"}


def test_a_redirect_into_the_private_network_is_not_followed(server, monkeypatch):
    """A public page redirecting to a private address. No public server can run in a test, so
    this is the one mock: 127.0.0.1 (the test server) counts as public, while 127.0.0.2, another
    loopback address with a real server of its own, stays private."""
    from citycat.source import net

    inner_hits: list[str] = []

    class Inner(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            inner_hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD

        def log_message(self, *args) -> None:
            pass

    inner = ThreadingHTTPServer(("127.0.0.2", 0), Inner)
    threading.Thread(target=inner.serve_forever, daemon=True).start()
    try:
        secret = f"http://127.0.0.2:{inner.server_address[1]}/admin"
        url = f"{server.base}/away?to={quote(secret, safe='')}"
        public = net.public
        monkeypatch.setattr(net, "public", lambda a: a == "127.0.0.1" or public(a))
        settings = linkcheck.Settings(timeout=2, retries=0, delay=0)
        entry = linkcheck.run([url], settings)[url]
        assert entry["error"] == "private-address" and entry["final_url"] == secret and not entry["ok"]
        assert entry["redirects"] == [{"status": 302, "url": url}]
        assert inner_hits == []
        allowed = linkcheck.run([url], linkcheck.Settings(timeout=2, retries=0, delay=0, allow_private=True))
        assert allowed[url]["ok"] and inner_hits  # the same redirect, allowed: the inner server answers
    finally:
        inner.shutdown()
        inner.server_close()
