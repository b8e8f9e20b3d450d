"""The datasets' own Table Schemas and sample files, checked by Frictionless.

Paths come from pull requests: they must stay inside the repository (no ``..``, no absolute
path, no link that leads out), exist, and be what they claim (a valid Table Schema; a sample
that its schema accepts, row by row).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from citycat.model.catalogue import Catalogue, Dataset
from citycat.model.findings import Finding, Loc
from citycat.source.paths import inside


def check(catalogue: Catalogue) -> list[Finding]:
    root = Path(catalogue.root)
    out: list[Finding] = []
    for d in catalogue.datasets:
        out += _dataset(root, d)
    return out


def _dataset(root: Path, d: Dataset) -> Iterator[Finding]:
    import frictionless

    schema = None
    rel = d.get("schema")
    if isinstance(rel, str) and rel:
        path = inside(root, rel)
        if path is None:
            yield Finding("path-outside", d.at("schema"), d.id, {"value": rel})
        elif not path.is_file():
            yield Finding("schema-missing", d.at("schema"), d.id, {"path": rel})
        else:
            schema, problem, loc = _read_schema(path, rel)
            if problem:
                yield Finding("schema-invalid", loc, d.id, {"path": rel, "problem": problem})
    for x in d.distributions:
        sample = x.get("sample")
        if not isinstance(sample, str) or not sample:
            continue
        path = inside(root, sample)
        if path is None:
            yield Finding("path-outside", x.at("sample"), d.id, {"value": sample})
            continue
        if not path.is_file():
            yield Finding("sample-missing", x.at("sample"), d.id, {"path": sample})
            continue
        if not rel:
            yield Finding("sample-without-schema", x.at("sample"), d.id, {"dataset": d.id})
            continue
        if schema is None:
            continue  # the schema's own problem is reported above
        resource = frictionless.Resource(
            path=str(path.relative_to(root.resolve())),
            basepath=str(root.resolve()),
            schema=schema,
            format="csv",
            encoding="utf-8",
        )
        try:
            report = resource.validate(limit_errors=50)
        except (frictionless.FrictionlessException, re.error, ValueError) as exc:
            yield Finding("schema-invalid", Loc(rel, 1, 1), d.id, {"path": rel, "problem": str(exc)})
            continue
        for task in report.tasks:
            for e in task.errors:
                e = e.to_descriptor()
                row, col = e.get("rowNumber", 1), e.get("fieldNumber", 1)
                yield Finding(
                    "sample-invalid",
                    Loc(sample, row, col),
                    d.id,
                    {
                        "schema": rel,
                        "row": row,
                        "field": e.get("fieldName", "-"),
                        "error": e.get("type"),
                        "problem": e.get("note") or e.get("message", ""),
                    },
                )


def _read_schema(path: Path, rel: str):
    """The Table Schema at ``path``, or the first problem with it and where it is."""
    import frictionless

    try:
        text = path.read_text("utf-8")
        descriptor = json.loads(text)
    except UnicodeDecodeError:
        return None, "not UTF-8", Loc(rel, 1, 1)
    except json.JSONDecodeError as exc:
        return None, f"JSON: {exc.msg}", Loc(rel, exc.lineno, exc.colno)
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list):
        return None, 'a JSON object with "fields": [...] is expected', Loc(rel, 1, 1)
    # field by field first, so a problem is reported on the line of the field that has it
    for field in descriptor["fields"]:
        problem = _field_problem(field)
        if problem:
            name = field.get("name") if isinstance(field, dict) else None
            return None, f"field '{name}': {problem}", Loc(rel, *_place_of(text, name))
    try:
        errors = list(frictionless.Schema.metadata_validate(descriptor))
        if errors:
            return None, "; ".join(e.note or e.message for e in errors[:3]), Loc(rel, 1, 1)
        return frictionless.Schema.from_descriptor(descriptor), None, Loc(rel)
    except frictionless.FrictionlessException as exc:
        return None, exc.error.note or exc.error.message, Loc(rel, 1, 1)


def _field_problem(field) -> str | None:
    import frictionless

    if not isinstance(field, dict):
        return "a field must be a JSON object"
    try:
        errors = list(frictionless.Schema.metadata_validate({"fields": [field]}))
        if errors:
            return errors[0].note or errors[0].message
        pattern = (field.get("constraints") or {}).get("pattern")
        if isinstance(pattern, str):
            re.compile(pattern)
    except frictionless.FrictionlessException as exc:
        return exc.error.note or exc.error.message
    except re.error as exc:
        return f"pattern: {exc}"
    return None


def _place_of(text: str, name) -> tuple[int, int]:
    """Line and column of the field named ``name`` in a schema's JSON text."""
    if isinstance(name, str):
        match = re.search(r'"name"\s*:\s*' + re.escape(json.dumps(name, ensure_ascii=False)), text)
        if match:
            return text.count("\n", 0, match.start()) + 1, match.start() - text.rfind("\n", 0, match.start())
    return 1, 1
