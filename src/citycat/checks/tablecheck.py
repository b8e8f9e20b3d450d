"""Validate the catalogue's tables against their Table Schemas with Frictionless.

Two ways, with one result (a list of Frictionless error descriptors per table):

- ``validate_package``: ``frictionless.Package(...).validate()``, the reference.
- ``validate_rows``: the same checks driven directly: each cell goes through the cell reader that
  Frictionless builds from the field's descriptor (``Field.create_cell_reader``: type, format,
  required, enum, pattern, lengths, ranges), and unique fields, primary keys and foreign keys are
  checked as ``TableResource`` checks them. It skips Frictionless's per-resource descriptor
  copying and re-reading of referenced tables, which dominate on a 10,000-entry catalogue
  (20 s instead of 2). ``tests/test_tablecheck.py`` asserts both give the same errors on every
  test catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from citycat.checks import patterns
from citycat.source.tables import Table, package_descriptor

Errors = dict[str, list[dict[str, Any]]]

# What Frictionless's notes say: 'constraint "pattern" is "…"', 'type is "integer/default"'.
CONSTRAINT_NOTE = re.compile(r'constraint "(\w+)" is "(.*)"$', re.S)
TYPE_NOTE = re.compile(r'type is "(\w+)/(\w+)"')


def validate_package(tables: list[Table]) -> Errors:
    import frictionless

    patterns.install()
    report = frictionless.Package(package_descriptor(tables)).validate(limit_errors=1_000_000)
    out: Errors = {t.name: [] for t in tables}
    for task in report.tasks:
        out[task.name] = [e.to_descriptor() for e in task.errors]
    return out


def _to_str(cell: Any) -> str:
    return "" if cell is None else str(cell)


def validate_rows(tables: list[Table]) -> Errors:
    import frictionless

    patterns.install()  # patterns from pull requests run in linear time
    by_name = {t.name: t for t in tables}
    schemas = {t.name: frictionless.Schema.from_descriptor(dict(t.schema)) for t in tables}
    cast: dict[str, list[list[Any]]] = {}
    out: Errors = {}
    for t in tables:
        cast[t.name], out[t.name] = _cells(t, schemas[t.name])
    lookups: dict[tuple[str, tuple[str, ...]], set] = {}
    for t in tables:
        out[t.name] = _integrity(t, schemas[t.name], cast, by_name, lookups, out[t.name])
    return out


def _cells(table: Table, schema) -> tuple[list[list[Any]], list[dict[str, Any]]]:
    """Cast every cell with Frictionless's reader; type and constraint errors per cell."""
    fields = schema.fields
    readers = [f.create_cell_reader() for f in fields]
    skip_none = [not f.constraints.get("required") for f in fields]
    # Most columns repeat a few values (codes, dates, flags): each distinct value is read once.
    # Columns whose values are mostly distinct (ids, titles, URLs) stop remembering.
    memo: list[dict | None] = [{} for _ in fields]
    missing = object()
    rows_out: list[list[Any]] = []
    errors: list[dict[str, Any]] = []
    for index, row in enumerate(table.rows):
        if index == 2000:
            memo = [m if m is not None and len(m) < 1000 else None for m in memo]
        cast_row = []
        row_errors = None
        for i, source in enumerate(row):
            if source is None and skip_none[i]:
                cast_row.append(None)
                continue
            m = memo[i]
            if m is None or source.__class__ in (list, dict) or isinstance(source, (list, dict)):
                target, notes = readers[i](source)
            else:
                hit = m.get(source, missing)
                if hit is missing:
                    hit = m[source] = readers[i](source)
                target, notes = hit
            cast_row.append(target)
            if notes:
                row_errors = row_errors or []
                for kind, note in notes.items():
                    row_errors.append((i, kind, note, source))
        rows_out.append(cast_row)
        if row_errors:
            for i, kind, note, source in sorted(row_errors, key=lambda e: (e[0], e[1] != "type")):
                errors.append(
                    {
                        "type": "type-error" if kind == "type" else "constraint-error",
                        "rowNumber": index + 2,
                        "fieldName": fields[i].name,
                        "fieldNumber": i + 1,
                        "cell": str(source),
                        "note": note,
                        "cells": list(map(_to_str, row)),
                    }
                )
    return rows_out, errors


