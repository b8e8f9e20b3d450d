"""All checks of a loaded catalogue, as one pure function: ``run(catalogue, today)``.

- ``tables``: the field rules of the Table Schemas, checked by Frictionless;
- ``fields``: unknown and recommended fields, read from the same schemas;
- ``rules``: what a Table Schema cannot say (access, licences, dates, URLs, ids, titles);
- ``files``: the datasets' own Table Schemas and samples, checked by Frictionless.
"""

from __future__ import annotations

import datetime as dt

from citycat.model.catalogue import Catalogue
from citycat.model.findings import Finding


def run(catalogue: Catalogue, today: dt.date, whole: bool = True) -> list[Finding]:
    """Every check. ``whole=False``: the catalogue holds a slice of the list, so the checks that
    compare entries with each other are left to ``cross_entry``, run once over all of them."""
    from citycat.checks import fields, files, rules, tables

    found: list[Finding] = []
    found += fields.check(catalogue)
    found += tables.check(catalogue, whole)
    found += rules.check(catalogue, today, whole)
    found += files.check(catalogue)
    return found


def cross_entry(meta, datasets, title_keys=None) -> list[Finding]:
    """The checks between entries (unique ids, ids equal ignoring case, colliding titles);
    ``meta`` is the catalogue's package descriptor."""
    from citycat.checks import rules, tables

    return tables.unique_datasets(meta, datasets) + rules.cross_entry(datasets, title_keys)
