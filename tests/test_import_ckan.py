"""``citycat import ckan``: the starter catalogue served by ``citycat serve`` on loopback, imported
with the real command line (ckanapi underneath) into an empty catalogue, read back by citycat."""

from __future__ import annotations

import shutil
import socket

import pytest

from citycat.feeds.ckan import publish
from citycat.source.inputs import CATALOGUE as INPUTS
from citycat.source.load import load
from tests.conftest import TODAY, citycat_serve, starter_root
from tests.importing import (
    FolderServer,
    citycat,
    compare,
    empty_catalogue,
    imported,
    public,
    source_catalogue,
)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``citycat serve`` of a copy of the starter catalogue: (url, built site folder)."""
    copy = tmp_path_factory.mktemp("source")
    root = starter_root()
    for name in INPUTS:
        if (root / name).is_dir():
            shutil.copytree(root / name, copy / name)
        elif (root / name).is_file():  # (an input may be absent: the starter has no editions)
            shutil.copyfile(root / name, copy / name)
    out = copy / "public"
    with citycat_serve(copy, out) as url:
        yield url, out


@pytest.fixture(scope="module")
def source():
    return source_catalogue()


@pytest.fixture(scope="module")
def round_trip(served, tmp_path_factory):
    url, _ = served
    target = empty_catalogue(tmp_path_factory.mktemp("target") / "cat")
    registers = {p.name: p.read_bytes() for p in (target / "catalogue").iterdir()}
    done = imported("ckan", url, target)
    return target, registers, done


def test_every_public_field_survives_the_ckan_api(round_trip, source):
    target, registers, done = round_trip
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stderr  # no progress bar without a terminal
    c = load(target).catalogue
    # CKAN sorts a package's tags: only the order of the Vietnamese keywords is not kept
    compare(source, c, unordered={"keywords.vi"})
    assert {p.name: p.read_bytes() for p in (target / "catalogue").iterdir()} == registers  # nothing to add
    text = (target / "datasets.yaml").read_text("utf-8")
    header = (starter_root() / "datasets.yaml").read_text("utf-8").split("\ndatasets:")[0]
    assert text.startswith(header + "\ndatasets:\n  - id: ")  # the comments stay, byte for byte
    citycat("validate", "--root", str(target), "--today", TODAY.isoformat(), check=True)
    citycat("fmt", "--check", "--root", str(target), check=True)


def test_a_second_import_keeps_what_is_there_and_update_puts_back_only_the_source_fields(round_trip, served):
    target, _, _ = round_trip
    url, _ = served
    path = target / "datasets.yaml"
    before = path.read_text("utf-8")
    again = imported("ckan", url, target)
    assert again.returncode == 0, again.stderr
    assert path.read_text("utf-8") == before
    assert "giữ nguyên 43" in again.stderr
    # an officer edits one entry: a new English title, a comment, an internal note
    name = "danh-sach-nha-thuoc-quay-thuoc-du-dieu-kien-kinh-doanh-duoc"
    old_en = '      en: "Licensed pharmacies and drug counters"\n'
    edited = before.replace(
        f"  - id: {name}\n",
        f"  - id: {name}\n    # xác nhận với Sở Y tế / to confirm with the department\n",
    ).replace(old_en, '      en: "Pharmacies"\n')
    assert edited.count("# xác nhận với Sở Y tế") == 1 and old_en not in edited
    entry_start = edited.index(f"  - id: {name}\n")
    next_start = edited.index("\n  - id: ", entry_start + 1) + 1
    entry = (
        edited[entry_start:next_start].rstrip("\n") + '\n    internal:\n      note: "gọi trước khi sửa"\n\n'
    )
    edited = edited[:entry_start] + entry + edited[next_start:]
    path.write_text(edited, "utf-8")
    updated = imported("ckan", url, target, "--update")
    assert updated.returncode == 0, updated.stderr
    assert "cập nhật 1, không đổi 42" in updated.stderr
    after = path.read_text("utf-8")
    assert old_en in after and "# xác nhận với Sở Y tế" in after and 'note: "gọi trước khi sửa"' in after
    assert after.replace(old_en, '      en: "Pharmacies"\n') == edited  # nothing else moved
    assert load(target).catalogue.dataset(name).internal == {"note": "gọi trước khi sửa"}
    citycat("fmt", "--check", "--root", str(target), check=True)


def test_dry_run_prints_the_change_and_writes_nothing(served, tmp_path):
    url, _ = served
    target = empty_catalogue(tmp_path / "cat")
    before = (target / "datasets.yaml").read_bytes()
    done = imported("ckan", url, target, "--dry-run", "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert (target / "datasets.yaml").read_bytes() == before
    assert "Nothing written (--dry-run)" in done.stderr
    assert "-datasets: []" in done.stdout and "+  - id: danh-sach-nha-thuoc" in done.stdout
    assert not list(target.glob(".datasets.yaml.*"))


def test_organization_and_since_filter_on_the_server(served, source, tmp_path):
    url, _ = served
    target = empty_catalogue(tmp_path / "org")
    done = imported("ckan", url, target, "--organization", "so-y-te", "--rows", "2")
    assert done.returncode == 0, done.stderr
    got = sorted(d.id for d in load(target).catalogue.datasets)
    assert got == sorted(d.id for d in public(source) if d.agency == "so-y-te") and len(got) > 2
    since = TODAY.replace(month=10, day=1)
    target = empty_catalogue(tmp_path / "since")
    done = imported("ckan", url, target, "--since", since.isoformat())
    assert done.returncode == 0, done.stderr
    expected = [d.id for d in public(source) if (d.date("modified") or d.date("issued") or TODAY) >= since]
    assert 0 < len(expected) < len(public(source))
    assert sorted(d.id for d in load(target).catalogue.datasets) == sorted(expected)


def test_missing_agencies_and_themes_are_made_from_the_organizations_and_groups(served, source, tmp_path):
    url, _ = served
    target = empty_catalogue(tmp_path / "cat")
    agencies = target / "catalogue" / "agencies.yaml"
    themes = target / "catalogue" / "themes.yaml"
    for path, first in ((agencies, "so-y-te"), (themes, "y-te")):
        text = path.read_text("utf-8")
        start = text.index(f"  - id: {first}\n")
        end = text.index("\n  - id: ", start + 1) + 1
        path.write_text(text[:start] + text[end:], "utf-8")
    header = agencies.read_text("utf-8").split("\n  - id:")[0]
    done = imported("ckan", url, target, "--organization", "so-y-te")
    assert done.returncode == 0, done.stderr
    assert "Cơ quan mới trong catalogue/agencies.yaml: so-y-te" in done.stderr
    c = load(target).catalogue
    assert dict(c.agencies["so-y-te"].fields) == dict(source.agencies["so-y-te"].fields)
    assert dict(c.themes["y-te"].fields) == dict(source.themes["y-te"].fields)
    assert agencies.read_text("utf-8").startswith(header)  # the register's comments stay
    citycat("validate", "--root", str(target), "--today", TODAY.isoformat(), check=True)


def test_a_static_copy_of_the_api_is_read_with_get(served, source, tmp_path):
    """The build's static files on a plain host: POST is refused, ``start`` and ``rows`` ignored."""
    _, site = served
    target = empty_catalogue(tmp_path / "cat")
    with FolderServer(site) as host:
        done = imported("ckan", host.url, target)
    assert done.returncode == 0, done.stderr
    compare(source, load(target).catalogue, unordered={"keywords.vi"})


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("kind", ["unreachable", "not-ckan", "bad-url", "bad-organization"])
def test_a_bad_remote_is_a_clear_error_and_nothing_is_written(kind, tmp_path):
    target = empty_catalogue(tmp_path / "cat")
    before = (target / "datasets.yaml").read_bytes()
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body>Not a CKAN</body></html>", "utf-8")
    with FolderServer(site) as host:
        url = {
            "unreachable": f"http://127.0.0.1:{_closed_port()}",
            "not-ckan": host.url,
            "bad-url": "javascript:alert(1)",
            "bad-organization": host.url,
        }[kind]
        more = ["--organization", "Sở Y tế"] if kind == "bad-organization" else []
        done = imported("ckan", url, target, "--lang", "en", *more)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.startswith("citycat: ")
    expected = {
        "unreachable": "Cannot reach",
        "not-ckan": "does not answer like a CKAN Action API",
        "bad-url": "an http(s) URL is needed",
        "bad-organization": "--organization",
    }[kind]
    assert expected in done.stderr
    assert (target / "datasets.yaml").read_bytes() == before


def test_the_mapping_is_the_inverse_of_the_feed(source):
    """The pure mapping, on the feed's own dicts: no HTTP, every public dataset back."""
    from citycat.imports import ckan
    from citycat.imports.common import Target

    pub = publish(source, TODAY, "public")
    orgs = {o["name"]: o for o in pub.organizations}
    groups = {g["name"]: g for g in pub.groups}
    mapped = ckan.packages(ckan.Fetched("x", pub.packages, orgs, groups), Target(source))
    assert [e["id"] for e in mapped.entries] == [p["name"] for p in pub.packages]
    assert not mapped.agencies and not mapped.themes
    by_id = {e["id"]: e for e in mapped.entries}
    d = source.dataset("danh-sach-nha-thuoc-quay-thuoc-du-dieu-kien-kinh-doanh-duoc")
    e = by_id[d.id]
    assert e["title.en"] == d.get("title.en") and e["legal_basis" if d.get("legal_basis") else "licence"]
    assert e["sharing.consumers"] == list(d.get("sharing.consumers"))
    assert [x["download_url"] for x in e["distributions"] if "download_url" in x] == [
        x.get("download_url") for x in d.public_distributions() if x.get("download_url")
    ]
