"""The official editions on the site: read from editions/<date>/ (as ``citycat release`` writes
them), their files published byte for byte, their page, the home page's current edition and each
dataset's editions; what is wrong with an edition reported, never fatal, never published."""

from __future__ import annotations

import hashlib
import json
import os
import re
from html import unescape
from pathlib import Path

import pytest

from citycat.pipeline.build import build
from citycat.source.load import load
from tests.conftest import TODAY, copy_starter

IN_BOTH = "danh-sach-co-so-kham-benh-chua-benh-duoc-cap-phep-hoat-dong"
ONLY_FIRST = "danh-sach-nha-thuoc-quay-thuoc-du-dieu-kien-kinh-doanh-duoc"
NEVER = "danh-sach-nguoi-hanh-nghe-kham-benh-chua-benh"
RENAMED = "co-so-du-dieu-kien-an-toan-thuc-pham-thuoc-nganh-y-te"


def write_edition(
    root: Path,
    date: str,
    number: int,
    datasets: list[str],
    changes: list[dict],
    previous: str | None = None,
    decision: str = "123/QĐ-UBND",
    draft: bool = False,
) -> Path:
    """An edition folder as ``citycat release`` writes it (the contract of editions/<date>/)."""
    folder = root / "editions" / date
    folder.mkdir(parents=True)
    contents = {
        "annex.pdf": b"%PDF-1.7\n" + date.encode() + bytes(range(256)) * 4,
        "annex.docx": b"PK\x03\x04 docx " + date.encode(),
        "annex.xlsx": b"PK\x03\x04 xlsx " + date.encode(),
        "annex.csv": ("Mã,Tên\n" + "\n".join(datasets) + "\n").encode("utf-8"),
        "changes.json": json.dumps(
            {"version": 1, "previous": previous, "changes": changes}, ensure_ascii=False
        ).encode("utf-8"),
        "changelog.md": f"# Bản số {number}\n".encode(),
        "datasets.json": json.dumps(datasets).encode(),
    }
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    summary = {
        k: sum(1 for c in changes if c["kind"] == k) for k in ("added", "removed", "renamed", "changed")
    }
    edition = {
        "version": 1,
        "number": number,
        "date": date,
        "decision": decision,
        "signed": date,
        "draft": draft,
        "catalogue": "hanoi-shared-data",
        "commit": "0" * 40,
        "previous": previous,
        "counts": {
            "datasets": len(datasets),
            "agencies": {"so-y-te": len(datasets)},
            "access": {"open": len(datasets)},
            "status": {"proposed": len(datasets)},
        },
        "datasets": datasets,
        "changes": summary,
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in contents.items()
        },
    }
    (folder / "edition.json").write_text(json.dumps(edition, ensure_ascii=False, indent=1), "utf-8")
    sums = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in sorted(contents.items()))
    (folder / "SHA256SUMS").write_text(sums, "utf-8")
    return folder


def title(vi: str, en: str) -> dict:
    return {"vi": vi, "en": en}


def two_editions(root: Path) -> Path:
    write_edition(
        root,
        "2026-06-30",
        1,
        [IN_BOTH, ONLY_FIRST, "bo-cu-da-doi-ma"],
        [
            {
                "kind": "added",
                "id": IN_BOTH,
                "old_id": None,
                "title": title("Cơ sở khám bệnh", "Clinics"),
                "fields": [],
            },
            {
                "kind": "added",
                "id": ONLY_FIRST,
                "old_id": None,
                "title": title("Nhà thuốc", "Pharmacies"),
                "fields": [],
            },
        ],
    )
    write_edition(
        root,
        "2026-12-31",
        2,
        [IN_BOTH, RENAMED],
        [
            {
                "kind": "removed",
                "id": ONLY_FIRST,
                "old_id": None,
                "title": title("Nhà thuốc", "Pharmacies"),
                "fields": [],
            },
            {
                "kind": "removed",
                "id": "bo-da-xoa",
                "old_id": None,
                "title": title("Bộ đã xóa", "Gone"),
                "fields": [],
            },
            {
                "kind": "renamed",
                "id": RENAMED,
                "old_id": "bo-cu-da-doi-ma",
                "title": title("An toàn thực phẩm", "Food safety"),
                "fields": [],
            },
            {
                "kind": "changed",
                "id": IN_BOTH,
                "old_id": None,
                "title": title("Cơ sở khám bệnh", "Clinics"),
                "fields": [{"path": "title.vi", "old": "Cơ sở khám bệnh cũ", "new": "Cơ sở khám bệnh"}],
            },
        ],
        previous="2026-06-30",
        decision="456/QĐ-UBND",
        draft=True,
    )
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, Path, object]:
    root = two_editions(copy_starter(tmp_path_factory.mktemp("editions") / "root"))
    out = root.parent / "public"
    built = build(root, out, TODAY)
    return root, out, built


