"""The loaded Catalogue: typed, immutable, located, with internal values set apart."""

from __future__ import annotations

import dataclasses

import pytest

from citycat.model.catalogue import Catalogue, Dataset
from citycat.source.load import load
from tests.conftest import STARTER


@pytest.fixture(scope="module")
def catalogue(starter) -> Catalogue:
    loaded = load(starter)
    assert [f.code for f in loaded.findings] == []
    return loaded.catalogue


def test_starter_catalogue_loads_every_entry_and_register(catalogue):
    assert len(catalogue.datasets) == 49
    assert len(catalogue.agencies) == 17
    assert {"open", "shared", "internal"} <= set(catalogue.register("access_levels"))
    assert catalogue.settings.get("deadline").isoformat() == "2026-12-31"
    assert catalogue.settings.text("draft_notice", "en")


def test_catalogue_is_immutable(catalogue):
    d = catalogue.datasets[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.fields = {}
    with pytest.raises(TypeError):
        d.fields["id"] = "x"
    with pytest.raises(TypeError):
        catalogue.registers["agencies"] = {}


def test_every_value_has_its_place(catalogue):
    lines = (STARTER / "datasets.yaml").read_text("utf-8").split("\n")
    checked = 0
    for d in catalogue.datasets:
        for name, value in d.fields.items():
            if not isinstance(value, str):
                continue
            loc = d.locs[name]
            assert loc.file == "datasets.yaml"
            written = lines[loc.line - 1][loc.col - 1 :]
            if written[:1] in "|>":
                continue  # a block scalar starts on the next line
            assert written.lstrip("'\"").startswith(value[:20]), (name, loc, written)
            checked += 1
        assert lines[d.at("id").line - 1].rstrip().endswith(d.id)
    assert checked > 49 * 5


def test_internal_values_are_set_apart(catalogue):
    marked = [d for d in catalogue.datasets if d.internal]
    assert len(marked) >= 3
    for d in marked:
        assert "internal" not in d.fields
        assert not any(k.startswith("internal") for k in d.fields)
    hidden = [x for d in catalogue.datasets for x in d.distributions if x.internal]
    assert hidden and all(x not in d.public_distributions() for d in catalogue.datasets for x in hidden)


def test_typed_accessors(catalogue):
    d: Dataset = catalogue.datasets[0]
    assert d.text("title", "en") and d.text("title", "vi") != d.text("title", "en")
    assert d.agency in catalogue.agencies
    assert all(t in catalogue.themes for t in d.themes)
    assert d.due is not None
