"""schema.org ``Dataset`` JSON-LD for each dataset page (Google's Dataset rich results).

Only a dataset the edition lists gets one (``policy.described``): the block is what dataset
search engines harvest, and a dataset the public edition does not list is in no machine feed.
The context makes every address an IRI (``"@type": "@id"``), not a text that looks like one: a
bare ``@vocab`` would give ``url``, ``license`` and ``contentUrl`` as plain strings to a JSON-LD
processor (schema.org's own context declares them so)."""

from __future__ import annotations

import json
from typing import Any

from citycat.site.i18n import LANGS

# The schema.org terms whose values are addresses (schema.org's own context types them "@id").
IRI_TERMS = ("url", "license", "contentUrl", "sameAs", "mainEntityOfPage")
CONTEXT: dict[str, Any] = {
    "@vocab": "http://schema.org/",
    **{term: {"@type": "@id"} for term in IRI_TERMS},
}


def dataset(
    view: dict[str, Any], url: str, catalogue_name: str, catalogue_url: str, lang: str
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Dataset",
        "@id": url,
        "name": view["title"],
        "description": view["description"],
        "url": url,
        "identifier": view["id"],
        "inLanguage": lang if lang in LANGS else "vi",
        "keywords": view["keywords"],
        "isAccessibleForFree": bool(view["access"]["open"]),
        "creator": {"@type": "Organization", "name": view["agency"]["name"]},
        "publisher": {"@type": "Organization", "name": view["agency"]["name"]},
        "spatialCoverage": {"@type": "Place", "name": "Hà Nội, Việt Nam"},
        "includedInDataCatalog": {"@type": "DataCatalog", "name": catalogue_name, "url": catalogue_url},
    }
    if view["title_other"]:
        doc["alternateName"] = view["title_other"]
    if view["licence"] and view["licence"]["url"]:
        doc["license"] = view["licence"]["url"]
    if view["modified_iso"]:
        doc["dateModified"] = view["modified_iso"]
    if view["issued_iso"]:
        doc["datePublished"] = view["issued_iso"]
    start, end = view["temporal_start_iso"], view["temporal_end_iso"]
    if start or end:
        doc["temporalCoverage"] = f"{start or '..'}/{end or '..'}"
    downloads = [
        {
            "@type": "DataDownload",
            "name": d["title"],
            "encodingFormat": d["media_type"] or d["format"],
            "contentUrl": d["url"],
        }
        for d in view["distributions"]
        if d["url"]
    ]
    if downloads:
        doc["distribution"] = downloads
    if view["dictionary"]:
        doc["variableMeasured"] = [f["title"] or f["name"] for f in view["dictionary"]]
    return doc


def script_text(doc: dict[str, Any]) -> str:
    """JSON for a <script type="application/ld+json"> block: nothing in it can end the block."""
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