def _lookup(name: str, key: tuple[str, ...], cast, by_name, lookups) -> set:
    if (name, key) not in lookups:
        table = by_name[name]
        idx = [table.header.index(k) for k in key]
        values = set()
        for row in cast.get(name, []):
            cells = tuple(row[i] for i in idx)
            if any(c is not None for c in cells):
                values.add(cells)
        lookups[(name, key)] = values
    return lookups[(name, key)]


def _integrity(table: Table, schema, cast, by_name, lookups, cell_errors) -> list[dict[str, Any]]:
    """Unique fields, primary key and foreign keys, row by row, as TableResource checks them."""
    header = table.header
    rows = cast[table.name]
    unique = [header.index(f.name) for f in schema.fields if f.constraints.get("unique")]
    pk = [header.index(n) for n in schema.primary_key]
    fks = []
    for fk in schema.foreign_keys:
        if set(fk["fields"]) <= set(table.generated):
            continue  # a parent's own id, copied by citycat into its list's rows: always there
        ref = fk["reference"]["resource"] or table.name
        key = tuple(fk["reference"]["fields"])
        fks.append((tuple(fk["fields"]), [header.index(n) for n in fk["fields"]], ref, key))
    seen_unique: list[dict] = [{} for _ in unique]
    seen_pk: dict = {}
    by_row: dict[int, list[dict[str, Any]]] = {}
    for e in cell_errors:
        by_row.setdefault(e["rowNumber"], []).append(e)
    out: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        number = index + 2
        out += by_row.get(number, [])
        for n, i in enumerate(unique):
            cell = row[i]
            if cell is None:
                continue
            match = seen_unique[n].get(cell)
            seen_unique[n][cell] = number
            if match:
                out.append(
                    _row_error(
                        "unique-error",
                        number,
                        f"the same as in the row at position {match}",
                        fieldName=header[i],
                        cell=str(cell),
                    )
                )
        if pk:
            cells = tuple(row[i] for i in pk)
            if all(c is None for c in cells):
                out.append(
                    _row_error("primary-key", number, 'cells composing the primary keys are all "None"')
                )
            else:
                match = seen_pk.get(cells)
                seen_pk[cells] = number
                if match:
                    out.append(
                        _row_error(
                            "primary-key",
                            number,
                            f"the same as in the row at position {match}",
                            cells=list(map(_to_str, cells)),
                        )
                    )
        for names, idx, ref, key in fks:
            cells = tuple(row[i] for i in idx)
            if all(c is None for c in cells):
                continue
            if cells not in _lookup(ref, key, cast, by_name, lookups):
                out.append(
                    _row_error(
                        "foreign-key",
                        number,
                        f'for "{", ".join(names)}": values "{", ".join(str(c) for c in cells)}" not found '
                        f'in the lookup table "{ref}" as "{", ".join(key)}"',
                        fieldNames=list(names),
                        fieldCells=list(cells),
                        referenceName=ref,
                        referenceFieldNames=list(key),
                    )
                )
    return out


def _row_error(kind: str, number: int, note: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "rowNumber": number, "note": note, **extra}


def comparable(errors: Mapping[str, Iterable[Mapping[str, Any]]]) -> set[tuple]:
    """What both ways must agree on: table, row, field, error type and note."""
    return {
        (
            table,
            e["type"],
            e.get("rowNumber"),
            e.get("fieldName"),
            tuple(e.get("fieldNames") or ()),
            e.get("note"),
        )
        for table, errs in errors.items()
        for e in errs
    }
