"""The Table Schemas' field rules, checked by Frictionless over the catalogue's own tables.

The catalogue is normalised into a Frictionless Data Package (``citycat.source.tables``) and validated
as a whole, so types, required fields, enums, patterns, lengths, ranges, unique ids and foreign
keys are Frictionless's verdicts. Each error is mapped back to the file, line and column where
the value was written and given a citycat code and words in both languages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping

from citycat.checks import patterns
from citycat.checks.tablecheck import CONSTRAINT_NOTE, TYPE_NOTE, validate_rows
from citycat.model.catalogue import Catalogue
from citycat.model.dates import day_month_year
from citycat.model.findings import Finding, Loc
from citycat.model.suggest import Candidate, candidates, suggest
from citycat.source.tables import RowSource, Table, build_tables

# Words that depend on the language, as finding parameters ({"vi": …, "en": …}).
_TYPES = {
    "date": {"vi": "ngày", "en": "date"},
    "boolean": {"vi": "đúng/sai", "en": "true/false value"},
    "integer": {"vi": "số nguyên", "en": "whole number"},
    "number": {"vi": "số", "en": "number"},
    "string": {"vi": "văn bản", "en": "text"},
}
EMPTY: Mapping = {}
_EXAMPLES = {
    "date": {"vi": " (năm-tháng-ngày, ví dụ 2026-12-31)", "en": " (year-month-day, e.g. 2026-12-31)"},
    "boolean": {"vi": " (true hoặc false)", "en": " (true or false)"},
    "integer": {"vi": " (ví dụ 1024)", "en": " (e.g. 1024)"},
}
_FORMATS = {"email": {"vi": "thư điện tử", "en": "e-mail address"}, "uri": {"vi": "đường dẫn", "en": "URL"}}
_FORMAT_EXAMPLES = {
    "email": {"vi": " (ví dụ vanphong@hanoi.gov.vn)", "en": " (e.g. vanphong@hanoi.gov.vn)"},
    "uri": {"vi": " (ví dụ https://…)", "en": " (e.g. https://…)"},
}


def _date_example(value) -> dict | None:
    """For a date written day/month/year (31/12/2026), the same date as it must be written."""
    found = day_month_year(value)
    if found is None:
        return None
    iso = found.isoformat()
    return {"vi": f": {iso} (năm-tháng-ngày)", "en": f": {iso} (year-month-day)"}


def _description(field: Mapping) -> dict:
    """A field's description in both languages (``x-description-vi`` beside the schema's own)."""
    en = field.get("description", "")
    return {"vi": field.get("x-description-vi") or en, "en": en}


def check(catalogue: Catalogue) -> list[Finding]:
    """Every table against its Table Schema, but the datasets' unique fields: those compare
    entries with each other, and ``unique_datasets`` checks them over the whole list (which may
    be checked in parts)."""
    tables = [_without_unique(t) if t.name == "datasets" else t for t in build_tables(catalogue)]
    out: list[Finding] = []
    for i, table in enumerate(tables):
        found = list(_bad_patterns(table))
        if found:
            out += found
            tables[i] = _without_patterns(table)
    by_name = {t.name: t for t in tables}
    files = {r["name"]: r.get("citycat", {}) for r in catalogue.meta["resources"]}
    registers = catalogue.register_lists
    for name, errors in validate_rows(tables).items():
        for error in errors:
            out += _finding(error, by_name[name], by_name, files, registers)
    return out


def _bad_patterns(table: Table) -> Iterator[Finding]:
    """A pattern of the catalogue's own schemas that cannot run in linear time (or at all): one
    finding on its schema file (``schemas/catalogue/<table>.json``), and the pattern is not used."""
    for f in table.schema["fields"]:
        pattern = f.get("constraints", {}).get("pattern")
        words = patterns.problem(pattern) if isinstance(pattern, str) else None
        if words:
            path = f"schemas/catalogue/{table.name}.json"
            problem = {
                "vi": f"trường '{f['name']}': mẫu (pattern) '{pattern}': {words['vi']}",
                "en": f"field '{f['name']}': pattern '{pattern}': {words['en']}",
            }
            yield Finding("schema-invalid", Loc(path), None, {"path": path, "problem": problem})


def _without_patterns(table: Table) -> Table:
    fields = []
    for f in table.schema["fields"]:
        constraints = {k: v for k, v in f.get("constraints", {}).items() if k != "pattern"}
        fields.append({**f, "constraints": constraints})
    return dataclasses.replace(table, schema={**table.schema, "fields": fields})


def _without_unique(table: Table) -> Table:
    fields = []
    for f in table.schema["fields"]:
        constraints = {k: v for k, v in f.get("constraints", {}).items() if k != "unique"}
        fields.append({**f, "constraints": constraints})
    schema = {**table.schema, "fields": fields}
    schema.pop("primaryKey", None)
    return dataclasses.replace(table, schema=schema)


def unique_datasets(meta: Mapping, datasets) -> list[Finding]:
    """The datasets' unique fields (and primary key) over the whole list, from light records."""
    resource = next(r for r in meta["resources"] if r["name"] == "datasets")
    schema = resource["schema"]
    keys = set(schema.get("primaryKey", [])) | {
        f["name"] for f in schema["fields"] if f.get("constraints", {}).get("unique")
    }
    fields = [{**f, "constraints": {"unique": True}} for f in schema["fields"] if f["name"] in keys]
    header = [f["name"] for f in fields]
    table = Table(
        "datasets",
        {"fields": fields},
        header,
        [[d.fields.get(h) for h in header] for d in datasets],
        [RowSource(d, d.loc) for d in datasets],
    )
    files = {r["name"]: r.get("citycat", {}) for r in meta["resources"]}
    out: list[Finding] = []
    for error in validate_rows([table])["datasets"]:
        if error["type"] in ("unique-error", "primary-key"):
            out += _finding(error, table, {"datasets": table}, files)
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


