"""Turn the catalogue's files into one immutable ``Catalogue``.

Which file holds which table is data: ``schemas/catalogue/datapackage.json`` lists the tables,
and each says where its rows come from (a register file and key, or a list inside the entries of
a parent table). Loading reports what it cannot read as findings and goes on with the rest;
the field rules are checked afterwards (``citycat.checks``), on the loaded catalogue.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from citycat.model.catalogue import EMPTY, Catalogue, Dataset, Distribution, Record
from citycat.model.findings import Finding, Loc
from citycat.source import paths
from citycat.source.inputs import DATASETS
from citycat.source.yamlsafe import FatalYAML, YList, YMap, load_bytes, load_file, refusal

PACKAGE = "schemas/catalogue/datapackage.json"
# what a yaml-shape finding expects where a mapping belongs, in the words of each language
MAPPING = {"vi": "các cặp khóa: giá trị (key: value)", "en": "a mapping (key: value)"}


@dataclass(frozen=True)
class Loaded:
    catalogue: Catalogue
    findings: tuple[Finding, ...]
    # the tables whose file gave nothing (missing, unreadable, not the expected shape): that one
    # finding is the root cause, and what depends on them is not checked
    # (``citycat.checks.without_cascades``)
    unread: frozenset[str] = frozenset()


def read_descriptor(root: Path) -> dict[str, Any]:
    """The catalogue's own Data Package descriptor, with each Table Schema inlined."""
    base = root / PACKAGE
    descriptor = json.loads(paths.read(root, base))
    for resource in descriptor["resources"]:
        if isinstance(resource.get("schema"), str):
            resource["schema"] = json.loads(paths.read(root, base.parent / resource["schema"]))
    return descriptor


def load(root: Path | str, part: tuple[str, int] | None = None) -> Loaded:
    """Load the catalogue at ``root``.

    ``part`` (text, line offset) stands in for datasets.yaml: a slice of its entries, cut by
    ``citycat.pipeline.validate`` to check a large list on several cores.
    """
    root = Path(root)
    findings: list[Finding] = []
    try:
        descriptor = read_descriptor(root)
    except paths.Refused as exc:
        raise FatalYAML(refusal(exc, exc.rel)) from None
    except (OSError, ValueError) as exc:
        raise FatalYAML(
            Finding("file-missing", Loc(PACKAGE), params={"file": PACKAGE, "error": str(exc)})
        ) from None
    files: dict[str, Any] = {}
    failed: set[str] = set()  # files
    unread: set[str] = set()  # tables

    def read(name: str) -> Any:
        if name not in files:
            try:
                if part is not None and name == DATASETS:
                    value, found = load_bytes(part[0].encode("utf-8"), name, part[1])
                else:
                    value, found = load_file(root / name, name, root)
            except FatalYAML as fatal:
                findings.extend(fatal.findings)
                failed.add(name)
                value = None
            else:
                findings.extend(found)
            files[name] = value
        return files[name]

    settings = None
    registers: dict[str, dict[str, Record]] = {}
    lists: dict[str, tuple[Record, ...]] = {}
    datasets: tuple[Dataset, ...] = ()
    for resource in descriptor["resources"]:
        source = resource.get("citycat", {})
        if "file" not in source:
            continue
        name, file = resource["name"], source["file"]
        doc = read(file)
        if file in failed:
            unread.add(name)
        if doc is None:
            records: list[Record] = []
        elif source.get("single"):
            if isinstance(doc, YMap):
                records = [_record(name, doc, findings, drop=_list_keys(descriptor, name))]
            else:
                findings.append(Finding("yaml-shape", _loc(doc, file), params={"expected": MAPPING}))
                unread.add(name)
                records = []
        elif not isinstance(doc, YMap):  # said once for the file, not once for each of its lists
            if file not in failed:
                failed.add(file)
                keys = [
                    r["citycat"]["key"]
                    for r in descriptor["resources"]
                    if r.get("citycat", {}).get("file") == file
                ]
                expected = ", ".join(f"{k}: [...]" for k in keys)
                findings.append(Finding("yaml-shape", _loc(doc, file), params={"expected": expected}))
            unread.add(name)
            records = []
        else:
            records = _records(name, doc, source["key"], file, findings, descriptor)
            if records is None:
                unread.add(name)
                records = []
        if name == "settings":
            settings = records[0] if records else Record("settings", EMPTY, EMPTY, Loc(file))
        elif name == "datasets":
            datasets = tuple(r for r in records if isinstance(r, Dataset))
        else:
            lists[name] = tuple(records)
            registers[name] = MappingProxyType({r.id: r for r in reversed(records)})  # first one wins
    schemas, samples = _dictionaries(root, datasets)
    shared = _shared_fields(root, findings)
    links = _link_status(root, findings)
    editions = _editions(root, findings)
    catalogue = Catalogue(
        root=str(root),
        table_schemas=MappingProxyType(schemas),
        samples=MappingProxyType(samples),
        shared_fields=MappingProxyType(shared),
        links=links,
        editions=editions,
        settings=settings or Record("settings", EMPTY, EMPTY, Loc("catalogue/settings.yaml")),
        registers=MappingProxyType(registers),
        datasets=datasets,
        register_lists=MappingProxyType(lists),
        meta=MappingProxyType(descriptor),
    )
    return Loaded(catalogue, tuple(findings), frozenset(unread))


