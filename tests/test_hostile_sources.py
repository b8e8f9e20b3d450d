"""``citycat import`` against hostile sources (issue 18: 4, 5, 6 and deep JSON of 12), each test an
attack: servers on loopback that never stop paging, drip a byte at a time, send gzip bombs or JSON
nested 50,000 deep, redirect to another service; files with entity bombs and zip bombs. Each must
end in a clear refusal in the user's language, exit 2, nothing written, no traceback, quickly.

The servers run here, in threads, on 127.0.0.1: citycat asks loopback only with ``--allow-private``
(``imported`` adds it), and one test shows that without it nothing is asked at all."""

from __future__ import annotations

import gzip
import io
import json
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import Workbook

from citycat.imports import ckan
from citycat.imports.common import ImportError_
from citycat.imports.fetch import Limits, read_source
from tests.conftest import TODAY
from tests.importing import citycat, empty_catalogue, imported

BOMB = gzip.compress(b" " * (48 * 1024 * 1024), 9)  # 48 MiB of JSON whitespace in ~50 KB
DEEP = b'{"success": true, "result": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"


def package(n: int) -> dict:
    return {"id": f"p{n}", "name": f"goi-{n:06d}", "title": f"Gói {n}", "type": "dataset", "state": "active"}


class Hostile(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.hits: list[str] = []
        self.stopping = threading.Event()
        self.other: Hostile | None = None  # another service on this machine, for the redirect

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request, client_address) -> None:
        pass  # clients that hang up are what these tests are about


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Hostile

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = {}
        self.route(params)

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        self.route({k: v[0] for k, v in query.items()})

    def route(self, params: dict) -> None:
        path = urlsplit(self.path).path
        self.server.hits.append(path)
        if path.startswith("/endless/"):  # a CKAN whose every page has new datasets, forever
            start, rows = int(params.get("start", 0)), int(params.get("rows", 100))
            page = {"count": 10**9, "results": [package(start + i) for i in range(rows)]}
            return self.send(json.dumps({"success": True, "result": page}).encode())
        if path.startswith("/bomb/") or path == "/bomb.json":
            return self.send(BOMB, encoding="gzip")
        if path.startswith("/deep/") or path == "/deep.json":
            return self.send(DEEP)
        if path.startswith("/drip/") or path == "/drip.json":
            return self.drip()
        if path.startswith("/away/") or path == "/away.json":
            return self.send(b"", status=302, location=f"{self.server.other.base}{self.path}")
        if path == "/big.json":
            return self.send(b"[" + b" " * 300_000 + b"]")
        if path.startswith("/secret/") or path == "/secret.json":
            return self.send(b'{"dataset": [{"title": "B\\u00ed m\\u1eadt"}]}')
        return self.send(b"{}", status=404)

    def send(self, body: bytes, status: int = 200, encoding: str | None = None, location: str | None = None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)

    def drip(self) -> None:
        """One byte every half second, for as long as anyone listens (a read timeout never fires)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b"[")
        self.wfile.flush()
        for _ in range(120):
            if self.server.stopping.wait(0.5):
                return
            self.wfile.write(b" ")
            self.wfile.flush()


@pytest.fixture(scope="module")
def hostile():
    servers = [Hostile(), Hostile()]
    servers[0].other = servers[1]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()
    yield servers[0]
    for s in servers:
        s.stopping.set()
        s.shutdown()
        s.server_close()


@pytest.fixture
def target(tmp_path):
    root = empty_catalogue(tmp_path / "cat")
    before = {p: p.read_bytes() for p in [root / "datasets.yaml", *(root / "catalogue").iterdir()]}
    yield root
    after = {p: p.read_bytes() for p in [root / "datasets.yaml", *(root / "catalogue").iterdir()]}
    assert after == before  # nothing written, not half of it
    assert not [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def refused(done, *words: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert done.stderr.startswith("citycat: ") and len(done.stderr) < 2500, done.stderr[:3000]
    for w in words:
        assert w in done.stderr, done.stderr


# --- the network ------------------------------------------------------------------------------


def test_loopback_is_not_asked_without_allow_private(hostile, target):
    hostile.hits.clear()
    for kind, url in (("ckan", f"{hostile.base}/secret"), ("datajson", f"{hostile.base}/secret.json")):
        done = citycat("import", kind, url, "--root", str(target), "--today", TODAY.isoformat())
        refused(done, "địa chỉ nội bộ 127.0.0.1", "--allow-private")
    done = citycat("import", "ckan", f"{hostile.base}/secret", "--root", str(target), "--lang", "en")
    refused(done, "non-public address 127.0.0.1")
    assert hostile.hits == []  # not one request reached the service


def test_a_redirect_to_another_service_is_not_followed(hostile, target):
    """The attack: a 302 to another port of the same machine imported that service's data."""
    hostile.hits.clear()
    hostile.other.hits.clear()
    for kind, url in (("ckan", f"{hostile.base}/away"), ("datajson", f"{hostile.base}/away.json")):
        done = imported(kind, url, target, "--lang", "en")
        refused(done, "redirects to another site", hostile.other.base)
    assert hostile.hits and hostile.other.hits == []


def test_a_gzip_bomb_is_stopped_at_the_size_cap(hostile, target):
    """48 MiB of decompressed answer in a 50 KB body: counted as it is decompressed."""
    for kind, url in (("ckan", f"{hostile.base}/bomb"), ("datajson", f"{hostile.base}/bomb.json")):
        done = imported(kind, url, target, "--lang", "en", "--max-bytes", "1000000")
        refused(done, "larger than 1,000,000 bytes (decompressed)")
    with pytest.raises(ImportError_, match="larger than 100,000 bytes"):  # declared, or streamed
        read_source(
            f"{hostile.base}/big.json",
            "application/json",
            limits=Limits(max_bytes=100_000, allow_private=True),
        )


