"""``citycat import dcat FILE|URL``: DCAT (DCAT-AP 2/3) in Turtle, RDF/XML, JSON-LD or N-Triples.

Read with rdflib, offline: a JSON-LD document that names a remote ``@context`` is refused rather
than fetched. The inverse of ``citycat.feeds.dcat``: EU vocabularies back to the registers
through their columns (``eu_access_right``, ``eu_frequency``, ``eu_code``, ``eu_file_type``),
the city's theme concepts (``skos:prefLabel``, ``skos:broadMatch`` an EU theme) to themes,
``foaf:Agent`` publishers to agencies, citycat's place IRIs back to codes. Texts keep their
language tags; untagged ones are Vietnamese unless ``--source-lang en``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from citycat.imports.ckan import MEDIA, REF, own_page
from citycat.imports.common import (
    SPATIAL,
    Cleaner,
    Ids,
    ImportError_,
    Mapped,
    Source,
    Target,
    date,
    deep_json,
    finish,
    integer,
    ordered_unique,
    too_deep,
    words,
)
from citycat.imports.datajson import PLACE, own_schema

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ADMS = "http://www.w3.org/ns/adms#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DPV = "https://w3id.org/dpv#"  # the Data Privacy Vocabulary: whether it holds personal data
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SCHEMA_ORG = "http://schema.org/"
EU = "http://publications.europa.eu/resource/authority/"
IANA = re.compile(r"^https?://www\.iana\.org/assignments/media-types/(.+)$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
SYNTAX = {  # rdflib's parser names, by media type and by file extension
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/n-triples": "nt",
    ".ttl": "turtle",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".nt": "nt",
}


def syntax(source: Source, given: str | None = None) -> str:
    if given:
        return given
    name = source.name.split("?")[0].lower()
    for ext in (".ttl", ".rdf", ".xml", ".owl", ".jsonld", ".json", ".nt"):
        if name.endswith(ext):
            return SYNTAX[ext]
    if source.media_type in SYNTAX:
        return SYNTAX[source.media_type]
    head = source.data.lstrip()[:200]
    if head.startswith((b"{", b"[")):
        return "json-ld"
    if head.startswith(b"<"):
        return "xml"
    return "turtle"


def _remote_context(value: Any) -> bool:
    if isinstance(value, dict):
        for key, v in value.items():
            if key == "@context" and (
                isinstance(v, str) or (isinstance(v, list) and any(isinstance(x, str) for x in v))
            ):
                return True
            if _remote_context(v):
                return True
    elif isinstance(value, list):
        return any(_remote_context(v) for v in value)
    return False


def parse(source: Source, given: str | None = None):
    """The RDF graph. Raises ImportError_ when it cannot be read as RDF."""
    import rdflib

    kind = syntax(source, given)
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_(f"{source.name}: không phải UTF-8", f"{source.name}: not UTF-8") from None
    if kind == "json-ld":
        if too_deep(source.data):
            raise deep_json(source.name)
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportError_(
                f"{source.name} không phải JSON-LD hợp lệ: {exc}",
                f"{source.name} is not valid JSON-LD: {exc}",
            ) from None
        if _remote_context(doc):
            raise ImportError_(
                f"{source.name}: JSON-LD dùng @context ở xa; citycat không tải nó (dùng Turtle hoặc RDF/XML)",
                f"{source.name}: the JSON-LD names a remote @context; citycat does not fetch it (use Turtle or RDF/XML)",
            )
    if kind == "xml":
        _no_entities(source.name, text)
    graph = rdflib.Graph()
    try:
        graph.parse(data=text, format=kind, publicID=source.name if "://" in source.name else None)
    except Exception as exc:  # rdflib's parsers raise many kinds; each means "not this syntax"
        reason = str(exc).split("\n")[0][:300] or type(exc).__name__
        raise ImportError_(
            f"{source.name} không đọc được dạng {kind}: {reason}",
            f"{source.name} cannot be read as {kind}: {reason}",
        ) from None
    return graph


def _no_entities(name: str, text: str) -> None:
    """RDF/XML that declares entities is refused before rdflib reads it: nested entities expand
    quadratically or worse (a 1 KB "billion laughs" file keeps a parser busy for minutes) and an
    external one would be fetched. defusedxml's parser finds any declaration, wherever it hides."""
    from xml.etree.ElementTree import ParseError

    import defusedxml
    import defusedxml.ElementTree

    try:
        defusedxml.ElementTree.fromstring(text.encode("utf-8"), forbid_dtd=False, forbid_entities=True)
    except defusedxml.DefusedXmlException:
        raise ImportError_(
            f"{name}: RDF/XML khai báo thực thể XML (<!ENTITY>); citycat không mở rộng chúng "
            "(dùng Turtle, hoặc bỏ phần <!DOCTYPE>)",
            f"{name}: the RDF/XML declares XML entities (<!ENTITY>); citycat does not expand them "
            "(use Turtle, or remove the <!DOCTYPE>)",
        ) from None
    except ParseError:
        pass  # not well-formed: rdflib says where


