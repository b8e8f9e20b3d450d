"""DCAT-AP 3 export: the official SHACL shapes (all five files, offline), the three RDF syntaxes
against rdflib, escaping of hostile text, and what the public edition leaves out."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from citycat.feeds import dcat, rdfwrite
from citycat.source.load import load
from tests.conftest import CASES, ROOT, TODAY, assemble, need_module, starter_root, validators

pyshacl = need_module("pyshacl")

SHAPE_FILES = (
    "shapes.ttl",
    "range.ttl",
    "mdr-vocabularies.shape.ttl",
    "shapes_recommended.ttl",
    "deprecateduris.ttl",
)
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SYNTAX = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")

# The warnings the recommended and code-list shapes give, and why they stay (see docs/mapping.md):
EXPECTED_WARNINGS = {
    "http://data.europa.eu/r5r/availability",  # no planned-availability register yet
    str(DCT.description),  # a distribution without a description in datasets.yaml
    str(DCT.issued),  # the catalogue has no issued date of its own
    str(DCT.license),  # distributions of shared data have no licence
    str(DCT.publisher),  # the city's agencies are not EU corporate bodies
    str(DCT.spatial),  # the city's places are not in the EU/GeoNames tables
    str(DCT.temporal),  # datasets without a period
    str(DCT.type),  # licence documents (EU table, background) without a licence type
    str(DCAT.bbox),  # places without geometry
    str(DCAT.centroid),
    str(DCAT.endDate),  # open-ended periods
    str(DCAT.theme),  # the city's own themes beside the EU data themes
}


@pytest.fixture(scope="session")
def shapes() -> rdflib.Graph:
    g = rdflib.Graph()
    for name in SHAPE_FILES:
        g.parse(validators("dcat-ap-3.0.1") / name)
    return g


def results(data: rdflib.Graph, shapes: rdflib.Graph) -> tuple[list, list]:
    """(violations, warnings) of the DCAT-AP shapes: the report's top-level results."""
    data = data + rdflib.Graph().parse(validators("dcat-ap-3.0.1") / "background.ttl")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="rdfs", allow_warnings=True)
    found = list(report.objects(None, SH.result))
    violations = [r for r in found if report.value(r, SH.resultSeverity) == SH.Violation]
    warnings = [
        str(report.value(r, SH.resultPath)) for r in found if report.value(r, SH.resultSeverity) == SH.Warning
    ]
    messages = [
        f"{report.value(r, SH.focusNode)} {report.value(r, SH.resultPath)}: {report.value(r, SH.resultMessage)}"
        for r in violations
    ]
    return messages, warnings


def export(root: Path, edition: str = "public") -> dict[str, bytes]:
    return dict(dcat.files(load(root).catalogue, TODAY, edition))


@pytest.fixture(scope="module")
def public() -> dict[str, bytes]:
    return export(starter_root())


@pytest.fixture(scope="module")
def internal() -> dict[str, bytes]:
    return export(starter_root(), "internal")


def parse(data: bytes, ext: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=data, format=SYNTAX[ext])


def test_starter_catalogue_has_zero_violations(public, shapes):
    violations, warnings = results(parse(public["catalog.ttl"], "ttl"), shapes)
    assert violations == []
    assert set(warnings) <= EXPECTED_WARNINGS, set(warnings) - EXPECTED_WARNINGS


def test_each_dataset_file_stands_alone_and_conforms(public, shapes):
    c = load(starter_root()).catalogue
    graph = rdflib.Graph()
    for path, data in public.items():
        if path.startswith("dataset/") and path.endswith(".ttl"):
            graph += parse(data, "ttl")
    violations, _ = results(graph, shapes)
    assert violations == []
    datasets = set(graph.subjects(rdflib.RDF.type, DCAT.Dataset))
    assert len(datasets) == sum(1 for d in c.datasets if d.access != "internal")


def test_the_validator_is_not_blind(public, shapes):
    """A dataset without its mandatory description, or with a made-up frequency, is reported."""
    graph = parse(public["catalog.ttl"], "ttl")
    dataset = next(graph.subjects(rdflib.RDF.type, DCAT.Dataset))
    graph.remove((dataset, DCT.description, None))
    graph.set((dataset, DCT.accrualPeriodicity, rdflib.URIRef("http://example.org/sometimes")))
    violations, _ = results(graph, shapes)
    assert any("description" in v for v in violations)
    assert any("accrualPeriodicity" in v for v in violations)


def test_three_syntaxes_hold_the_graph_rdflib_builds_from_the_same_nodes(public):
    c = load(starter_root()).catalogue
    model = dcat.Model(c, "public")
    nodes = [model.catalog, *model.shared.values(), *(n for _, own, _ in model.datasets for n in own)]
    reference = rdfwrite.graph(nodes)
    assert len(reference) > 2000
    for ext in SYNTAX:
        got = parse(public[f"catalog.{ext}"], ext)
        assert set(got) == set(reference), ext
    some = next(d for d, _, _ in model.datasets if d.get("temporal.start"))
    own = parse(public[f"dataset/{some.id}.ttl"], "ttl")
    assert set(own) <= set(reference)
    subject = rdflib.URIRef(f"https://dulieu.hanoi.gov.vn/dataset/{some.id}")
    assert set(own.triples((subject, None, None))) == set(reference.triples((subject, None, None)))
    # each dataset's own file once, in Turtle: the catalogue files keep all three syntaxes
    assert not [p for p in public if p.startswith("dataset/") and p.endswith((".rdf", ".jsonld"))]


