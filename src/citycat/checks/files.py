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

from citycat.checks import patterns
from citycat.model.catalogue import Catalogue, Dataset
from citycat.model.findings import Finding, Loc
from citycat.source import paths
from citycat.source.paths import inside


def check(catalogue: Catalogue) -> list[Finding]:
    root = Path(catalogue.root)
    out: list[Finding] = []
    for d in catalogue.datasets:
        out += _dataset(root, d)
    return out


def _dataset(root: Path, d: Dataset) -> Iterator[Finding]:
    import frictionless

    patterns.install()  # a sample's patterns run in linear time
    schema = None
    rel = d.get("schema")
    if isinstance(rel, str) and rel:
        path = inside(root, rel)
        if path is None and _written_inside(rel):  # the text stays inside, a symlink leads out
            yield Finding("file-outside", d.at("schema"), d.id, {"file": rel})
        elif path is None:
            yield Finding("path-outside", d.at("schema"), d.id, {"value": rel})
        elif not path.is_file():
            yield Finding("schema-missing", d.at("schema"), d.id, {"path": rel})
        else:
            schema, problem, loc = _read_schema(root, path, rel)
            if problem:
                yield Finding("schema-invalid", loc, d.id, {"path": rel, "problem": problem})
    for x in d.distributions:
        sample = x.get("sample")
        if not isinstance(sample, str) or not sample:
            continue
        path = inside(root, sample)
        if path is None:
            code, params = (
                ("file-outside", {"file": sample})
                if _written_inside(sample)
                else ("path-outside", {"value": sample})
            )
            yield Finding(code, x.at("sample"), d.id, params)
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
        except (frictionless.FrictionlessException, ValueError) as exc:
            problem = exc.words if isinstance(exc, patterns.PatternProblem) else _spec(str(exc))
            yield Finding("schema-invalid", Loc(rel, 1, 1), d.id, {"path": rel, "problem": problem})
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
                        "problem": sample_problem(e),
                    },
                )


_JSON_WORDS = {  # the json module's reasons, in our words
    "Expecting value": ("thiếu một giá trị", "a value is missing"),
    "Expecting ',' delimiter": ("thiếu dấu ','", "a ',' is missing"),
    "Expecting ':' delimiter": ("thiếu dấu ':'", "a ':' is missing"),
    "Expecting property name enclosed in double quotes": (
        "tên khóa phải nằm trong dấu ngoặc kép (hoặc thừa dấu ',' trước '}')",
        "a key must be in double quotes (or a ',' before '}' is too many)",
    ),
    "Unterminated string starting at": (
        "chuỗi chưa đóng dấu ngoặc kép",
        "a string's closing quote is missing",
    ),
    "Extra data": ("có nội dung thừa sau đối tượng JSON", "there is more text after the JSON object"),
    "Invalid control character at": ("có ký tự điều khiển trong chuỗi", "a string holds a control character"),
    "Invalid \\escape": ("có dấu '\\' không hợp lệ trong chuỗi", "a string holds an invalid '\\' escape"),
}


_CONSTRAINT = re.compile(r'constraint "(\w+)" is "(.*)"$', re.S)
_TYPE = re.compile(r'type is "(\w+)/')
_CONSTRAINT_WORDS = {
    "required": ("ô bắt buộc nhưng để trống", "a required cell is empty"),
    "enum": ("giá trị không thuộc danh sách cho phép {limit}", "the value is not one of {limit}"),
    "pattern": ("giá trị không khớp mẫu {limit}", "the value does not match the pattern {limit}"),
    "minLength": ("ngắn hơn {limit} ký tự", "shorter than {limit} characters"),
    "maxLength": ("dài hơn {limit} ký tự", "longer than {limit} characters"),
    "minimum": ("nhỏ hơn {limit}", "less than {limit}"),
    "maximum": ("lớn hơn {limit}", "greater than {limit}"),
    "exclusiveMinimum": ("không lớn hơn {limit}", "not greater than {limit}"),
    "exclusiveMaximum": ("không nhỏ hơn {limit}", "not less than {limit}"),
}
_TYPE_WORDS = {
    "integer": ("số nguyên", "a whole number"),
    "number": ("số", "a number"),
    "date": ("ngày dạng năm-tháng-ngày", "a year-month-day date"),
    "datetime": ("ngày giờ", "a date and time"),
    "boolean": ("true/false", "true/false"),
    "year": ("năm", "a year"),
    "geopoint": ("tọa độ", "a point"),
}
_ERROR_WORDS = {
    "missing-cell": ("dòng thiếu ô này", "the row lacks this cell"),
    "extra-cell": ("dòng có ô thừa", "the row has a cell too many"),
    "blank-row": ("dòng trống", "an empty row"),
    "duplicate-row": ("dòng trùng một dòng trước", "the row repeats an earlier one"),
    "unique-error": ("giá trị trùng với một dòng trước", "the value repeats an earlier row's"),
    "primary-key": ("khóa chính trùng hoặc trống", "the primary key is repeated or empty"),
    "foreign-key": (
        "giá trị không có trong bảng được tham chiếu",
        "the value is not in the referenced table",
    ),
    "incorrect-label": (
        "tiêu đề cột khác tên trong schema",
        "the column header differs from the schema's name",
    ),
    "missing-label": ("thiếu cột của schema", "a column of the schema is missing"),
    "extra-label": ("cột không có trong schema", "a column the schema does not have"),
    "duplicate-label": ("tiêu đề cột bị lặp", "a column header is repeated"),
    "blank-label": ("tiêu đề cột để trống", "a column header is empty"),
    "encoding-error": ("tệp không phải UTF-8", "the file is not UTF-8"),
}


