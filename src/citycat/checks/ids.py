"""The one rule on ids that no schema can remove (``id-unsafe``).

Ids become folder names and IRIs (``dataset/<id>/``, ``agency/<id>``). The id pattern lives in the
editable ``schemas/catalogue/datasets.json``: if a pull request removes it, ``..``, ``.`` or
``a/b`` must still never become a path. This is that minimal rule, in Python: an error, so
``build``, ``serve`` and ``export`` refuse before writing anything (the writers never see such an
id). A finding rather than a refusal in each writer: it says where the id is and how to fix it,
and ``validate`` in CI catches it before anything is built.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from citycat.model.catalogue import Catalogue
from citycat.model.findings import Finding

# a folder name and an IRI segment: no separator, no dot first ('.', '..', '.git'), no character
# a URL or a file system reads otherwise, no space or control character
_SAFE_ID = re.compile(r"^[^./\\?#%\s\x00-\x1f\x7f][^/\\?#%\s\x00-\x1f\x7f]*$")


def safe(value: Any) -> bool:
    return isinstance(value, str) and bool(_SAFE_ID.match(value))


def safe_ids(catalogue: Catalogue) -> Iterator[Finding]:
    """An id that is not a safe path segment (``id-unsafe``), whatever the schema's pattern says."""
    records = [*catalogue.datasets]
    for items in catalogue.register_lists.values():
        records += items
    for record in records:
        value = record.fields.get("id")
        if value is None or value == "" or safe(value):
            continue
        dataset = str(value) if record.table == "datasets" else None
        yield Finding("id-unsafe", record.at("id"), dataset, {"value": str(value)})
