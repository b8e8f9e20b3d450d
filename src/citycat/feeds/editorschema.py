"""A JSON Schema for datasets.yaml, for editors (VS Code's YAML extension completes and checks
entries as they are typed).

It is generated, never written by hand: the fields, types, patterns, lengths and required
fields come from the catalogue's Table Schemas (``schemas/catalogue/``), the allowed values of
every code (agency, theme, licence, access, status, format, …) from the registers in
``catalogue/``, and the lists inside an entry from ``datapackage.json``. A few rules a Table
Schema cannot say are added as JSON Schema conditions: open data needs a licence and no personal
data, other data a legal basis, a distribution a URL. ``citycat validate`` stays the judge; the
schema gives the same answers earlier, in the editor.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

from citycat.feeds import Link
from citycat.model import policy
from citycat.model.catalogue import Catalogue

PATH = "schemas/editor/datasets.schema.json"  # in the repository (the top of datasets.yaml points here)
SITE_PATH = "schema/datasets.schema.json"  # on the published site
DRAFT = "http://json-schema.org/draft-07/schema#"  # what VS Code's YAML extension knows best

_TYPES = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    "datetime": {"type": "string", "format": "date-time"},
}
_WORDS = {
    "required": "Bắt buộc / Required.",
    "recommended": "Nên có / Recommended.",
    "date": "Ngày dạng năm-tháng-ngày, không có ngoặc kép / A date as YYYY-MM-DD, unquoted.",
}


def _resources(c: Catalogue) -> list[Mapping[str, Any]]:
    return list(c.meta.get("resources", ()))


def _label(record) -> str:
    vi, en = record.label("vi"), record.label("en")
    return vi if vi == en else f"{vi} — {en}"


def _codes(c: Catalogue, register: str) -> tuple[list[str], list[str]] | None:
    records = c.register_lists.get(register)
    if not records:
        return None
    ids, labels, seen = [], [], set()
    for r in records:
        if r.id and r.id not in seen:
            seen.add(r.id)
            ids.append(r.id)
            labels.append(_label(r))
    return ids, labels


def _references(schema: Mapping[str, Any]) -> dict[str, str]:
    """Field name -> the register its values must come from (a foreign key to a register's ids)."""
    out = {}
    for fk in schema.get("foreignKeys", ()):
        fields, ref = fk.get("fields"), fk.get("reference", {})
        if isinstance(fields, list) and len(fields) == 1 and ref.get("fields") == ["id"]:
            out[fields[0]] = ref["resource"]
    return out


# Editors run patterns as ECMAScript regular expressions, where \w is ASCII only; Python's \w
# (what citycat validate uses) takes every letter. Vietnamese letters are added explicitly:
# Latin-1, Latin Extended-A/B (ă đ ĩ ũ ơ ư), combining marks (NFD), Latin Extended Additional (ạ…ỹ).
_LETTERS = "\u00c0-\u024f\u0300-\u036f\u1e00-\u1eff"


def ecma(pattern: str) -> str:
    """A Table Schema pattern that means the same for an editor as for citycat."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            pair = pattern[i : i + 2]
            if pair == "\\w":
                out.append("\\w" + _LETTERS if in_class else "[\\w" + _LETTERS + "]")
            else:
                out.append(pair)
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out)


def _describe(field: Mapping[str, Any], extra: list[str]) -> str:
    parts = [p for p in (field.get("title"), field.get("description")) if p]
    return ". ".join(parts + extra).replace("..", ".")


def field_schema(c: Catalogue, field: Mapping[str, Any], register: str | None) -> dict[str, Any]:
    """The JSON Schema of one Table Schema field."""
    out: dict[str, Any] = dict(_TYPES.get(field.get("type", "string"), {}))
    constraints = field.get("constraints", {})
    for src, dst in (("pattern", "pattern"), ("minLength", "minLength"), ("maxLength", "maxLength")):
        if src in constraints:
            out[dst] = ecma(constraints[src]) if src == "pattern" else constraints[src]
    for src, dst in (("minimum", "minimum"), ("maximum", "maximum")):
        if src in constraints:
            out[dst] = constraints[src]
    if "enum" in constraints:
        out["enum"] = list(constraints["enum"])
    if field.get("format") == "email":
        out["format"] = "email"
    elif field.get("format") == "uri":
        out["format"] = "uri"
        out.setdefault("pattern", "^https?://")
    extra = []
    if constraints.get("required"):
        extra.append(_WORDS["required"])
    elif field.get("x-recommended"):
        extra.append(_WORDS["recommended"])
    if field.get("type") == "date":
        extra.append(_WORDS["date"])
    codes = _codes(c, register) if register else None
    if codes:
        out["enum"], out["markdownEnumDescriptions"] = codes
        file = _register_file(c, register)
        extra.append(f"Một mã trong / An id from {file}")
    description = _describe(field, extra)
    if description:
        out["description"] = description
    return out


def _register_file(c: Catalogue, register: str) -> str:
    for r in _resources(c):
        if r["name"] == register and "file" in r.get("citycat", {}):
            source = r["citycat"]
            return f"{source['file']} ({source['key']})" if source.get("key") else source["file"]
    return register


def _object() -> dict[str, Any]:
    return {"type": "object", "properties": {}, "additionalProperties": False}


def _put(root: dict[str, Any], dotted: str, schema: dict[str, Any], required: bool) -> None:
    """Place a field at its dotted path (``title.vi``) in nested objects."""
    parts = dotted.split(".")
    node = root
    for part in parts[:-1]:
        child = node["properties"].get(part)
        if child is None:
            child = node["properties"][part] = _object()
        if required:
            node.setdefault("required", [])
            if part not in node["required"]:
                node["required"].append(part)
        node = child
    node["properties"][parts[-1]] = schema
    if required:
        node.setdefault("required", []).append(parts[-1])


def table_object(c: Catalogue, schema: Mapping[str, Any], skip: int = 0) -> dict[str, Any]:
    """One table's fields as a (nested) JSON object schema."""
    out = _object()
    refs = _references(schema)
    for field in schema["fields"][skip:]:
        sub = field_schema(c, field, refs.get(field["name"]))
        _put(out, field["name"], sub, bool(field.get("constraints", {}).get("required")))
    return out


def dataset_schema(c: Catalogue) -> dict[str, Any]:
    """The schema of one entry of datasets.yaml."""
    resources = {r["name"]: r for r in _resources(c)}
    dataset = table_object(c, resources["datasets"]["schema"])
    for r in _resources(c):
        source = r.get("citycat", {})
        if source.get("parent") != "datasets":
            continue
        schema = r["schema"]
        if "records" in source:  # a list of nested records: distributions
            item = table_object(c, schema, skip=2)
            item["anyOf"] = [{"required": ["download_url"]}, {"required": ["access_url"]}]
            listed = {
                "type": "array",
                "minItems": 1,
                "items": item,
                "description": "Tài nguyên: mỗi mục có download_url hoặc access_url / "
                "Distributions: each with a download_url or an access_url.",
            }
            _put(dataset, source["records"], listed, False)
            continue
        column = dict(next(f for f in schema["fields"] if f["name"] == source["column"]))
        column["constraints"] = {k: v for k, v in column.get("constraints", {}).items() if k != "required"}
        item = field_schema(c, column, _references(schema).get(column["name"]))
        description = item.pop("description", None)
        listed = {"type": "array", "items": item, "uniqueItems": True}
        if description:
            listed["description"] = description
        _put(dataset, source["list"], listed, False)
    dataset["properties"]["internal"] = {
        "type": "object",
        "additionalProperties": {"type": ["string", "number", "boolean"]},
        "description": "Thông tin nội bộ, không bao giờ công khai (khóa: văn bản) / "
        "Internal notes, never published (key: text).",
    }
    open_ids = policy.open_access(c)
    if open_ids and "access" in dataset["properties"]:
        dataset["allOf"] = [
            {
                "if": {"properties": {"access": {"enum": open_ids}}, "required": ["access"]},
                "then": {
                    "required": ["licence"],
                    "properties": {"personal_data": {"const": False}},
                },
                "else": {"required": ["legal_basis"]},
            }
        ]
    dataset["defaultSnippets"] = [_snippet(c)]
    return dataset


def _snippet(c: Catalogue) -> dict[str, Any]:
    """What the editor offers for a new entry: the required fields, ready to fill in."""
    first = lambda register, default: (_codes(c, register) or ([default], []))[0][0]  # noqa: E731
    return {
        "label": "Bộ dữ liệu mới / New dataset",
        "description": "Các trường bắt buộc / The required fields",
        "body": {
            "id": "${1:ma-bo-du-lieu}",
            "title": {"vi": "${2:Tên bộ dữ liệu}", "en": "${3:Dataset title}"},
            "description": {"vi": "${4:Mô tả ít nhất 50 ký tự}", "en": "${5:Description}"},
            "agency": f"${{6:{first('agencies', 'agency')}}}",
            "contact": {"name": "${7}", "email": "${8:ten@hanoi.gov.vn}"},
            "themes": [f"${{9:{first('themes', 'theme')}}}"],
            "access": "${10:open}",
            "personal_data": False,
            "licence": "${11:cc-by}",
            "frequency": "${12:annually}",
            "status": "proposed",
            "due": "${13:2026-12-31}",
        },
    }


def editor_schema(c: Catalogue) -> dict[str, Any]:
    """The JSON Schema of the whole datasets.yaml."""
    base = str(c.settings.get("base_url") or "").rstrip("/")
    title = c.settings.text("title", "vi") or "citycat"
    doc: dict[str, Any] = {"$schema": DRAFT}
    if base:
        doc["$id"] = f"{base}/{SITE_PATH}"
    doc.update(
        {
            "title": f"datasets.yaml — {title}",
            "description": "Sinh tự động bởi `citycat schema` từ schemas/catalogue/ và catalogue/; đừng sửa tay. "
            "Generated by `citycat schema` from schemas/catalogue/ and catalogue/; do not edit.",
            "type": "object",
            "required": ["datasets"],
            "additionalProperties": False,
            "properties": {
                "datasets": {
                    "type": "array",
                    "description": "Danh sách bộ dữ liệu / The list of datasets",
                    "items": {"$ref": "#/definitions/dataset"},
                }
            },
            "definitions": {"dataset": dataset_schema(c)},
        }
    )
    return doc


def render(c: Catalogue) -> bytes:
    return (json.dumps(editor_schema(c), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# As a feed: published on the site


def files(c: Catalogue, today: dt.date, edition: str) -> Iterator[tuple[str, bytes]]:
    yield SITE_PATH, render(c)


def dataset_links(c: Catalogue, dataset_id: str) -> list[Link]:
    return []
