"""All checks of a loaded catalogue, as one pure function: ``run(catalogue, today)``.

- ``tables``: the field rules of the Table Schemas, checked by Frictionless;
- ``fields``: unknown and recommended fields, read from the same schemas;
- ``rules``: what a Table Schema cannot say (access, licences, dates, URLs, ids, titles);
- ``files``: the datasets' own Table Schemas and samples, checked by Frictionless.
"""

from __future__ import annotations

import datetime as dt

from citycat.findings import Finding
from citycat.model import Catalogue


def run(catalogue: Catalogue, today: dt.date) -> list[Finding]:
    from citycat.checks import fields, files, rules, tables

    found: list[Finding] = []
    found += fields.check(catalogue)
    found += tables.check(catalogue)
    found += rules.check(catalogue, today)
    found += files.check(catalogue)
    return found
