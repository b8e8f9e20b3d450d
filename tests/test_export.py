"""``citycat export``, and the round trip: what our own catalog.ttl and data.json say about every
public dataset, distribution, licence and date is what the catalogue says."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import zipfile

import pytest
import rdflib

from citycat.feeds import export
from citycat.model import policy
from citycat.source.load import load
from tests.conftest import TODAY, starter_root

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
EU_LICENCE = "http://publications.europa.eu/resource/authority/licence/"
BASE = "https://dulieu.hanoi.gov.vn/"


def citycat(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "citycat", *args], capture_output=True, cwd=cwd, timeout=120)


def test_round_trip_through_our_own_turtle_and_data_json():
    c = load(starter_root()).catalogue
    graph = rdflib.Graph().parse(data=export.render(c, "ttl", "public"), format="turtle")
    doc = json.loads(export.render(c, "datajson", "public"))
    by_id = {d["identifier"]: d for d in doc["dataset"]}
    listed = [d for d in c.datasets if d.access != "internal"]
    assert len(set(graph.subjects(rdflib.RDF.type, DCAT.Dataset))) == len(listed) == len(by_id)
    for d in listed:
        s = rdflib.URIRef(f"{BASE}dataset/{d.id}")
        j = by_id[str(s)]
        assert {(str(o), o.language) for o in graph.objects(s, DCT.title)} == {
            (d.get(f"title.{lang}"), lang) for lang in ("vi", "en") if d.get(f"title.{lang}")
        }
        assert j["title"] == d.get("title.vi") and j["description"] == d.get("description.vi")
        for field, prop in (("issued", DCT.issued), ("modified", DCT.modified)):
            value = d.date(field)
            assert [o.toPython() for o in graph.objects(s, prop)] == ([value] if value else [])
            assert j.get(field) == (value.isoformat() if value else None)
        period = graph.value(s, DCT.temporal)
        if d.date("temporal.start"):
            assert graph.value(period, DCAT.startDate).toPython() == d.date("temporal.start")
        licence = c.licences.get(d.get("licence"))
        if licence is not None:
            expected = EU_LICENCE + licence.get("eu_code") if licence.get("eu_code") else licence.get("url")
            assert str(graph.value(s, DCT.license)) == expected
            assert j["license"] == licence.get("url")
        distributions = sorted(graph.objects(s, DCAT.distribution))
        public = d.public_distributions()
        assert len(distributions) == len(public) == len(j.get("distribution", []))
        for x, jx in zip(public, j.get("distribution", []), strict=True):
            node = rdflib.URIRef(f"{s}#{policy.distribution_fragment(d, x)}")
            assert node in distributions
            if x.get("download_url"):
                assert str(graph.value(node, DCAT.downloadURL)) == x.get("download_url") == jx["downloadURL"]
            assert str(graph.value(node, DCAT.accessURL)) == (x.get("access_url") or x.get("download_url"))
            if isinstance(x.get("byte_size"), int):
                assert graph.value(node, DCAT.byteSize).toPython() == x.get("byte_size")
            assert jx["title"] == x.get("title.vi")
            if licence is not None:
                assert str(graph.value(node, DCT.license)) == str(graph.value(s, DCT.license))
    text = export.render(c, "ttl", "public").decode("utf-8") + json.dumps(doc, ensure_ascii=False)
    for d in c.datasets:
        for value in d.internal.values():
            assert str(value) not in text
        for x in d.distributions:
            if x.internal:
                assert x.url not in text
        if d.access == "internal":
            assert f"dataset/{d.id}" not in text


@pytest.mark.parametrize("fmt", sorted(export.names()))
def test_export_writes_each_format_atomically(fmt, tmp_path):
    out = tmp_path / "out.bin"
    result = citycat(
        "export", fmt, "-C", str(starter_root()), "--today", TODAY.isoformat(), "--out", str(out)
    )
    assert result.returncode == 0, result.stderr.decode()
    data = out.read_bytes()
    assert data == export.render(load(starter_root()).catalogue, fmt, "public")
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]  # no temporary file left


def test_export_without_out_goes_to_standard_output(tmp_path):
    result = citycat("export", "datajson", "-C", str(starter_root()), "--today", TODAY.isoformat(), "-o", "-")
    assert result.returncode == 0
    assert json.loads(result.stdout)["dataset"]
    # without --out: standard output, and no file dropped in the current folder
    result = citycat(
        "export", "datapackage", "-C", str(starter_root()), "--today", TODAY.isoformat(), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr.decode()
    assert zipfile.ZipFile(io.BytesIO(result.stdout)).namelist()[0] == "datapackage.json"
    assert list(tmp_path.iterdir()) == []
    result = citycat(
        "export", "csv", "--lang", "en", "-C", str(starter_root()), "-o", "-", "--today", TODAY.isoformat()
    )
    assert result.stdout.startswith(b"\xef\xbb\xbfNo.,Dataset,")


def test_export_refuses_a_catalogue_with_errors_and_keeps_the_old_file(make_case, tmp_path):
    root = make_case("reference-missing-agency")
    out = tmp_path / "catalog.ttl"
    out.write_text("old")
    result = citycat("export", "ttl", "-C", str(root), "--out", str(out), "--today", TODAY.isoformat())
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr and b"reference-missing" in result.stderr
    assert out.read_text() == "old"


def test_export_mistakes_get_messages_not_tracebacks(tmp_path):
    for args in (
        ("export", "pdf", "-C", str(starter_root())),
        ("export", "ttl", "-C", str(tmp_path)),
        ("export", "ttl", "-C", str(starter_root()), "-o", str(tmp_path)),
        ("export", "ttl", "-C", str(starter_root()), "-o", str(tmp_path / "missing" / "x.ttl")),
    ):
        result = citycat(*args)
        assert result.returncode == 2, args
        assert b"Traceback" not in result.stderr, args


def test_internal_edition_export_has_everything():
    c = load(starter_root()).catalogue
    text = export.render(c, "ttl", "internal").decode("utf-8")
    assert all(f"dataset/{d.id}" in text for d in c.datasets)
    assert all(x.url in text for d in c.datasets for x in d.distributions if x.internal)


def test_export_writes_files_readable_by_all_whatever_the_umask(tmp_path):
    out = tmp_path / "catalog.ttl"
    out.write_text("old")
    out.chmod(0o600)
    old = os.umask(0o077)
    try:
        result = citycat(
            "export", "ttl", "-C", str(starter_root()), "--today", TODAY.isoformat(), "-o", str(out)
        )
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr.decode()
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