def text_of(path: Path) -> str:
    """A page's text, tags dropped and spaces joined (what a reader sees)."""
    html = path.read_text("utf-8")
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split()).replace(" ,", ",")


def test_the_editions_are_loaded_oldest_first_with_no_finding(site):
    root, _, built = site
    c = load(root).catalogue
    assert [(e.number, e.key) for e in c.editions] == [(1, "2026-06-30"), (2, "2026-12-31")]
    assert [f for f in built.findings if f.code == "edition-invalid"] == []
    second = c.editions[1]
    assert second.draft and second.decision == "456/QĐ-UBND" and second.previous.isoformat() == "2026-06-30"
    assert [x.kind for x in second.changes] == ["removed", "removed", "renamed", "changed"]
    assert second.changes[3].fields[0].path == "title.vi"


def test_editions_page_lists_both_newest_first_with_files_and_changes(site):
    _, out, _ = site
    for page, words in (
        (out / "editions" / "index.html", ("Bản số 2 ngày 31/12/2026", "Bản số 1 ngày 30/06/2026")),
        (out / "en" / "editions" / "index.html", ("Edition 2 of 31/12/2026", "Edition 1 of 30/06/2026")),
    ):
        text = text_of(page)
        second, first = (text.index(w) for w in words)
        assert second < first  # newest first
        html = page.read_text("utf-8")
        assert 'id="2026-12-31"' in html and 'id="2026-06-30"' in html
    html = (out / "editions" / "index.html").read_text("utf-8")
    text = text_of(out / "editions" / "index.html")
    assert "Quyết định số 456/QĐ-UBND (ký ngày 31/12/2026)" in text
    assert "Quyết định số 123/QĐ-UBND (ký ngày 30/06/2026)" in text
    assert text.count("Dự thảo: chưa ban hành") == 1  # only the second is a draft
    pdf = out / "editions" / "2026-12-31" / "annex.pdf"
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert 'href="2026-12-31/annex.pdf"' in html.replace("../editions/", "")  # relative link to the file
    assert digest in html
    for name in (
        "annex.pdf",
        "annex.docx",
        "annex.xlsx",
        "annex.csv",
        "changes.json",
        "changelog.md",
        "SHA256SUMS",
    ):
        assert f"2026-12-31/{name}" in html and f"2026-06-30/{name}" in html
    # the changelog: each kind with its datasets, linked while they exist
    assert "Đây là bản đầu tiên của danh mục." in text  # the first one
    assert "Bỏ (2)" in text and "Đổi mã (1)" in text and "Sửa (1)" in text
    assert "bo-cu-da-doi-ma → " + RENAMED in text
    assert "title.vi : Cơ sở khám bệnh cũ → Cơ sở khám bệnh" in text
    assert f'href="../datasets/{IN_BOTH}/"' in html
    assert "Bộ đã xóa" in text and 'href="../datasets/bo-da-xoa/"' not in html  # no page: no link
    en = text_of(out / "en" / "editions" / "index.html")
    assert "Decision No. 456/QĐ-UBND (signed 31/12/2026)" in en and "Food safety" in en
    assert "This is the list's first edition." in en


