"""``citycat export FORMAT``: one standard export of the catalogue as a single file.

The bytes are exactly what ``citycat build`` publishes (the same feed modules); the data package
is one zip (``datapackage.json`` and ``data/*.csv``) because a folder cannot go to standard
output, and ``frictionless validate`` reads the zip as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from citycat.model.catalogue import Catalogue

# format: (default file name, what it holds, the bytes of (catalogue, edition, language))
FORMATS: dict[str, tuple[str, str, Callable[[Catalogue, str, str], bytes]]] = {}


def _register() -> None:
    from citycat.feeds import datajson, datapackage, dcat, tables

    FORMATS.update(
        {
            "ttl": ("catalog.ttl", "DCAT-AP 3, Turtle", lambda c, e, lang: dcat.catalog(c, e, "ttl")),
            "rdf": ("catalog.rdf", "DCAT-AP 3, RDF/XML", lambda c, e, lang: dcat.catalog(c, e, "rdf")),
            "jsonld": (
                "catalog.jsonld",
                "DCAT-AP 3, JSON-LD",
                lambda c, e, lang: dcat.catalog(c, e, "jsonld"),
            ),
            "datajson": ("data.json", "DCAT-US 1.1 data.json", lambda c, e, lang: datajson.document(c, e)),
            "datapackage": (
                "datapackage.zip",
                "Frictionless Data Package (zip)",
                lambda c, e, lang: datapackage.zipped(c, e),
            ),
            "csv": (
                "datasets.csv",
                "one row per dataset, UTF-8 with BOM",
                lambda c, e, lang: tables.Sheets(c, e).csv(lang),
            ),
            "xlsx": (
                "datasets.xlsx",
                "datasets and distributions, vi and en sheets",
                lambda c, e, lang: tables.Sheets(c, e).xlsx(),
            ),
        }
    )


_register()


def render(c: Catalogue, fmt: str, edition: str, lang: str = "vi") -> bytes:
    return FORMATS[fmt][2](c, edition, lang if lang in ("vi", "en") else "vi")
