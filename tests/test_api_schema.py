"""The live API's parameters are data (``citycat.api.schema``): every action declares them, and
what arrives is typed or refused with CKAN's Validation Error before the action runs."""

from __future__ import annotations

import datetime as dt

import pytest

from citycat.api.actions import Api
from citycat.api.errors import ApiError
from citycat.api.schema import ROWS_MAX, SCHEMAS, UNLIMITED, clean
from citycat.source.load import load

from .conftest import CASES, assemble


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = assemble(tmp_path_factory.mktemp("good"), CASES / "good")
    return Api(load(root).catalogue, dt.date(2026, 12, 1), "public")


def test_every_action_declares_its_parameters_and_nothing_else(live):
    assert set(live.actions) == set(SCHEMAS)


def test_values_are_typed_as_declared():
    p = clean(SCHEMAS["package_search"], {"rows": ["7"], "fq": ["a:b", "c:d"], "facet.field": '["tags"]'})
    assert p["rows"] == 7 and p["fq"] == ["a:b", "c:d"] and p["facet.field"] == ["tags"]
    assert p["q"] == "" and p["start"] == 0 and p["facet.mincount"] == 1  # defaults
    assert clean(SCHEMAS["package_search"], {"rows": 5000})["rows"] == ROWS_MAX
    assert clean(SCHEMAS["package_search"], {"facet.limit": "-1"})["facet.limit"] == UNLIMITED
    assert clean(SCHEMAS["group_show"], {"include_datasets": "yes"})["include_datasets"] is True
    assert clean(SCHEMAS["package_list"], {})["limit"] is None  # the action decides: every name


@pytest.mark.parametrize(
    "action, params, field",
    [
        ("package_search", {"rows": "-1"}, "rows"),
        ("package_search", {"rows": 1.5}, "rows"),
        ("package_search", {"fq": [1]}, "fq"),
        ("group_list", {"all_fields": "maybe"}, "all_fields"),
        ("organization_list", {"organizations": "[not json"}, "organizations"),
        ("package_show", {"id": {"a": 1}}, "id"),
    ],
)
def test_a_wrong_value_is_a_validation_error_naming_its_parameter(live, action, params, field):
    with pytest.raises(ApiError) as caught:
        clean(SCHEMAS[action], params)
    assert caught.value.status == 409 and field in caught.value.body()
    status, body = live.answer(action, params)
    assert status == 409 and body["success"] is False and field in body["error"]


def test_undeclared_parameters_are_ignored_as_ckan_ignores_them(live):
    status, body = live.answer("package_list", {"whatever": "x"})
    assert status == 200 and body["success"] is True
