"""The field table (``citycat.model.fields``): one row per field of the Table Schemas, and the
CKAN feed and import read their keys from it."""

from __future__ import annotations

import json

from citycat.feeds import ckan
from citycat.model import fields
from citycat.source.load import load
from tests.conftest import ROOT, TODAY

LISTS = {  # fields held in their own tables (a row per item) rather than as datasets' columns
    "keywords.vi": "dataset_keywords_vi",
    "keywords.en": "dataset_keywords_en",
    "themes": "dataset_themes",
    "spatial": "dataset_spatial",
    "sharing.methods": "dataset_sharing_methods",
    "sharing.consumers": "dataset_consumers",
}


def test_a_row_per_field_of_the_table_schemas():
    c = load(ROOT).catalogue
    tables = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in c.meta["resources"]}
    columns = set(tables["datasets"]) | set(LISTS)
    assert [f.name for f in fields.DATASET if f.name not in LISTS] == tables["datasets"]
    assert {f.name for f in fields.DATASET} == columns
    assert all(table in tables for table in LISTS.values())
    assert [f.name for f in fields.DISTRIBUTION] == tables["distributions"][2:]  # after dataset_id, position


def test_the_ckan_feed_writes_exactly_the_tables_extras():
    c = load(ROOT).catalogue
    pub = ckan.publish(c, TODAY, "internal")
    written = {x["key"] for p in pub.packages for x in p["extras"] if not x["key"].startswith("internal_")}
    assert written <= set(fields.ckan_extras().values())  # no extra outside the table
    assert len(written) >= len(fields.ckan_extras()) - 1  # (no dataset of the list ends its period)
    p = next(p for p in pub.packages if any(x["key"] == "legal_basis" for x in p["extras"]))
    d = next(d for d in c.datasets if d.id == p["name"])
    extras = {x["key"]: x["value"] for x in p["extras"]}
    assert extras[fields.extra("legal_basis")] == d.get("legal_basis")
    assert extras[fields.extra("title.en")] == d.get("title.en")


def test_the_keys_are_unique_where_they_must_be():
    extras = [f.extra for f in fields.DATASET if f.extra]
    assert len(extras) == len(set(extras))
    names = [f.name for f in fields.DATASET]
    assert len(names) == len(set(names))
    assert fields.extra_aliases("frequency")[0] == "frequency"
    assert fields.by_column("col_legal").name == "legal_basis"
    assert {f.name for f in fields.plain_texts("column")} == {"legal_basis", "contact.name"}
    assert json.dumps([f.name for f in fields.plain_texts("datajson")]) == '["legal_basis"]'
