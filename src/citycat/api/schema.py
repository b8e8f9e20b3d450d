"""Each action's parameters, as data (as CKAN's ``logic/schema.py`` declares them).

``SCHEMAS[action]`` maps a parameter's name to a ``Param``: its kind, its default and, for a
number, its largest value. ``clean(schema, params)`` turns what arrived (strings from a query
string or a form, JSON values from a POST) into typed values before the action runs, answering
CKAN's Validation Error for a value of the wrong kind. A parameter an action does not declare is
ignored, as CKAN ignores it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from citycat.api.errors import invalid

ROWS_DEFAULT, ROWS_MAX = 10, 1000  # CKAN's package_search rows, and ckan.search.rows_max
FACET_LIMIT = 50
UNLIMITED = -1  # facet.limit=-1: every facet value (Solr's "no limit")

TRUE = ("true", "1", "yes", "on", "t", "y")
FALSE = ("false", "0", "no", "off", "f", "n")


@dataclass(frozen=True)
class Param:
    kind: str  # text | texts | natural | facet_limit | boolean | strings
    default: Any = None
    most: int | None = None


def text(default: str = "") -> Param:
    return Param("text", default)


def texts() -> Param:
    """One string or a repeated one (``fq`` given twice): a list of strings."""
    return Param("texts", ())


def natural(default: int | None = None, most: int | None = None) -> Param:
    """A whole number ≥ 0; None when absent and without a default (the action decides)."""
    return Param("natural", default, most)


def boolean(default: bool) -> Param:
    return Param("boolean", default)


def strings() -> Param:
    """A JSON list, a JSON list in a string (CKAN's GET form), or comma-separated words."""
    return Param("strings", None)


_LIST = {  # organization_list and group_list
    "sort": text(),
    "limit": natural(),
    "offset": natural(0),
    "all_fields": boolean(False),
    "include_dataset_count": boolean(True),
    "include_extras": boolean(False),
}
_SHOW = {  # organization_show and group_show
    "id": text(),
    "include_datasets": boolean(False),
    "include_dataset_count": boolean(True),
    "include_extras": boolean(True),
}

SCHEMAS: Mapping[str, Mapping[str, Param]] = {
    "package_show": {"id": text(), "name_or_id": text()},
    "resource_show": {"id": text()},
    "package_list": {"limit": natural(), "offset": natural(0)},
    "current_package_list_with_resources": {"limit": natural(), "offset": natural(0), "page": natural(0)},
    "package_search": {
        "q": text(),
        "fq": texts(),
        "sort": text(),
        "rows": natural(ROWS_DEFAULT, most=ROWS_MAX),
        "start": natural(0),
        "fl": text(),
        "facet.field": strings(),
        "facet.limit": Param("facet_limit", FACET_LIMIT),
        "facet.mincount": natural(1),
    },
    "organization_list": {**_LIST, "organizations": strings()},
    "group_list": {**_LIST, "groups": strings()},
    "organization_show": _SHOW,
    "group_show": _SHOW,
    "tag_list": {"query": text(), "vocabulary_id": text(), "all_fields": boolean(False)},
    "license_list": {},
    "status_show": {},
    "site_read": {},
    "help_show": {"name": text()},
}


def clean(schema: Mapping[str, Param], params: Mapping[str, Any]) -> dict[str, Any]:
    """The declared parameters of ``params``, typed (absent ones take their default)."""
    return {name: _value(name, param, params.get(name)) for name, param in schema.items()}


def _one(value: Any) -> Any:
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return value[0]  # a GET parameter given once
    return value


def _value(name: str, param: Param, raw: Any) -> Any:
    kind = param.kind
    if kind == "texts":
        values = raw if isinstance(raw, list) else [raw]
        if not all(v is None or isinstance(v, str) for v in values):
            raise invalid(name, "Must be a string")
        return [v for v in values if v]
    if kind == "strings":
        return _strings(name, raw)
    value = _one(raw)
    if kind == "text":
        if value is None:
            return param.default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise invalid(name, "Must be a string")
        return str(value)
    if kind == "boolean":
        return _boolean(name, value, param.default)
    if kind == "facet_limit" and value in (-1, "-1"):
        return UNLIMITED
    return _natural(name, value, param.default, param.most)


def _natural(name: str, value: Any, default: int | None, most: int | None) -> int | None:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise invalid(name, "Invalid integer")
    try:
        number = int(value.strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError, OverflowError):
        raise invalid(name, "Invalid integer") from None
    if isinstance(value, float) and value != number:
        raise invalid(name, "Invalid integer")
    if number < 0:
        raise invalid(name, "Must be a natural number")
    return min(number, most) if most is not None else number


def _boolean(name: str, value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE:
        return True
    if isinstance(value, str) and value.strip().lower() in FALSE:
        return False
    if isinstance(value, int):
        return bool(value)
    raise invalid(name, "Must be a boolean")


def _strings(name: str, value: Any) -> list[str] | None:
    if value is None:
        return None
    value = _one(value)
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except ValueError:
                raise invalid(name, "Not a JSON list") from None
        else:
            value = [v.strip() for v in stripped.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(name, "Must be a list of strings")
    return value
