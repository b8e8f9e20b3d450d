"""Reading a Table Schema's JSON: its problems in our words (vi and en), with where they are.

Used for the catalogue's own schemas (``citycat.source.catalogue_schemas``) and the datasets'
(``citycat.checks.files``); Frictionless's reason is quoted as a detail after our words.
"""

from __future__ import annotations

import json
import re

from citycat.model.findings import Loc, both

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


class _NotJSON(ValueError):
    """NaN, Infinity or -Infinity: Python's json module reads them, JSON has no such value."""


def _no_constant(name: str):
    raise _NotJSON(name)


def read_json(text: str, rel: str):
    """The JSON value of ``text``, or None with the problem in our words and where it is."""
    try:
        return json.loads(text, parse_constant=_no_constant), None, None
    except _NotJSON as exc:
        where = Loc(rel, *_place_of_text(text, str(exc)))
        return None, both(f"JSON không có giá trị {exc}", f"JSON has no value {exc}"), where
    except json.JSONDecodeError as exc:
        vi, en = _JSON_WORDS.get(exc.msg, ("JSON sai cú pháp", "the JSON is malformed"))
        return None, both(f"JSON: {vi}", f"JSON: {en}"), Loc(rel, exc.lineno, exc.colno)
    except RecursionError:
        return None, both("JSON lồng nhau quá sâu", "the JSON is nested too deeply"), Loc(rel, 1, 1)


def _place_of_text(text: str, word: str) -> tuple[int, int]:
    at = text.find(word)
    if at < 0:
        return 1, 1
    return text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)


def schema_problem(descriptor, text: str, rel: str, field_problem=None):
    """``descriptor`` (read from ``text``, the file ``rel``) as a Frictionless Schema, or None with
    the first problem with it ({"vi": …, "en": …}) and where it is."""
    import frictionless

    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list):
        return (
            None,
            both(
                'cần một đối tượng JSON có "fields": [...]', 'a JSON object with "fields": [...] is expected'
            ),
            Loc(rel, 1, 1),
        )
    # field by field first, so a problem is reported on the line of the field that has it
    for field in descriptor["fields"]:
        problem = _field_shape(field) or (field_problem(field) if field_problem else None)
        if problem:
            name = field.get("name") if isinstance(field, dict) else None
            return (
                None,
                both(f"trường '{name}': {problem['vi']}", f"field '{name}': {problem['en']}"),
                Loc(rel, *place_of(text, name)),
            )
    try:
        errors = list(frictionless.Schema.metadata_validate(descriptor))
        if errors:
            return None, spec("; ".join(e.note or e.message for e in errors[:3])), Loc(rel, 1, 1)
        return frictionless.Schema.from_descriptor(descriptor), None, Loc(rel)
    except frictionless.FrictionlessException as exc:
        return None, spec(exc.error.note or exc.error.message), Loc(rel, 1, 1)
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        return None, spec(type(exc).__name__), Loc(rel, 1, 1)


def _field_shape(field) -> dict[str, str] | None:
    import frictionless

    if not isinstance(field, dict):
        return both("mỗi trường phải là một đối tượng JSON", "a field must be a JSON object")
    try:
        errors = list(frictionless.Schema.metadata_validate({"fields": [field]}))
        if errors:
            return spec(errors[0].note or errors[0].message)
    except frictionless.FrictionlessException as exc:
        return spec(exc.error.note or exc.error.message)
    return None


def spec(detail: str) -> dict[str, str]:
    """Frictionless's own reason, quoted as a detail after our words."""
    return both(
        f'không đúng đặc tả Table Schema (chi tiết từ Frictionless: "{detail}")',
        f'it does not follow the Table Schema spec (Frictionless says: "{detail}")',
    )


def place_of(text: str, name) -> tuple[int, int]:
    """Line and column of the field named ``name`` in a schema's JSON text."""
    if isinstance(name, str):
        match = re.search(r'"name"\s*:\s*' + re.escape(json.dumps(name, ensure_ascii=False)), text)
        if match:
            return text.count("\n", 0, match.start()) + 1, match.start() - text.rfind("\n", 0, match.start())
    return 1, 1
