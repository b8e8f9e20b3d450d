"""The Table Schemas' field rules, checked by Frictionless over the catalogue's own tables.

The catalogue is normalised into a Frictionless Data Package (``citycat.tables``) and validated
as a whole, so types, required fields, enums, patterns, lengths, ranges, unique ids and foreign
keys are Frictionless's verdicts. Each error is mapped back to the file, line and column where
the value was written and given a citycat code and words in both languages.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping

from citycat.findings import Finding, Loc
from citycat.model import Catalogue
from citycat.tables import Table, build_tables, package_descriptor

_CONSTRAINT = re.compile(r'constraint "(\w+)" is "(.*)"$', re.S)
_TYPE = re.compile(r'type is "(\w+)/(\w+)"')
_EXAMPLES = {
    "date": " (YYYY-MM-DD, e.g. 2026-12-31)",
    "boolean": " (true / false)",
    "integer": " (e.g. 1024)",
}
_FORMAT_EXAMPLES = {"email": " (e.g. vanphong@hanoi.gov.vn)", "uri": " (e.g. https://…)"}


def check(catalogue: Catalogue) -> list[Finding]:
    import frictionless

    tables = build_tables(catalogue)
    by_name = {t.name: t for t in tables}
    files = {r["name"]: r.get("citycat", {}) for r in catalogue.meta["resources"]}
    package = frictionless.Package(package_descriptor(tables))
    report = package.validate(limit_errors=100_000)
    out: list[Finding] = []
    for task in report.tasks:
        table = by_name.get(task.name)
        if table is None:  # pragma: no cover - every task is one of our tables
            continue
        for error in task.errors:
            out += _finding(error.to_descriptor(), table, by_name, files)
    return out


def _fields(table: Table) -> Mapping[str, dict]:
    return {f["name"]: f for f in table.schema["fields"]}


def _shown(name: str | None, table: Table, files: Mapping[str, dict]) -> str | None:
    """How a column is named to the person who wrote it: a list's item column by the list's key."""
    listed = files.get(table.name, {}).get("list")
    if listed and table.generated and name == table.header[len(table.generated)]:
        return listed
    return name


def _source_file(name: str, files: Mapping[str, dict]) -> str:
    src = files.get(name, {})
    while "parent" in src:
        src = files.get(src["parent"], {})
    return src.get("file", name)


def _finding(e: dict, table: Table, by_name, files) -> Iterator[Finding]:
    kind = e["type"]
    index = e.get("rowNumber", 0) - 2
    if not 0 <= index < len(table.sources):
        return
    source = table.sources[index]
    record = source.record
    dataset = record.get("dataset_id") or (record.id if record.table == "datasets" else None)
    if record.table == "distributions":
        dataset = getattr(record, "dataset_id", None)
    name = e.get("fieldName")
    if kind in ("type-error", "constraint-error") and name in table.generated:
        return
    field = _fields(table).get(name, {})
    desc = field.get("description", "")
    value = e.get("cell", "")
    shown = _shown(name, table, files)
    base = {"field": shown, "key": shown, "table": table.name, "value": value, "description": desc}
    loc = source.at(name) if name else source.loc
    if kind == "type-error":
        m = _TYPE.search(e.get("note", ""))
        ftype, fmt = (m.group(1), m.group(2)) if m else (field.get("type", "string"), "default")
        if fmt != "default":
            yield Finding(
                "field-format",
                loc,
                dataset,
                {**base, "format": fmt, "example": _FORMAT_EXAMPLES.get(fmt, "")},
            )
        else:
            yield Finding(
                "field-type", loc, dataset, {**base, "type": ftype, "example": _EXAMPLES.get(ftype, "")}
            )
    elif kind == "constraint-error":
        m = _CONSTRAINT.search(e.get("note", ""))
        constraint, limit = (m.group(1), m.group(2)) if m else ("", "")
        if constraint == "required":
            yield Finding("field-required", source.record.loc if not source.item else loc, dataset, base)
        elif constraint == "enum":
            allowed = field.get("constraints", {}).get("enum", [])
            yield Finding("field-enum", loc, dataset, {**base, "allowed": allowed})
        elif constraint == "pattern":
            yield Finding("field-pattern", loc, dataset, {**base, "pattern": limit})
        elif constraint in ("minLength", "maxLength"):
            word = {"minLength": "≥", "maxLength": "≤"}[constraint]
            yield Finding(
                "field-length",
                loc,
                dataset,
                {**base, "length": len(str(value)), "constraint": word, "limit": limit},
            )
        elif constraint in ("minimum", "maximum"):
            word = {"minimum": "≥", "maximum": "≤"}[constraint]
            yield Finding("field-range", loc, dataset, {**base, "constraint": word, "limit": limit})
        elif constraint == "unique":
            yield _duplicate(table, index, name, loc, dataset, base)
    elif kind in ("primary-key", "unique-error"):
        if table.generated:
            return  # rows citycat made from a list: a duplicate parent id is reported on the parent
        key = table.schema.get("primaryKey", ["id"])[0]
        if table.name == "datasets" and kind == "primary-key":
            return  # datasets.id is also "unique": reported once, as a constraint
        yield _duplicate(
            table, index, key, source.at(key), dataset, {**base, "field": key, "value": record.get(key)}
        )
    elif kind == "foreign-key":
        names = e.get("fieldNames") or []
        ref_table = e.get("referenceName", "")
        if not names or names[0] in table.generated:
            return
        name = names[0]
        value = (e.get("fieldCells") or [""])[0]
        ref = by_name.get(ref_table)
        ids = [str(r[0]) for r in ref.rows] if ref else []
        close = difflib.get_close_matches(str(value), ids, n=3, cutoff=0.5)
        suggestion = (" (" + ", ".join(close) + "?)") if close else ""
        yield Finding(
            "reference-missing",
            source.at(name),
            dataset,
            {
                **base,
                "field": _shown(name, table, files),
                "value": value,
                "register": ref_table,
                "file": _source_file(ref_table, files),
                "suggestion": suggestion,
            },
        )
    # missing-cell / extra-cell / blank-row cannot happen: citycat writes every row itself


def _duplicate(table: Table, index: int, key: str, loc: Loc, dataset, base: dict) -> Finding:
    value = table.sources[index].record.get(key)
    first = next(
        (s.at(key) for s in table.sources[:index] if s.record.get(key) == value), table.sources[index].loc
    )
    return Finding("duplicate-id", loc, dataset, {**base, "value": value, "first": first.line})
