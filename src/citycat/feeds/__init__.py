"""Machine-readable forms of the catalogue, one module per target format.

Each feed module is a pure function of the loaded catalogue:

    files(c: Catalogue, today: datetime.date, edition: str) -> Iterator[tuple[str, bytes]]
        every file it publishes, as (path below the site's root, content);
    dataset_links(c: Catalogue, dataset_id: str) -> list[tuple[str, str, str]]
        (label key in site/i18n, path below the site's root, media type) for a dataset page's
        "machine-readable" section.

``citycat build`` writes ``files`` of every module in ``MODULES`` into the site. No feed reads
YAML itself or calls another feed.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator

from citycat.model.catalogue import Catalogue


class Copy(bytes):
    """A file's content that is, byte for byte, the file at ``of`` (below the site's root) that
    the same feed yielded earlier: a writer may hard-link the two instead of writing it again.
    It is bytes all the same, for every other reader."""

    of: str

    def __new__(cls, data: bytes, of: str) -> Copy:
        made = super().__new__(cls, data)
        made.of = of
        return made


MODULES: tuple[str, ...] = (
    "ckan",
    "dcat",
    "datajson",
    "datapackage",
    "tables",
    "editorschema",
)  # module names below citycat.feeds, in the order they are written


def _modules():
    return [importlib.import_module(f"citycat.feeds.{name}") for name in MODULES]


def files(c: Catalogue, today: dt.date, edition: str) -> Iterator[tuple[str, bytes]]:
    for name in MODULES:
        yield from module_files(name, c, today, edition)


def module_files(name: str, c: Catalogue, today: dt.date, edition: str) -> Iterator[tuple[str, bytes]]:
    """One feed's files (a large build writes each feed on a process of its own)."""
    return importlib.import_module(f"citycat.feeds.{name}").files(c, today, edition)


def dataset_links(c: Catalogue, dataset_id: str) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for module in _modules():
        out.extend(module.dataset_links(c, dataset_id))
    return out
