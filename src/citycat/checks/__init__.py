"""All checks of a loaded catalogue, as pure functions: ``run(catalogue, today)``, which is
``each_entry`` (entries, registers, files) and ``cross_entry`` (between entries).

- ``tables``: the field rules of the Table Schemas, checked by Frictionless;
- ``fields``: unknown and recommended fields, read from the same schemas;
- ``rules``: what a Table Schema cannot say (access, licences, dates, URLs, ids, titles);
- ``files``: the datasets' own Table Schemas and samples, checked by Frictionless;
- ``language``: Vietnamese texts typed without their marks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from citycat.model.catalogue import Catalogue
from citycat.model.findings import Finding


def run(catalogue: Catalogue, today: dt.date) -> list[Finding]:
    """Every check: those of each entry, then those between entries."""
    return each_entry(catalogue, today) + cross_entry(catalogue.meta, catalogue.datasets)


def each_entry(catalogue: Catalogue, today: dt.date) -> list[Finding]:
    """The checks of each entry, of the registers and of the files: all but those comparing
    entries with each other (``cross_entry``), so a list may be checked in parts."""
    from citycat.checks import fields, files, language, rules, tables

    found: list[Finding] = []
    found += fields.check(catalogue)
    found += tables.check(catalogue)
    found += rules.check(catalogue, today)
    found += files.check(catalogue)
    found += language.check(catalogue)
    return one_cause(found)


# A finding that a field is missing, and the field it is about (when it is not its "field" parameter).
_MISSING = {"field-required": None, "field-recommended": None, "licence-required": "licence"}
_MISSING["legal-basis-required"] = "legal_basis"


def one_cause(found: list[Finding]) -> list[Finding]:
    """One mistake, one finding: a misspelt field ('license' for 'licence') is reported as such,
    and not again as the field it was meant to be missing."""
    meant = {
        (f.dataset, f.params.get("meant"))
        for f in found
        if f.code == "unknown-field" and f.params.get("meant")
    }
    if not meant:
        return found
    return [
        f
        for f in found
        if f.code not in _MISSING or (f.dataset, _MISSING[f.code] or f.params.get("field")) not in meant
    ]


def cross_entry(meta, datasets, title_keys=None) -> list[Finding]:
    """The checks between entries (unique ids, ids equal ignoring case, colliding titles);
    ``meta`` is the catalogue's package descriptor."""
    from citycat.checks import rules, tables

    return tables.unique_datasets(meta, datasets) + rules.cross_entry(datasets, title_keys)


def without_cascades(findings: Iterable[Finding], unread: Iterable[str], meta: Mapping) -> list[Finding]:
    """The findings less those caused by a table that could not be read (``unread``: its file is
    missing, unreadable or not the expected shape, which the loader already said once): the
    field rules on a file that gave nothing, and every reference into such a table. One root
    cause, one error."""
    unread = set(unread)
    if not unread:
        return list(findings)
    tables_in: dict[str, set[str]] = {}
    for resource in meta["resources"]:
        file = resource.get("citycat", {}).get("file")
        if file:
            tables_in.setdefault(file, set()).add(resource["name"])
    dead = {file for file, tables in tables_in.items() if tables <= unread}

    def caused(f: Finding) -> bool:
        if f.check.group == "load":
            return False
        if f.loc is not None and f.loc.file in dead:
            return True
        return f.code == "reference-missing" and f.params.get("register") in unread

    return [f for f in findings if not caused(f)]
