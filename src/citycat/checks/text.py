"""The catalogue's own text: every text value of every record (settings, registers, datasets,
distributions, the ``internal:`` block), checked for the characters ``citycat.model.chars``
refuses (``text-control``, an error) or warns about (``text-invisible``). One finding per value,
for its first such character."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from citycat.model import chars
from citycat.model.catalogue import Dataset, Record
from citycat.model.findings import Finding, Loc

CODES = {"refused": "text-control", "hidden": "text-invisible"}


def check(record: Record) -> Iterator[Finding]:
    dataset = getattr(record, "dataset_id", None) or (record.id if record.table == "datasets" else None)
    yield from _values(record.fields, record.locs, record.loc, dataset, "")
    if isinstance(record, Dataset) and record.internal:
        yield from _values(record.internal, record.internal_locs, record.loc, dataset, "internal.")


def _values(
    fields: Mapping[str, Any], locs: Mapping[str, Loc], where: Loc, dataset: str | None, prefix: str
) -> Iterator[Finding]:
    for name, value in fields.items():
        if isinstance(value, str):
            found = chars.odd(value)
            if found is not None:
                yield _finding(found, prefix + name, value, locs.get(name) or where, dataset)
        elif isinstance(value, (tuple, list)):
            for i, item in enumerate(value):
                found = chars.odd(item) if isinstance(item, str) else None
                if found is not None:
                    loc = locs.get(f"{name}.{i}") or locs.get(name) or where
                    yield _finding(found, f"{prefix}{name}.{i}", item, loc, dataset)


def _finding(found: tuple[str, str], field: str, value: str, loc: Loc, dataset: str | None) -> Finding:
    kind, char = found
    params = {"field": field, "char": chars.describe(char), "value": chars.shown(value)}
    return Finding(CODES[kind], loc, dataset, params)
