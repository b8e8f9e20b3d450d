"""Machine-readable forms of the catalogue: the feed registry.

Each feed is a module below ``citycat.feeds`` with two pure functions of the loaded catalogue:

    files(c: Catalogue, today: datetime.date, edition: str) -> Iterator[tuple[str, bytes]]
        every file it publishes, as (path below the site's root, content);
    dataset_links(c: Catalogue, dataset_id: str) -> list[Link]
        the files a dataset page's "machine-readable" section links (label key in site/i18n,
        path below the site's root, media type, and the link's ``rel`` if it has one);

and, when it has ``citycat export`` formats, a third:

    export(c: Catalogue, fmt: str, edition: str, lang: str) -> bytes
        the whole catalogue as one file of the format ``fmt``.

``FEEDS`` declares each feed once: its module's name, the site paths its files have (shell
patterns: ``*`` also matches ``/``) and its export formats. ``citycat build`` and ``serve`` write
the files of every feed in ``FEEDS``; ``citycat export``, the CLI's choices and ``serve``'s "is this
a feed's file" read the same lines. A new output format is a new module and one line here. No feed
reads YAML itself or calls another feed.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import NamedTuple

from citycat.model.catalogue import Catalogue


class Link(NamedTuple):
    """A dataset page's link to one of a feed's files."""

    key: str  # its label's key in site/i18n
    path: str  # below the site's root
    type: str  # media type
    rel: str = ""  # "alternate": the dataset itself in another form (DCAT in Turtle)


@dataclass(frozen=True)
class Export:
    """One format of ``citycat export``: its name on the command line, the file it is written
    to by default, and what it holds (for the CLI's messages and the docs)."""

    name: str
    file: str
    about: str


@dataclass(frozen=True)
class Feed:
    name: str  # the module below citycat.feeds
    paths: tuple[str, ...]  # shell patterns of the site paths its files have
    exports: tuple[Export, ...] = ()

    def module(self) -> ModuleType:
        return importlib.import_module(f"citycat.feeds.{self.name}")

    def files(self, c: Catalogue, today: dt.date, edition: str) -> Iterator[tuple[str, bytes]]:
        return self.module().files(c, today, edition)

    def dataset_links(self, c: Catalogue, dataset_id: str) -> list[Link]:
        return self.module().dataset_links(c, dataset_id)

    def export(self, c: Catalogue, fmt: str, edition: str, lang: str) -> bytes:
        return self.module().export(c, fmt, edition, lang)

    def owns(self, rel: str) -> bool:
        return any(fnmatch.fnmatchcase(rel, pattern) for pattern in self.paths)


# The registry, in the order the feeds are written.
FEEDS: tuple[Feed, ...] = (
    Feed("ckan", paths=("api/*",)),
    Feed(
        "dcat",
        paths=("catalog.ttl", "catalog.rdf", "catalog.jsonld", "dataset/*.ttl"),
        exports=(
            Export("ttl", "catalog.ttl", "DCAT-AP 3, Turtle"),
            Export("rdf", "catalog.rdf", "DCAT-AP 3, RDF/XML"),
            Export("jsonld", "catalog.jsonld", "DCAT-AP 3, JSON-LD"),
        ),
    ),
    Feed(
        "datajson", paths=("data.json",), exports=(Export("datajson", "data.json", "DCAT-US 1.1 data.json"),)
    ),
    Feed(
        "datapackage",
        paths=("datapackage.json", "data/*.csv", "schemas/*.json"),
        exports=(Export("datapackage", "datapackage.zip", "Frictionless Data Package (zip)"),),
    ),
    Feed(
        "tables",
        paths=("datasets.csv", "en/datasets.csv", "datasets.xlsx", "dataset/*.csv"),
        exports=(
            Export("csv", "datasets.csv", "one row per dataset, UTF-8 with BOM"),
            Export("xlsx", "datasets.xlsx", "datasets and distributions, vi and en sheets"),
        ),
    ),
    Feed("editorschema", paths=("schema/*.json",)),
)


def names() -> tuple[str, ...]:
    """The feeds' names, in the order they are written."""
    return tuple(feed.name for feed in FEEDS)


def get(name: str) -> Feed:
    for feed in FEEDS:
        if feed.name == name:
            return feed
    raise KeyError(name)


def files(c: Catalogue, today: dt.date, edition: str) -> Iterator[tuple[str, bytes]]:
    for feed in FEEDS:
        yield from feed.files(c, today, edition)


def module_files(name: str, c: Catalogue, today: dt.date, edition: str) -> Iterator[tuple[str, bytes]]:
    """One feed's files (a large build writes each feed on a process of its own)."""
    return get(name).files(c, today, edition)


def dataset_links(c: Catalogue, dataset_id: str) -> list[Link]:
    out: list[Link] = []
    for feed in FEEDS:
        out.extend(feed.dataset_links(c, dataset_id))
    return out


def exports() -> dict[str, tuple[Feed, Export]]:
    """Every ``citycat export`` format by name, with the feed that makes it."""
    return {export.name: (feed, export) for feed in FEEDS for export in feed.exports}


def is_feed_path(rel: str) -> bool:
    """Whether a path below the site's root is one of a feed's files."""
    return any(feed.owns(rel) for feed in FEEDS)
