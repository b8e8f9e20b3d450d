"""A small RDF writer: Turtle, RDF/XML and JSON-LD from plain node descriptions.

Why not rdflib's serializers: on a 10,000-dataset catalogue (about 500,000 triples) rdflib takes
~9 s to build the graph and ~6 min to write Turtle (measured; RDF/XML 5 s, JSON-LD 11 s), and the
site wants every dataset in three formats besides. The catalogue's graph has no blank nodes and a
fixed shape, so each node is written once per format as a text block; the catalogue file and the
per-dataset files are made of the same blocks. The tests parse every output with rdflib and
compare it, triple for triple, with the graph that ``graph()`` builds with rdflib from the same
nodes, and run the DCAT-AP SHACL shapes on it.

A node is its subject IRI and an ordered list of (predicate IRI, object); an object is an IRI
(``str``) or a literal (``Lit``). IRIs are cleaned by ``iri()`` when nodes are made, so all three formats
write the same IRI; literal text is escaped by each writer for its own syntax.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring as _json  # a JSON string, non-ASCII kept

from citycat.model.chars import xml_safe

PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "adms": "http://www.w3.org/ns/adms#",
    "dcatap": "http://data.europa.eu/r5r/",
    "dpv": "https://w3id.org/dpv#",  # the W3C DPV CG's Data Privacy Vocabulary: personal data or not
}
RDF_TYPE = PREFIXES["rdf"] + "type"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
# Characters an IRI may not hold in Turtle (IRIREF) or that would need escaping elsewhere.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f\ud800-\udfff\ufffe\uffff]')


Literal = tuple[str, str, str]  # (text, language tag or "", datatype IRI or "")


def Lit(value: str, lang: str = "", datatype: str = "") -> Literal:  # noqa: N802 - reads like a type
    """A literal: plain tuples, so that a node of 50 values costs little to make."""
    return (value, lang, datatype)


def iri(value: str) -> str:
    """``value`` with every character an IRI cannot hold percent-encoded (UTF-8)."""
    return _NOT_IN_IRI.sub(
        lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8", "surrogatepass")), value
    )


def qname(value: str) -> tuple[str, str] | None:
    """(prefix, local name) when ``value`` is in one of PREFIXES' namespaces, else None."""
    found = _QNAMES.get(value, False)
    return _qname(value) if found is False else found


_QNAMES: dict[str, tuple[str, str] | None] = {}


def _qname(value: str) -> tuple[str, str] | None:
    found = None
    for prefix, ns in PREFIXES.items():
        if value.startswith(ns) and _NAME.match(value[len(ns) :]):
            found = (prefix, value[len(ns) :])
            break
    _QNAMES[value] = found
    return found


def curie(value: str) -> str:
    """ "prefix:local" for an IRI in PREFIXES' namespaces, else the IRI itself (remembered)."""
    name = _CURIES.get(value)
    if name is None:
        found = qname(value)
        name = _CURIES[value] = f"{found[0]}:{found[1]}" if found else value
    return name


_CURIES: dict[str, str] = {}


class Node:
    """A subject and its (predicate → objects) in the order they were added, without repeats."""

    __slots__ = ("subject", "props", "_seen")

    def __init__(self, subject: str):
        self.subject = subject
        self.props: dict[str, list[str | Literal]] = {}
        self._seen: set[tuple[str, str | Literal]] = set()

    def add(self, predicate: str, *objects: str | Literal | None) -> Node:
        """Add ``predicate`` with each object that is not None or empty."""
        for obj in objects:
            if not obj or (type(obj) is tuple and not obj[0]) or (predicate, obj) in self._seen:
                continue
            self._seen.add((predicate, obj))
            self.props.setdefault(predicate, []).append(obj)
        return self

    def triples(self) -> Iterator[tuple[str, str, str | Literal]]:
        for predicate, objects in self.props.items():
            for obj in objects:
                yield self.subject, predicate, obj


# ---------------------------------------------------------------------------------------------
# Turtle


def _ttl_string(value: str) -> str:
    return (
        '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'
    )


def _ttl_object(obj: str | Literal) -> str:
    if type(obj) is tuple:
        value, lang, datatype = obj
        text = _ttl_string(value)
        if lang:
            return f"{text}@{lang}"
        return f"{text}^^{_ttl_name(datatype)}" if datatype else text
    return f"<{obj}>"


def _ttl_name(value: str) -> str:
    name = curie(value)
    return name if name != value else f"<{value}>"