def test_hostile_text_survives_every_syntax(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    text = (root / "datasets.yaml").read_text("utf-8")
    nasty = 'Bảng "giá" \\ đất <b>&amp; </rdf:RDF> """ \' }} @vi ; . # đ'
    first_title = text.split("vi: ", 1)[1].split("\n", 1)[0]
    root.joinpath("datasets.yaml").write_text(
        text.replace(first_title, '"' + nasty.replace("\\", "\\\\").replace('"', '\\"') + '"', 1), "utf-8"
    )
    c = load(root).catalogue
    assert c.datasets[0].get("title.vi") == nasty
    out = dict(dcat.files(c, TODAY, "public"))
    for ext in SYNTAX:
        titles = {str(o) for o in parse(out[f"catalog.{ext}"], ext).objects(None, DCT.title)}
        assert nasty in titles, ext


def test_iri_cleans_what_no_iri_may_hold():
    assert rdfwrite.iri('https://x.vn/a b"<c>') == "https://x.vn/a%20b%22%3Cc%3E"
    assert rdfwrite.iri("https://x.vn/đường") == "https://x.vn/đường"  # IRIs keep Unicode


def test_mapping_uses_the_registers(public):
    graph = parse(public["catalog.ttl"], "ttl")
    c = load(starter_root()).catalogue
    base = "https://dulieu.hanoi.gov.vn/"
    d = next(d for d in c.datasets if d.access == "open" and d.get("licence") == "cc-by")
    s = rdflib.URIRef(f"{base}dataset/{d.id}")
    eu = "http://publications.europa.eu/resource/authority/"
    assert (s, DCT.accessRights, rdflib.URIRef(eu + "access-right/PUBLIC")) in graph
    frequency = c.register("frequencies")[d.get("frequency")].get("eu_frequency")
    assert (s, DCT.accrualPeriodicity, rdflib.URIRef(eu + "frequency/" + frequency)) in graph
    themes = set(graph.objects(s, DCAT.theme))
    for t in d.themes:
        assert rdflib.URIRef(f"{base}theme/{t}") in themes
        assert rdflib.URIRef(eu + "data-theme/" + c.themes[t].get("eu_theme")) in themes
    dist = next(graph.objects(s, DCAT.distribution))
    assert (dist, DCT.license, rdflib.URIRef(eu + "licence/CC_BY_4_0")) in graph
    media = next(graph.objects(dist, DCAT.mediaType))
    assert str(media).startswith("https://www.iana.org/assignments/media-types/")
    assert (media, rdflib.RDF.type, DCT.MediaType) in graph
    assert {o.language for o in graph.objects(s, DCT.title)} == {"vi", "en"}
    assert any(o.datatype == rdflib.XSD.date for o in graph.objects(s, DCT.modified))


def test_public_edition_leaves_internal_datasets_and_distributions_out(public, internal):
    c = load(starter_root()).catalogue
    hidden = [d for d in c.datasets if d.access == "internal"]
    secret_urls = [x.url for d in c.datasets for x in d.distributions if x.internal]
    assert hidden and secret_urls
    text = b"".join(public.values()).decode("utf-8")
    for d in hidden:
        assert f"dataset/{d.id}" not in text
        assert f"dataset/{d.id}.ttl" not in public
    for url in secret_urls:
        assert url not in text
    everything = b"".join(internal.values()).decode("utf-8")
    assert all(f"dataset/{d.id}" in everything for d in hidden)
    assert all(url in everything for url in secret_urls)


def test_dataset_links_point_to_files_that_exist(public):
    c = load(starter_root()).catalogue
    for d in c.datasets:
        links = dcat.dataset_links(c, d.id)
        if d.access == "internal":
            assert links == []
            continue
        assert [(link.type, link.rel) for link in links] == [("text/turtle", "alternate")]
        assert all(link.path in public for link in links)


@pytest.fixture(scope="session")
def generated_1000(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "1000"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "1000", str(out)],
        check=True,
        capture_output=True,
    )
    return out


@pytest.mark.slow
def test_generated_1000_dataset_catalogue_has_zero_violations(generated_1000, shapes):
    """The slow one (~40 s): the full shapes on a 1,000-dataset catalogue (about 60,000 triples)."""
    c = load(generated_1000).catalogue
    assert len(c.datasets) == 1000
    data = dcat.catalog(c, "public", "ttl")
    graph = parse(data, "ttl")
    assert len(set(graph.subjects(rdflib.RDF.type, DCAT.Dataset))) == 1000
    violations, warnings = results(graph, shapes)
    assert violations == []
    assert set(warnings) <= EXPECTED_WARNINGS


def test_files_are_a_pure_function_of_the_catalogue(public):
    again = export(starter_root())
    assert again == public
    assert dcat.catalog(load(starter_root()).catalogue, "public", "ttl") == public["catalog.ttl"]
    # the date does not enter the RDF: the same bytes on another day
    assert dict(dcat.files(load(starter_root()).catalogue, TODAY + dt.timedelta(days=30), "public")) == public


def test_a_dataset_page_announces_its_turtle_in_its_head(tmp_path):
    # harvesters that start from the page find the DCAT record by <link rel="alternate">
    from citycat.pipeline.build import build

    c = load(starter_root()).catalogue
    d = next(d for d in c.datasets if d.access == "open")
    out = build(starter_root(), tmp_path / "site", TODAY).out
    head = (out / "datasets" / d.id / "index.html").read_text("utf-8").split("</head>")[0]
    assert f'<link rel="alternate" type="text/turtle" href="../../dataset/{d.id}.ttl">' in head
    assert (out / "dataset" / f"{d.id}.ttl").is_file()
