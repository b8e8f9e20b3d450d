"""data.json (DCAT-US 1.1, non-federal): the official JSON Schema, offline, with format checks."""

from __future__ import annotations

import copy
import json

import pytest

from citycat.feeds import datajson
from citycat.source.load import load
from tests.conftest import CASES, TODAY, assemble, need_module, starter_root, validators

jsonschema = need_module("jsonschema")
referencing = need_module("referencing")


@pytest.fixture(scope="module")
def validator():
    need_module("rfc3987", "without it, 'uri' formats are not checked")
    need_module("rfc3339_validator", "without it, 'date-time' formats are not checked")
    schemas = validators("datajson-1.1-non-federal")
    registry = referencing.Registry().with_resources(
        (
            path.name,
            referencing.Resource.from_contents(
                json.loads(path.read_text("utf-8")), default_specification=referencing.jsonschema.DRAFT4
            ),
        )
        for path in schemas.glob("*.json")
    )
    schema = json.loads((schemas / "catalog.json").read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    checker = cls.FORMAT_CHECKER
    assert "uri" in checker.checkers, "rfc3987 must be installed so URLs are checked"
    return cls(schema, registry=registry, format_checker=checker)


def errors(validator, doc) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(doc)]


@pytest.fixture(scope="module")
def doc() -> dict:
    files = dict(datajson.files(load(starter_root()).catalogue, TODAY, "public"))
    assert list(files) == ["data.json"]
    return json.loads(files["data.json"])


def test_starter_catalogue_is_valid_data_json(validator, doc):
    assert errors(validator, doc) == []
    assert doc["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert len(doc["dataset"]) == sum(
        1 for d in load(starter_root()).catalogue.datasets if d.access != "internal"
    )


def test_internal_edition_and_good_case_are_valid(validator, tmp_path):
    c = load(starter_root()).catalogue
    internal = json.loads(datajson.document(c, "internal"))
    assert errors(validator, internal) == []
    assert {d["accessLevel"] for d in internal["dataset"]} == {"public", "restricted public", "non-public"}
    good = load(assemble(tmp_path / "good", CASES / "good")).catalogue
    assert errors(validator, json.loads(datajson.document(good, "public"))) == []


def test_the_schema_is_really_applied(validator, doc):
    """References resolve through the local registry and formats are checked: breaking a
    dataset, a distribution URL or an email is reported."""
    broken = copy.deepcopy(doc)
    broken["dataset"][0]["accessLevel"] = "open"
    broken["dataset"][1]["contactPoint"]["hasEmail"] = "someone@"
    dist = next(d for d in broken["dataset"] if any("downloadURL" in x for x in d.get("distribution", [])))
    next(x for x in dist["distribution"] if "downloadURL" in x)["downloadURL"] = "not a url"
    found = errors(validator, broken)
    assert any("accessLevel" in e for e in found)
    assert any("hasEmail" in e for e in found)
    assert any("downloadURL" in e for e in found)


def test_mapping_follows_the_registers(doc):
    c = load(starter_root()).catalogue
    by_id = {d["identifier"].rsplit("/", 1)[1]: d for d in doc["dataset"]}
    for d in c.datasets:
        if d.access == "internal":
            assert d.id not in by_id
            continue
        out = by_id[d.id]
        assert out["accessLevel"] == c.register("access_levels")[d.access].get("datajson")
        expected = c.register("frequencies")[d.get("frequency")].get("iso8601") or "irregular"
        assert out["accrualPeriodicity"] == expected
        assert out["title"] == d.get("title.vi")
        if d.get("licence"):
            assert out["license"] == c.licences[d.get("licence")].get("url")
        if d.get("schema"):
            assert out["describedBy"] == f"https://dulieu.hanoi.gov.vn/schemas/{d.id}.json"
        assert len(out.get("rights", "")) <= 255
        for x in out.get("distribution", []):
            assert "downloadURL" in x or "accessURL" in x
            if "downloadURL" in x:
                assert "mediaType" in x
