"""A real build served by Debian's nginx with the shipped ``deploy/nginx.conf``, read by CKAN's
own client: every dataset by name and by UUID, organizations and groups, CKAN-shaped errors."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import ckanapi
import pytest
import requests

from citycat.pipeline.build import build
from tests.conftest import ROOT, TODAY, missing, starter_root

CONF = ROOT / "deploy" / "nginx.conf"
BIN = Path(sys.executable).parent


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found:
        return found
    missing("nginx is not installed (Debian: apt-get install nginx-light)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_block(port: int, root: Path) -> str:
    """The shipped configuration with this test's port and built site (its root, and the map of
    ids to names the build wrote there): nothing else changes."""
    text = CONF.read_text("utf-8")
    text, listens = re.subn(r"(?m)^    listen \S+;$", f"    listen 127.0.0.1:{port};", text)
    text, roots = re.subn(r"(?m)^    root \S+;$", f"    root {root};", text)
    text, maps = re.subn(
        r"(?m)^    include \S+/api/3/action/show_ids\.map;$",
        f"    include {root}/api/3/action/show_ids.map;",
        text,
    )
    assert (listens, roots, maps) == (1, 1, 1), "deploy/nginx.conf must keep one listen, root and map include"
    return text


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    binary = nginx_binary()
    work = tmp_path_factory.mktemp("nginx")
    out = work / "public"
    build(starter_root(), out, TODAY)
    port = free_port()
    (work / "citycat.conf").write_text(server_block(port, out), "utf-8")
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers must read the test's folders
    temp = " ".join(
        f"{kind}_temp_path {work}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (work / "nginx.conf").write_text(
        f"{user}worker_processes 1;\nerror_log {work}/error.log;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n  access_log off;\n  {temp}\n  include /etc/nginx/mime.types;\n"
        f"  include {work}/citycat.conf;\n}}\n",
        "utf-8",
    )
    proc = subprocess.Popen(
        [binary, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", f"daemon off; pid {work}/nginx.pid;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:  # wait until nginx listens, or fail with its own words if it stopped
            if proc.poll() is not None:
                log = (work / "error.log").read_text() if (work / "error.log").exists() else ""
                pytest.fail(f"nginx stopped: {proc.stderr.read()} {log}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield url, out
    finally:
        proc.terminate()
        proc.wait()


def bare(out: Path, name: str) -> dict:
    return json.loads((out / "api" / "3" / "action" / "package_show" / f"{name}.json").read_text("ascii"))[
        "result"
    ]


def test_ckanapi_gets_every_dataset_by_name_and_by_uuid(nginx):
    url, out = nginx
    for base in ("/api/3/action/", "/api/action/"):
        assert requests.get(url + base + "package_list", timeout=60).json()["success"]
    ckan = ckanapi.RemoteCKAN(url, get_only=True)
    names = ckan.action.package_list()
    assert len(names) >= 40
    for name in names:
        p = ckan.action.package_show(id=name)
        assert p == bare(out, name)
        assert ckan.action.package_show(id=p["id"]) == p
    search = ckan.action.package_search()
    assert sorted(p["name"] for p in search["results"]) == names and search["count"] == len(names)


def test_organizations_and_groups_by_name_and_by_uuid(nginx):
    url, _ = nginx
    ckan = ckanapi.RemoteCKAN(url, get_only=True)
    for name in ckan.action.organization_list():
        org = ckan.action.organization_show(id=name)
        assert org["name"] == name and ckan.action.organization_show(id=org["id"]) == org
    for name in ckan.action.group_list():
        group = ckan.action.group_show(id=name)
        assert group["name"] == name and ckan.action.group_show(id=group["id"]) == group
    with pytest.raises(ckanapi.NotFound):
        ckan.action.organization_show(id="khong-co")


@pytest.mark.parametrize(
    "query",
    [
        "id=khong-co-bo-du-lieu-nay",
        "id=00000000-0000-5000-8000-000000000000",
        "id=../../etc/passwd",
        "id=..%2F..%2Fetc%2Fpasswd",
        "id=%2e%2e",
        "id=package_list",
        "id=DANH-SACH",
        "id=",
        "",
    ],
)
def test_a_missing_id_answers_ckans_404(nginx, query):
    url, _ = nginx
    for base in ("/api/3/action/", "/api/action/"):
        r = requests.get(f"{url}{base}package_show?{query}", timeout=60)
        assert r.status_code == 404
        assert r.headers["Content-Type"] == "application/json; charset=utf-8"
        assert r.json()["error"] == {"__type": "Not Found Error", "message": "Not found"}
        assert r.json()["success"] is False
    with pytest.raises(ckanapi.NotFound):
        ckanapi.RemoteCKAN(url, get_only=True).action.package_show(id="khong-co")


def test_content_types_errors_and_the_end_of_search(nginx):
    url, out = nginx
    assert requests.get(f"{url}/api/3", timeout=60).json() == {"version": 3}
    name = json.loads((out / "api/3/action/package_list").read_text())["result"][0]
    for path in (
        "/api/3/action/status_show",
        "/api/action/tag_list",
        f"/api/action/package_show/{name}.json",
    ):
        r = requests.get(url + path, timeout=60)
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/json; charset=utf-8", path
    unknown = requests.get(f"{url}/api/3/action/khong_co", timeout=60)
    assert unknown.status_code == 400 and unknown.json()["success"] is False
    write = requests.get(f"{url}/api/3/action/package_create", timeout=60)
    assert write.status_code == 403 and write.json()["error"]["__type"] == "Authorization Error"
    post = requests.post(f"{url}/api/3/action/package_list", json={}, timeout=60)
    assert (
        post.status_code == 200
        and post.json() == requests.get(f"{url}/api/3/action/package_list", timeout=60).json()
    )
    # a bare dict is a file, not an action: GET only
    post = requests.post(f"{url}/api/action/package_show/{name}.json", json={}, timeout=60)
    assert post.status_code == 405 and post.json()["success"] is False
    write = requests.post(f"{url}/api/action/package_create", json={"name": "moi"}, timeout=60)
    assert write.status_code == 403 and write.json()["error"]["__type"] == "Authorization Error"
    response = requests.get(f"{url}/api/3/action/package_search", params={"rows": 1000}, timeout=60)
    assert response.headers["Content-Encoding"] == "gzip"  # requests asks for it, as ckanapi does
    first = response.json()
    after = requests.get(f"{url}/api/3/action/package_search", params={"start": 1000}, timeout=60).json()
    assert after["result"]["results"] == [] and after["result"]["count"] == first["result"]["count"]
    page = requests.get(f"{url}/datasets/", timeout=60)
    assert page.status_code == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    missing = requests.get(f"{url}/khong-co/", timeout=60)
    assert missing.status_code == 404 and "<html" in missing.text


def test_ckanapi_search_terminates_on_the_static_api(nginx):
    url, out = nginx
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [str(BIN / "ckanapi"), "search", "datasets", "--get-request", "-r", url],  # static: GET only
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    names = [json.loads(line)["name"] for line in run.stdout.splitlines()]
    assert sorted(names) == json.loads((out / "api/3/action/package_list").read_text())["result"]


def test_a_harvester_reads_the_static_search_once_and_stops(nginx):
    """ckanext-harvest's CKAN harvester: rows=100, sort=id asc, start += rows until an empty
    page, and an error when a page repeats the previous one."""
    url, out = nginx
    seen, previous, start = [], None, 0
    while True:
        params = {"rows": 100, "start": start, "sort": "id asc"}
        content = requests.get(f"{url}/api/3/action/package_search", params=params, timeout=60).content
        assert content != previous, "the paging does not work"
        previous = content
        page = json.loads(content)["result"]["results"]
        if not page:
            break
        seen += [p["name"] for p in page]
        start += 100
    names = json.loads((out / "api/3/action/package_list").read_text())["result"]
    assert sorted(seen) == names and len(seen) == len(set(seen))


def test_the_second_prefix_and_ids_are_answered_from_the_files_written_once(nginx):
    """The build writes each answer once, by name, under /api/3/action/; nginx answers
    /api/action/ and ids through its alias and the generated map."""
    url, out = nginx
    assert not (out / "api" / "action").exists()
    uuid_like = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
    assert not [p for p in (out / "api/3/action/package_show").iterdir() if uuid_like.match(p.stem)]
    names = json.loads((out / "api/3/action/package_list").read_text())["result"]
    org = json.loads((out / "api/3/action/organization_list").read_text())["result"][0]
    for base in ("/api/3/action/", "/api/action/"):
        for name in names[:5]:
            by_name = requests.get(f"{url}{base}package_show", params={"id": name}, timeout=60).json()
            key = by_name["result"]["id"]
            assert requests.get(f"{url}{base}package_show", params={"id": key}, timeout=60).json() == by_name
            alias = requests.get(f"{url}{base}package_show", params={"name_or_id": key}, timeout=60)
            assert alias.json() == by_name
        shown = requests.get(f"{url}{base}organization_show", params={"id": org}, timeout=60).json()["result"]
        again = requests.get(f"{url}{base}organization_show", params={"id": shown["id"]}, timeout=60)
        assert again.json()["result"] == shown
        # a package's id is not an organization's
        wrong = requests.get(f"{url}{base}organization_show", params={"id": key}, timeout=60)
        assert wrong.status_code == 404 and wrong.json()["error"]["__type"] == "Not Found Error"
        after = requests.get(f"{url}{base}package_search", params={"start": 1000}, timeout=60).json()
        assert after["result"]["results"] == []
        assert requests.get(f"{url}{base}khong_co", timeout=60).status_code == 400
        assert requests.get(f"{url}{base}package_create", timeout=60).status_code == 403


def test_the_map_holds_every_id_of_a_large_catalogue(tmp_path):
    """nginx accepts the map at the size of a large catalogue (50,000 ids) with the shipped sizes."""
    binary = nginx_binary()
    root = tmp_path / "public"
    (root / "api/3/action").mkdir(parents=True)
    lines = [
        f"package_show:{uuid.uuid5(uuid.NAMESPACE_URL, str(i))} du-lieu-so-{i};\n" for i in range(50_000)
    ]
    (root / "api/3/action/show_ids.map").write_text("".join(lines), "ascii")
    (tmp_path / "citycat.conf").write_text(server_block(free_port(), root), "utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"error_log {tmp_path}/error.log;\nevents {{ }}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  include {tmp_path}/citycat.conf;\n}}\n",
        "utf-8",
    )
    run = subprocess.run(
        [
            binary,
            "-t",
            "-p",
            str(tmp_path),
            "-c",
            str(tmp_path / "nginx.conf"),
            "-g",
            f"pid {tmp_path}/nginx.pid;",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_every_feed_has_its_type_charset_and_cors(nginx):
    """Debian's mime.types knows none of .ttl, .rdf, .jsonld, .csv: the block names them, and
    ckanext-dcat's harvester, which picks its parser by Content-Type, gets text/turtle."""
    url, out = nginx
    name = json.loads((out / "api/3/action/package_list").read_text())["result"][0]
    expected = {
        "/catalog.ttl": "text/turtle; charset=utf-8",
        f"/dataset/{name}.ttl": "text/turtle; charset=utf-8",
        "/catalog.rdf": "application/rdf+xml; charset=utf-8",
        "/catalog.jsonld": "application/ld+json; charset=utf-8",
        "/data.json": "application/json; charset=utf-8",
        "/search-index.json": "application/json; charset=utf-8",
        "/datasets.csv": "text/csv; charset=utf-8",
        f"/dataset/{name}.csv": "text/csv; charset=utf-8",
        "/data/agencies.csv": "text/csv; charset=utf-8",
        "/datasets.xlsx": XLSX,
        "/feed.atom": "application/atom+xml; charset=utf-8",
        "/sitemap.xml": "application/xml; charset=utf-8",
        "/api/3/action/package_list": "application/json; charset=utf-8",
        f"/api/action/package_show?id={name}": "application/json; charset=utf-8",
    }
    for path, content_type in expected.items():
        r = requests.get(url + path, timeout=60)
        assert r.status_code == 200, path
        assert r.headers["Content-Type"] == content_type, path
        assert r.headers["Access-Control-Allow-Origin"] == "*", path
        assert r.headers["X-Content-Type-Options"] == "nosniff", path
        assert "Access-Control-Allow-Methods" not in r.headers, path  # preflight only
        if not path.startswith("/api/"):
            assert r.content == (out / path.lstrip("/")).read_bytes(), path
    assert requests.get(f"{url}/catalog.ttl", timeout=60).headers["Content-Encoding"] == "gzip"
    page = requests.get(f"{url}/datasets/", timeout=60)  # the pages are not feeds
    assert "Access-Control-Allow-Origin" not in page.headers


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/api/3/action/package_show?id=x", "GET, HEAD, POST, OPTIONS"),
        ("/api/action/package_search", "GET, HEAD, POST, OPTIONS"),
        ("/api/3/action/package_list", "GET, HEAD, POST, OPTIONS"),
        ("/api/3", "GET, HEAD, POST, OPTIONS"),
        ("/catalog.ttl", "GET, HEAD, OPTIONS"),
        ("/data.json", "GET, HEAD, OPTIONS"),
        ("/datasets.csv", "GET, HEAD, OPTIONS"),
    ],
)
def test_a_cors_preflight_is_answered(nginx, path, methods):
    url, _ = nginx
    r = requests.options(
        url + path,
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST" if "api" in path else "GET",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=60,
    )
    assert r.status_code == 204 and r.content == b""
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["Access-Control-Allow-Methods"] == methods
    assert "Content-Type" in r.headers["Access-Control-Allow-Headers"].split(", ")
    assert r.headers["Access-Control-Max-Age"] == "86400"


