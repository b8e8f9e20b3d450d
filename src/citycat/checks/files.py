"""The datasets' own Table Schemas and sample files, checked by Frictionless.

Paths come from pull requests: they must stay inside the repository (no ``..``, no absolute
path, no link that leads out), exist, and be what they claim (a valid Table Schema; a sample
that its schema accepts, row by row).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from citycat.checks import patterns
from citycat.checks.tablecheck import CONSTRAINT_NOTE, TYPE_NOTE
from citycat.model.catalogue import Catalogue, Dataset
from citycat.model.findings import Finding, Loc, both
from citycat.source import paths
from citycat.source.paths import inside
from citycat.source.schemaread import read_json, schema_problem, spec


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
            problem = exc.words if isinstance(exc, patterns.PatternProblem) else spec(str(exc))
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
        m = TYPE_NOTE.search(note)
        vi, en = _TYPE_WORDS.get(m.group(1) if m else "", ("đúng kiểu", "of the right type"))
        return both(f"giá trị không phải {vi}", f"the value is not {en}")
    if kind == "constraint-error":
        m = CONSTRAINT_NOTE.search(note)
        if m and m.group(1) in _CONSTRAINT_WORDS:
            vi, en = _CONSTRAINT_WORDS[m.group(1)]
            return both(vi.format(limit=m.group(2)), en.format(limit=m.group(2)))
    if kind in _ERROR_WORDS:
        return both(*_ERROR_WORDS[kind])
    return both(f'Frictionless báo lỗi "{kind}"', f'Frictionless reports "{kind}"')


def _written_inside(rel: str) -> bool:
    """Whether the path's text stays inside the repository (then only a symlink can lead out)."""
    import posixpath

    if rel.startswith(("/", "\\")) or "\\" in rel or ":" in rel:
        return False
    normal = posixpath.normpath(rel)
    return normal != ".." and not normal.startswith("../")


def _read_schema(root: Path, path: Path, rel: str):
    """The Table Schema at ``path``, or the first problem with it ({"vi": …, "en": …}) and where it is."""
    try:
        text = paths.read(root, path).decode("utf-8")
    except paths.TooLarge as exc:
        size, cap = paths.megabytes(exc.size), paths.megabytes(exc.cap)
        return (
            None,
            both(f"tệp nặng {size}, quá giới hạn {cap}", f"the file is {size}, over the {cap} cap"),
            Loc(rel, 1, 1),
        )
    except UnicodeDecodeError:
        return None, both("tệp không phải UTF-8", "the file is not UTF-8"), Loc(rel, 1, 1)
    descriptor, problem, loc = read_json(text, rel)
    if problem:
        return None, problem, loc
    return schema_problem(descriptor, text, rel, _field_problem)


def _field_problem(field) -> dict[str, str] | None:
    import frictionless

    if not isinstance(field, dict):
        return both("mỗi trường phải là một đối tượng JSON", "a field must be a JSON object")
    try:
        errors = list(frictionless.Schema.metadata_validate({"fields": [field]}))
        if errors:
            return spec(errors[0].note or errors[0].message)
        pattern = (field.get("constraints") or {}).get("pattern")
        if isinstance(pattern, str):
            words = patterns.problem(pattern)
            if words:
                return both(
                    f"mẫu (pattern) '{pattern}': {words['vi']}", f"pattern '{pattern}': {words['en']}"
                )
    except frictionless.FrictionlessException as exc:
        return spec(exc.error.note or exc.error.message)
    return None
