"""What changed since the previous edition: entries added, removed, renamed and changed, field by
field.

Each edition keeps ``datasets.json``: the entries it lists as the public edition shows them (no
``internal:`` block, no internal distribution), in annex order. The next edition compares its own
with that file, pairing entries by id the way ``citycat diff`` pairs two versions of datasets.yaml
(``citycat.editing.changes.pair``: an id that went away while one with the same reference code or
Vietnamese title came in is a rename). An entry that leaves the list (withdrawn to internal data)
is removed from the edition, one that joins it is added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from citycat.editing.changes import pair
from citycat.edition.annex import Annex
from citycat.model import fields, policy
from citycat.model.catalogue import Catalogue
from citycat.model.policy import PUBLIC

KINDS = ("added", "removed", "renamed", "changed")
KIND_WORDS = {"added": "edition_added", "removed": "edition_removed", "renamed": "edition_renamed"}
KIND_WORDS["changed"] = "edition_changed"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def nested(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"title.vi": x}`` as ``{"title": {"vi": x}}`` (records keep their fields flattened)."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        *parents, last = key.split(".")
        here = out
        for p in parents:
            here = here.setdefault(p, {})
        here[last] = _plain(value)
    return out


def snapshot(c: Catalogue, a: Annex) -> list[dict[str, Any]]:
    """The entries of the edition as its public edition shows them, in annex order."""
    out = []
    for row in a.rows:
        d = c.dataset(row.id)
        if d is None:  # (the annex is made of the catalogue's datasets)
            continue
        entry = nested(d.fields)
        dists = [nested(x.fields) for x in policy.distributions(d, PUBLIC)]
        if dists:
            entry["distributions"] = dists
        out.append(entry)
    return out


def compare(
    previous: list[Mapping[str, Any]] | None, current: list[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The changes from ``previous`` (``None``: there is none, this is the first edition)."""
    if previous is None:
        return []
    old = {str(e.get("id")): e for e in previous if isinstance(e, Mapping)}
    new = {str(e.get("id")): e for e in current}
    out = []
    for change in pair(old, new):
        entry = change.new if change.new is not None else change.old
        title = entry.get("title") if isinstance(entry, Mapping) else None
        out.append(
            {
                "kind": change.kind,
                "id": change.id,
                "old_id": change.old_id,
                "title": {lang: (title or {}).get(lang, "") for lang in ("vi", "en")}
                if isinstance(title, Mapping)
                else {"vi": "", "en": ""},
                "fields": [
                    {"path": f.path, "old": _plain(f.old), "new": _plain(f.new)} for f in change.fields
                ],
            }
        )
    return out


def day(value: dt.date, lang: str) -> str:
    """A date in the edition's words: 31/12/2026 in Vietnamese, 2026-12-31 in English."""
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()


def summary(changes: list[Mapping[str, Any]]) -> dict[str, int]:
    return {kind: sum(1 for c in changes if c["kind"] == kind) for kind in KINDS}


def field_label(path: str, strings: dict[str, str]) -> str:
    """A changed field's name as people read it: its column's header, with the language."""
    head, _, rest = path.partition(".")
    lang = rest if rest in ("vi", "en") else ""
    name = f"{head}.{lang}" if lang else path
    for f in fields.DATASET:
        if f.name == name and f.column:
            label = strings.get(f.column, f.column)
            return f"{label} ({lang})" if lang else label
    return path


def _value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value).replace("\n", " ")


def markdown(
    changes: list[Mapping[str, Any]],
    previous: str | None,
    strings: dict[str, dict[str, str]],
    heading: dict[str, str],
) -> str:
    """The changelog in Vietnamese, then in English (``heading``: each language's title line)."""
    parts = []
    for lang in ("vi", "en"):
        t = strings[lang]
        parts.append(f"# {heading[lang]}\n")
        if previous is None:
            parts.append(t.get("edition_first", "") + "\n")
            continue
        parts.append(f"{t.get('edition_changes', '')}: {day(dt.date.fromisoformat(previous), lang)}\n")
        if not changes:
            parts.append(t.get("edition_no_changes", "") + "\n")
            continue
        for kind in KINDS:
            of_kind = [c for c in changes if c["kind"] == kind]
            if not of_kind:
                continue
            parts.append(f"## {t.get(KIND_WORDS[kind], kind)} ({len(of_kind)})\n")
            for c in of_kind:
                name = f"`{c['old_id']}` → `{c['id']}`" if kind == "renamed" else f"`{c['id']}`"
                title = c["title"].get(lang) or c["title"].get("vi") or ""
                parts.append(f"- {name} {title}".rstrip())
                for f in c["fields"]:
                    label = field_label(f["path"], t)
                    parts.append(f"  - {label}: {_value(f['old'])} → {_value(f['new'])}")
            parts.append("")
    return "\n".join(parts).rstrip() + "\n"
