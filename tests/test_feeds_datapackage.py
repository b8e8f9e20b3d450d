"""The catalogue as a Frictionless Data Package (foreign keys included), and the per-dataset
Table Schemas."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import frictionless
import pytest

from citycat.feeds import datapackage
from citycat.source.load import load
from tests.conftest import TODAY, starter_root


def write(files, folder: Path) -> Path:
    for path, data in files:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder / "datapackage.json"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    c = load(starter_root()).catalogue
    return write(datapackage.files(c, TODAY, "public"), tmp_path_factory.mktemp("dp"))


def test_frictionless_validates_the_published_package(site):
    report = frictionless.Package(str(site)).validate()
    assert report.valid, report.flatten(["type", "message"])[:5]
    descriptor = json.loads(site.read_text("utf-8"))
    names = {r["name"] for r in descriptor["resources"]}
    assert {"datasets", "distributions", "agencies", "licences", "dataset_themes"} <= names
    datasets = next(r for r in descriptor["resources"] if r["name"] == "datasets")
    assert {fk["reference"]["resource"] for fk in datasets["schema"]["foreignKeys"]} >= {
        "agencies",
        "licences",
    }


def test_foreign_keys_are_checked(site, tmp_path):
    """A dataset row that names an agency missing from agencies.csv makes the package invalid."""
    broken = tmp_path / "broken"
    for path in site.parent.rglob("*"):
        if path.is_file():
            target = broken / path.relative_to(site.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    csv = broken / "data" / "datasets.csv"
    text = csv.read_text("utf-8")
    csv.write_text(text.replace(",so-y-te,", ",so-khong-co,", 1), "utf-8")
    report = frictionless.Package(str(broken / "datapackage.json")).validate()
    assert not report.valid
    assert "foreign-key" in {row[0] for row in report.flatten(["type"])}


def test_public_package_leaves_internal_rows_out():
    c = load(starter_root()).catalogue
    public = dict(datapackage.files(c, TODAY, "public"))
    internal = dict(datapackage.files(c, TODAY, "internal"))
    hidden = [d.id for d in c.datasets if d.access == "internal"]
    secret = [x.url for d in c.datasets for x in d.distributions if x.internal]
    text = b"".join(public.values()).decode("utf-8")
    assert hidden and secret
    assert not any(f"{i}," in text or f"{i}.json" in text for i in hidden)
    assert not any(url in text for url in secret)
    assert all(url in internal["data/distributions.csv"].decode("utf-8") for url in secret)


def test_every_listed_dataset_schema_is_published_unchanged(site):
    c = load(starter_root()).catalogue
    for d in c.datasets:
        published = site.parent / "schemas" / f"{d.id}.json"
        if d.access == "internal" or not d.get("schema"):
            assert not published.exists()
            continue
        assert json.loads(published.read_text("utf-8")) == c.table_schemas[d.get("schema")]
        assert frictionless.Schema.from_descriptor(json.loads(published.read_text("utf-8"))).fields
        assert datapackage.dataset_links(c, d.id) == [
            ("feed_table_schema", f"schemas/{d.id}.json", "application/json", "")
        ]


def test_zip_export_is_valid_and_reproducible(tmp_path):
    c = load(starter_root()).catalogue
    data = datapackage.zipped(c, "public")
    assert data == datapackage.zipped(c, "public")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist()[0] == "datapackage.json"
    path = tmp_path / "catalogue.zip"
    path.write_bytes(data)
    report = frictionless.validate(str(path))
    assert report.valid, report.flatten(["type", "message"])[:5]
