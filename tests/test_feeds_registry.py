"""The feed registry: one line declares a feed, and the build, ``citycat export``, the dataset
pages and ``serve``'s "is this a feed's file" all follow it."""

from __future__ import annotations

import sys
import types

import pytest

from citycat import feeds
from citycat.feeds import export
from citycat.pipeline import rebuild
from citycat.pipeline.build import build
from citycat.source.load import load
from tests.conftest import TODAY


def _dummy_module() -> types.ModuleType:
    module = types.ModuleType("citycat.feeds.dummy")

    def files(c, today, edition):
        yield "dummy/all.txt", f"{edition} {len(c.datasets)}\n".encode()
        for d in c.datasets:
            yield f"dummy/{d.id}.txt", d.id.encode()

    def dataset_links(c, dataset_id):
        return [feeds.Link("feed_csv_row", f"dummy/{dataset_id}.txt", "text/plain")]

    def export(c, fmt, edition, lang):
        return f"{fmt} {edition} {lang} {len(c.datasets)}".encode()

    module.files, module.dataset_links, module.export = files, dataset_links, export
    return module


@pytest.fixture
def dummy(monkeypatch):
    monkeypatch.setitem(sys.modules, "citycat.feeds.dummy", _dummy_module())
    line = feeds.Feed(
        "dummy", paths=("dummy/*",), exports=(feeds.Export("dummytext", "dummy.txt", "a test"),)
    )
    monkeypatch.setattr(feeds, "FEEDS", (*feeds.FEEDS, line))
    return line


@pytest.mark.parametrize("parts", [1, 2])
def test_a_registered_feed_is_built_exported_and_known_as_a_feed_path(dummy, good, tmp_path, parts):
    out = tmp_path / f"site{parts}"
    build(good, out, TODAY, parts=parts)
    c = load(good).catalogue
    assert (out / "dummy" / "all.txt").read_text() == f"public {len(c.datasets)}\n"
    first = c.datasets[0].id
    assert (out / "dummy" / f"{first}.txt").read_text() == first
    page = (out / "datasets" / first / "index.html").read_text("utf-8")
    assert f"dummy/{first}.txt" in page  # the page's machine links come from the registry
    assert "dummytext" in export.names()
    assert (
        export.render(c, "dummytext", "internal", "en") == f"dummytext internal en {len(c.datasets)}".encode()
    )
    assert export.default_file("dummytext") == "dummy.txt"
    assert rebuild.is_feed("dummy/x.txt") and feeds.is_feed_path("dummy/all.txt")


def test_without_the_line_there_is_no_such_feed(good, tmp_path):
    assert "dummy" not in feeds.names() and "dummytext" not in export.names()
    assert not rebuild.is_feed("dummy/x.txt")


def test_every_file_a_feed_writes_is_one_of_its_declared_paths(good):
    c = load(good).catalogue
    for feed in feeds.FEEDS:
        for edition in ("public", "internal"):
            for rel, _ in feed.files(c, TODAY, edition):
                assert feed.owns(rel), (feed.name, rel)
                assert [f.name for f in feeds.FEEDS if f.owns(rel)] == [feed.name], rel


def test_the_clis_export_choices_are_the_registrys():
    from citycat.cli.catalogue import ExportFormat

    assert [f.value for f in ExportFormat] == list(export.names())
    assert set(export.names()) == {"ttl", "rdf", "jsonld", "datajson", "datapackage", "csv", "xlsx"}


def test_the_docs_name_every_registered_feed_and_export():
    """docs/mapping.md (and docs/ckan.md for the CKAN feed) describe what the registry declares."""
    from tests.conftest import ROOT

    mapping = (ROOT / "docs" / "mapping.md").read_text("utf-8")
    for name in export.names():
        assert f"citycat export {name}" in mapping, name
    for feed in feeds.FEEDS:
        if feed.name == "ckan":
            assert "api/3/action/" in (ROOT / "docs" / "ckan.md").read_text("utf-8")
        else:
            assert f"`feeds/{feed.name}.py`" in mapping, feed.name