class _Reader:
    """Small helpers over an rdflib graph: values of a property as IRIs, literals by language."""

    def __init__(self, graph, source_lang: str):
        from rdflib import URIRef

        self.g = graph
        self.U = URIRef
        self.lang = source_lang

    def objects(self, s, p: str) -> list:
        return sorted(self.g.objects(s, self.U(p)), key=str)

    def one(self, s, p: str):
        found = self.objects(s, p)
        return found[0] if found else None

    def iris(self, s, p: str) -> list[str]:
        from rdflib import URIRef

        return [str(o) for o in self.objects(s, p) if isinstance(o, URIRef)]

    def texts(self, s, p: str) -> dict[str, str]:
        """One literal per language (vi, en); an untagged one counts as the source's language."""
        from rdflib import Literal

        out: dict[str, str] = {}
        for o in self.objects(s, p):
            if isinstance(o, Literal):
                lang = (o.language or self.lang).lower()[:2]
                if lang in ("vi", "en") and lang not in out:
                    out[lang] = str(o)
        return out

    def value(self, s, p: str) -> str | None:
        o = self.one(s, p)
        return None if o is None else str(o)


def _tail(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/"))[-1]


def datasets(graph, target: Target, source: str, source_lang: str | None = None) -> Mapped:
    """Entries from every dcat:Dataset of the graph, in the order of their IRIs (pure)."""
    from rdflib import URIRef

    r = _Reader(graph, source_lang or "vi")
    mapped = Mapped(source)
    ids = Ids([])
    subjects = sorted(set(graph.subjects(URIRef(RDF_TYPE), URIRef(DCAT + "Dataset"))), key=str)
    for s in subjects:
        entry = _dataset(r, s, target, ids, mapped)
        if entry is None:
            mapped.skipped += 1
        else:
            mapped.entries.append(entry)
    mapped.agencies, mapped.themes = target.new_agencies, target.new_themes
    return mapped


def _candidates(r: _Reader, s) -> list[str]:
    out = []
    ident = r.value(s, DCT + "identifier")
    if ident and not UUID.match(ident):
        out.append(ident)
    if isinstance(s, r.U) and not UUID.match(_tail(str(s))):
        out.append(_tail(str(s)))
    return out


def _dataset(r: _Reader, s, target: Target, ids: Ids, mapped: Mapped) -> dict | None:
    titles = r.texts(s, DCT + "title")
    candidates = _candidates(r, s)
    new_id = ids.make(*candidates, titles.get("vi"), titles.get("en"))
    if new_id is None:
        return None
    cl = Cleaner(mapped.notes, new_id)
    if candidates and candidates[0] != new_id:
        cl.note("id", "id", candidates[0])
    e: dict[str, Any] = {"id": new_id}
    notation = (
        r.value(r.one(s, ADMS + "identifier"), SKOS + "notation") if r.one(s, ADMS + "identifier") else None
    )
    if notation:
        if REF.match(notation.strip()):
            e["ref"] = notation.strip()
        else:
            cl.note("lost", "ref", notation)
    descriptions = r.texts(s, DCT + "description")
    for lang in ("vi", "en"):
        e[f"title.{lang}"] = cl.text(titles.get(lang), f"title.{lang}")
        e[f"description.{lang}"] = cl.text(descriptions.get(lang), f"description.{lang}", multiline=True)
        e[f"keywords.{lang}"] = words(_keywords(r, s, lang))
    e["agency"] = _publisher(r, r.one(s, DCT + "publisher"), target, cl)
    contact = r.one(s, DCAT + "contactPoint")
    if contact is not None:
        e["contact.name"] = cl.text(r.value(contact, VCARD + "fn"), "contact.name")
        e["contact.email"] = cl.email(r.value(contact, VCARD + "hasEmail"), "contact.email")
    e["themes"] = _themes(r, s, target, cl)
    rights = r.iris(s, DCT + "accessRights")
    if rights:
        e["access"] = target.find("access_levels", _tail(rights[0]))
        if not e["access"]:
            cl.note("unknown", "access", rights[0])
    if DPV + "PersonalData" in r.iris(s, DPV + "hasPersonalData"):
        e["personal_data"] = True
    elif DPV + "NonPersonalData" in r.iris(s, DPV + "hasData"):
        e["personal_data"] = False
    statement = r.one(s, DCT + "rights")
    if statement is not None:
        if _is_literal(statement):
            text = str(statement)
        else:
            label = r.texts(statement, RDFS + "label")
            text = label.get("vi") or label.get("en")
        e["legal_basis"] = cl.text(text, "legal_basis", multiline=True)
    licences = r.iris(s, DCT + "license") or [
        i for d in r.objects(s, DCAT + "distribution") for i in r.iris(d, DCT + "license")
    ]
    if licences:
        e["licence"] = target.licence(_tail(licences[0]) if licences[0].startswith(EU) else None, licences[0])
        if not e["licence"]:
            cl.note("unknown", "licence", licences[0])
    periodicity = r.iris(s, DCT + "accrualPeriodicity")
    if periodicity:
        e["frequency"] = target.find("frequencies", _tail(periodicity[0]))
        if not e["frequency"]:
            cl.note("unknown", "frequency", periodicity[0])
    e["issued"] = date(r.value(s, DCT + "issued"))
    e["modified"] = date(r.value(s, DCT + "modified"))
    codes, lost = [], []
    for place in r.iris(s, DCT + "spatial"):
        m = PLACE.search(place)
        (codes if m and SPATIAL.match(m.group(1)) else lost).append(m.group(1) if m else place)
    if lost:
        cl.note("lost", "spatial", ", ".join(lost))
    e["spatial"] = [] if codes == ["01"] else sorted(codes)
    period = r.one(s, DCT + "temporal")
    if period is not None:
        e["temporal.start"] = date(
            r.value(period, DCAT + "startDate") or r.value(period, SCHEMA_ORG + "startDate")
        )
        e["temporal.end"] = date(r.value(period, DCAT + "endDate") or r.value(period, SCHEMA_ORG + "endDate"))
    for standard in r.iris(s, DCT + "conformsTo"):
        e["schema"] = own_schema(standard, target)
        if not e["schema"]:
            cl.note("schema", "schema", standard)
        break
    name = _tail(str(s))
    pages = [p for p in r.iris(s, DCAT + "landingPage") if not own_page(p, name) and not own_page(p, new_id)]
    if pages:
        e["landing_page"] = cl.url(pages[0], "landing_page")
    e["distributions"] = [
        _distribution(r, d, n, target, cl)
        for n, d in enumerate(_ordered(r.objects(s, DCAT + "distribution")))
    ]
    return finish(e, target, cl)


def _is_literal(node) -> bool:
    from rdflib import Literal

    return isinstance(node, Literal)


def _keywords(r: _Reader, s, lang: str) -> Iterable[str]:
    from rdflib import Literal

    for o in r.objects(s, DCAT + "keyword"):
        if isinstance(o, Literal) and (o.language or r.lang).lower()[:2] == lang:
            yield str(o)


def _ordered(nodes: list) -> list:
    def key(node):
        m = re.search(r"#distribution-(\d+)$", str(node))
        return (0, int(m.group(1)), "") if m else (1, 0, str(node))

    return sorted(nodes, key=key)


def _publisher(r: _Reader, node, target: Target, cl: Cleaner) -> str | None:
    if node is None:
        return None
    if _is_literal(node):
        return target.agency(cl, name_vi=cl.text(str(node), "agency"))
    names = r.texts(node, FOAF + "name")
    key = _tail(str(node)) if isinstance(node, r.U) and "/agency/" in str(node) else None
    return target.agency(
        cl,
        key=key,
        name_vi=cl.text(names.get("vi") or names.get("en"), "agency"),
        name_en=cl.text(names.get("en"), "agency"),
        website=cl.url(next(iter(r.iris(node, FOAF + "homepage")), None), "agency.website"),
        email=cl.email(next(iter(r.iris(node, FOAF + "mbox")), None), "agency.email"),
    )


def _themes(r: _Reader, s, target: Target, cl: Cleaner) -> list[str]:
    concepts, eu_codes = [], []
    for theme in r.iris(s, DCAT + "theme"):
        if theme.startswith(EU + "data-theme/"):
            eu_codes.append(_tail(theme))
        else:
            concepts.append(theme)
    out = []
    for concept in concepts:
        labels = r.texts(r.U(concept), SKOS + "prefLabel")
        eu = [_tail(i) for i in r.iris(r.U(concept), SKOS + "broadMatch") if i.startswith(EU + "data-theme/")]
        found = target.theme(
            cl,
            key=_tail(concept),
            name_vi=cl.text(labels.get("vi") or labels.get("en"), "themes") if labels else None,
            name_en=cl.text(labels.get("en"), "themes"),
            eu_theme=eu[0] if eu else None,
        )
        if found:
            out.append(found)
        else:
            cl.note("lost", "themes", concept)
    if not concepts:
        for code in eu_codes:
            found = target.theme_by_eu(code)
            if found:
                out.append(found)
                cl.note("guess", "themes", f"{code} → {found}")
            else:
                cl.note("lost", "themes", code)
    return ordered_unique(out)


def _distribution(r: _Reader, d, n: int, target: Target, cl: Cleaner) -> dict[str, Any]:
    where = f"distributions[{n}]"
    titles, descriptions = r.texts(d, DCT + "title"), r.texts(d, DCT + "description")
    download = cl.url(next(iter(r.iris(d, DCAT + "downloadURL")), None), f"{where}.download_url")
    access = cl.url(next(iter(r.iris(d, DCAT + "accessURL")), None), f"{where}.access_url")
    if access and access == download:
        access = None  # DCAT-AP makes accessURL mandatory: the feed repeats the download URL
    formats = r.iris(d, DCT + "format")
    literal_format = r.value(d, DCT + "format") if not formats else None
    media_iris = r.iris(d, DCAT + "mediaType")
    media = None
    if media_iris and IANA.match(media_iris[0]):
        media = IANA.match(media_iris[0]).group(1)
    elif r.value(d, DCAT + "mediaType"):
        media = r.value(d, DCAT + "mediaType")
    fmt = target.format(*(_tail(f) for f in formats), literal_format, media, download or access)
    if (formats or literal_format) and not fmt:
        cl.note("unknown", f"{where}.format", (formats or [literal_format])[0])
    out: dict[str, Any] = {
        "title.vi": cl.text(titles.get("vi"), "title.vi"),
        "title.en": cl.text(titles.get("en"), "title.en"),
        "description.vi": cl.text(descriptions.get("vi"), "description.vi", multiline=True),
        "description.en": cl.text(descriptions.get("en"), "description.en", multiline=True),
        "format": fmt,
        "download_url": download,
        "access_url": access,
        "byte_size": integer(r.value(d, DCAT + "byteSize")),
    }
    if not out["title.vi"] and not out["title.en"]:
        out["title.vi"] = fmt
    if media and MEDIA.match(media):
        out["media_type"] = media
    return out
