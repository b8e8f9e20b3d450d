"""What the exports share besides the model's rules: the addresses of their files below the
catalogue's base URL, media types, the UI strings.

Not a feed itself (it is not in ``MODULES``). Which datasets and distributions an edition lists,
the base URL and a dataset page's address are ``citycat.model.policy``'s (the rule for the public
edition lives in data: an access level with ``public_listing: false`` keeps its datasets out of
every public export; distributions marked ``internal: true`` are left out; no export reads
``Dataset.internal`` but through ``policy.internal_fields``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citycat.model import policy
from citycat.model.catalogue import Catalogue, Dataset, Distribution

DATASET_PATH = "dataset/{id}"  # the dataset's IRI below the base URL, and its RDF files beside it
SCHEMA_PATH = "schemas/{id}.json"  # each dataset's Table Schema, published at a stable URL


def has_schema(c: Catalogue, d: Dataset) -> bool:
    """The dataset names a Table Schema that was loaded (and so can be published)."""
    path = d.get("schema")
    return isinstance(path, str) and isinstance(c.table_schemas.get(path), dict)


def schema_url(c: Catalogue, d: Dataset) -> str:
    return policy.base_url(c) + SCHEMA_PATH.format(id=d.id) if has_schema(c, d) else ""


def media_type(c: Catalogue, x: Distribution) -> str:
    """The distribution's own media type, else its format's (``vocabularies.yaml: formats``)."""
    fmt = c.register("formats").get(x.get("format"))
    return x.get("media_type") or (fmt.get("media_type", "") if fmt else "")


def newest(values: Iterator[Any]) -> Any:
    found = [v for v in values if v is not None]
    return max(found) if found else None


def strings(c: Catalogue) -> dict[str, dict[str, str]]:
    """The site's UI strings in both languages (``site/i18n``): the exports name their columns and
    sheets with the same words as the printable annex. Read once per loaded catalogue."""
    from pathlib import Path

    from citycat.site.i18n import load_strings
    from citycat.source.inputs import theme_for

    if _STRINGS[0] is not c:
        _STRINGS[1] = load_strings(theme_for(Path(c.root)))
        _STRINGS[0] = c
    return _STRINGS[1]


_STRINGS: list = [None, {}]


def find(c: Catalogue, dataset_id: str) -> Dataset | None:
    """The dataset with this id (the catalogue looks it up in constant time)."""
    return c.dataset(dataset_id)