SHARED_FIELDS = "schemas/shared/fields.json"


def _shared_fields(root: Path, findings: list[Finding]) -> dict[str, Any]:
    """The shared field definitions (a Table Schema of their own), by name; none when the file
    is absent, and a finding when it cannot be read as a Table Schema."""
    path = root / SHARED_FIELDS
    if not path.is_file() and not path.is_symlink():
        return {}
    try:
        descriptor = json.loads(paths.read(root, path))
        fields = descriptor["fields"]
        return {
            f["name"]: MappingProxyType(f)
            for f in fields
            if isinstance(f, dict) and isinstance(f.get("name"), str)
        }
    except paths.Refused as exc:
        findings.append(refusal(exc, SHARED_FIELDS))
        return {}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        findings.append(
            Finding("schema-invalid", Loc(SHARED_FIELDS), params={"path": SHARED_FIELDS, "problem": str(exc)})
        )
        return {}


def _link_status(root: Path, findings: list[Finding]):
    """The last link check (catalogue/link-status.json), read-only. The file is written by
    `citycat check-links`, not by people: what is wrong with it is a warning, never an error."""
    from citycat.source.linkstate import STATE, read_state

    try:
        links, problems = read_state(root / STATE, root)
    except paths.Refused as exc:
        findings.append(refusal(exc, STATE))
        return MappingProxyType({})
    for p in problems:
        findings.append(Finding("link-status-invalid", Loc(STATE, p.line, p.col), params={"problem": p.text}))
    return links


def _editions(root: Path, findings: list[Finding]):
    """The official editions (editions/<date>/), read-only. They are written by `citycat
    release`, not by people: what is wrong with one is a warning, and leaves it (or the file)
    out of the site."""
    from citycat.source.editions import read_editions

    editions, problems = read_editions(root)
    for p in problems:
        findings.append(Finding("edition-invalid", p.loc, params={"problem": p.text}))
    return editions


SAMPLE_ROWS = 11  # the header and ten rows: what a dataset page previews


def _dictionaries(root: Path, datasets) -> tuple[dict, dict]:
    """The Table Schemas and sample previews the entries point to, where they can be read.

    Problems with them are the checks' business (``checks.files``); here they are just left out.
    """
    import csv
    import io

    from citycat.source.paths import inside

    schemas: dict[str, Any] = {}
    samples: dict[str, tuple] = {}
    for d in datasets:
        rel = d.get("schema")
        path = inside(root, rel) if isinstance(rel, str) else None
        if path is not None and rel not in schemas and path.is_file():
            try:
                descriptor = json.loads(paths.read(root, path))
            except (OSError, ValueError):
                descriptor = None
            if isinstance(descriptor, dict) and isinstance(descriptor.get("fields"), list):
                schemas[rel] = descriptor
        for x in d.distributions:
            rel = x.get("sample")
            path = inside(root, rel) if isinstance(rel, str) else None
            if path is None or rel in samples or not path.is_file():
                continue
            try:
                with path.open(encoding="utf-8", newline="") as fh:
                    head = [fh.readline() for _ in range(SAMPLE_ROWS)]
                rows = list(csv.reader(io.StringIO("".join(head))))
            except (OSError, UnicodeDecodeError, csv.Error):
                continue
            samples[rel] = tuple(tuple(unicodedata.normalize("NFC", c) for c in r) for r in rows if r)
    return schemas, samples


def _loc(value: Any, file: str) -> Loc:
    return getattr(value, "loc", None) or Loc(file, 1, 1)