def test_ckanapi_posts_by_default_and_is_answered(nginx):
    """RemoteCKAN without get_only POSTs a JSON body: nginx reads the id (and start) from it."""
    url, out = nginx
    ckan = ckanapi.RemoteCKAN(url)
    assert not ckan.get_only
    names = ckan.action.package_list()
    assert names == json.loads((out / "api/3/action/package_list").read_text())["result"]
    for name in names:
        p = ckan.action.package_show(id=name)
        assert p == bare(out, name)
        assert ckan.action.package_show(id=p["id"]) == p  # a UUID through the map
    assert ckan.action.package_show(name_or_id=names[-1])["name"] == names[-1]
    org = ckan.action.organization_list()[0]
    assert ckan.action.organization_show(id=org)["name"] == org
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="khong-co")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="../../etc/passwd")
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.package_create(name="moi")
    search = ckan.action.package_search(rows=1000)
    assert sorted(p["name"] for p in search["results"]) == names
    assert ckan.action.package_search(start=1000)["results"] == []  # start read from the body
    # a form body, as CKAN also reads, and the second prefix
    form = requests.post(f"{url}/api/action/package_show", data={"id": names[0]}, timeout=60)
    assert form.status_code == 200 and form.json()["result"] == bare(out, names[0])
    assert form.headers["Content-Type"] == "application/json; charset=utf-8"
    assert form.headers["Access-Control-Allow-Origin"] == "*"
    assert form.headers["X-Content-Type-Options"] == "nosniff"  # once, not once per hop


