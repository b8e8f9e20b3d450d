"""DCAT-AP 3: the catalogue as RDF, in Turtle, RDF/XML and JSON-LD.

Files: ``catalog.ttl|.rdf|.jsonld`` (the whole catalogue, in each syntax) and ``dataset/{id}.ttl``
(one dataset with everything it points to that the catalogue itself describes: its agency, the
city's themes, places, licences, media types; in Turtle only, once per dataset). Stable IRIs below the base URL:

    {base}catalog                       dcat:Catalog
    {base}dataset/{id}                  dcat:Dataset (its Turtle file sits beside it: {id}.ttl)
    {base}dataset/{id}#distribution-{n} dcat:Distribution (n: policy.number, its place among
                                        the public ones, from 0; internal ones after them)
    {base}dataset/{id}#contact|#temporal|#rights|#ref   its contact point, period, legal basis, code
    {base}agency/{id}                   foaf:Agent (foaf:Organization) with its ADMS publisher type
    {base}themes, {base}theme/{id}      the city's themes: a skos:ConceptScheme and its concepts
    {base}place/{code}                  dct:Location (01: the city; 5 digits: a commune)
    {base}schemas/{id}.json             the Table Schema (dct:Standard), {base}datasets/{id}/ the page

Code lists map to the EU vocabularies through columns of the registers (``eu_theme``,
``eu_frequency``, ``eu_access_right``, ``eu_code``, ``eu_file_type``, ``media_type``,
``publisher_type``): the rules are data. A pure function of the loaded catalogue; the RDF is
written by ``rdfwrite`` (see there why not by rdflib).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from citycat.feeds import Link, common
from citycat.feeds.rdfwrite import (
    PREFIXES,
    RDF_TYPE,
    Lit,
    Literal,
    Node,
    iri,
    jsonld_block,
    jsonld_document,
    rdfxml_block,
    rdfxml_document,
    turtle_block,
    turtle_document,
)
from citycat.model import policy
from citycat.model.catalogue import Catalogue, Dataset, Record
from citycat.model.policy import PUBLIC, safe_url

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
LANGS = ("vi", "en")

DCAT, DCT, FOAF, VCARD, SKOS, ADMS, RDFS, XSD, DPV = (
    PREFIXES[p] for p in ("dcat", "dct", "foaf", "vcard", "skos", "adms", "rdfs", "xsd", "dpv")
)

# extension: (media type, block writer, document writer)
FORMATS = {
    "ttl": ("text/turtle", turtle_block, turtle_document),
    "rdf": ("application/rdf+xml", rdfxml_block, rdfxml_document),
    "jsonld": ("application/ld+json", jsonld_block, jsonld_document),
}
DATASET_FORMAT = "ttl"  # each dataset's own file: one syntax (the catalogue files have all three)
LINK_KEY = "feed_dcat_ttl"


def _texts(record: Record, name: str) -> list[Literal]:
    return [Lit(record.get(f"{name}.{lang}"), lang) for lang in LANGS if record.get(f"{name}.{lang}")]


def _date(value: dt.date | None) -> Literal | None:
    return Lit(value.isoformat(), datatype=XSD + "date") if value else None


class Model:
    """The catalogue's nodes: the catalog, each dataset's own nodes, and the shared ones."""

    def __init__(self, c: Catalogue, edition: str):
        self.c = c
        self.base = policy.base_url(c)
        self.shared: dict[str, Node] = {}
        self.datasets: list[tuple[Dataset, list[Node], list[str]]] = []
        themes = self.base + "themes"
        t = common.strings(c)
        scheme = Node(themes).add(RDF_TYPE, SKOS + "ConceptScheme")
        for lang in LANGS:
            title = c.settings.get(f"title.{lang}")
            scheme.add(DCT + "title", Lit(f"{title} – {t[lang].get('themes_heading', 'themes')}", lang))
        self.shared[themes] = scheme
        for d in policy.listed_datasets(c, edition):
            own, refs = self._dataset(d, edition)
            self.datasets.append((d, own, refs))
        self.catalog = self._catalog()

    # --- shared nodes: described once, referenced by IRI ------------------------------------

    def agency(self, refs: list[str], agency_id: str) -> str | None:
        a = self.c.agencies.get(agency_id)
        if a is None:
            return None
        website = safe_url(a.get("website"))
        home = self._document(refs, website) if website else None
        kind = self.c.register("agency_kinds").get(a.get("kind"))
        kind_type = kind.get("publisher_type") if kind is not None else None

        def describe(node: Node) -> Node:
            node.add(RDF_TYPE, FOAF + "Agent", FOAF + "Organization").add(FOAF + "name", *_texts(a, "name"))
            node.add(DCT + "type", PUBLISHER_TYPE + iri(kind_type) if kind_type else None)
            node.add(FOAF + "homepage", home)
            return node.add(FOAF + "mbox", iri("mailto:" + a.get("email")) if a.get("email") else None)

        return self._shared(refs, self.base + "agency/" + iri(a.id), describe)

    def _shared(self, refs: list[str], subject: str, make) -> str:
        """``subject``, described once by ``make(node)`` and listed in ``refs``."""
        if subject not in self.shared:
            self.shared[subject] = make(Node(subject))
        if subject not in refs:
            refs.append(subject)
        return subject

    def _document(self, refs: list[str], url: str) -> str:
        return self._shared(refs, iri(url), lambda n: n.add(RDF_TYPE, FOAF + "Document"))

    def theme(self, refs: list[str], theme_id: str) -> list[str]:
        t = self.c.themes.get(theme_id)
        if t is None:
            return []
        eu = EU + "data-theme/" + iri(t.get("eu_theme")) if t.get("eu_theme") else None

        def describe(node: Node) -> Node:
            node.add(RDF_TYPE, SKOS + "Concept").add(SKOS + "prefLabel", *_texts(t, "name"))
            return node.add(SKOS + "inScheme", self.base + "themes").add(SKOS + "broadMatch", eu)

        concept = self._shared(refs, self.base + "theme/" + iri(t.id), describe)
        if self.base + "themes" not in refs:
            refs.append(self.base + "themes")
        return [concept, eu] if eu else [concept]

    def place(self, refs: list[str], code: str) -> str:
        return self._shared(
            refs,
            self.base + "place/" + iri(str(code)),
            lambda n: n.add(RDF_TYPE, DCT + "Location").add(DCT + "identifier", Lit(str(code))),
        )

    def licence(self, refs: list[str], licence_id: str | None) -> str | None:
        record = self.c.licences.get(licence_id) if isinstance(licence_id, str) else None
        if record is None:
            return None
        if record.get("eu_code"):  # described by the EU's licence table
            return EU + "licence/" + iri(record.get("eu_code"))
        url = safe_url(record.get("url"))
        if not url:
            return None
        return self._shared(
            refs,
            iri(url),
            lambda n: n.add(RDF_TYPE, DCT + "LicenseDocument").add(DCT + "title", *_texts(record, "title")),
        )

    def media_type(self, refs: list[str], value: str) -> str | None:
        if not value or "/" not in value:
            return None
        return self._shared(refs, IANA + iri(value), lambda n: n.add(RDF_TYPE, DCT + "MediaType"))

    # --- the catalogue and its datasets -------------------------------------------------------

    def _catalog(self) -> Node:
        c, refs = self.c, []
        node = Node(self.base + "catalog").add(RDF_TYPE, DCAT + "Catalog")
        node.add(DCT + "title", *_texts(c.settings, "title"))
        node.add(DCT + "description", *_texts(c.settings, "description"))
        node.add(DCT + "publisher", self.agency(refs, c.settings.get("publisher")))
        node.add(FOAF + "homepage", self._document(refs, self.base))
        node.add(DCT + "language", *(EU + "language/" + code for code in ("VIE", "ENG")))
        node.add(DCT + "license", self.licence(refs, c.settings.get("licence")))
        node.add(DCAT + "themeTaxonomy", EU + "data-theme", self.base + "themes")
        node.add(DCT + "spatial", self.place(refs, "01"))
        node.add(DCT + "modified", _date(common.newest(d.date("modified") for d, _, _ in self.datasets)))
        node.add(
            DCAT + "dataset",
            *(self.base + common.DATASET_PATH.format(id=iri(d.id)) for d, _, _ in self.datasets),
        )
        return node

    def _dataset(self, d: Dataset, edition: str) -> tuple[list[Node], list[str]]:
        c, refs = self.c, []
        s = self.base + common.DATASET_PATH.format(id=iri(d.id))
        node = Node(s).add(RDF_TYPE, DCAT + "Dataset")
        own = [node]
        node.add(DCT + "identifier", Lit(d.id))
        if d.get("ref"):
            node.add(ADMS + "identifier", s + "#ref")
            own.append(
                Node(s + "#ref").add(RDF_TYPE, ADMS + "Identifier").add(SKOS + "notation", Lit(d.get("ref")))
            )
        node.add(DCT + "title", *_texts(d, "title"))
        node.add(DCT + "description", *_texts(d, "description"))
        for lang in LANGS:
            node.add(DCAT + "keyword", *(Lit(str(k), lang) for k in d.items(f"keywords.{lang}")))
        for theme_id in d.themes:
            node.add(DCAT + "theme", *self.theme(refs, theme_id))
        node.add(DCT + "publisher", self.agency(refs, d.agency))
        if d.get("contact.email") or d.get("contact.name"):
            agency = c.agencies.get(d.agency)
            contact = Node(s + "#contact").add(RDF_TYPE, VCARD + "Organization")
            contact.add(
                VCARD + "fn", Lit(d.get("contact.name") or (agency.text("name") if agency else d.agency))
            )
            if d.get("contact.email"):
                contact.add(VCARD + "hasEmail", iri("mailto:" + d.get("contact.email")))
            node.add(DCAT + "contactPoint", contact.subject)
            own.append(contact)
        level = c.register("access_levels").get(d.access)
        if level is not None and level.get("eu_access_right"):
            node.add(DCT + "accessRights", EU + "access-right/" + iri(level.get("eu_access_right")))
        frequency = c.register("frequencies").get(d.get("frequency"))
        if frequency is not None and frequency.get("eu_frequency"):
            node.add(DCT + "accrualPeriodicity", EU + "frequency/" + iri(frequency.get("eu_frequency")))
        node.add(DCT + "issued", _date(d.date("issued")))
        node.add(DCT + "modified", _date(d.date("modified")))
        for code in d.items("spatial") or ("01",):
            node.add(DCT + "spatial", self.place(refs, code))
        start, end = d.date("temporal.start"), d.date("temporal.end")
        if start or end:
            period = Node(s + "#temporal").add(RDF_TYPE, DCT + "PeriodOfTime")
            period.add(DCAT + "startDate", _date(start)).add(DCAT + "endDate", _date(end))
            node.add(DCT + "temporal", period.subject)
            own.append(period)
        for lang in LANGS:
            page = self.base + policy.page_path(iri(d.id), lang)
            node.add(DCAT + "landingPage", page)
            own.append(Node(page).add(RDF_TYPE, FOAF + "Document"))
        if safe_url(d.get("landing_page")):
            node.add(DCAT + "landingPage", self._document(refs, safe_url(d.get("landing_page"))))
        schema = common.schema_url(c, d)
        if schema:
            node.add(DCT + "conformsTo", iri(schema))
            own.append(Node(iri(schema)).add(RDF_TYPE, DCT + "Standard"))
        licence = self.licence(refs, d.get("licence"))
        node.add(DCT + "license", licence)
        # Whether it holds personal data (the Data Law's question for shared data), with DPV:
        # dpv:hasPersonalData dpv:PersonalData, or dpv:hasData dpv:NonPersonalData.
        if d.get("personal_data") is True:
            node.add(DPV + "hasPersonalData", DPV + "PersonalData")
        elif d.get("personal_data") is False:
            node.add(DPV + "hasData", DPV + "NonPersonalData")
        if d.get("legal_basis"):
            node.add(DCT + "rights", s + "#rights")
            own.append(
                Node(s + "#rights")
                .add(RDF_TYPE, DCT + "RightsStatement")
                .add(RDFS + "label", Lit(d.get("legal_basis"), "vi"))
            )
        formats = c.register("formats")
        for x in policy.distributions(d, edition):
            dist = Node(f"{s}#{policy.distribution_fragment(d, x)}").add(RDF_TYPE, DCAT + "Distribution")
            dist.add(DCT + "title", *_texts(x, "title"))
            dist.add(DCT + "description", *_texts(x, "description"))
            download, access = safe_url(x.get("download_url")), safe_url(x.get("access_url"))
            dist.add(DCAT + "accessURL", iri(access or download))  # mandatory in DCAT-AP
            dist.add(DCAT + "downloadURL", iri(download) if download else None)
            fmt = formats.get(x.get("format"))
            if fmt is not None and fmt.get("eu_file_type"):
                dist.add(DCT + "format", EU + "file-type/" + iri(fmt.get("eu_file_type")))
            dist.add(DCAT + "mediaType", self.media_type(refs, common.media_type(c, x)))
            if isinstance(x.get("byte_size"), int) and x.get("byte_size") >= 0:
                dist.add(DCAT + "byteSize", Lit(str(x.get("byte_size")), datatype=XSD + "nonNegativeInteger"))
            dist.add(DCT + "license", licence)
            node.add(DCAT + "distribution", dist.subject)
            own.append(dist)
        return own, refs


def _documents(model: Model, ext: str, per_dataset: bool = True) -> list[tuple[str, bytes]]:
    """Every file of one format: each node is written once, and the catalogue file is made of
    the same blocks as the per-dataset files."""
    _, block, document = FORMATS[ext]
    shared = {subject: block(node) for subject, node in model.shared.items()}
    out, own_blocks = [], []
    for d, own, refs in model.datasets:
        blocks = [block(n) for n in own]
        own_blocks.extend(blocks)
        if per_dataset:
            text = document([*blocks, *(shared[r] for r in refs)])
            out.append((f"{common.DATASET_PATH.format(id=d.id)}.{ext}", text.encode("utf-8")))
    catalog = document([block(model.catalog), *shared.values(), *own_blocks])
    out.append((f"catalog.{ext}", catalog.encode("utf-8")))
    return out


def files(c: Catalogue, today: dt.date, edition: str) -> Iterator[tuple[str, bytes]]:
    model = Model(c, edition)
    for ext in FORMATS:
        written = _documents(model, ext, per_dataset=ext == DATASET_FORMAT)
        yield from written


def catalog(c: Catalogue, edition: str, ext: str) -> bytes:
    """The whole catalogue in one format (``citycat export ttl|rdf|jsonld``)."""
    return _documents(Model(c, edition), ext, per_dataset=False)[-1][1]


def export(c: Catalogue, fmt: str, edition: str, lang: str) -> bytes:
    """``citycat export ttl|rdf|jsonld``: the catalogue file of that syntax."""
    return catalog(c, edition, fmt)


def dataset_links(c: Catalogue, dataset_id: str) -> list[Link]:
    """A dataset's Turtle file, for datasets that every edition lists (an internal-only dataset's
    page, in the internal edition, links none: the public site has no such files)."""
    d = common.find(c, dataset_id)
    if d is None or not policy.listed(c, d, PUBLIC):
        return []
    path = common.DATASET_PATH.format(id=d.id)
    return [Link(LINK_KEY, f"{path}.{DATASET_FORMAT}", FORMATS[DATASET_FORMAT][0], rel="alternate")]
