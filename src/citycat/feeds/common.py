"""What every export agrees on: which datasets and distributions an edition lists, and the
addresses they have below the catalogue's base URL.

Not a feed itself (it is not in ``MODULES``): the standard exports (``dcat``, ``datajson``,
``datapackage``, ``tables``) use it so that they list exactly the same things at the same URLs.

The rule for the public edition lives in data: an access level with ``public_listing: false``
(``dữ liệu dùng riêng``, internal to one body) keeps its datasets out of every public export,
distributions marked ``internal: true`` are left out, and no export reads ``Dataset.internal``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citycat.model.catalogue import Catalogue, Dataset, Distribution
from citycat.pipeline.gcpause import paused
from citycat.site.views import INTERNAL, safe_url

DATASET_PATH = "dataset/{id}"  # the dataset's IRI below the base URL, and its RDF files beside it
SCHEMA_PATH = "schemas/{id}.json"  # each dataset's Table Schema, published at a stable URL
PAGE_PATH = "datasets/{id}/"  # the dataset's page (the site's Vietnamese root)


def base_url(c: Catalogue) -> str:
    """The catalogue's base URL, ending with "/" (empty when the settings hold no http(s) URL)."""
    url = safe_url(c.settings.get("base_url"))
    return url.rstrip("/") + "/" if url else ""


def listed(c: Catalogue, d: Dataset, edition: str) -> bool:
    """Whether ``d`` appears in the exports of ``edition`` (every dataset in the internal one)."""
    if edition == INTERNAL:
        return True
    level = c.register("access_levels").get(d.access)
    return bool(level is not None and level.get("public_listing") is True)


def datasets(c: Catalogue, edition: str) -> Iterator[Dataset]:
    """The datasets an edition lists, in the order of datasets.yaml."""
    return (d for d in c.datasets if listed(c, d, edition))


def distributions(d: Dataset, edition: str) -> tuple[Distribution, ...]:
    return d.distributions if edition == INTERNAL else d.public_distributions()


def has_schema(c: Catalogue, d: Dataset) -> bool:
    """The dataset names a Table Schema that was loaded (and so can be published)."""
    path = d.get("schema")
    return isinstance(path, str) and isinstance(c.table_schemas.get(path), dict)


def schema_url(c: Catalogue, d: Dataset) -> str:
    return base_url(c) + SCHEMA_PATH.format(id=d.id) if has_schema(c, d) else ""


def page_url(c: Catalogue, d: Dataset, lang: str = "vi") -> str:
    return base_url(c) + ("en/" if lang == "en" else "") + PAGE_PATH.format(id=d.id)


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
    from citycat.site.render import theme_for

    if _STRINGS[0] is not c:
        _STRINGS[1] = load_strings(theme_for(Path(c.root)))
        _STRINGS[0] = c
    return _STRINGS[1]


_STRINGS: list = [None, {}]
_INDEX: list = [None, {}]


def find(c: Catalogue, dataset_id: str) -> Dataset | None:
    """``c.dataset(dataset_id)`` in constant time: a dataset page asks for its links 2 × N times."""
    if _INDEX[0] is not c:
        _INDEX[1] = {d.id: d for d in c.datasets}
        _INDEX[0] = c
    return _INDEX[1].get(dataset_id)


paused_gc = paused  # (citycat.pipeline.gcpause: an export makes many small objects, no cycles)
