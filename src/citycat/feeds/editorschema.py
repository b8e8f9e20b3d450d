"""The editor's JSON Schema of datasets.yaml, published on the site (``schema/datasets.schema.json``)
so that catalogue repositories and editors elsewhere can point to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from citycat.editing.editorschema import SITE_PATH, render
from citycat.feeds import Link
from citycat.model.catalogue import Catalogue


def files(c: Catalogue, today: dt.date, edition: str) -> Iterator[tuple[str, bytes]]:
    yield SITE_PATH, render(c)


def dataset_links(c: Catalogue, dataset_id: str) -> list[Link]:
    return []
