"""What a Table Schema cannot say: rules across fields, entries and registers.

Each rule has a stable code in ``checks.yaml``. The rules read their code lists from the
registers (which access levels are open, which licences are open, which formats are tables),
so a new access level or licence is an edit of a register, not of this file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import urlsplit

from citycat.checks import text
from citycat.model import policy
from citycat.model.catalogue import Catalogue, Dataset, Record
from citycat.model.findings import Finding
from citycat.model.vietnamese import fold

URL_FIELDS = ("download_url", "access_url", "landing_page", "website", "url", "base_url")
LIST_FIELDS = ("themes", "keywords.vi", "keywords.en", "sharing.methods", "sharing.consumers", "spatial")


def check(catalogue: Catalogue, today: dt.date) -> list[Finding]:
    """The rules of each entry and record; those that compare entries with each other are
    ``cross_entry`` (run once over the whole list, which may be checked in parts)."""
    out: list[Finding] = []
    for d in catalogue.datasets:
        out += _access(catalogue, d)
        out += _status(catalogue, d, today)
        out += _dates(d, today)
        out += _distributions(catalogue, d)
        out += _lists(d)
        out += _internal(d)
    for record in _all_records(catalogue):
        out += _urls(record)
        out += text.check(record)  # control and invisible characters in any text value
    return out


def cross_entry(datasets, title_keys=None) -> list[Finding]:
    """Rules between entries: ids equal ignoring case, titles equal without diacritics."""
    return [*_ids(datasets), *_titles(datasets, title_keys)]


def _all_records(catalogue: Catalogue) -> Iterator[Record]:
    yield catalogue.settings
    for records in catalogue.register_lists.values():
        yield from records
    for d in catalogue.datasets:
        yield d
        yield from d.distributions


def _get(register, key) -> Record | None:
    """A register entry by id; a value of the wrong type (a list, a mapping) finds nothing."""
    return register.get(key) if isinstance(key, str) else None


def _access(catalogue: Catalogue, d: Dataset) -> Iterator[Finding]:
    access = d.access
    if _get(catalogue.register("access_levels"), access) is None:
        return  # missing or unknown: the Table Schema already says so
    if policy.is_open(catalogue, access):
        licence_id = d.get("licence")
        if not licence_id:
            yield Finding("licence-required", d.keylocs.get("access") or d.loc, d.id)
        else:
            licence = _get(catalogue.licences, licence_id)
            if licence is not None and not policy.marked_open(licence):
                yield Finding("licence-not-open", d.at("licence"), d.id, {"licence": licence_id})
        if d.get("personal_data") is True:
            yield Finding("personal-data-open", d.at("personal_data"), d.id)
    elif not str(d.get("legal_basis", "")).strip():
        yield Finding("legal-basis-required", d.keylocs.get("access") or d.loc, d.id, {"access": access})


def _status(catalogue: Catalogue, d: Dataset, today: dt.date) -> Iterator[Finding]:
    due = d.due
    if d.status == "published":
        if not any(x.url for x in d.public_distributions()):
            yield Finding("published-without-distribution", d.at("status"), d.id)
        formats = catalogue.register("formats")
        tabular = [
            x for x in d.public_distributions() if (_get(formats, x.get("format")) or x).get("tabular")
        ]
        if tabular and not d.get("schema"):
            yield Finding("schema-required", d.at("status"), d.id, {"dataset": d.id})
    if d.is_overdue(today):
        yield Finding(
            "overdue",
            d.at("due"),
            d.id,
            {"due": _vn_date(due), "days": (today - due).days, "status": d.status},
        )
    deadline = _date(catalogue.settings.get("deadline"))
    if due and deadline and due > deadline and d.pending:
        yield Finding(
            "due-after-deadline", d.at("due"), d.id, {"due": _vn_date(due), "deadline": _vn_date(deadline)}
        )


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _vn_date(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def _dates(d: Dataset, today: dt.date) -> Iterator[Finding]:
    for first, second in (("issued", "modified"), ("temporal.start", "temporal.end")):
        a, b = _date(d.fields.get(first)), _date(d.fields.get(second))
        if a and b and a > b:
            yield Finding(
                "date-order",
                d.at(second),
                d.id,
                {
                    "first": first,
                    "second": second,
                    "first_value": a.isoformat(),
                    "second_value": b.isoformat(),
                },
            )
    for name in ("issued", "modified"):
        value = _date(d.fields.get(name))
        if value and value > today:
            yield Finding("date-future", d.at(name), d.id, {"field": name, "value": value.isoformat()})


def _distributions(catalogue: Catalogue, d: Dataset) -> Iterator[Finding]:
    formats = catalogue.register("formats")
    for x in d.distributions:
        if not x.get("download_url") and not x.get("access_url"):
            yield Finding(
                "distribution-url-missing", x.loc, d.id, {"title": x.text("title") or f"#{x.position + 1}"}
            )
        fmt = _get(formats, x.get("format"))
        given, expected = x.get("media_type"), fmt.get("media_type") if fmt else None
        if given and expected and given != expected:
            yield Finding(
                "media-type-mismatch",
                x.at("media_type"),
                d.id,
                {"value": given, "format": x.get("format"), "expected": expected},
            )


def _urls(record: Record) -> Iterator[Finding]:
    dataset = getattr(record, "dataset_id", None) or (record.id if record.table == "datasets" else None)
    for name in URL_FIELDS:
        value = record.fields.get(name)
        if not isinstance(value, str) or not value or value.startswith("https://"):
            continue
        scheme = urlsplit(value.strip()).scheme.lower()
        if scheme not in ("http", "https"):
            yield Finding("url-scheme", record.at(name), dataset, {"field": name, "value": value})
        elif scheme == "http":
            yield Finding("url-insecure", record.at(name), dataset, {"field": name, "value": value})


def _lists(d: Dataset) -> Iterator[Finding]:
    for name in LIST_FIELDS:
        seen: set = set()
        for i, value in enumerate(d.items(name)):
            key = fold(value) if isinstance(value, str) else repr(value)
            if key in seen:
                yield Finding(
                    "list-duplicate",
                    d.locs.get(f"{name}.{i}") or d.at(name),
                    d.id,
                    {"field": name, "value": value},
                )
            seen.add(key)
    for i, consumer in enumerate(d.items("sharing.consumers")):
        if consumer and consumer == d.agency:
            yield Finding(
                "consumer-is-owner", d.locs.get(f"sharing.consumers.{i}") or d.loc, d.id, {"value": consumer}
            )


def _internal(d: Dataset) -> Iterator[Finding]:
    if "internal" in d.keylocs and not d.internal:
        yield Finding("internal-shape", d.keylocs["internal"], d.id)
    for key, value in d.internal.items():
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            yield Finding("internal-shape", d.internal_locs.get(key) or d.loc, d.id)


def _ids(datasets) -> Iterator[Finding]:
    seen: dict[str, Dataset] = {}
    for d in datasets:
        key = d.id.casefold()
        other = seen.get(key)
        if other is not None and other.id != d.id:
            yield Finding(
                "id-casefold-duplicate",
                d.at("id"),
                d.id,
                {"value": d.id, "other": other.id, "first": other.at("id").line},
            )
        seen.setdefault(key, d)


def title_key(title) -> str | None:
    """What two titles must not share: the text folded (no diacritics, đ → d, no case)."""
    if not isinstance(title, str) or not title.strip():
        return None
    return " ".join(fold(title).split())


def _titles(datasets, keys=None) -> Iterator[Finding]:
    """``keys[i][lang]``, when given, is ``title_key`` of dataset i's title (worked out in
    parallel by the processes that checked slices of the list)."""
    for lang in ("vi", "en"):
        seen: dict[str, Dataset] = {}
        for i, d in enumerate(datasets):
            key = keys[i][lang] if keys is not None else title_key(d.fields.get(f"title.{lang}"))
            if key is None:
                continue
            other = seen.get(key)
            if other is not None and other.id != d.id:
                title = d.fields.get(f"title.{lang}")
                yield Finding(
                    "title-collision", d.at(f"title.{lang}"), d.id, {"value": title, "other": other.id}
                )
            seen.setdefault(key, d)