def turtle_block(node: Node) -> str:
    parts = []
    for predicate, objects in node.props.items():
        if predicate == RDF_TYPE:
            parts.append("    a " + ", ".join([_ttl_name(o) for o in objects if type(o) is str]))
        else:
            parts.append(f"    {_ttl_name(predicate)} " + ", ".join([_ttl_object(o) for o in objects]))
    return f"<{node.subject}>\n" + " ;\n".join(parts) + " .\n"


_TTL_HEAD = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + "\n"


def turtle_document(blocks: Iterable[str]) -> str:
    return _TTL_HEAD + "\n".join(blocks)


# ---------------------------------------------------------------------------------------------
# RDF/XML


def _xml_text(value: str) -> str:
    """Literal text in RDF/XML; what XML 1.0 cannot carry becomes U+FFFD (validation refuses it,
    ``text-control``: a second lock)."""
    return (
        xml_safe(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def rdfxml_block(node: Node) -> str:
    """One rdf:Description. IRIs hold no '<', '>', '"' or spaces (``iri()``): only '&' is escaped."""
    lines = [f'  <rdf:Description rdf:about="{node.subject.replace("&", "&amp;")}">\n']
    for predicate, objects in node.props.items():
        tag = curie(predicate)
        if tag == predicate:  # every predicate citycat writes is in PREFIXES
            raise ValueError(f"no prefix for predicate {predicate}")
        for obj in objects:
            if type(obj) is tuple:
                value, lang, datatype = obj
                if datatype:
                    attr = f' rdf:datatype="{datatype}"'
                else:
                    attr = f' xml:lang="{lang}"' if lang else ""
                lines.append(f"    <{tag}{attr}>{_xml_text(value)}</{tag}>\n")
            else:
                lines.append(f'    <{tag} rdf:resource="{obj.replace("&", "&amp;")}"/>\n')
    lines.append("  </rdf:Description>\n")
    return "".join(lines)


_XML_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF'
    + "".join(f'\n    xmlns:{p}="{ns}"' for p, ns in PREFIXES.items())
    + ">\n"
)


def rdfxml_document(blocks: Iterable[str]) -> str:
    return _XML_HEAD + "".join(blocks) + "</rdf:RDF>\n"


# ---------------------------------------------------------------------------------------------
# JSON-LD (flattened: one node object per subject, compact IRIs from an inline context)

CONTEXT = dict(PREFIXES)


def _jsonld_object(obj: str | Literal) -> str:
    if type(obj) is tuple:
        value, lang, datatype = obj
        if lang:
            return '{"@value":' + _json(value) + ',"@language":' + _json(lang) + "}"
        if datatype:
            return '{"@value":' + _json(value) + ',"@type":' + _json(curie(datatype)) + "}"
        return '{"@value":' + _json(value) + "}"
    return '{"@id":' + _json(obj) + "}"


def jsonld_block(node: Node) -> str:
    """One node object, written as text (json.dumps of a dict per node costs twice as much)."""
    parts = ['{"@id":' + _json(node.subject)]
    for predicate, objects in node.props.items():
        if predicate == RDF_TYPE:
            parts.append('"@type":[' + ",".join([_json(curie(o)) for o in objects if type(o) is str]) + "]")
        else:
            parts.append(
                _json(curie(predicate)) + ":[" + ",".join([_jsonld_object(o) for o in objects]) + "]"
            )
    return ",".join(parts) + "}"


_JSONLD_HEAD = '{"@context":' + json.dumps(CONTEXT, separators=(",", ":")) + ',"@graph":[\n'


def jsonld_document(blocks: Iterable[str]) -> str:
    return _JSONLD_HEAD + ",\n".join(blocks) + "\n]}\n"


# ---------------------------------------------------------------------------------------------
# The same nodes as an rdflib graph (the reference the tests compare the writers with)


def graph(nodes: Iterable[Node]):
    import rdflib

    g = rdflib.Graph()
    for node in nodes:
        s = rdflib.URIRef(node.subject)
        for _, predicate, obj in node.triples():
            if type(obj) is tuple:
                o = rdflib.Literal(
                    obj[0],
                    lang=obj[1] or None,
                    datatype=rdflib.URIRef(obj[2]) if obj[2] else None,
                )
            else:
                o = rdflib.URIRef(obj)
            g.add((s, rdflib.URIRef(predicate), o))
    return g