def test_a_server_that_drips_is_stopped_by_the_total_time(hostile, target):
    for kind, url in (("ckan", f"{hostile.base}/drip"), ("datajson", f"{hostile.base}/drip.json")):
        started = time.monotonic()
        done = imported(kind, url, target, "--timeout", "2")
        refused(done, "tải quá 2 giây")
        assert time.monotonic() - started < 30  # the process's start included; unbounded before


def test_deeply_nested_json_is_refused(hostile, target, tmp_path):
    done = imported("ckan", f"{hostile.base}/deep", target, "--lang", "en")
    refused(done, "nested more than 100 levels deep")
    deep = tmp_path / "deep.json"
    deep.write_bytes(b'{"dataset": ' + b"[" * 50_000 + b"]" * 50_000 + b"}")
    refused(imported("datajson", str(deep), target), "JSON lồng nhau quá 100 tầng")
    jsonld = tmp_path / "deep.jsonld"
    jsonld.write_bytes(b'{"@graph": ' + b"[" * 50_000 + b"]" * 50_000 + b"}")
    refused(imported("dcat", str(jsonld), target, "--lang", "en"), "nested more than 100 levels deep")


def test_endless_pages_stop_at_the_page_cap(hostile):
    hostile.hits.clear()
    limits = Limits(max_pages=3, allow_private=True)
    with pytest.raises(ImportError_, match="more than 3 pages of results") as caught:
        ckan.fetch(f"{hostile.base}/endless", rows=2, limits=limits)
    assert "--organization" in caught.value.words["en"] and "trang" in caught.value.words["vi"]
    assert hostile.hits.count("/endless/api/3/action/package_search") == 3


# --- files ------------------------------------------------------------------------------------

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "dcatdcatdcatdcatdcatdcat">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Dataset rdf:about="https://x.example/dataset/a"><dct:title>&g;</dct:title></dcat:Dataset>
</rdf:RDF>
"""


def test_rdf_xml_entities_are_refused_before_expansion(target, tmp_path):
    """1.1 KB that expands to 1.5 GB: quadratic in rdflib, minutes of one core before."""
    (tmp_path / "laughs.rdf").write_text(LAUGHS, "utf-8")
    assert len(LAUGHS) < 1200
    started = time.monotonic()
    done = imported("dcat", str(tmp_path / "laughs.rdf"), target, "--lang", "en")
    refused(done, "declares XML entities (<!ENTITY>)")
    assert time.monotonic() - started < 30


def _workbook() -> bytes:
    book = Workbook()
    book.active.append(["STT", "Tên dữ liệu", "Cơ quan chủ quản"])
    book.active.append([1, "Danh sách", "Sở Y tế"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _repack(data: bytes, change: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None):
    """The same zip with some parts replaced (a function of the old bytes) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            body = old.read(info)
            if change and info.filename in change:
                body = change[info.filename](body)
            new.writestr(info.filename, body, compresslevel=9)
        for name, body in (add or {}).items():
            new.writestr(name, body, compresslevel=9)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def test_xlsx_bombs_are_refused_before_they_are_unpacked(target, tmp_path):
    base = _workbook()
    assert b"<dimension" in zipfile.ZipFile(io.BytesIO(base)).read(SHEET)
    cases = {
        # a sheet that declares the whole grid: read-only openpyxl pads every row to it (5.5 GB)
        "dimension.xlsx": (
            _repack(
                base,
                {SHEET: lambda b: b.replace(b'<dimension ref="A1:C2"', b'<dimension ref="A1:XFD1048576"')},
            ),
            "declares the range A1:XFD1048576 (1,048,576 rows × 16,384 columns",
        ),
        # a 4 MiB part in a few KB: the shape of the 2 MB file that unpacked to 2.1 GB
        "strings.xlsx": (
            _repack(base, add={"xl/bomb.xml": b"<a>" + b"<b>x</b>" * 500_000 + b"</a>"}),
            "the part xl/bomb.xml is compressed",
        ),
        # an entity declared in a sheet: was "internal error: ParseError"
        "dtd.xlsx": (
            _repack(base, {SHEET: lambda b: b'<!DOCTYPE worksheet [<!ENTITY e "e">]>' + b}),
            "has an XML DTD (<!DOCTYPE>)",
        ),
    }
    for name, (data, words) in cases.items():
        (tmp_path / name).write_bytes(data)
        assert len(data) < 100_000
        refused(imported("xlsx", str(tmp_path / name), target, "--lang", "en"), words)


def test_a_huge_cell_is_not_quoted_whole(target, tmp_path):
    """No annex columns, and a header of 100 cells of 10,000 characters: the refusal names what it
    found in a few lines (it was a 1 MB message)."""
    book = Workbook()
    book.active.append(["x" * 10_000] * 100)
    book.save(tmp_path / "wide.xlsx")
    done = imported("xlsx", str(tmp_path / "wide.xlsx"), target, "--lang", "en")
    refused(done, "no sheet has the annex's columns", "Found: Sheet: xxx")
    assert len(done.stderr) < 1200


def test_the_limits_are_options(tmp_path):
    shown = citycat("import", "ckan", "--help").stdout
    for option in ("--allow-private", "--timeout", "--max-bytes"):
        assert option in shown
    assert Limits() == Limits(10.0, 30.0, 300.0, 256 * 1024 * 1024, 1000, 5, 100, False)  # docs/security.md


def test_a_missing_file_is_still_named(target, tmp_path):
    done = imported("datajson", str(Path(tmp_path) / "khong-co.json"), target, "--lang", "en")
    refused(done, "cannot read")
