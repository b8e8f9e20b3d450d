"""``citycat import datajson``: the starter catalogue's data.json, over HTTP on loopback and from
a file, into an empty catalogue; what data.json cannot carry is reported, not invented."""

from __future__ import annotations

import json

import pytest

from citycat.source.load import load
from tests.conftest import TODAY
from tests.importing import (
    FolderServer,
    built_site,
    citycat,
    compare,
    empty_catalogue,
    imported,
    needs,
    public,
    source_catalogue,
)

# What DCAT-US 1.1 has no field for (docs/import.md): these are not in data.json at all.
LOST = {
    "ref", "title.en", "description.en", "keywords.en", "data_class", "due",
    "sharing.methods", "sharing.consumers", "spatial", "temporal.start", "temporal.end", "frequency",
    "distributions.title.en", "distributions.description.en", "distributions.byte_size",
}  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return built_site(tmp_path_factory.mktemp("site") / "public")


@pytest.fixture(scope="module")
def source():
    return source_catalogue()


@pytest.mark.parametrize("where", ["url", "file"])
def test_data_json_round_trip(where, site, source, tmp_path):
    target = empty_catalogue(tmp_path / "cat")
    with FolderServer(site) as host:
        location = f"{host.url}/data.json" if where == "url" else str(site / "data.json")
        done = imported("datajson", location, target, "--lang", "en")
    c = load(target).catalogue
    compare(source, c, LOST)
    for d in public(source):
        t = c.dataset(d.id)
        # what data.json says of the rest, read back as far as it goes
        assert t.get("frequency") == (
            "irregular" if d.get("frequency") == "on_change" else d.get("frequency")
        )
        assert t.items("spatial") == (() if d.items("spatial") == ("01",) else d.items("spatial"))
        closed = d.date("temporal.start") and d.date("temporal.end")
        assert t.date("temporal.start") == (d.date("temporal.start") if closed else None)
        assert t.get("personal_data") is d.get("personal_data")  # citycat's personalData extension
        assert t.get("status") == "proposed" and t.date("due") == c.settings.get("deadline")
    assert done.returncode == 0, done.stderr
    citycat("validate", "--root", str(target), "--today", TODAY.isoformat(), check=True)
    citycat("fmt", "--check", "--root", str(target), check=True)


def test_skip_invalid_leaves_out_the_entries_that_need_fields(site, source, tmp_path):
    # another portal's data.json has no personalData (citycat's extension): for shared data the
    # import cannot tell, so those entries need the field and --skip-invalid leaves them out
    foreign = json.loads((site / "data.json").read_text("utf-8"))
    for item in foreign["dataset"]:
        item.pop("personalData", None)
    path = tmp_path / "data.json"
    path.write_text(json.dumps(foreign, ensure_ascii=False), "utf-8")
    target = empty_catalogue(tmp_path / "cat")
    plain = imported("datajson", str(path), target, "--lang", "en", "--dry-run")
    shared = sorted(d.id for d in public(source) if d.access == "shared")
    assert plain.returncode == 1 and needs(plain) == {i: ["field-required"] for i in shared}
    done = imported("datajson", str(path), target, "--skip-invalid", "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert "Not written (errors, --skip-invalid):" in done.stderr
    got = {d.id for d in load(target).catalogue.datasets}
    assert got == {d.id for d in public(source) if d.access == "open"}
    citycat("validate", "--root", str(target), "--today", TODAY.isoformat(), check=True)


@pytest.mark.parametrize(
    "content, expected",
    [
        (b'{"dataset": [', "is not valid JSON"),
        (b'{"datasets": []}', "is not a data.json"),
        (b"\xff\xfe not text", "is not valid JSON"),
    ],
)
def test_a_malformed_file_is_a_clear_error(content, expected, tmp_path):
    target = empty_catalogue(tmp_path / "cat")
    before = (target / "datasets.yaml").read_bytes()
    (tmp_path / "data.json").write_bytes(content)
    done = imported("datajson", str(tmp_path / "data.json"), target, "--lang", "en")
    assert done.returncode == 2 and expected in done.stderr and "Traceback" not in done.stderr
    assert (target / "datasets.yaml").read_bytes() == before


def test_a_missing_file_or_page_is_a_clear_error(site, tmp_path):
    target = empty_catalogue(tmp_path / "cat")
    with FolderServer(site) as host:
        done = imported("datajson", f"{host.url}/khong-co.json", target, "--lang", "en")
    assert done.returncode == 2 and "answered HTTP 404" in done.stderr
    done = imported("datajson", str(tmp_path / "khong-co.json"), target, "--lang", "en")
    assert done.returncode == 2 and "cannot read" in done.stderr.lower()
    done = imported("datajson", "ftp://example.org/data.json", target, "--lang", "en")
    assert done.returncode == 2 and "Only a file or an http(s) URL" in done.stderr