def _finding(e: dict, table: Table, by_name, files, registers: Mapping = EMPTY) -> Iterator[Finding]:
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
    desc = _description(field)
    value = e.get("cell", "")
    shown = _shown(name, table, files)
    base = {"field": shown, "key": shown, "table": table.name, "value": value, "description": desc}
    loc = source.at(name) if name else source.loc
    if kind == "type-error":
        m = TYPE_NOTE.search(e.get("note", ""))
        ftype, fmt = (m.group(1), m.group(2)) if m else (field.get("type", "string"), "default")
        if fmt != "default":
            yield Finding(
                "field-format",
                loc,
                dataset,
                {**base, "format": _FORMATS.get(fmt, fmt), "example": _FORMAT_EXAMPLES.get(fmt, "")},
            )
        else:
            example = (_date_example(value) if ftype == "date" else None) or _EXAMPLES.get(ftype, "")
            yield Finding(
                "field-type", loc, dataset, {**base, "type": _TYPES.get(ftype, ftype), "example": example}
            )
    elif kind == "constraint-error":
        m = CONSTRAINT_NOTE.search(e.get("note", ""))
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
        if record.get(key) in (None, ""):
            return  # no id at all is not a duplicate: field-required says it is missing
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
        close = suggest(str(value), _candidates(ref_table, by_name, registers))
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


def _candidates(name: str, by_name, registers: Mapping) -> list[Candidate]:
    """What a reference to the table ``name`` may have meant: a register's records with their
    names and abbreviations, else the table's ids."""
    if name in registers:
        return candidates(registers[name])
    ref = by_name.get(name)
    return [Candidate(str(r[0])) for r in ref.rows] if ref else []


def _duplicate(table: Table, index: int, key: str, loc: Loc, dataset, base: dict) -> Finding:
    value = table.sources[index].record.get(key)
    first = next(
        (s.at(key) for s in table.sources[:index] if s.record.get(key) == value), table.sources[index].loc
    )
    return Finding("duplicate-id", loc, dataset, {**base, "value": value, "first": first.line})
