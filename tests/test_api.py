"""The live CKAN Action API of ``citycat serve``, read by CKAN's own client (ckanapi 4.11) over
POST and GET, by its command line, by a harvester's paging loop, and by malformed requests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import MappingProxyType

import ckanapi
import pytest
import requests

from citycat.api import actions as api
from citycat.model.vietnamese import fold, sort_key
from citycat.pipeline.build import build
from citycat.pipeline.serve import Live, make_server
from citycat.source.load import load
from tests.conftest import CASES, TODAY, assemble, citycat_serve, starter_root

BIN = Path(sys.executable).parent  # ckanapi's command line is installed beside this Python


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``citycat serve`` of the starter catalogue on a free loopback port: (url, site folder)."""
    out = tmp_path_factory.mktemp("serve") / "public"
    with citycat_serve(starter_root(), out) as url:
        yield url, out


@pytest.fixture(scope="module")
def catalogue():
    return load(starter_root()).catalogue


@pytest.fixture(scope="module")
def public_names(catalogue):
    return sorted(d.id for d in catalogue.datasets if d.access != "internal")


def static(out: Path, name: str) -> dict:
    return json.loads((out / "api" / "3" / "action" / "package_show" / f"{name}.json").read_text("ascii"))[
        "result"
    ]


@pytest.mark.parametrize("get_only", [False, True], ids=["POST", "GET"])
def test_ckanapi_reads_what_the_static_files_say(served, public_names, catalogue, get_only):
    url, out = served
    ckan = ckanapi.RemoteCKAN(url, get_only=get_only)
    assert ckan.action.package_list() == public_names
    for name in public_names[:5] + public_names[-3:]:
        p = ckan.action.package_show(id=name)
        assert p == static(out, name)
        assert ckan.action.package_show(id=p["id"]) == p  # by UUID too
    found = ckan.action.package_search(q="nhà thuốc", rows=50)
    assert found["count"] >= 1 and found["results"][0] == static(out, found["results"][0]["name"])
    orgs = ckan.action.organization_list()
    assert sorted(orgs) == sorted(catalogue.agencies)
    assert ckan.action.organization_list(all_fields=True)[0]["name"] == orgs[0]
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="khong-co-bo-du-lieu-nay")
    hidden = next(d.id for d in catalogue.datasets if d.access == "internal")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id=hidden)  # the public edition does not have it
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.package_create(name="moi", title="Mới")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_show()
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="organization:(so-y-te")
    with pytest.raises(ckanapi.CKANAPIError, match="400"):
        ckan.call_action("khong_co_action")