def test_edition_files_are_copied_byte_for_byte_once(site):
    root, out, _ = site
    for date in ("2026-06-30", "2026-12-31"):
        edition = json.loads((root / "editions" / date / "edition.json").read_text("utf-8"))
        for name, spec in edition["files"].items():
            data = (out / "editions" / date / name).read_bytes()
            assert data == (root / "editions" / date / name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == spec["sha256"] and len(data) == spec["bytes"]
        for name in ("edition.json", "SHA256SUMS"):
            assert (out / "editions" / date / name).read_bytes() == (
                root / "editions" / date / name
            ).read_bytes()
    assert not (out / "en" / "editions" / "2026-12-31").exists()  # one copy for both languages
    sitemap = (out / "sitemap.xml").read_text("utf-8")
    assert "/editions/</loc>" in sitemap and "/en/editions/</loc>" in sitemap


def test_home_shows_the_newest_edition(site):
    _, out, _ = site
    text = text_of(out / "index.html")
    assert "Bản chính thức hiện hành" in text
    assert "Bản số 2 ngày 31/12/2026 — Quyết định số 456/QĐ-UBND" in text
    assert "Bản số 1 ngày" not in text
    html = (out / "index.html").read_text("utf-8")
    assert 'href="editions/2026-12-31/annex.pdf"' in html and 'href="editions/"' in html
    assert 'href="../editions/2026-12-31/annex.pdf"' in (out / "en" / "index.html").read_text("utf-8")
    header = html[html.index("<header") : html.index("</header>")]
    assert 'href="editions/"' in header  # in the navigation


def test_the_printable_list_points_to_the_official_annex_and_prints_no_url(site):
    _, out, _ = site
    html = (out / "list" / "index.html").read_text("utf-8")
    assert 'href="../editions/2026-12-31/annex.pdf"' in html
    assert "Bản để đính kèm quyết định" in text_of(out / "list" / "index.html")
    assert "data-print-url" not in html
    css = (out / "static" / "style.css").read_text("utf-8")
    printed = css[css.index("@media print") :]
    assert "attr(href)" not in printed and "attr(data-print-url)" not in printed


def test_dataset_pages_name_their_editions(site):
    _, out, _ = site
    both = out / "datasets" / IN_BOTH / "index.html"
    text = text_of(both)
    assert "Có trong các bản chính thức Bản số 1 (30/06/2026), Bản số 2 (31/12/2026)" in text
    html = both.read_text("utf-8")
    assert 'href="../../editions/#2026-06-30"' in html and 'href="../../editions/#2026-12-31"' in html
    assert "Bản số 1 (30/06/2026)" in text_of(out / "datasets" / ONLY_FIRST / "index.html")
    assert "Bản số 2" not in text_of(out / "datasets" / ONLY_FIRST / "index.html")
    assert "Chưa có trong bản chính thức nào." in text_of(out / "datasets" / NEVER / "index.html")
    assert "Not yet in an official edition." in text_of(out / "en" / "datasets" / NEVER / "index.html")


def test_no_editions_no_trace(tmp_path):
    root = copy_starter(tmp_path / "root")
    out = tmp_path / "public"
    build(root, out, TODAY)
    assert not (out / "editions").exists()
    assert "bản chính thức" not in (out / "datasets" / NEVER / "index.html").read_text("utf-8").lower()
    home = (out / "index.html").read_text("utf-8")
    assert "Bản chính thức hiện hành" not in home and 'href="editions/"' not in home
    assert "Bản để đính kèm quyết định" not in text_of(out / "list" / "index.html")


def test_an_invalid_edition_is_a_warning_and_left_out(tmp_path):
    root = two_editions(copy_starter(tmp_path / "root"))
    path = root / "editions" / "2026-12-31" / "edition.json"
    path.write_text(path.read_text("utf-8").replace('"number": 2', '"number": "hai"'), "utf-8")
    bad = root / "editions" / "not-a-date"
    bad.mkdir()
    out = tmp_path / "public"
    built = build(root, out, TODAY)  # the build goes on
    found = {(str(f.loc), f.params["problem"]) for f in built.findings if f.code == "edition-invalid"}
    assert ("editions/2026-12-31/edition.json", "'number' must be a whole number from 1") in found
    assert any(loc == "editions/not-a-date" for loc, _ in found)
    assert all(f.level == "warning" for f in built.findings if f.code == "edition-invalid")
    assert not (out / "editions" / "2026-12-31").exists()
    assert (out / "editions" / "2026-06-30" / "annex.pdf").is_file()
    assert "Bản số 2" not in text_of(out / "editions" / "index.html")
    # broken JSON is located at its line and column
    path.write_text('{"version": 1,\n  "number": 2,,\n}', "utf-8")
    found = [f for f in load(root).findings if f.code == "edition-invalid"]
    assert [(f.loc.file, f.loc.line) for f in found if f.loc.line] == [
        ("editions/2026-12-31/edition.json", 2)
    ]


def test_a_file_linked_outside_the_repository_is_refused(tmp_path):
    root = two_editions(copy_starter(tmp_path / "root"))
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"not for the site")
    target = root / "editions" / "2026-12-31" / "annex.pdf"
    listed = json.loads((root / "editions" / "2026-12-31" / "edition.json").read_text("utf-8"))
    listed["files"]["annex.pdf"] = {"sha256": hashlib.sha256(b"not for the site").hexdigest(), "bytes": 16}
    (root / "editions" / "2026-12-31" / "edition.json").write_text(json.dumps(listed), "utf-8")
    target.unlink()
    os.symlink(secret, target)
    out = tmp_path / "public"
    built = build(root, out, TODAY)
    found = [f for f in built.findings if f.code == "edition-invalid"]
    assert [str(f.loc) for f in found] == ["editions/2026-12-31/annex.pdf"]
    assert "outside the repository" in found[0].params["problem"]
    assert not (out / "editions" / "2026-12-31" / "annex.pdf").exists()
    assert (out / "editions" / "2026-12-31" / "annex.docx").is_file()  # the rest of the edition stays
    assert not any(b"not for the site" in p.read_bytes() for p in out.rglob("*") if p.is_file())
    html = (out / "editions" / "index.html").read_text("utf-8")
    assert "2026-12-31/annex.pdf" not in html and "2026-06-30/annex.pdf" in html
    # a whole edition folder linked from outside is refused too
    elsewhere = tmp_path / "elsewhere"
    (root / "editions" / "2026-06-30").rename(elsewhere)
    os.symlink(elsewhere, root / "editions" / "2026-06-30")
    found = [f for f in load(root).findings if f.code == "edition-invalid"]
    assert "editions/2026-06-30/edition.json" in [str(f.loc) for f in found]
    assert [e.key for e in load(root).catalogue.editions] == ["2026-12-31"]


