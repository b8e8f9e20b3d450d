"""Each rule of ``citycat.model.policy`` pinned on the fixture catalogue (tests/cases/good), and
the outputs that used to write their own copy shown to follow it."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
from pathlib import Path
from types import MappingProxyType

import pytest

from citycat.feeds import ckan, datajson
from citycat.model import policy
from citycat.model.policy import INTERNAL, PUBLIC
from citycat.quality import scores
from citycat.site import views
from citycat.source import inputs
from citycat.source.load import load

from .conftest import CASES, TODAY, assemble

SRC = Path(__file__).resolve().parent.parent / "src" / "citycat"


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    root = assemble(tmp_path_factory.mktemp("policy") / "good", CASES / "good")
    return load(root).catalogue


def _with(d, **fields):
    """A copy of a dataset record with some fields changed (records are immutable)."""
    return dataclasses.replace(d, fields=MappingProxyType({**d.fields, **fields}))


def _catalogue(c, datasets=None, **registers):
    regs = dict(c.registers)
    for name, records in registers.items():
        regs[name] = MappingProxyType({r.id: r for r in records})
    return dataclasses.replace(
        c, datasets=tuple(c.datasets if datasets is None else datasets), registers=regs
    )


def _levels(c, access, **fields):
    """The access levels with one of them changed."""
    out = []
    for r in c.register("access_levels").values():
        out.append(
            dataclasses.replace(r, fields=MappingProxyType({**r.fields, **fields})) if r.id == access else r
        )
    return out


# --- listed -------------------------------------------------------------------------------------


def test_listed_reads_the_access_levels_register(good):
    first = good.datasets[0]
    hidden = _with(first, id="rieng", access="internal")
    c = _catalogue(good, [*good.datasets, hidden])
    assert [d.id for d in policy.listed_datasets(c, PUBLIC)] == [d.id for d in good.datasets]
    assert policy.listed_datasets(c, INTERNAL) == list(c.datasets)
    # the rule is the register's public_listing, not the name of the level
    closed = _catalogue(good, [first], access_levels=_levels(good, "open", public_listing=False))
    assert first.access == "open" and not policy.listed(closed, first, PUBLIC)
    assert policy.listed(closed, first, INTERNAL)
    unknown = _with(first, access="secret")
    assert not policy.listed(good, unknown, PUBLIC)


def test_every_feed_lists_the_same_datasets(good):
    first = good.datasets[0]
    hidden = _with(first, id="rieng", access="internal")
    c = _catalogue(good, [*good.datasets, hidden])
    for edition in (PUBLIC, INTERNAL):
        want = sorted(d.id for d in policy.listed_datasets(c, edition))
        assert sorted(p["name"] for p in ckan.publish(c, TODAY, edition).packages) == want
        assert (
            sorted(x["identifier"].rsplit("/", 1)[1] for x in datajson.catalog(c, edition)["dataset"]) == want
        )
    assert ckan.dataset_links(c, "rieng") == [] and ckan.dataset_links(c, first.id)


def test_ckan_follows_the_register_not_the_access_name(good):
    """``feeds/ckan.py`` tested ``access != "internal"``: a shared level made unlisted stays out."""
    c = _catalogue(good, access_levels=_levels(good, "shared", public_listing=False))
    shared = [d.id for d in c.datasets if d.access == "shared"]
    assert shared
    names = {p["name"] for p in ckan.publish(c, TODAY, PUBLIC).packages}
    assert names and not names & set(shared)


# --- what an edition shows ----------------------------------------------------------------------


def test_an_edition_shows_its_distributions_and_internal_block(good):
    d = next(d for d in good.datasets if any(x.internal for x in d.distributions))
    assert d.internal  # the fixture's entry has an internal: block too
    assert all(not x.internal for x in policy.distributions(d, PUBLIC))
    assert policy.distributions(d, INTERNAL) == d.distributions
    assert len(policy.distributions(d, PUBLIC)) < len(d.distributions)
    assert [policy.shown(x, PUBLIC) for x in d.distributions] == [not x.internal for x in d.distributions]
    assert dict(policy.internal_fields(d, INTERNAL)) == dict(d.internal)
    assert dict(policy.internal_fields(d, PUBLIC)) == {}
    view = views.dataset_view(d, good, "vi", TODAY, PUBLIC)
    assert len(view["distributions"]) == len(policy.distributions(d, PUBLIC)) and view["internal"] == {}


# --- open ---------------------------------------------------------------------------------------


def test_open_is_the_registers_open_flag(good):
    assert policy.is_open(good, "open") and not policy.is_open(good, "shared")
    assert not policy.is_open(good, "internal") and not policy.is_open(good, "nope")
    assert not policy.is_open(good, ["open"]) and not policy.is_open(good, None)
    assert policy.open_access(good) == ["open"]
    assert not policy.marked_open(None)
    licences = good.licences
    assert any(policy.marked_open(r) for r in licences.values())
    d = next(d for d in good.datasets if d.access == "open")
    assert views.dataset_view(d, good, "vi", TODAY, PUBLIC)["access"]["open"] is True


# --- order --------------------------------------------------------------------------------------


def test_display_order_is_by_title_then_id(good):
    first = good.datasets[0]
    a = _with(first, id="b-2", **{"title.vi": "Ấp", "title.en": "Zeta"})
    b = _with(first, id="a-1", **{"title.vi": "Ấp", "title.en": "alpha"})
    c = _with(first, id="c-3", **{"title.vi": "Bảng", "title.en": "Beta"})
    assert [d.id for d in policy.in_display_order([c, a, b], "vi")] == ["a-1", "b-2", "c-3"]  # tie: by id
    assert [d.id for d in policy.in_display_order([c, a, b], "en")] == ["a-1", "c-3", "b-2"]
    assert [d.id for d in views.sorted_datasets([c, a, b], "en")] == ["a-1", "c-3", "b-2"]


def test_overdue_order_is_one_rule_everywhere(good):
    first = _with(good.datasets[0], status="proposed")
    early = dt.date(2026, 1, 1)
    late = dt.date(2026, 6, 1)
    made = [
        _with(first, id="z-early", due=early, **{"title.vi": "Bảng", "title.en": "Beta"}),
        _with(first, id="a-late", due=late, **{"title.vi": "Ăn", "title.en": "Alpha"}),
        _with(first, id="m-late", due=late, **{"title.vi": "Ấp", "title.en": "Zebra"}),
        _with(first, id="done", due=early, status="published"),
    ]
    c = _catalogue(good, made)
    assert [d.id for d in policy.overdue(c.datasets, TODAY)] == ["z-early", "a-late", "m-late"]
    # ties by the language's title order: "Ăn" < "Ấp" in Vietnamese (a, ă, â), "Alpha" < "Zebra" in English
    assert [d.id for d in policy.overdue(c.datasets, TODAY, "en")] == ["z-early", "a-late", "m-late"]
    # titles whose order is not the ids': every list of overdue datasets follows the titles
    swapped = _catalogue(
        good,
        [
            made[0],
            _with(made[1], **{"title.vi": "Ấp", "title.en": "Zz"}),
            _with(made[2], **{"title.vi": "Ăn"}),
            made[3],
        ],
    )
    want = ["z-early", "m-late", "a-late"]
    assert [d.id for d in policy.overdue(swapped.datasets, TODAY, "vi")] == want
    assert [d.id for d in policy.overdue(swapped.datasets, TODAY, "en")] == want
    assert [x[0] for x in scores.deadline(swapped, TODAY)["late"]] == want  # the report's (was by id)
    assert [x[0] for x in scores.deadline(swapped, TODAY, "en")["late"]] == want
    assert scores.summary(swapped, {}, TODAY)["overdue_ids"] == want  # the scorecards'
    home = {p.lang: p for p in views.pages(swapped, TODAY) if p.template == "home.html"}
    assert [d.id for d in home["vi"].context["overdue_list"]] == want
    assert [d.id for d in home["en"].context["overdue_list"]] == want


# --- addresses and links ------------------------------------------------------------------------


def _settings(c, **fields):
    s = c.settings
    return dataclasses.replace(
        c, settings=dataclasses.replace(s, fields=MappingProxyType({**s.fields, **fields}))
    )


def test_base_url_and_page_address(good):
    assert policy.base_url(good) == "https://dulieu.hanoi.gov.vn/"
    assert policy.base_url(_settings(good, base_url="https://x.example/sub")) == "https://x.example/sub/"
    for unset in (None, "", "javascript:alert(1)", "ftp://x.example/"):
        assert policy.base_url(_settings(good, base_url=unset)) == "/"  # the site's root, one result
    assert policy.page_path("x") == "datasets/x/" and policy.page_path("x", "en") == "en/datasets/x/"
    assert policy.page_url(good, "x", "en") == "https://dulieu.hanoi.gov.vn/en/datasets/x/"
    page = next(p for p in views.pages(good, TODAY) if p.dataset is not None)
    assert page.path == policy.page_path(page.dataset.id)


def test_safe_url_keeps_http_and_nothing_else():
    assert policy.safe_url(" https://a.example/x ") == "https://a.example/x"
    assert policy.safe_url("HTTP://a.example/") == "HTTP://a.example/"
    for bad in ("javascript:alert(1)", "data:text/html,x", "ftp://a.example/", "//a.example/", None, 3, ""):
        assert policy.safe_url(bad) == ""


# --- inputs -------------------------------------------------------------------------------------


def test_one_list_of_inputs_and_one_walker(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    (root / "site" / "templates").mkdir(parents=True)
    (root / "site" / "templates" / "x.html").write_text("x", "utf-8")
    (root / "public").mkdir()
    (root / "public" / "index.html").write_text("built", "utf-8")
    catalogue = inputs.files(root, inputs.CATALOGUE)
    build = inputs.files(root, inputs.BUILD)
    assert catalogue[0] == root / "datasets.yaml" and catalogue == build[: len(catalogue)]
    assert build[len(catalogue) :] == [root / "site" / "templates" / "x.html"]  # the theme, only for builds
    assert not any("public" in p.parts for p in build)  # outputs are no input
    before = inputs.stamps(root)
    path = root / "datasets.yaml"
    path.write_text(path.read_text("utf-8") + "\n# changed\n", "utf-8")
    assert inputs.stamps(root) != before and set(inputs.stamps(root)) == set(before)


# --- layers -------------------------------------------------------------------------------------


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names]
    return names


def test_the_rules_come_from_the_model():
    """The model imports no other layer; no feed reads the site's views for a rule."""
    for path in sorted((SRC / "model").glob("*.py")):
        assert all(n.startswith("citycat.model") for n in _imports(path) if n.startswith("citycat")), (
            path.name
        )
    for path in sorted((SRC / "feeds").glob("*.py")):
        assert not any(n.startswith("citycat.site.views") for n in _imports(path)), path.name
