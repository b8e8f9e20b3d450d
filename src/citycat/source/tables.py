"""The loaded catalogue as normalised tables: a Frictionless Data Package.

Each resource of ``schemas/catalogue/datapackage.json`` becomes one inline table whose columns
are its Table Schema's fields. Beside every row we keep where it was written, so a Frictionless
error (table, row, field) leads back to a file, line and column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from citycat.model.catalogue import Catalogue, Record
from citycat.model.findings import Loc


@dataclass(frozen=True)
class RowSource:
    record: Record  # the entry the row comes from
    loc: Loc  # where the row as a whole is written
    item: bool = False  # a row made from one list item: every cell is at ``loc``

    def at(self, field: str) -> Loc:
        if self.item:
            return self.loc
        return self.record.locs.get(field) or self.loc


@dataclass(frozen=True)
class Table:
    name: str
    schema: Mapping[str, Any]
    header: list[str]
    rows: list[list[Any]]
    sources: list[RowSource]
    generated: tuple[str, ...] = ()  # columns citycat fills itself (parent id, position)


def field_names(schema: Mapping[str, Any]) -> list[str]:
    return [f["name"] for f in schema["fields"]]


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def build_tables(catalogue: Catalogue) -> list[Table]:
    by_name: dict[str, list[Record]] = {
        # (no row when settings.yaml could not be read: the loader's stand-in has no line, and
        # the one finding about the file is the root cause, not each field it would hold)
        "settings": [catalogue.settings] if catalogue.settings.loc.line else [],
        "datasets": list(catalogue.datasets),
    }
    by_name.update({k: list(v) for k, v in catalogue.register_lists.items()})
    tables = []
    for resource in catalogue.meta["resources"]:
        name, schema, source = resource["name"], resource["schema"], resource.get("citycat", {})
        header = field_names(schema)
        rows: list[list[Any]] = []
        sources: list[RowSource] = []
        generated: tuple[str, ...] = ()
        if "file" in source:
            for record in by_name.get(name, []):
                rows.append([_cell(record.fields.get(h)) for h in header])
                sources.append(RowSource(record, record.loc))
        elif "list" in source:
            generated = tuple(header[:2])
            for parent in by_name.get(source["parent"], []):
                for i, value in enumerate(parent.fields.get(source["list"]) or ()):
                    loc = parent.locs.get(f"{source['list']}.{i}") or parent.loc
                    rows.append([parent.id, i, *([_cell(value)] + [None] * (len(header) - 3))])
                    sources.append(RowSource(parent, loc, item=True))
        elif "records" in source:
            generated = tuple(header[:2])
            for parent in by_name.get(source["parent"], []):
                for d in getattr(parent, source["records"], ()):
                    rows.append([parent.id, d.position, *(_cell(d.fields.get(h)) for h in header[2:])])
                    sources.append(RowSource(d, d.loc))
        tables.append(Table(name, schema, header, rows, sources, generated))
    return tables


def package_descriptor(tables: list[Table]) -> dict[str, Any]:
    """A Frictionless Data Package descriptor with every table inline."""
    return {
        "name": "citycat-catalogue",
        "resources": [
            {"name": t.name, "data": [t.header, *t.rows], "schema": dict(t.schema)} for t in tables
        ],
    }
