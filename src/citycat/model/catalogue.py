"""The loaded catalogue: typed, immutable, every value with its source location.

Every record keeps its fields flattened (``title: {vi: …}`` becomes ``title.vi``), the place of
each value (``locs``) and the place of the record itself (``loc``). Typed accessors read the
fields; they are only trusted after ``citycat.checks`` found no error, which is when outputs run.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from citycat.model.findings import Loc

EMPTY: Mapping = MappingProxyType({})
DONE = ("published", "withdrawn")  # statuses after which nothing is due of a dataset


@dataclass(frozen=True)
class Record:
    """One entry of a register, of the settings or of the list of datasets."""

    table: str
    fields: Mapping[str, Any]
    locs: Mapping[str, Loc]
    loc: Loc
    keylocs: Mapping[str, Loc] = field(default_factory=lambda: EMPTY)

    def get(self, name: str, default: Any = None) -> Any:
        value = self.fields.get(name)
        return default if value is None else value

    def at(self, name: str) -> Loc:
        """Where a field's value is written (or the record, when the field is absent)."""
        return self.locs.get(name) or self.loc

    @functools.cached_property
    def id(self) -> str:  # (remembered: read half a million times in a build of 10,000 datasets)
        return str(self.fields.get("id", ""))

    def text(self, name: str, lang: str = "vi") -> str:
        """A bilingual field in ``lang``, falling back to Vietnamese (the list's own language)."""
        return self.get(f"{name}.{lang}") or self.get(f"{name}.vi") or ""

    def items(self, name: str) -> tuple:
        return tuple(self.fields.get(name) or ())

    def label(self, lang: str = "vi") -> str:
        for name in ("name", "label", "title"):
            if f"{name}.vi" in self.fields:
                return self.text(name, lang)
        return self.id


@dataclass(frozen=True)
class Distribution(Record):
    dataset_id: str = ""
    position: int = 0

    @property
    def internal(self) -> bool:
        return self.get("internal") is True

    @property
    def url(self) -> str:
        return self.get("download_url") or self.get("access_url") or ""


@dataclass(frozen=True)
class Dataset(Record):
    # (its typed properties are remembered, like ``id``: a record never changes, and a build
    # of 10,000 datasets reads each of them a dozen times)
    distributions: tuple[Distribution, ...] = ()
    internal: Mapping[str, Any] = field(default_factory=lambda: EMPTY)  # never in the public edition
    internal_locs: Mapping[str, Loc] = field(default_factory=lambda: EMPTY)

    @functools.cached_property
    def agency(self) -> str:
        return self.get("agency", "")

    @functools.cached_property
    def access(self) -> str:
        return self.get("access", "")

    @functools.cached_property
    def status(self) -> str:
        return self.get("status", "")

    @functools.cached_property
    def themes(self) -> tuple[str, ...]:
        return self.items("themes")

    def date(self, name: str) -> dt.date | None:
        value = self.fields.get(name)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return None
        return None

    @functools.cached_property
    def due(self) -> dt.date | None:
        return self.date("due")

    def public_distributions(self) -> tuple[Distribution, ...]:
        return tuple(d for d in self.distributions if not d.internal)

    @functools.cached_property
    def numbers(self) -> Mapping[int, int]:
        """Each distribution's number in the outputs (its IRI, its id, its row), by its
        ``position`` in the entry: the public ones 0, 1, 2… in the entry's order, the internal ones
        after all of them. So the public edition numbers its distributions exactly as if the
        internal ones were deleted (it reveals nothing of them), and a public distribution has
        the same number in both editions. ``citycat.model.policy.number`` is how outputs read it."""
        ordered = [x for x in self.distributions if not x.internal]
        ordered += [x for x in self.distributions if x.internal]
        return MappingProxyType({x.position: n for n, x in enumerate(ordered)})

    def formats(self, internal: bool = False) -> tuple[str, ...]:
        """The formats of the distributions (the public ones unless ``internal``), sorted."""
        return self.all_formats if internal else self.public_formats

    @functools.cached_property
    def public_formats(self) -> tuple[str, ...]:  # (lists and facets read it often)
        return _formats(self.public_distributions())

    @functools.cached_property
    def all_formats(self) -> tuple[str, ...]:
        return _formats(self.distributions)

    def is_overdue(self, today: dt.date) -> bool:
        due = self.due
        return due is not None and due < today and self.pending

    @property
    def pending(self) -> bool:
        """Whether the dataset is still to be published (not published, not withdrawn)."""
        return self.status not in DONE