def test_a_file_name_that_is_a_path_is_never_used_as_one(tmp_path):
    root = two_editions(copy_starter(tmp_path / "root"))
    (root / "catalogue" / "x.pdf").write_bytes(b"inside, but not the edition's")
    path = root / "editions" / "2026-12-31" / "edition.json"
    listed = json.loads(path.read_text("utf-8"))
    listed["files"]["../../catalogue/x.pdf"] = {"sha256": "0" * 64, "bytes": 29}
    path.write_text(json.dumps(listed), "utf-8")
    loaded = load(root)
    assert any(
        "not a file name" in f.params["problem"] for f in loaded.findings if f.code == "edition-invalid"
    )
    second = loaded.catalogue.editions[1]
    assert "../../catalogue/x.pdf" not in second.published and "annex.pdf" in second.published


def test_text_from_an_edition_is_escaped(tmp_path):
    root = copy_starter(tmp_path / "root")
    write_edition(
        root,
        "2026-12-31",
        1,
        [IN_BOTH],
        [
            {
                "kind": "added",
                "id": IN_BOTH,
                "old_id": None,
                "title": title("<b>x</b>", "<i>y</i>"),
                "fields": [],
            }
        ],
        decision='<script>alert("x")</script>',
    )
    out = tmp_path / "public"
    build(root, out, TODAY)
    for page in (out / "editions" / "index.html", out / "index.html", out / "en" / "editions" / "index.html"):
        html = page.read_text("utf-8")
        assert "<script>alert" not in html and "&lt;script&gt;alert(" in html
    html = (out / "editions" / "index.html").read_text("utf-8")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_serve_rebuilds_with_editions_as_a_full_build_would(tmp_path):
    """An edit of datasets.yaml is rebuilt by entries (the changelog's links follow the list); a
    new edition is a full build (editions/ is watched): both byte-identical to a full build."""
    from citycat.pipeline import rebuild
    from citycat.source import inputs
    from tests.test_rebuild import assert_same_as_full_build, entry_text

    assert "editions" in inputs.BUILD  # what serve watches and a rebuild compares
    root = two_editions(copy_starter(tmp_path / "catalogue"))
    session = rebuild.Session(root, tmp_path / "site", TODAY, "public", parts=1)
    session.build()
    page = session.out / "editions" / "index.html"
    assert f'href="../datasets/{RENAMED}/"' in page.read_text("utf-8")
    path = root / "datasets.yaml"
    path.write_text(path.read_text("utf-8").replace(entry_text(session, RENAMED), ""), "utf-8")
    built, report = session.rebuild()
    assert built is not None and not report.full, report.reason
    assert f'href="../datasets/{RENAMED}/"' not in page.read_text("utf-8")  # no page now: no link
    assert_same_as_full_build(session, tmp_path)
    write_edition(root, "2027-06-30", 3, [IN_BOTH], [], previous="2026-12-31", decision="789/QĐ-UBND")
    built, report = session.rebuild()
    assert built is not None and report.full
    assert "789/QĐ-UBND" in (session.out / "index.html").read_text("utf-8")
    assert (session.out / "editions" / "2027-06-30" / "annex.pdf").is_file()
    assert_same_as_full_build(session, tmp_path)
