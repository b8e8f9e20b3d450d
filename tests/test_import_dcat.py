"""``citycat import dcat``: the starter catalogue's catalog.ttl over HTTP on loopback, its RDF/XML
and JSON-LD from files, and a DCAT-AP file as another portal (ckanext-dcat) writes it."""

from __future__ import annotations

import pytest

from citycat.source.load import load
from tests.conftest import TODAY
from tests.importing import (
    FolderServer,
    built_site,
    citycat,
    compare,
    empty_catalogue,
    imported,
    public,
    source_catalogue,
)

# What DCAT-AP has no property for in citycat's feed (docs/import.md); RDF has no order, so
# keywords and themes are compared as sets.
LOST = {"data_class", "due", "sharing.methods", "sharing.consumers", "spatial", "frequency"}
UNORDERED = {"keywords.vi", "keywords.en", "themes"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return built_site(tmp_path_factory.mktemp("site") / "public")


@pytest.fixture(scope="module")
def source():
    return source_catalogue()


@pytest.mark.parametrize(
    "name, where", [("catalog.ttl", "url"), ("catalog.rdf", "file"), ("catalog.jsonld", "file")]
)
def test_dcat_round_trip(name, where, site, source, tmp_path):
    target = empty_catalogue(tmp_path / "cat")
    with FolderServer(site) as host:
        location = f"{host.url}/{name}" if where == "url" else str(site / name)
        done = imported("dcat", location, target, "--lang", "en")
    c = load(target).catalogue
    compare(source, c, LOST, UNORDERED)
    for d in public(source):
        t = c.dataset(d.id)
        assert t.get("frequency") == (
            "irregular" if d.get("frequency") == "on_change" else d.get("frequency")
        )
        assert t.items("spatial") == (() if d.items("spatial") == ("01",) else d.items("spatial"))
    # personal data or not (DPV) comes back too, so every entry passes validation
    assert done.returncode == 0, done.stderr
    citycat("validate", "--root", str(target), "--today", TODAY.isoformat(), check=True)
    citycat("fmt", "--check", "--root", str(target), check=True)


FOREIGN = """\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://data.example.vn/dataset/6f1c2a9e-3b1d-4c55-9a0e-1f2b3c4d5e6f> a dcat:Dataset ;
    dct:identifier "6f1c2a9e-3b1d-4c55-9a0e-1f2b3c4d5e6f" ;
    dct:title "Điểm truy cập Internet công cộng" ;
    dct:description "<p>Danh sách các điểm phát <b>Wi-Fi</b> miễn phí do Thành phố quản lý, gồm vị trí, đơn vị vận hành và giờ hoạt động.</p>" ;
    dcat:keyword "wifi", "Internet" ;
    dcat:theme <http://publications.europa.eu/resource/authority/data-theme/TECH> ;
    dct:publisher [ a foaf:Agent ; foaf:name "Trung tâm Chuyển đổi số" ] ;
    dcat:contactPoint [ a vcard:Kind ; vcard:fn "Phòng Hạ tầng" ; vcard:hasEmail <mailto:hatang@example.vn> ] ;
    dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> ;
    dct:license <http://publications.europa.eu/resource/authority/licence/CC_BY_4_0> ;
    dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/MONTHLY> ;
    dct:issued "2025-06-01T08:30:00+07:00"^^xsd:dateTime ;
    dcat:distribution <https://data.example.vn/dataset/6f1c/resource/1> .

<https://data.example.vn/dataset/6f1c/resource/1> a dcat:Distribution ;
    dct:title "Danh sách điểm Wi-Fi" ;
    dcat:accessURL <https://data.example.vn/files/wifi.csv> ;
    dcat:downloadURL <https://data.example.vn/files/wifi.csv> ;
    dcat:mediaType "text/csv" ;
    dcat:byteSize "20480"^^xsd:nonNegativeInteger .
"""


def test_another_portals_dcat_ap(tmp_path):
    target = empty_catalogue(tmp_path / "cat")
    (tmp_path / "other.ttl").write_text(FOREIGN, "utf-8")
    done = imported("dcat", str(tmp_path / "other.ttl"), target, "--lang", "en")
    assert done.returncode == 0, done.stderr
    c = load(target).catalogue
    (d,) = c.datasets
    assert d.id == "diem-truy-cap-internet-cong-cong"  # a UUID makes no id: the title does
    assert d.get("description.vi").startswith("Danh sách các điểm phát Wi-Fi miễn phí")
    assert "<" not in d.get("description.vi")
    assert d.agency == "trung-tam-chuyen-doi-so" and c.agencies[d.agency].get("kind") == "service-center"
    assert c.agencies[d.agency].get("abbreviation") == "TTCDS"
    assert d.themes == ("khoa-hoc-cong-nghe",)  # the city's first theme under the EU theme TECH
    assert (d.access, d.get("licence"), d.get("frequency")) == ("open", "cc-by", "monthly")
    assert d.date("issued").isoformat() == "2025-06-01" and d.get("personal_data") is False
    (x,) = d.distributions
    assert (x.get("format"), x.get("download_url"), x.get("access_url"), x.get("byte_size")) == (
        "CSV", "https://data.example.vn/files/wifi.csv", None, 20480,
    )  # fmt: skip
    assert "HTML removed from 'description.vi'" in done.stderr
    assert "created the agency 'trung-tam-chuyen-doi-so'" in done.stderr
    citycat("validate", "--root", str(target), "--today", TODAY.isoformat(), check=True)


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("bad.ttl", "<a> <b> ", "cannot be read as turtle"),
        ("bad.rdf", "<rdf:RDF><unclosed>", "cannot be read as xml"),
        ("remote.jsonld", '{"@context": "https://example.org/ctx.jsonld", "@id": "x"}', "remote @context"),
        ("bad.jsonld", "{not json", "is not valid JSON-LD"),
    ],
)
def test_malformed_rdf_is_a_clear_error(name, content, expected, tmp_path):
    target = empty_catalogue(tmp_path / "cat")
    before = (target / "datasets.yaml").read_bytes()
    (tmp_path / name).write_text(content, "utf-8")
    done = imported("dcat", str(tmp_path / name), target, "--lang", "en")
    assert done.returncode == 2 and expected in done.stderr and "Traceback" not in done.stderr
    assert (target / "datasets.yaml").read_bytes() == before