def test_ckanapi_search_pages_with_posts(nginx):
    url, out = nginx
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [str(BIN / "ckanapi"), "search", "datasets", "-r", url],  # POST, its default
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    names = [json.loads(line)["name"] for line in run.stdout.splitlines()]
    assert sorted(names) == json.loads((out / "api/3/action/package_list").read_text())["result"]


def varies_by_accept(r: requests.Response) -> bool:
    return "Accept" in [v.strip() for v in r.headers.get("Vary", "").split(",")]  # not Accept-Encoding


def test_a_datasets_address_negotiates_by_accept(nginx):
    url, out = nginx
    name = json.loads((out / "api/3/action/package_list").read_text())["result"][0]
    turtle = (out / "dataset" / f"{name}.ttl").read_bytes()
    html = (out / "datasets" / name / "index.html").read_bytes()
    for prefix in ("", "/en"):
        page = f"{url}{prefix}/datasets/{name}/"
        for accept in ("text/turtle", "text/turtle;q=1.0, */*;q=0.1", "application/x-turtle"):
            r = requests.get(page, headers={"Accept": accept}, timeout=60)
            assert r.status_code == 200 and r.content == turtle, accept
            assert r.headers["Content-Type"] == "text/turtle; charset=utf-8"
            assert varies_by_accept(r) and r.headers["Access-Control-Allow-Origin"] == "*"
        browser = "text/html,application/xhtml+xml,application/xml;q=0.9,text/turtle;q=0.5,*/*;q=0.8"
        for accept in ("*/*", browser, "application/rdf+xml", "application/ld+json"):  # no such files
            r = requests.get(page, headers={"Accept": accept}, timeout=60)
            assert r.status_code == 200 and r.headers["Content-Type"] == "text/html; charset=utf-8", accept
            assert varies_by_accept(r)
            if prefix == "":
                assert r.content == html
    missing = requests.get(f"{url}/datasets/khong-co/", headers={"Accept": "text/turtle"}, timeout=60)
    assert missing.status_code == 404


def test_the_catalogues_iri_negotiates_by_accept(nginx):
    url, out = nginx
    for accept, file, content_type in (
        ("text/turtle", "catalog.ttl", "text/turtle"),
        ("application/rdf+xml", "catalog.rdf", "application/rdf+xml"),
        ("application/ld+json", "catalog.jsonld", "application/ld+json"),
    ):
        r = requests.get(f"{url}/catalog", headers={"Accept": accept}, timeout=60)
        assert r.status_code == 200 and r.content == (out / file).read_bytes(), accept
        assert r.headers["Content-Type"] == f"{content_type}; charset=utf-8"
        assert varies_by_accept(r)
    browser = requests.get(
        f"{url}/catalog", headers={"Accept": "text/html"}, allow_redirects=False, timeout=60
    )
    assert browser.status_code == 303 and browser.headers["Location"].endswith("/")
