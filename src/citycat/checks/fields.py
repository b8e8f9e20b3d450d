"""Unknown fields (typos) and recommended fields, both read from the catalogue's Table Schemas."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping

from citycat.model.catalogue import Catalogue, Record
from citycat.model.findings import Finding


def _schemas(catalogue: Catalogue) -> dict[str, dict]:
    return {r["name"]: r for r in catalogue.meta["resources"]}


def check(catalogue: Catalogue) -> list[Finding]:
    resources = _schemas(catalogue)
    children: dict[str, set[str]] = {}
    for r in resources.values():
        src = r.get("citycat", {})
        if "parent" in src:
            children.setdefault(src["parent"], set()).add(src.get("list") or src["records"])
    out: list[Finding] = []
    tables: dict[str, list[Record]] = {"settings": [catalogue.settings], "datasets": list(catalogue.datasets)}
    tables.update({k: list(v) for k, v in catalogue.register_lists.items()})
    dist_schema = next(r["schema"] for r in resources.values() if r.get("citycat", {}).get("records"))
    for name, records in tables.items():
        if name not in resources:
            continue
        schema = resources[name]["schema"]
        allowed = {f["name"] for f in schema["fields"]} | children.get(name, set())
        if name == "datasets":
            allowed.add("internal")  # its shape is checked by the internal-shape rule
        spec = _Spec(name, schema, allowed)
        dist_spec = _Spec("distributions", dist_schema, {f["name"] for f in dist_schema["fields"][2:]})
        for record in records:
            dataset = record.id if name == "datasets" else None
            out += _record(record, spec, dataset)
            for d in getattr(record, "distributions", ()):
                out += _record(d, dist_spec, dataset)
    return out


class _Spec:
    """What one table's records may hold, worked out once per table."""

    def __init__(self, table: str, schema: Mapping, allowed: set[str]):
        self.table, self.schema, self.allowed = table, schema, allowed
        self.groups = {n.rsplit(".", i)[0] for n in allowed for i in range(1, n.count(".") + 1)}
        self.recommended = [f["name"] for f in schema["fields"] if f.get("x-recommended")]


def _record(record: Record, spec: _Spec, dataset) -> Iterator[Finding]:
    table, allowed, groups = spec.table, spec.allowed, spec.groups
    if not (record.fields.keys() - allowed):
        for name in spec.recommended:
            if record.fields.get(name) in (None, ""):
                yield Finding(
                    "field-recommended", record.loc, dataset, {"field": name, "key": name, "table": table}
                )
        return
    reported: set[str] = set()
    for key in record.fields:
        if key in allowed:
            continue
        parts = key.split(".")
        # the first part of the path that no field has: a typo in "tittle.vi" is "tittle"
        first = next(
            (
                ".".join(parts[:i])
                for i in range(1, len(parts) + 1)
                if ".".join(parts[:i]) not in groups | allowed
            ),
            key,
        )
        if first in reported:
            continue
        reported.add(first)
        loc = record.keylocs.get(first) or record.keylocs.get(key) or record.at(key)
        subkeys = sorted(n.removeprefix(first + ".") for n in allowed if n.startswith(first + "."))
        if subkeys and first == key:
            yield Finding("field-shape", loc, dataset, {"key": key, "expected": subkeys, "table": table})
            continue
        prefix, _, last = first.rpartition(".")
        depth = first.count(".")
        siblings = sorted(
            {n.split(".")[depth] for n in allowed if n.count(".") >= depth and n.startswith(prefix)}
        )
        close = difflib.get_close_matches(last, siblings, n=1, cutoff=0.6)
        meant = (prefix + "." if prefix else "") + close[0] if close else ""
        suggestion = f" → '{meant}'" if close else ""
        yield Finding(
            "unknown-field",
            loc,
            dataset,
            {"key": first, "table": table, "suggestion": suggestion, "meant": meant},
        )
    for name in spec.recommended:
        if record.fields.get(name) in (None, ""):
            if any(k.split(".")[0] == name.split(".")[0] for k in record.fields if k not in allowed):
                continue  # a misspelt or misshapen key is already reported
            yield Finding(
                "field-recommended", record.loc, dataset, {"field": name, "key": name, "table": table}
            )
