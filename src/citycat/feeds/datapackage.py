"""The catalogue itself as a Frictionless Data Package, and each dataset's Table Schema.

``datapackage.json`` at the site's root describes the catalogue's normalised tables (the ones
``citycat validate`` checks, from ``citycat.source.tables``), each written as ``data/{table}.csv``
(UTF-8, RFC 4180) with its Table Schema inline and its foreign keys, so that
``frictionless validate datapackage.json`` checks the whole published list, registers included.
Rows of datasets an edition does not list (and their themes, keywords, distributions…) and
internal distributions are left out of the public edition, like everywhere else; a distribution's
``position`` is its number among the public ones (``policy.number``), so no gap shows where one was.

``schemas/{id}.json``: the data dictionary (Table Schema) of every listed dataset that has one,
at a stable URL named after the dataset (the DCAT ``dct:conformsTo`` and data.json
``describedBy`` point there).

``citycat export datapackage`` writes the same files as one zip (``datapackage.json`` at its
root), which ``frictionless validate`` reads as it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

from citycat.feeds import Link, common
from citycat.model import policy
from citycat.model.catalogue import Catalogue, Dataset, Distribution
from citycat.model.policy import PUBLIC, safe_url
from citycat.source.tables import Table, build_tables

PATH = "datapackage.json"
DATA = "data/{name}.csv"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed entry dates: the same catalogue gives the same zip


def _keep(c: Catalogue, record: Any, edition: str, listed: dict[str, bool]) -> bool:
    if isinstance(record, Dataset):
        return listed.get(record.id, False)
    if isinstance(record, Distribution):
        return listed.get(record.dataset_id, False) and policy.shown(record, edition)
    return True


def _numbered(c: Catalogue, table: Table, row: list[Any], record: Any) -> list[Any]:
    """A distribution's row with its ``position`` as every output numbers it (``policy.number``:
    among the public ones first), not its place in the entry, which would tell where an internal
    distribution was left out."""
    if not isinstance(record, Distribution) or "position" not in table.generated:
        return row
    d = c.dataset(record.dataset_id)
    if d is None:
        return row
    row = list(row)
    row[table.header.index("position")] = policy.number(d, record)
    return row


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _csv(table: Table, rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows([_text(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def package(c: Catalogue, edition: str) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """The descriptor and the CSV files it names."""
    listed = {d.id: policy.listed(c, d, edition) for d in c.datasets}
    resources, data = [], []
    for table in build_tables(c):
        rows = [
            _numbered(c, table, row, source.record)
            for row, source in zip(table.rows, table.sources, strict=True)
            if _keep(c, source.record, edition, listed)
        ]
        path = DATA.format(name=table.name)
        data.append((path, _csv(table, rows)))
        resources.append(
            {
                "name": table.name,
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": dict(table.schema),
            }
        )
    s = c.settings
    descriptor: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": s.id or "citycat-catalogue",
        "title": s.text("title", "vi"),
        "description": s.text("description", "vi"),
        "homepage": policy.base_url(c),
        "version": "",
        "resources": resources,
    }
    licence = c.licences.get(s.get("licence")) if isinstance(s.get("licence"), str) else None
    if licence is not None and safe_url(licence.get("url")):
        descriptor["licenses"] = [
            {"name": licence.id, "path": safe_url(licence.get("url")), "title": licence.text("title", "vi")}
        ]
    newest = common.newest(d.date("modified") for d in policy.listed_datasets(c, edition))
    if newest:
        descriptor["version"] = newest.isoformat()  # the list as of its newest change
    return {k: v for k, v in descriptor.items() if v not in (None, "")}, data


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def table_schemas(c: Catalogue, edition: str) -> Iterator[tuple[str, bytes]]:
    for d in policy.listed_datasets(c, edition):
        if common.has_schema(c, d):
            yield common.SCHEMA_PATH.format(id=d.id), _json(c.table_schemas[d.get("schema")])


def files(c: Catalogue, today: dt.date, edition: str) -> Iterator[tuple[str, bytes]]:
    descriptor, data = package(c, edition)
    yield PATH, _json(descriptor)
    yield from data
    yield from table_schemas(c, edition)


def zipped(c: Catalogue, edition: str) -> bytes:
    """``datapackage.json`` and its CSV files as one zip (``citycat export datapackage``)."""
    descriptor, data = package(c, edition)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in [(PATH, _json(descriptor)), *data]:
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def export(c: Catalogue, fmt: str, edition: str, lang: str) -> bytes:
    return zipped(c, edition)


def dataset_links(c: Catalogue, dataset_id: str) -> list[Link]:
    d = common.find(c, dataset_id)
    if d is None or not policy.listed(c, d, PUBLIC) or not common.has_schema(c, d):
        return []
    return [Link("feed_table_schema", common.SCHEMA_PATH.format(id=d.id), "application/json")]
