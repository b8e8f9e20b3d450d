"""The CKAN feed's dicts and static files: CKAN's own rules on every published dict, both
editions, and nothing internal in the public one."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
import uuid

import pytest

from citycat import feeds
from citycat.feeds import ckan
from citycat.source.load import load
from tests.conftest import TODAY, starter_root

LIST_ACTIONS = (
    "package_list",
    "package_search",
    "current_package_list_with_resources",
    "organization_list",
    "group_list",
    "tag_list",
    "license_list",
    "status_show",
)
# CKAN 2.10's package_show keys (creator_user_id left out: the catalogue has no users)
PACKAGE_KEYS = set(
    "id name title notes url version author author_email maintainer maintainer_email license_id "
    "license_title license_url isopen state type private metadata_created metadata_modified owner_org "
    "organization groups tags num_tags extras resources num_resources relationships_as_object "
    "relationships_as_subject".split()
)
RESOURCE_KEYS = set(
    "id package_id name description format mimetype url size created last_modified position state "
    "url_type".split()
)
NAIVE_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$")  # CKAN's timestamps
CKAN_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")
CKAN_TAG = re.compile(r"^[\w \-.]*$", re.UNICODE)  # ckan.logic.validators.tag_name_validator


@pytest.fixture(scope="module")
def catalogue():
    return load(starter_root()).catalogue


@pytest.fixture(scope="module")
def public(catalogue):
    return dict(ckan.files(catalogue, TODAY, "public"))


@pytest.fixture(scope="module")
def internal(catalogue):
    return dict(ckan.files(catalogue, TODAY, "internal"))


def result(files: dict[str, bytes], action: str, prefix: str = "api/3/action/"):
    body = json.loads(files[prefix + action])
    assert body["success"] is True
    assert body["help"] == f"https://dulieu.hanoi.gov.vn/api/3/action/help_show?name={action}"
    return body["result"]


def test_the_feed_is_registered_and_linked_from_dataset_pages(catalogue, public):
    assert "ckan" in feeds.names()
    open_one = next(d for d in catalogue.datasets if d.access == "open")
    [(label, path, kind, _)] = ckan.dataset_links(catalogue, open_one.id)
    assert (label, kind) == ("feed_ckan", "application/json")
    assert (label, path, kind, "") in feeds.dataset_links(catalogue, open_one.id)  # what the page links
    assert path in public and json.loads(public[path])["result"]["name"] == open_one.id
    hidden = next(d for d in catalogue.datasets if d.access == "internal")
    assert feeds.dataset_links(catalogue, hidden.id) == []  # its page must not link a missing file
    assert feeds.dataset_links(catalogue, "khong-co") == []


def test_every_list_file_is_ascii_json_in_ckans_envelope_once(public):
    for action in LIST_ACTIONS:
        data = public[ckan.PREFIX + action]
        data.decode("ascii")  # ensure_ascii: every Vietnamese letter escaped
        assert result(public, action) is not None
    # package_show is never one static file: a host that ignores ?id= would answer every id with it
    assert not any(path.endswith("/package_show") for path in public)
    # CKAN's second prefix is deploy/nginx.conf's alias, not a copy
    assert not any(path.startswith("api/action/") for path in public)


def test_paths_stay_inside_the_api_folder(public, internal):
    for path in [*public, *internal]:
        assert path == ckan.IDS_MAP or re.match(
            r"^api/3/action/[a-z_]+(/[a-z0-9_-]+\.json|\.end\.json)?$", path
        ), path


def test_one_answer_per_name_and_a_map_from_ids_to_names(public, internal):
    for files in (public, internal):
        lines = files[ckan.IDS_MAP].decode("ascii").splitlines()
        pairs = [
            re.fullmatch(r"([a-z_]+):([0-9a-f-]{36}) ([a-z0-9_-]{2,100});", line).groups() for line in lines
        ]
        assert len({(action, key) for action, key, _ in pairs}) == len(pairs)
        for action, key, name in pairs:
            assert action in ckan.BY_NAME
            shown = json.loads(files[f"api/3/action/{action}/{name}.json"])["result"]
            assert shown["id"] == key and shown["name"] == name
            assert f"api/3/action/{action}/{key}.json" not in files  # no copy by id
        answers = [path for path in files if path.split("/")[3] in ckan.BY_NAME]
        assert len(answers) == len(pairs)  # each answered by name once, and each in the map


def test_public_edition_publishes_open_and_shared_datasets_only(catalogue, public, internal):
    shown = {d.id for d in catalogue.datasets if d.access in ("open", "shared")}
    hidden = {d.id for d in catalogue.datasets if d.access == "internal"}
    assert shown and hidden
    assert result(public, "package_list") == sorted(shown)
    assert result(internal, "package_list") == sorted(shown | hidden)
    search = result(public, "package_search")
    assert search["count"] == len(shown) == len(search["results"])
    assert [p["name"] for p in search["results"]] == sorted(shown)
    for name in hidden:
        assert not any(name in path for path in public)
        assert f"api/3/action/package_show/{name}.json" in internal
    org = json.loads(public["api/3/action/organization_show/so-y-te.json"])["result"]
    assert org["package_count"] == sum(
        1 for d in catalogue.datasets if d.agency == "so-y-te" and d.access != "internal"
    )


def test_internal_values_never_reach_the_public_edition(catalogue, public, internal):
    secrets = set()
    for d in catalogue.datasets:
        secrets |= {str(v) for v in d.internal.values() if len(str(v)) >= 6}
        secrets |= {x.url for x in d.distributions if x.internal}
    assert len(secrets) >= 6
    blob = b"\n".join(public.values()).decode("ascii")
    for secret in secrets:
        assert secret not in blob
        assert json.dumps(secret, ensure_ascii=True)[1:-1] not in blob
    everything = b"\n".join(internal.values()).decode("ascii")
    assert all(json.dumps(s, ensure_ascii=True)[1:-1] in everything for s in secrets)
    for p in result(public, "package_search")["results"]:
        assert not any(e["key"].startswith("internal_") for e in p["extras"])
        assert not any(r.get("internal") for r in p["resources"])


@pytest.mark.parametrize("edition", ["public", "internal"])
def test_ckan_rules_hold_on_every_published_dict(catalogue, edition, request):
    files = request.getfixturevalue(edition)
    packages = result(files, "package_search")["results"]
    orgs = {
        o["name"]: o
        for o in (json.loads(v)["result"] for k, v in files.items() if "/organization_show/" in k)
    }
    groups = {
        g["name"]: g for g in (json.loads(v)["result"] for k, v in files.items() if "/group_show/" in k)
    }
    licences = {x["id"] for x in result(files, "license_list")}
    ids: list[str] = [o["id"] for o in orgs.values()] + [g["id"] for g in groups.values()]
    for o in [*orgs.values(), *groups.values()]:
        assert CKAN_NAME.match(o["name"]) and uuid.UUID(o["id"]).version == 5
        assert NAIVE_UTC.match(o["created"])
    for p in packages:
        where = p["name"]
        assert PACKAGE_KEYS <= set(p), (where, PACKAGE_KEYS - set(p))
        assert CKAN_NAME.match(p["name"]), where
        assert uuid.UUID(p["id"]).version == 5 and str(uuid.UUID(p["id"])) == p["id"]
        assert p["state"] == "active" and p["type"] == "dataset" and p["private"] is False
        assert NAIVE_UTC.match(p["metadata_created"]) and NAIVE_UTC.match(p["metadata_modified"])
        assert p["metadata_created"] <= p["metadata_modified"], where
        assert unicodedata.is_normalized("NFC", p["title"] + p["notes"])
        assert p["owner_org"] == p["organization"]["id"] == orgs[p["organization"]["name"]]["id"]
        assert p["organization"]["is_organization"] is True
        assert all(groups[g["name"]]["id"] == g["id"] for g in p["groups"])
        assert p["license_id"] in licences
        assert p["isopen"] is (p["license_id"] in ("cc-by", "cc-by-sa", "cc-zero", "odc-by", "odc-odbl"))
        # tags: CKAN's tag_length_validator (2-100) and tag_name_validator, no duplicates
        names = [t["name"] for t in p["tags"]]
        assert p["num_tags"] == len(names) == len(set(names)) and names == sorted(names)
        for t in p["tags"]:
            assert 2 <= len(t["name"]) <= 100 and CKAN_TAG.match(t["name"]), t
            assert unicodedata.is_normalized("NFC", t["name"]) and t["vocabulary_id"] is None
        # extras: string keys and values, sorted, unique, none that shadows a package field
        keys = [e["key"] for e in p["extras"]]
        assert keys == sorted(keys) and len(keys) == len(set(keys)) and not set(keys) & set(p)
        assert all(isinstance(e["value"], str) and e["value"] for e in p["extras"])
        extras = dict((e["key"], e["value"]) for e in p["extras"])
        assert extras["access_level"] in ("open", "shared", "internal")
        assert extras["access_level"] != "internal" or edition == "internal"
        # resources
        assert p["num_resources"] == len(p["resources"])
        for i, r in enumerate(p["resources"]):
            assert RESOURCE_KEYS <= set(r), (where, RESOURCE_KEYS - set(r))
            assert r["package_id"] == p["id"] and r["position"] == i and r["state"] == "active"
            assert uuid.UUID(r["id"]).version == 5
            assert r["size"] is None or (isinstance(r["size"], int) and r["size"] >= 0)
            assert r["url"].startswith(("https://", "http://")) and r["format"]
            assert NAIVE_UTC.match(r["created"])
            ids.append(r["id"])
        ids.append(p["id"])
    assert len(ids) == len(set(ids)), "every UUID is unique across the catalogue"
    assert result(files, "tag_list") == sorted(
        {t["name"] for p in packages for t in p["tags"]}, key=lambda n: (ckan.sort_key(n), n)
    )


def test_ids_are_stable_uuid5_of_the_dataset_page(catalogue):
    one = ckan.publish(catalogue, TODAY, "public")
    two = ckan.publish(catalogue, TODAY + dt.timedelta(days=3), "internal")
    p = one.packages[0]
    assert p["id"] == str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"https://dulieu.hanoi.gov.vn/datasets/{p['name']}/")
    )
    same = two.packages[two.by_key[p["name"]]]
    assert same["id"] == p["id"]
    # a resource keeps its id when the internal edition adds internal distributions beside it
    assert {r["id"] for r in p["resources"]} <= {r["id"] for r in same["resources"]}


def test_dates_are_the_start_of_the_day_in_hanoi_in_naive_utc(catalogue):
    pub = ckan.publish(catalogue, TODAY, "public")
    for d in catalogue.datasets:
        if d.access == "internal" or not d.date("modified") or not d.date("issued"):
            continue
        p = pub.packages[pub.by_key[d.id]]
        modified = dt.datetime.combine(d.date("modified"), dt.time()) - dt.timedelta(hours=7)
        assert p["metadata_modified"] == modified.isoformat()
        assert {"key": "modified", "value": d.date("modified").isoformat()} in p["extras"]


def test_static_files_say_the_same_as_each_other(public):
    search = result(public, "package_search")
    by_name = {p["name"]: p for p in search["results"]}
    for name, p in by_name.items():
        assert json.loads(public[f"api/3/action/package_show/{name}.json"])["result"] == p
    current = result(public, "current_package_list_with_resources")
    assert sorted(p["name"] for p in current) == sorted(by_name)
    stamps = [p["metadata_modified"] for p in current]
    assert stamps == sorted(stamps, reverse=True)
    end = json.loads(public[ckan.SEARCH_END])["result"]
    assert end["results"] == [] and end["count"] == search["count"]
    orgs = result(public, "organization_list")
    for name in orgs:
        assert f"api/3/action/organization_show/{name}.json" in public
    assert sum("/organization_show/" in k for k in public) == len(orgs)  # by name only


@pytest.mark.parametrize(
    ("keyword", "tag"),
    [
        ("nhà thuốc", "nhà thuốc"),
        ("giấy phép/chứng chỉ", "giấy phép chứng chỉ"),
        ("  GPP (thực hành tốt)  ", "GPP thực hành tốt"),
        (unicodedata.normalize("NFD", "Hoà Bình"), "Hoà Bình"),
        ("a", None),
        ("!!", None),
        ("x" * 150, "x" * 100),
        ("v1.2_beta-3", "v1.2_beta-3"),
    ],
)
def test_keywords_become_ckan_tags(keyword, tag):
    assert ckan.tag_name(keyword) == tag
    if tag:
        assert CKAN_TAG.match(tag) and unicodedata.is_normalized("NFC", tag)