def _formats(dists: tuple[Distribution, ...]) -> tuple[str, ...]:
    return tuple(sorted({x.get("format") for x in dists if isinstance(x.get("format"), str)}))


# ---------------------------------------------------------------------------------------------
# Official editions (``editions/<date>/``, written by ``citycat release``, read by
# ``citycat.source.editions``)


@dataclass(frozen=True)
class EditionFile:
    """A file of an edition, as its edition.json lists it (size and SHA-256 of its bytes)."""

    name: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class FieldChange:
    """One field of a dataset changed between two editions; ``old``/``new`` as text (JSON for
    what is not text), None when absent."""

    path: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class EditionChange:
    kind: str  # added, removed, renamed or changed
    id: str
    old_id: str | None
    title: Mapping[str, str]  # by language
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class Edition:
    """One official, numbered, dated edition of the list: frozen when it was issued."""

    number: int
    date: dt.date
    decision: str
    signed: dt.date | None
    draft: bool
    previous: dt.date | None
    counts: Mapping[str, Any]  # datasets (a number), agencies, access, status (numbers by key)
    datasets: tuple[str, ...]  # the ids in the edition, in annex order
    summary: Mapping[str, int]  # how many were added, removed, renamed, changed
    files: tuple[EditionFile, ...]  # the listed files that can be published, in edition.json's order
    changes: tuple[EditionChange, ...]
    folder: str  # "editions/2026-12-31", below the catalogue's root
    published: tuple[str, ...] = ()  # every file name copied to the site (files, edition.json, SHA256SUMS)
    commit: str | None = None

    @property
    def key(self) -> str:
        """The edition's name in addresses: its date, 2026-12-31."""
        return self.date.isoformat()


@dataclass(frozen=True)
class Catalogue:
    """Everything citycat knows after loading: settings, registers, datasets, Table Schemas."""

    root: str
    settings: Record
    registers: Mapping[str, Mapping[str, Record]]
    datasets: tuple[Dataset, ...]
    register_lists: Mapping[str, tuple[Record, ...]] = field(
        default_factory=lambda: EMPTY
    )  # in file order, duplicates kept
    meta: Mapping[str, Any] = field(default_factory=lambda: EMPTY)  # the catalogue's package descriptor
    # the datasets' Table Schemas (by path) and the first rows of their samples (by path)
    table_schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: EMPTY)
    samples: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=lambda: EMPTY)
    # the shared field definitions (schemas/shared/fields.json), by name
    shared_fields: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: EMPTY)
    # the last check of every URL, by URL (catalogue/link-status.json, written by `citycat
    # check-links`; see citycat.quality.links); empty when never checked. Read only: no network here.
    links: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: EMPTY)
    # the official editions (editions/<date>/, written by `citycat release`), oldest first
    editions: tuple[Edition, ...] = ()

    def register(self, name: str) -> Mapping[str, Record]:
        return self.registers.get(name, EMPTY)

    @property
    def agencies(self) -> Mapping[str, Record]:
        return self.register("agencies")

    @property
    def themes(self) -> Mapping[str, Record]:
        return self.register("themes")

    @property
    def licences(self) -> Mapping[str, Record]:
        return self.register("licences")

    @property
    def default_language(self) -> str:
        return self.settings.get("default_language", "vi")

    def dataset(self, dataset_id: str) -> Dataset | None:
        """The first dataset with this id (ids are unique once the catalogue validates)."""
        return self._by_id.get(dataset_id)

    @functools.cached_property
    def _by_id(self) -> Mapping[str, Dataset]:
        out: dict[str, Dataset] = {}
        for d in self.datasets:
            out.setdefault(d.id, d)
        return MappingProxyType(out)
