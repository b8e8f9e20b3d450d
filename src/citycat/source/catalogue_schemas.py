"""The catalogue's own Data Package and Table Schemas (``schemas/catalogue/``), checked before use.

They come by pull request like everything else. A malformed one (a field list without ``id``, a
NaN or text ``minimum``, an object where a text belongs, an unknown ``type``, no ``fields``, a
foreign key to a table that does not exist) is a finding naming its file (``package-invalid``,
``schema-invalid``); nothing else is checked until it is fixed, since every other check reads
them. Never an internal error. (The one rule on ids no schema can remove: ``citycat.checks.ids``.)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from citycat.model.findings import Finding, Loc, both
from citycat.source import paths
from citycat.source.schemaread import read_json, schema_problem

PACKAGE = "schemas/catalogue/datapackage.json"
NEEDED = ("settings", "datasets", "distributions")  # the tables citycat's code reads by name
_SCHEMA_FILE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\.json$")
_TEXT = ("file", "key", "parent", "list", "records", "column")
_FIELD_TEXT = ("x-description-vi",)
_FIELD_FLAGS = ("x-recommended",)


class Invalid(Exception):
    """The package or one of its schemas cannot be used: ``findings`` say why."""

    def __init__(self, *findings: Finding):
        super().__init__(findings[0].code)
        self.findings = findings


def _package(problem: dict[str, str], loc: Loc | None = None) -> Invalid:
    return Invalid(
        Finding("package-invalid", loc or Loc(PACKAGE, 1, 1), params={"path": PACKAGE, "problem": problem})
    )


def read(root: Path) -> dict[str, Any]:
    """The package descriptor with each Table Schema inlined; ``Invalid`` when any is unusable."""
    base = root / PACKAGE
    try:
        text = paths.read(root, base).decode("utf-8")
    except paths.Refused:
        raise  # a symlink out of the repository, a file too large: the loader says so
    except FileNotFoundError:
        raise Invalid(Finding("file-missing", Loc(PACKAGE), params={"file": PACKAGE})) from None
    except (OSError, UnicodeDecodeError):
        raise _package(both("không đọc được tệp (UTF-8)", "the file cannot be read (as UTF-8)")) from None
    descriptor, problem, loc = read_json(text, PACKAGE)
    if problem:
        raise _package(problem, loc)
    _check_package(descriptor)
    found: list[Finding] = []
    for resource in descriptor["resources"]:
        schema = resource.get("schema")
        rel = f"schemas/catalogue/{schema}" if isinstance(schema, str) else PACKAGE
        if isinstance(schema, str):
            try:
                text = paths.read(root, base.parent / schema).decode("utf-8")
            except paths.Refused:
                raise
            except FileNotFoundError:
                found.append(Finding("file-missing", Loc(rel), params={"file": rel}))
                continue
            except (OSError, UnicodeDecodeError):
                problem = both("không đọc được tệp (UTF-8)", "the file cannot be read (as UTF-8)")
                found.append(
                    Finding("schema-invalid", Loc(rel, 1, 1), params={"path": rel, "problem": problem})
                )
                continue
            schema, problem, loc = read_json(text, rel)
            if problem:
                found.append(Finding("schema-invalid", loc, params={"path": rel, "problem": problem}))
                continue
            resource["schema"] = schema
        else:
            text = ""
        _, problem, loc = schema_problem(schema, text, rel)
        problem = problem or _citycat_problem(resource)
        if problem:
            found.append(
                Finding("schema-invalid", loc or Loc(rel, 1, 1), params={"path": rel, "problem": problem})
            )
    if not found:
        found += _references(descriptor)
    if found:
        raise Invalid(*found)
    return descriptor


def _check_package(descriptor: Any) -> None:
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise _package(
            both(
                'cần một đối tượng JSON có "resources": [...]',
                'a JSON object with "resources": [...] is expected',
            )
        )
    names: set[str] = set()
    for i, resource in enumerate(descriptor["resources"]):
        where = f"resources[{i}]"
        if not isinstance(resource, dict):
            raise _package(both(f"{where} phải là một đối tượng JSON", f"{where} must be a JSON object"))
        name = resource.get("name")
        if not isinstance(name, str) or not name:
            raise _package(both(f'{where}: cần "name" là một chuỗi', f'{where}: "name" must be a string'))
        if name in names:
            raise _package(both(f"bảng '{name}' có hai lần", f"the table '{name}' is listed twice"))
        names.add(name)
        schema = resource.get("schema")
        if not (isinstance(schema, dict) or (isinstance(schema, str) and _SCHEMA_FILE.match(schema))):
            raise _package(
                both(
                    f"bảng '{name}': \"schema\" phải là tên một tệp .json trong schemas/catalogue/",
                    f"table '{name}': \"schema\" must be the name of a .json file in schemas/catalogue/",
                )
            )
        source = resource.get("citycat", {})
        if not isinstance(source, dict):
            raise _package(
                both(
                    f"bảng '{name}': \"citycat\" phải là một đối tượng JSON",
                    f"table '{name}': \"citycat\" must be a JSON object",
                )
            )
        for key in _TEXT:
            if key in source and not (isinstance(source[key], str) and source[key]):
                raise _package(
                    both(
                        f"bảng '{name}': \"{key}\" phải là một chuỗi",
                        f"table '{name}': \"{key}\" must be a string",
                    )
                )
        if "single" in source and not isinstance(source["single"], bool):
            raise _package(
                both(
                    f"bảng '{name}': \"single\" phải là true hoặc false",
                    f"table '{name}': \"single\" must be true or false",
                )
            )
        if "file" in source and "key" not in source and not source.get("single"):
            raise _package(both(f"bảng '{name}': thiếu \"key\"", f"table '{name}': \"key\" is missing"))
        if "file" not in source and source and "parent" not in source:
            raise _package(
                both(
                    f'bảng \'{name}\': thiếu "file" hoặc "parent"',
                    f'table \'{name}\': "file" or "parent" is missing',
                )
            )
        if "parent" in source and "list" not in source and "records" not in source:
            raise _package(
                both(
                    f'bảng \'{name}\': thiếu "list" hoặc "records"',
                    f'table \'{name}\': "list" or "records" is missing',
                )
            )
    for resource in descriptor["resources"]:
        parent = resource.get("citycat", {}).get("parent")
        if parent is not None and parent not in names:
            raise _package(
                both(
                    f"bảng '{resource['name']}': không có bảng cha '{parent}'",
                    f"table '{resource['name']}': there is no parent table '{parent}'",
                )
            )
    for name in NEEDED:
        if name not in names:
            raise _package(both(f"thiếu bảng '{name}'", f"the table '{name}' is missing"))


def _citycat_problem(resource: dict) -> dict[str, str] | None:
    """What citycat needs of a schema beyond the Table Schema spec."""
    fields = resource["schema"]["fields"]
    names = [f["name"] for f in fields]
    for name in names:
        if names.count(name) > 1:
            return both(f"trường '{name}' có hai lần", f"the field '{name}' is listed twice")
    if "file" in resource.get("citycat", {}) and "id" not in names:
        return both("thiếu trường 'id' (mã của mỗi bản ghi)", "the field 'id' (each record's id) is missing")
    for f in fields:
        for key in _FIELD_TEXT:
            if key in f and not isinstance(f[key], str):
                return both(
                    f"trường '{f['name']}': \"{key}\" phải là một chuỗi",
                    f"field '{f['name']}': \"{key}\" must be a string",
                )
        for key in _FIELD_FLAGS:
            if key in f and not isinstance(f[key], bool):
                return both(
                    f"trường '{f['name']}': \"{key}\" phải là true hoặc false",
                    f"field '{f['name']}': \"{key}\" must be true or false",
                )
    return None


def _references(descriptor: dict) -> list[Finding]:
    """Each foreign key names a table of the package and fields it has."""
    fields = {r["name"]: {f["name"] for f in r["schema"]["fields"]} for r in descriptor["resources"]}
    out = []
    for resource in descriptor["resources"]:
        schema, name = resource["schema"], resource["name"]
        rel = f"schemas/catalogue/{name}.json"
        for fk in schema.get("foreignKeys", []):
            ref = fk["reference"]
            target = ref.get("resource") or name
            wanted = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
            if target not in fields:
                problem = both(
                    f"khóa ngoại trỏ tới bảng '{target}' không có",
                    f"a foreign key points to the table '{target}', which does not exist",
                )
            elif not set(wanted) <= fields[target]:
                missing = ", ".join(sorted(set(wanted) - fields[target]))
                problem = both(
                    f"khóa ngoại trỏ tới trường {missing} mà bảng '{target}' không có",
                    f"a foreign key points to {missing}, which the table '{target}' does not have",
                )
            else:
                continue
            out.append(Finding("schema-invalid", Loc(rel, 1, 1), params={"path": rel, "problem": problem}))
    return out