def _list_keys(descriptor: Mapping, parent: str) -> dict[str, str]:
    """The list-valued keys of a parent table's entries, and how each is stored."""
    out = {}
    for resource in descriptor["resources"]:
        source = resource.get("citycat", {})
        if source.get("parent") == parent:
            out[source.get("list") or source["records"]] = "records" if "records" in source else "list"
    return out


def _records(
    name: str, doc: Any, key: str, file: str, findings: list[Finding], descriptor
) -> list[Record] | None:
    """The records under ``key``; None (and a finding) when the file does not hold such a list."""
    if not isinstance(doc, YMap) or key not in doc:
        findings.append(Finding("yaml-shape", _loc(doc, file), params={"expected": f"{key}: [...]"}))
        return None
    items = doc[key]
    if items is None:
        return []
    if not isinstance(items, YList):
        findings.append(Finding("yaml-shape", doc.at(key), params={"expected": f"{key}: [...]"}))
        return None
    drop = _list_keys(descriptor, name)
    out = []
    for item, loc in zip(items, items.locs, strict=True):
        if not isinstance(item, YMap):
            findings.append(Finding("yaml-shape", loc, params={"expected": MAPPING}))
            continue
        out.append(_record(name, item, findings, drop))
    return out


def _record(table: str, item: YMap, findings: list[Finding], drop: Mapping[str, str]) -> Record:
    fields: dict[str, Any] = {}
    locs: dict[str, Loc] = {}
    keylocs: dict[str, Loc] = {}
    internal: YMap | None = None
    children: dict[str, Any] = {}
    _flatten(item, "", fields, locs, keylocs, children, drop)
    if table == "datasets" and isinstance(item.get("internal"), YMap):
        internal = item["internal"]
        for k in [k for k in fields if k == "internal" or k.startswith("internal.")]:
            fields.pop(k), locs.pop(k, None), keylocs.pop(k, None)
    # list-valued fields are kept as tuples; their item locations under "name.N"
    for name, value in children.items():
        if drop.get(name) == "records":
            continue
        seq = value if isinstance(value, YList) else _one(value, locs.get(name))
        fields[name] = tuple(seq)
        for i, loc in enumerate(seq.locs):
            locs[f"{name}.{i}"] = loc
    base = dict(
        table=table,
        fields=MappingProxyType(fields),
        locs=MappingProxyType(locs),
        loc=item.loc,
        keylocs=MappingProxyType(keylocs),
    )
    if table != "datasets":
        return Record(**base)
    dists = []
    raw = children.get("distributions")
    if raw is not None:
        seq = raw if isinstance(raw, YList) else _one(raw, locs.get("distributions"))
        for position, (d, loc) in enumerate(zip(seq, seq.locs, strict=True)):
            if not isinstance(d, YMap):
                findings.append(Finding("yaml-shape", loc, fields.get("id"), {"expected": MAPPING}))
                continue
            sub_fields: dict[str, Any] = {}
            sub_locs: dict[str, Loc] = {}
            sub_keylocs: dict[str, Loc] = {}
            _flatten(d, "", sub_fields, sub_locs, sub_keylocs, {}, {})
            dists.append(
                Distribution(
                    table="distributions",
                    fields=MappingProxyType(sub_fields),
                    locs=MappingProxyType(sub_locs),
                    loc=d.loc,
                    keylocs=MappingProxyType(sub_keylocs),
                    dataset_id=str(fields.get("id", "")),
                    position=position,
                )
            )
    return Dataset(
        **base,
        distributions=tuple(dists),
        internal=MappingProxyType(dict(internal)) if internal else EMPTY,
        internal_locs=MappingProxyType(dict(internal.locs)) if internal else EMPTY,
    )


def _one(value: Any, loc: Loc | None) -> YList:
    """A single value where a list was expected counts as a list of one."""
    seq = YList()
    seq.loc = loc
    seq.locs = []
    if value is not None:
        seq.append(value)
        seq.locs.append(loc)
    return seq


def _flatten(m: YMap, prefix: str, fields, locs, keylocs, children, drop) -> None:
    for key, value in m.items():
        name = prefix + str(key)
        if name in drop:
            children[name] = value
            locs[name] = m.locs[key]
            keylocs[name] = m.keylocs[key]
        elif isinstance(value, YMap) and not (name == "internal" and not prefix):
            keylocs[name] = m.keylocs[key]  # where a group of nested keys is written
            _flatten(value, name + ".", fields, locs, keylocs, children, drop)
        else:
            fields[name] = value
            locs[name] = m.locs[key]
            keylocs[name] = m.keylocs[key]
