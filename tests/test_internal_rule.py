"""One rule for internal datasets (access ``internal``, *dữ liệu dùng riêng*) in every output file
of a public build (issue 17, ``policy``: "Named, not offered", docs/mapping.md).

Named where people read the list: the dataset's own pages, the dataset list, its agency's and
themes' pages, the printable list (``list/``), the site's search index, the sitemap and the Atom
feed of pages. Never offered: no distribution address anywhere, no schema.org JSON-LD. Absent
from every machine feed (CKAN API, DCAT, data.json, data package, CSV, XLSX) and from every other
file."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
import rdflib

from citycat.model import policy
from citycat.pipeline.build import build
from citycat.site import jsonld
from citycat.source.load import load
from tests.conftest import TODAY, starter_root


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> tuple[Path, object]:
    root = starter_root()
    out = tmp_path_factory.mktemp("internal-rule") / "public"
    build(root, out, TODAY)
    return out, load(root).catalogue


def _texts(data: bytes) -> list[bytes]:
    """A file's bytes, or each member's of a zip (data package, XLSX)."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [z.read(n) for n in z.namelist()]
    return [data]


def _found(data: bytes, ids: set[str]) -> set[str]:
    texts = _texts(data)
    return {
        i
        for i in ids
        if any(re.search(rb"(?<![a-z0-9-])" + re.escape(i.encode()) + rb"(?![a-z0-9-])", t) for t in texts)
    }


def _expected(rel: str, c, internal: set[str]) -> tuple[set[str], bool]:
    """The internal ids the rule lets ``rel`` name, and whether it must name all of them."""
    path = rel.removeprefix("en/")
    by_agency = {d.agency: set() for d in c.datasets}
    by_theme: dict[str, set[str]] = {}
    for d in c.datasets:
        if d.id in internal:
            by_agency[d.agency].add(d.id)
            for t in d.themes:
                by_theme.setdefault(t, set()).add(d.id)
    if m := re.fullmatch(r"datasets/([^/]+)/index\.html", path):
        own = {m.group(1)} & internal
        return own, True  # its own page: itself, nothing else
    if re.fullmatch(r"datasets/(page/\d+/)?index\.html", path):
        return internal, False  # the dataset list (all of them across its pages)
    if path in ("list/index.html", "search-index.json", "sitemap.xml"):
        return internal, True  # the printable list, the site's search, the site's pages
    if path == "feed.atom":
        return internal, False  # the newest 50 pages
    if m := re.fullmatch(r"agencies/([^/]+)/(page/\d+/)?index\.html", path):
        return by_agency.get(m.group(1), set()), m.group(2) is None
    if m := re.fullmatch(r"themes/([^/]+)/(page/\d+/)?index\.html", path):
        return by_theme.get(m.group(1), set()), m.group(2) is None
    return set(), True  # machine feeds and everything else: none


def test_every_output_file_follows_the_rule(public):
    out, c = public
    internal = {d.id for d in c.datasets if not policy.listed(c, d, policy.PUBLIC)}
    assert len(internal) >= 3  # the fixture has internal datasets to look for
    seen: dict[str, set[str]] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        seen[rel] = _found(path.read_bytes(), internal)
    wrong = {}
    for rel, found in seen.items():
        allowed, all_of_them = _expected(rel, c, internal)
        if not found <= allowed or (all_of_them and found != allowed):
            wrong[rel] = (sorted(found), sorted(allowed))
    assert not wrong, wrong
    # the machine feeds are there, and none of them names an internal dataset
    feeds = [
        "catalog.ttl",
        "catalog.rdf",
        "catalog.jsonld",
        "data.json",
        "datasets.csv",
        "datasets.xlsx",
        "datapackage.json",
        "api/3/action/package_search",
        "api/3/action/package_list",
    ]
    for rel in feeds:
        assert rel in seen and seen[rel] == set(), rel
    assert not [r for r in seen if r.startswith(("api/", "dataset/", "data/", "schemas/")) and seen[r]]
    # the list pages name every internal dataset between them
    lists = set().union(*(f for r, f in seen.items() if re.fullmatch(r"datasets/(page/\d+/)?index\.html", r)))
    assert lists == internal


def test_named_with_agency_and_legal_basis_never_offered(public):
    out, c = public
    internal = [d for d in c.datasets if not policy.listed(c, d, policy.PUBLIC)]
    addresses = {
        x.get(k)
        for d in internal
        for x in d.distributions
        for k in ("access_url", "download_url")
        if x.get(k)
    }
    assert addresses  # the fixture's internal datasets have distributions with addresses
    for path in (p for p in out.rglob("*") if p.is_file()):
        texts = _texts(path.read_bytes())
        for a in addresses:
            assert not any(a.encode() in t for t in texts), (path, a)
    annex = (out / "list" / "index.html").read_text("utf-8")
    for d in internal:
        for lang in ("vi", "en"):
            page = (out / policy.page_path(d.id, lang) / "index.html").read_text("utf-8")
            assert "application/ld+json" not in page  # no Dataset JSON-LD for it
            assert d.text("title", lang) in page.replace("&#34;", '"')
            assert c.agencies[d.agency].text("name", lang) in page
            if d.get("legal_basis"):
                assert d.get("legal_basis") in page
        row = re.search(rf'<tr data-id="{re.escape(d.id)}">.*?</tr>', annex, re.S)
        assert row and c.agencies[d.agency].text("name", "vi") in row.group()
        if d.get("legal_basis"):
            assert d.get("legal_basis") in row.group()
    index = json.loads((out / "search-index.json").read_text("utf-8"))
    assert {d.id for d in internal} <= set(re.findall(r"[a-z0-9-]+", json.dumps(index)))


def test_page_jsonld_gives_addresses_as_iris(public):
    out, c = public
    listed = [d for d in c.datasets if policy.listed(c, d, policy.PUBLIC)]
    graph = rdflib.Graph()
    for d in listed:
        page = (out / policy.page_path(d.id) / "index.html").read_text("utf-8")
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        assert block, d.id
        assert json.loads(block.group(1))["@context"] == jsonld.CONTEXT
        graph.parse(data=block.group(1), format="json-ld")
    s = rdflib.Namespace("http://schema.org/")
    for term in ("url", "license", "contentUrl"):
        values = list(graph.objects(None, s[term]))
        assert values, term  # the fixture has each
        assert all(isinstance(v, rdflib.URIRef) for v in values), (term, values[:3])


def test_sameas_is_an_iri_too():
    doc = {"@context": jsonld.CONTEXT, "@id": "https://x.example/d", "sameAs": "https://y.example/d"}
    graph = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    assert list(graph.objects(None, rdflib.URIRef("http://schema.org/sameAs"))) == [
        rdflib.URIRef("https://y.example/d")
    ]