def test_ckanapi_dump_returns_every_dataset_once(served, public_names, tmp_path):
    url, out = served
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    dump = tmp_path / "dump.jsonl"
    run = subprocess.run(
        [str(BIN / "ckanapi"), "dump", "datasets", "--all", "-q", "-O", str(dump), "-r", url],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    records = [json.loads(line) for line in dump.read_text("utf-8").splitlines()]
    assert sorted(r["name"] for r in records) == public_names  # each once
    assert all(r == static(out, r["name"]) for r in records)


def test_ckanapi_search_terminates_with_every_dataset(served, public_names):
    url, _ = served
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [str(BIN / "ckanapi"), "search", "datasets", "-r", url],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    names = [json.loads(line)["name"] for line in run.stdout.splitlines()]
    assert sorted(names) == public_names


@pytest.mark.parametrize("rows", [100, 3])
def test_a_harvester_paging_each_organization_gets_each_dataset_once(served, public_names, rows):
    url, _ = served
    ckan = ckanapi.RemoteCKAN(url, get_only=True)
    seen: list[str] = []
    everything = search(url, rows=1000)["results"]
    for org in ckan.action.organization_list():
        start, pages, own = 0, 0, []
        while True:
            page = ckan.action.package_search(fq=f"organization:{org}", rows=rows, start=start, sort="id asc")
            pages += 1
            assert pages < 100, "paging does not end"
            if not page["results"]:
                break
            assert all(p["organization"]["name"] == org for p in page["results"])
            ids = [p["id"] for p in page["results"]]
            assert ids == sorted(ids)  # id is CKAN's id, the UUID
            own += [p["id"] for p in page["results"]]
            seen += [p["name"] for p in page["results"]]
            start += rows  # as ckanext-harvest's CKAN harvester pages
        assert own == sorted(own) and len(own) == sum(p["organization"]["name"] == org for p in everything)
    assert sorted(seen) == public_names and len(seen) == len(set(seen))


def search(url: str, **params) -> dict:
    r = requests.get(f"{url}/api/3/action/package_search", params=params, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["result"]


def test_search_filters_sorts_pages_and_facets(served, catalogue, public_names):
    url, out = served
    packages = [static(out, n) for n in public_names]
    everything = search(url, rows=1000)
    assert everything["count"] == len(public_names) and len(search(url)["results"]) == 10
    # q ignores Vietnamese marks and case: "nha thuoc" finds what "Nhà Thuốc" finds
    a, b = search(url, q="Nhà Thuốc", rows=1000), search(url, q="nha thuoc", rows=1000)
    assert a["count"] == b["count"] > 0 and a["results"] == b["results"]
    assert all("nha thuoc" in fold(json.dumps(p, ensure_ascii=False)) for p in a["results"])
    # fq: every supported field, negation, OR, a date range
    expect = {
        "organization:so-y-te": lambda p: p["organization"]["name"] == "so-y-te",
        "-organization:so-y-te": lambda p: p["organization"]["name"] != "so-y-te",
        "groups:y-te": lambda p: "y-te" in [g["name"] for g in p["groups"]],
        'tags:"nhà thuốc"': lambda p: "nhà thuốc" in [t["name"] for t in p["tags"]],
        "res_format:CSV": lambda p: "CSV" in [r["format"] for r in p["resources"]],
        "-res_format:CSV": lambda p: "CSV" not in [r["format"] for r in p["resources"]],
        "license_id:cc-by": lambda p: p["license_id"] == "cc-by",
        "organization:so-y-te OR organization:so-xay-dung": lambda p: (
            p["organization"]["name"] in ("so-y-te", "so-xay-dung")
        ),
        "groups:y-te -res_format:API": lambda p: (
            "y-te" in [g["name"] for g in p["groups"]] and "API" not in [r["format"] for r in p["resources"]]
        ),
        "metadata_modified:[2026-10-01T00:00:00Z TO *]": lambda p: (
            p["metadata_modified"] >= "2026-10-01T00:00:00"
        ),
        "extras_access_level:shared": lambda p: {"key": "access_level", "value": "shared"} in p["extras"],
    }
    for fq, keep in expect.items():
        wanted = sorted(p["name"] for p in packages if keep(p))
        got = search(url, fq=fq, rows=1000, sort="name asc")
        assert [p["name"] for p in got["results"]] == wanted, fq
        assert 0 < len(wanted) < len(packages), f"{fq} should split the catalogue"
    # sorts
    by_modified = search(url, rows=1000, sort="metadata_modified desc, name asc")["results"]
    keys = [(p["metadata_modified"], p["name"]) for p in by_modified]
    assert all(a[0] > b[0] or (a[0] == b[0] and a[1] < b[1]) for a, b in zip(keys, keys[1:], strict=False))
    titles = [p["title"] for p in search(url, rows=1000, sort="title_string asc")["results"]]
    assert titles == sorted(titles, key=sort_key) and titles != sorted(titles)  # Vietnamese order
    ids = [p["id"] for p in search(url, rows=1000, sort="id desc")["results"]]
    assert ids == sorted(ids, reverse=True)
    scored = search(url, q="y tế", rows=1000)["results"]
    assert "y te" in fold(scored[0]["title"])  # a title match ranks before a notes-only match
    # pages: start and rows, and an empty page after the last
    names = [p["name"] for p in search(url, rows=1000, sort="name asc")["results"]]
    assert [p["name"] for p in search(url, rows=7, start=14, sort="name asc")["results"]] == names[14:21]
    beyond = search(url, rows=10, start=len(names))
    assert beyond["results"] == [] and beyond["count"] == len(names)
    assert search(url, rows=0)["results"] == []
    # facets
    facets = search(url, **{"facet.field": '["organization","res_format","groups"]', "rows": 0})
    orgs = {i["name"]: i for i in facets["search_facets"]["organization"]["items"]}
    assert orgs["so-y-te"]["count"] == sum(p["organization"]["name"] == "so-y-te" for p in packages)
    assert orgs["so-y-te"]["display_name"] == "Sở Y tế"
    assert facets["facets"]["res_format"]["CSV"] == sum(
        "CSV" in {r["format"] for r in p["resources"]} for p in packages
    )
    limited = search(url, **{"facet.field": '["tags"]', "facet.limit": "3", "rows": 0})
    assert len(limited["search_facets"]["tags"]["items"]) == 3
    # fl
    light = search(url, fl="id,name", rows=2)["results"]
    assert all(set(p) == {"id", "name"} for p in light)


def test_other_read_actions(served, catalogue, public_names):
    url, out = served
    ckan = ckanapi.RemoteCKAN(url)
    assert ckan.action.package_list(limit=5, offset=5) == public_names[5:10]
    current = ckan.action.current_package_list_with_resources(limit=4)
    assert len(current) == 4 and current[0]["metadata_modified"] >= current[-1]["metadata_modified"]
    org = ckan.action.organization_show(id="so-y-te", include_datasets=True)
    assert org["package_count"] == len(org["packages"]) > 0
    assert ckan.action.organization_show(id=org["id"])["name"] == "so-y-te"
    groups = ckan.action.group_list(all_fields=True)
    assert {g["name"] for g in groups} == set(catalogue.themes) and all("package_count" in g for g in groups)
    group = ckan.action.group_show(id="y-te", include_datasets=True)
    assert all("y-te" in [g["name"] for g in p["groups"]] for p in group["packages"])
    with pytest.raises(ckanapi.NotFound):
        ckan.action.group_show(id="khong-co")
    tags = ckan.action.tag_list()
    assert "nhà thuốc" in tags and "nhà thuốc" in ckan.action.tag_list(query="nha thuoc")
    assert {x["id"] for x in ckan.action.license_list()} >= {"cc-by", "notspecified"}
    status = ckan.action.status_show()
    assert status["site_url"] == "https://dulieu.hanoi.gov.vn" and status["locale_default"] == "vi"
    p = static(out, public_names[0])
    assert ckan.action.resource_show(id=p["resources"][0]["id"]) == p["resources"][0]
    assert "dataset" in ckan.action.help_show(name="package_show")
    assert requests.get(f"{url}/api/3", timeout=60).json() == {"version": 3}
    # a form body (what an HTML form or curl -d posts)
    r = requests.post(f"{url}/api/action/package_show", data={"id": public_names[0]}, timeout=60)
    assert r.json()["result"]["name"] == public_names[0]
    assert r.headers["Content-Type"] == "application/json;charset=utf-8"


MALFORMED = [
    ("GET", "/api/3/action/package_search?rows=-1", None, 409),
    ("GET", "/api/3/action/package_search?rows=abc", None, 409),
    ("GET", "/api/3/action/package_search?start=1e999", None, 409),
    ("GET", "/api/3/action/package_search?fq=((((", None, 400),
    ("GET", "/api/3/action/package_search?fq=" + "(" * 200 + "a" + ")" * 200, None, 400),
    ("GET", '/api/3/action/package_search?fq=organization:"so-y-te', None, 400),
    ("GET", "/api/3/action/package_search?fq=secret_field:x", None, 400),
    ("GET", "/api/3/action/package_search?fq=metadata_modified:[yesterday TO *]", None, 400),
    ("GET", "/api/3/action/package_search?fq=metadata_modified:[2026-13-45 TO *]", None, 400),
    ("GET", "/api/3/action/package_search?fq=num_tags:[a TO b]", None, 400),
    ("GET", "/api/3/action/package_search?q=title:[a TO b]", None, 400),
    ("GET", "/api/3/action/package_search?q=a:b:c", None, 400),
    ("GET", "/api/3/action/package_search?sort=owner sideways", None, 400),
    ("GET", "/api/3/action/package_search?sort=secret asc", None, 400),
    ("GET", '/api/3/action/package_search?facet.field=["secret"]', None, 400),
    ("GET", "/api/3/action/package_search?facet.field=[1,2", None, 409),
    ("GET", "/api/3/action/package_search?facet.limit=many", None, 409),
    ("GET", "/api/3/action/organization_list?sort=secret", None, 409),
    ("GET", "/api/3/action/package_list?limit=x", None, 409),
    ("GET", "/api/3/action/organization_show", None, 409),
    ("GET", "/api/3/action/PACKAGE_SHOW?id=x", None, 400),
    ("GET", "/api/3/action/", None, 400),
    ("GET", "/api/3/action/%00", None, 400),
    ("GET", "/api/3/action/package_show/extra", None, 404),
    ("GET", "/api/9/action/package_list", None, 404),
    ("GET", "/api/3/action/package_delete?id=x", None, 403),
    ("GET", "/api/3/action/package_list?" + "&".join(f"k{i}=v" for i in range(500)), None, 400),
    ("POST", "/api/3/action/package_show", b"{not json", 400),
    ("POST", "/api/3/action/package_show", b"[1, 2]", 400),
    ("POST", "/api/3/action/package_show", b"null", 400),
    ("POST", "/api/3/action/package_show", b"\xff\xfe\x00", 400),
    ("POST", "/api/3/action/package_show", b"[" * 100000 + b"]" * 100000, 400),
    ("POST", "/api/3/action/package_show", b'{"id": ["a", "b"]}', 409),
    ("POST", "/api/3/action/package_show", b'{"id": {"$ne": 1}}', 409),
    ("POST", "/api/3/action/package_search", b'{"rows": 1.5}', 409),
    ("POST", "/api/3/action/package_search", b'{"rows": true}', 409),
    ("POST", "/api/3/action/package_search", b'{"q": ["a"], "fq": 5}', 409),
    ("POST", "/api/3/action/package_search", b'{"rows": NaN}', 409),
    ("POST", "/api/3/action/package_search", b'{"facet.field": {"a": 1}}', 409),
    ("POST", "/api/3/action/organization_list", b'{"organizations": 3}', 409),
    ("POST", "/api/3/action/package_create", b'{"name": "x"}', 403),
]


@pytest.mark.parametrize(("method", "path", "body", "status"), MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_requests_get_ckans_error_shape_never_a_500(served, method, path, body, status):
    url, _ = served
    r = requests.request(
        method, url + path, data=body, timeout=60, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == status, r.text[:300]
    answer = r.json()
    assert answer["success"] is False and answer["error"]["__type"]
    assert r.headers["Content-Type"] == "application/json;charset=utf-8"


def test_a_chunked_or_lying_body_is_refused(served):
    import socket

    url, _ = served
    host, port = url.removeprefix("http://").split(":")
    for head in (
        "Transfer-Encoding: chunked\r\n",
        "Content-Length: 1000000000\r\n",
        "Content-Length: -5\r\n",
    ):
        with socket.create_connection((host, int(port)), timeout=60) as s:
            s.sendall(f"POST /api/3/action/package_list HTTP/1.1\r\nHost: x\r\n{head}\r\n".encode())
            reply = s.makefile("rb").read().decode("ascii", "replace")
        first = reply.split("\r\n", 1)[0]
        assert first.split()[1] in ("400", "411", "413"), reply[:200]
        assert '"success":false' in reply


def test_the_api_follows_rebuilds_and_keeps_the_last_good_catalogue(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    out = tmp_path / "public"
    first = build(root, out, TODAY)
    live = Live(first.catalogue, TODAY, "public")
    server = make_server(out, 0, live=live)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        ckan = ckanapi.RemoteCKAN(url)
        assert ckan.action.package_show(id="bang-gia-dat")["title"] == "Bảng giá đất Thành phố Hà Nội"
        path = root / "datasets.yaml"
        path.write_text(
            path.read_text("utf-8").replace("Bảng giá đất Thành phố", "Bảng giá đất mới"), "utf-8"
        )
        live.update(build(root, out, TODAY))
        assert ckan.action.package_show(id="bang-gia-dat")["title"] == "Bảng giá đất mới Hà Nội"
        live.update(None)  # a failed rebuild
        assert ckan.action.package_show(id="bang-gia-dat")["title"] == "Bảng giá đất mới Hà Nội"
        # without the API, /api/ paths are plain files of the site
        plain = make_server(out, 0)
        threading.Thread(target=plain.serve_forever, daemon=True).start()
        try:
            r = requests.get(
                f"http://127.0.0.1:{plain.server_address[1]}/api/3/action/package_list", timeout=60
            )
            assert json.loads(r.content)["result"] == [
                "bang-gia-dat",
                "danh-sach-nha-thuoc",
                "nguoi-hanh-nghe-kham-chua-benh",
            ]
        finally:
            plain.shutdown()
            plain.server_close()
    finally:
        server.shutdown()
        server.server_close()


def test_rows_are_capped_at_1000(catalogue):
    one = catalogue.datasets[0]
    many = tuple(
        dataclasses.replace(one, fields=MappingProxyType({**one.fields, "id": f"bo-du-lieu-{i:04d}"}))
        for i in range(1005)
    )
    big = dataclasses.replace(catalogue, datasets=many)
    status, body = api.answer(big, "package_search", {"rows": "5000", "sort": "name asc"}, TODAY)
    assert status == 200 and body["result"]["count"] == 1005
    assert len(body["result"]["results"]) == api.ROWS_MAX == 1000
    status, body = api.answer(big, "package_search", {"rows": 5000, "start": 1000, "sort": "name asc"}, TODAY)
    assert [p["name"] for p in body["result"]["results"]] == [
        f"bo-du-lieu-{i:04d}" for i in range(1000, 1005)
    ]
    assert api.answer(big, "package_list", {}, dt.date(2026, 1, 1))[1]["result"][-1] == "bo-du-lieu-1004"
