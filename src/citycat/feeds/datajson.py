"""data.json: the catalogue in the Project Open Data metadata schema (DCAT-US 1.1, non-federal).

Read by data.gov-style harvesters: DKAN (Ho Chi Minh City's portal), ckanext-datajson, Socrata.
One file at the site's root, in the list's own language (Vietnamese). Mapping rules are data:
``accessLevel`` from ``access_levels.datajson``, ``accrualPeriodicity`` from
``frequencies.iso8601`` (``irregular`` when the register gives no period), ``license`` the
licence's URL. ``identifier`` is the dataset's DCAT IRI, so both feeds name it the same way.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from citycat.feeds import Link, common
from citycat.model import policy
from citycat.model.catalogue import Catalogue, Dataset
from citycat.model.policy import safe_url

PATH = "data.json"
SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
RIGHTS_MAX = 255  # the schema's limit for "rights"


def _rights(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= RIGHTS_MAX else text[: RIGHTS_MAX - 1].rstrip() + "…"


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def dataset(c: Catalogue, d: Dataset, edition: str) -> dict[str, Any]:
    base = policy.base_url(c)
    agency = c.agencies.get(d.agency)
    agency_name = agency.text("name", "vi") if agency else d.agency
    level = c.register("access_levels").get(d.access)
    frequency = c.register("frequencies").get(d.get("frequency"))
    licence = c.licences.get(d.get("licence")) if isinstance(d.get("licence"), str) else None
    formats = c.register("formats")
    contact: dict[str, str] = {"@type": "vcard:Contact", "fn": d.get("contact.name") or agency_name}
    if d.get("contact.email"):
        contact["hasEmail"] = "mailto:" + d.get("contact.email")
    out: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "identifier": base + common.DATASET_PATH.format(id=d.id),
        "title": d.text("title", "vi"),
        "description": d.text("description", "vi"),
        "keyword": list(d.items("keywords.vi")),
        "issued": _iso(d.date("issued")),
        "modified": _iso(d.date("modified")),
        "publisher": {"@type": "org:Organization", "name": agency_name},
        "contactPoint": contact,
        "accessLevel": level.get("datajson") if level is not None else "non-public",
        "rights": _rights(d.get("legal_basis")) if d.get("legal_basis") else None,
        # an extension field (the schema allows others): whether it holds personal data
        "personalData": d.get("personal_data") if isinstance(d.get("personal_data"), bool) else None,
        "license": safe_url(licence.get("url")) if licence is not None else None,
        "spatial": ", ".join(base + "place/" + str(code) for code in (d.items("spatial") or ("01",))),
        "accrualPeriodicity": (frequency.get("iso8601") if frequency is not None else None) or "irregular",
        "language": ["vi"],
        "theme": [c.themes[t].text("name", "vi") for t in d.themes if t in c.themes] or None,
        "landingPage": policy.page_url(c, d.id),
        "describedBy": common.schema_url(c, d) or None,
        "describedByType": "application/json" if common.has_schema(c, d) else None,
    }
    start, end = d.date("temporal.start"), d.date("temporal.end")
    if start and end:  # the schema takes only a closed interval
        out["temporal"] = f"{start.isoformat()}/{end.isoformat()}"
    distributions = []
    for x in policy.distributions(d, edition):
        fmt = formats.get(x.get("format"))
        item: dict[str, Any] = {"@type": "dcat:Distribution", "title": x.text("title", "vi")}
        if x.get("description.vi"):
            item["description"] = x.get("description.vi")
        download, access = safe_url(x.get("download_url")), safe_url(x.get("access_url"))
        if download:
            item["downloadURL"] = download
        if access:
            item["accessURL"] = access
        if common.media_type(c, x):
            item["mediaType"] = common.media_type(c, x)
        item["format"] = x.get("format") or (fmt.label("vi") if fmt else None)
        if download and common.has_schema(c, d) and fmt is not None and fmt.get("tabular") is True:
            item["describedBy"] = common.schema_url(c, d)
            item["describedByType"] = "application/json"
        distributions.append({k: v for k, v in item.items() if v})
    if distributions:
        out["distribution"] = distributions
    return {k: v for k, v in out.items() if v not in (None, [], "")}


def catalog(c: Catalogue, edition: str) -> dict[str, Any]:
    return {
        "@context": SCHEMA + "/catalog.jsonld",
        "@id": policy.base_url(c) + PATH,
        "@type": "dcat:Catalog",
        "conformsTo": SCHEMA,
        "describedBy": SCHEMA + "/catalog.json",
        "dataset": [dataset(c, d, edition) for d in policy.listed_datasets(c, edition)],
    }


def document(c: Catalogue, edition: str) -> bytes:
    data = catalog(c, edition)
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def export(c: Catalogue, fmt: str, edition: str, lang: str) -> bytes:
    return document(c, edition)


def files(c: Catalogue, today: dt.date, edition: str) -> Iterator[tuple[str, bytes]]:
    yield PATH, document(c, edition)


def dataset_links(c: Catalogue, dataset_id: str) -> list[Link]:
    """None: data.json is one file for the whole catalogue (each DCAT file describes one dataset)."""
    return []