def sample_problem(e: dict) -> dict[str, str]:
    """What Frictionless found in a sample's row, in our words (vi and en)."""
    kind, note = e.get("type", ""), e.get("note") or ""
    if kind == "type-error":
        m = _TYPE.search(note)
        vi, en = _TYPE_WORDS.get(m.group(1) if m else "", ("đúng kiểu", "of the right type"))
        return _words(f"giá trị không phải {vi}", f"the value is not {en}")
    if kind == "constraint-error":
        m = _CONSTRAINT.search(note)
        if m and m.group(1) in _CONSTRAINT_WORDS:
            vi, en = _CONSTRAINT_WORDS[m.group(1)]
            return _words(vi.format(limit=m.group(2)), en.format(limit=m.group(2)))
    if kind in _ERROR_WORDS:
        return _words(*_ERROR_WORDS[kind])
    return _words(f'Frictionless báo lỗi "{kind}"', f'Frictionless reports "{kind}"')


def _written_inside(rel: str) -> bool:
    """Whether the path's text stays inside the repository (then only a symlink can lead out)."""
    import posixpath

    if rel.startswith(("/", "\\")) or "\\" in rel or ":" in rel:
        return False
    normal = posixpath.normpath(rel)
    return normal != ".." and not normal.startswith("../")


def _words(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


def _read_schema(root: Path, path: Path, rel: str):
    """The Table Schema at ``path``, or the first problem with it ({"vi": …, "en": …}) and where it is."""
    import frictionless

    try:
        text = paths.read(root, path).decode("utf-8")
        descriptor = json.loads(text)
    except paths.TooLarge as exc:
        size, cap = paths.megabytes(exc.size), paths.megabytes(exc.cap)
        return (
            None,
            _words(f"tệp nặng {size}, quá giới hạn {cap}", f"the file is {size}, over the {cap} cap"),
            Loc(rel, 1, 1),
        )
    except UnicodeDecodeError:
        return None, _words("tệp không phải UTF-8", "the file is not UTF-8"), Loc(rel, 1, 1)
    except json.JSONDecodeError as exc:
        vi, en = _JSON_WORDS.get(exc.msg, ("JSON sai cú pháp", "the JSON is malformed"))
        return None, _words(f"JSON: {vi}", f"JSON: {en}"), Loc(rel, exc.lineno, exc.colno)
    except RecursionError:
        return None, _words("JSON lồng nhau quá sâu", "the JSON is nested too deeply"), Loc(rel, 1, 1)
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list):
        return (
            None,
            _words(
                'cần một đối tượng JSON có "fields": [...]', 'a JSON object with "fields": [...] is expected'
            ),
            Loc(rel, 1, 1),
        )
    # field by field first, so a problem is reported on the line of the field that has it
    for field in descriptor["fields"]:
        problem = _field_problem(field)
        if problem:
            name = field.get("name") if isinstance(field, dict) else None
            return (
                None,
                _words(f"trường '{name}': {problem['vi']}", f"field '{name}': {problem['en']}"),
                Loc(rel, *_place_of(text, name)),
            )
    try:
        errors = list(frictionless.Schema.metadata_validate(descriptor))
        if errors:
            return None, _spec("; ".join(e.note or e.message for e in errors[:3])), Loc(rel, 1, 1)
        return frictionless.Schema.from_descriptor(descriptor), None, Loc(rel)
    except frictionless.FrictionlessException as exc:
        return None, _spec(exc.error.note or exc.error.message), Loc(rel, 1, 1)
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        return None, _spec(type(exc).__name__), Loc(rel, 1, 1)


def _spec(detail: str) -> dict[str, str]:
    """Frictionless's own reason, quoted as a detail after our words."""
    return _words(
        f'không đúng đặc tả Table Schema (chi tiết từ Frictionless: "{detail}")',
        f'it does not follow the Table Schema spec (Frictionless says: "{detail}")',
    )


def _field_problem(field) -> dict[str, str] | None:
    import frictionless

    if not isinstance(field, dict):
        return _words("mỗi trường phải là một đối tượng JSON", "a field must be a JSON object")
    try:
        errors = list(frictionless.Schema.metadata_validate({"fields": [field]}))
        if errors:
            return _spec(errors[0].note or errors[0].message)
        pattern = (field.get("constraints") or {}).get("pattern")
        if isinstance(pattern, str):
            words = patterns.problem(pattern)
            if words:
                return _words(
                    f"mẫu (pattern) '{pattern}': {words['vi']}", f"pattern '{pattern}': {words['en']}"
                )
    except frictionless.FrictionlessException as exc:
        return _spec(exc.error.note or exc.error.message)
    return None


def _place_of(text: str, name) -> tuple[int, int]:
    """Line and column of the field named ``name`` in a schema's JSON text."""
    if isinstance(name, str):
        match = re.search(r'"name"\s*:\s*' + re.escape(json.dumps(name, ensure_ascii=False)), text)
        if match:
            return text.count("\n", 0, match.start()) + 1, match.start() - text.rfind("\n", 0, match.start())
    return 1, 1
