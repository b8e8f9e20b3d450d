"""``citycat release``: the official edition, checked with real tools (poppler's pdftotext and
pdffonts, pypdf, openpyxl, sha256sum) on the frozen starter catalogue."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import openpyxl
import pypdf
import pytest
import yaml

from citycat.edition import annex
from citycat.feeds import common
from citycat.model import policy
from citycat.model.policy import PUBLIC
from citycat.source.load import load
from tests.conftest import copy_starter, missing

DATE = "2026-12-31"
DECISION = "123/QĐ-UBND"

for tool in ("pdftotext", "pdffonts", "sha256sum", "fc-list"):
    if shutil.which(tool) is None:
        missing(f"{tool} (Debian: poppler-utils, coreutils, fontconfig)")


def release(
    root: Path, *args: str, date: str = DATE, decision: str = DECISION
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "citycat",
            "release",
            "--root",
            str(root),
            "--date",
            date,
            "--decision",
            decision,
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=root,
    )


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    root = copy_starter(tmp_path_factory.mktemp("edition") / "root")
    done = release(root)
    assert done.returncode == 0, done.stderr
    return root / "editions" / DATE


@pytest.fixture(scope="module")
def catalogue(made):
    return load(made.parents[1]).catalogue


def text_of(pdf: Path, *mode: str) -> str:
    return subprocess.run(
        ["pdftotext", *mode, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_pdf_lists_every_listed_dataset_once_under_its_agency_in_register_order(made, catalogue):
    raw = text_of(made / "annex.pdf", "-raw")
    flat = squeeze(raw)
    listed = policy.listed_datasets(catalogue, PUBLIC)
    assert len(listed) == 43
    for d in listed:
        # each row ends with its code, in a column of its own: exactly once in the document
        code = str(d.get("ref") or d.id)
        assert flat.count(squeeze(code)) == 1, code
        # the title and the whole description are there (wrapped in their cells, never cut short)
        assert squeeze(d.text("title", "vi")) in flat
        assert squeeze(d.text("description", "vi")) in flat
    # sections in the register's order, each dataset after its agency's section and before the next
    order = [r.id for r in catalogue.register_lists["agencies"]]
    sections = [(a, ds) for a, ds in annex.grouped(catalogue)]
    assert [a for a, _ in sections] == [a for a in order if a in dict(sections)]
    positions = []
    for i, (agency, datasets) in enumerate(sections, start=1):
        name = catalogue.agencies[agency].text("name", "vi")
        at = flat.index(squeeze(f"{annex.roman(i)}{name}"))
        positions.append(at)
        for d in datasets:
            assert flat.index(squeeze(str(d.get("ref") or d.id))) > at
    assert positions == sorted(positions)
    # unlisted (internal) datasets are not in the annex
    for d in catalogue.datasets:
        if not policy.listed(catalogue, d, PUBLIC):
            assert squeeze(str(d.get("ref") or d.id)) not in flat


def test_the_pdf_is_a4_landscape_at_most_14_pages_with_embedded_fonts_and_no_url(made):
    pdf = made / "annex.pdf"
    reader = pypdf.PdfReader(pdf)
    assert 1 < len(reader.pages) <= 14
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape, pt
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows
    for row in rows:
        assert "Liberation-Serif" in row, row  # no other face stood in for a missing glyph
        assert row.split()[-5] == "yes", row  # emb
    text = text_of(pdf)
    assert "://" not in text and "www." not in text
    assert unicodedata.normalize("NFC", text) == text
    assert "Sở Y tế" in text and "Độc lập - Tự do - Hạnh phúc" in text


def test_the_heading_the_decision_and_the_page_numbers(made):
    reader = pypdf.PdfReader(made / "annex.pdf")
    first = reader.pages[0].extract_text()
    assert "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI" in first
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first
    assert "PHỤ LỤC" in first and "DANH MỤC DỮ LIỆU DÙNG CHUNG CỦA THÀNH PHỐ HÀ NỘI" in first
    assert f"Kèm theo Quyết định số {DECISION} ngày 31 tháng 12 năm 2026 của UBND Thành phố" in first
    assert "DỰ THẢO" in first  # the starter's settings carry a draft notice
    # no number on page 1; from page 2 the number heads the page, and the table header repeats
    layout = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "3", str(made / "annex.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\f")
    assert layout[0].strip().splitlines()[0].strip() != "1"
    for number, page in ((2, layout[1]), (3, layout[2])):
        lines = [x.strip() for x in page.strip().splitlines() if x.strip()]
        assert lines[0] == str(number)
        assert "STT" in "".join(lines[1:6]) and "(9)" in "".join(lines[1:8])  # the header, repeated


def test_xlsx_and_csv_hold_the_annex_rows(made, catalogue):
    strings = common.strings(catalogue)
    a = annex.annex(catalogue, annex.Meta(annex.dt.date(2026, 12, 31), DECISION), strings["vi"])
    book = openpyxl.load_workbook(made / "annex.xlsx")
    sheet = book.worksheets[0]
    got = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    want = [[r.number, s.name, *r.cells()[1:]] for s in a.sections for r in s.rows]
    assert [[("" if v is None else v) for v in row] for row in got] == want
    assert book.worksheets[1].cell(1, 2).value == strings["en"]["col_agency"]
    csv_text = (made / "annex.csv").read_bytes().decode("utf-8-sig")
    assert csv_text.count("\r\n") == len(want) + 1 + sum(sum(str(c).count("\n") for c in row) for row in want)
    for s in a.sections:
        assert s.name in csv_text


def test_sha256sums_checks_out_and_two_runs_give_the_same_bytes(made, tmp_path):
    done = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=made, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK") == 8
    again = copy_starter(tmp_path / "again")
    assert release(again).returncode == 0
    other = again / "editions" / DATE
    names = sorted(p.name for p in made.iterdir())
    assert names == sorted(p.name for p in other.iterdir())
    for name in names:
        assert (made / name).read_bytes() == (other / name).read_bytes(), name


def test_running_again_keeps_an_edition_and_refuses_to_change_an_issued_one(tmp_path):
    root = copy_starter(tmp_path / "root")
    assert release(root).returncode == 0
    again = release(root)
    assert again.returncode == 0 and "không đổi" in again.stdout
    text = (root / "datasets.yaml").read_text("utf-8")
    (root / "datasets.yaml").write_text(
        text.replace("Danh sách cơ sở khám bệnh", "Danh sách các cơ sở khám bệnh", 1)
    )
    refused = release(root)
    assert refused.returncode == 1 and "đã có với nội dung khác" in refused.stderr
    assert release(root, "--replace").returncode == 0


class NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data):  # datasets.yaml refuses YAML aliases: write each value out
        return True


def edit(root: Path) -> dict[str, str]:
    """Add one entry, remove one, retitle one, change a legal basis: the four changes."""
    doc = yaml.safe_load((root / "datasets.yaml").read_text("utf-8"))
    entries = doc["datasets"]
    listed = [e for e in entries if e["access"] in ("open", "shared")]
    removed, retitled, legal = listed[0], listed[1], next(e for e in listed[2:] if e.get("legal_basis"))
    added = {**listed[3], "id": "bo-du-lieu-moi-them", "ref": "HN-NEW-001"}
    added["title"] = {"vi": "Bộ dữ liệu mới thêm vào danh mục", "en": "A dataset added to the list"}
    entries.remove(removed)
    retitled["title"] = {**retitled["title"], "vi": retitled["title"]["vi"] + " (đã sửa tên)"}
    legal["legal_basis"] = "Luật Dữ liệu số 60/2024/QH15"
    entries.append(added)
    (root / "datasets.yaml").write_text(
        yaml.dump(doc, Dumper=NoAliases, allow_unicode=True, sort_keys=False), "utf-8"
    )
    return {"added": added["id"], "removed": removed["id"], "retitled": retitled["id"], "legal": legal["id"]}


def test_the_changelog_between_two_editions_is_exactly_the_four_changes(tmp_path):
    import json

    root = copy_starter(tmp_path / "root")
    assert release(root).returncode == 0
    first = json.loads((root / "editions" / DATE / "changes.json").read_text("utf-8"))
    assert first == {"version": 1, "previous": None, "changes": []}
    assert "bản đầu tiên" in (root / "editions" / DATE / "changelog.md").read_text("utf-8")
    ids = edit(root)
    done = release(root, date="2027-06-30")
    assert done.returncode == 0, done.stderr
    second = root / "editions" / "2027-06-30"
    changes = json.loads((second / "changes.json").read_text("utf-8"))
    assert changes["previous"] == DATE
    got = sorted((c["kind"], c["id"], tuple(f["path"] for f in c["fields"])) for c in changes["changes"])
    assert got == sorted(
        [
            ("added", ids["added"], ()),
            ("removed", ids["removed"], ()),
            ("changed", ids["retitled"], ("title.vi",)),
            ("changed", ids["legal"], ("legal_basis",)),
        ]
    )
    manifest = json.loads((second / "edition.json").read_text("utf-8"))
    assert manifest["number"] == 2 and manifest["previous"] == DATE
    assert manifest["changes"] == {"added": 1, "removed": 1, "renamed": 0, "changed": 2}
    log = (second / "changelog.md").read_text("utf-8")
    assert "Căn cứ pháp lý: " in log and "Legal basis: " in log
    assert log.index("# Bản số 2") < log.index("# Edition 2")


def test_a_renamed_id_is_a_rename(tmp_path):
    import json

    root = copy_starter(tmp_path / "root")
    assert release(root).returncode == 0
    doc = yaml.safe_load((root / "datasets.yaml").read_text("utf-8"))
    entry = next(e for e in doc["datasets"] if e["access"] == "open")
    old = entry["id"]
    entry["id"] = old + "-moi"
    (root / "datasets.yaml").write_text(
        yaml.dump(doc, Dumper=NoAliases, allow_unicode=True, sort_keys=False), "utf-8"
    )
    assert release(root, date="2027-01-15").returncode == 0
    changes = json.loads((root / "editions" / "2027-01-15" / "changes.json").read_text("utf-8"))["changes"]
    assert [(c["kind"], c["old_id"], c["id"]) for c in changes] == [("renamed", old, old + "-moi")]


def test_a_catalogue_with_errors_gets_no_edition(tmp_path):
    root = copy_starter(tmp_path / "root")
    text = (root / "datasets.yaml").read_text("utf-8")
    (root / "datasets.yaml").write_text(
        text.replace("\n    access: open\n", "\n    access: opne\n", 1), "utf-8"
    )
    done = release(root)
    assert done.returncode == 1
    assert "danh mục còn lỗi" in done.stderr and "datasets.yaml:" in done.stderr
    assert not (root / "editions").exists()


def test_bad_options_are_refused_in_the_users_words(tmp_path):
    root = copy_starter(tmp_path / "root")
    bad_date = release(root, date="31/13/2026")
    assert bad_date.returncode == 2 and "không phải ngày" in bad_date.stderr
    two_lines = release(root, decision="1\n2")
    assert two_lines.returncode == 1 and "một dòng" in two_lines.stderr
    late = release(root, "--signed-date", "2027-01-02")
    assert late.returncode == 1 and "sau ngày" in late.stderr
    assert release(root, date="31/12/2026").returncode == 0  # the Vietnamese way of writing it
    assert (root / "editions" / DATE / "annex.pdf").is_file()


def test_settings_without_the_heading_are_refused(tmp_path):
    root = copy_starter(tmp_path / "root")
    path = root / "catalogue" / "settings.yaml"
    path.write_text(path.read_text("utf-8").split("\n# Bản chính thức")[0] + "\n", "utf-8")
    done = release(root, "--lang", "en")
    assert done.returncode == 1 and "edition.issuer.vi" in done.stderr
    assert not (root / "editions").exists()


def test_uncommitted_changes_are_refused_and_the_commit_is_recorded(tmp_path):
    import json

    if shutil.which("git") is None:
        missing("git")
    root = copy_starter(tmp_path / "root")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "start"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    with (root / "datasets.yaml").open("a", encoding="utf-8") as f:
        f.write("\n")
    refused = release(root)
    assert refused.returncode == 1 and "chưa commit" in refused.stderr
    subprocess.run([*git, "checkout", "--", "datasets.yaml"], check=True)
    assert release(root).returncode == 0
    manifest = json.loads((root / "editions" / DATE / "edition.json").read_text("utf-8"))
    assert manifest["commit"] == head


def test_without_a_draft_notice_the_edition_is_not_a_draft(tmp_path):
    import json

    root = copy_starter(tmp_path / "root")
    path = root / "catalogue" / "settings.yaml"
    kept = [line for line in path.read_text("utf-8").split("\ndraft_notice:")[0].splitlines()]
    rest = path.read_text("utf-8").split("\ndraft_notice:")[1].split("\n", 3)[3]
    path.write_text("\n".join(kept) + "\n" + rest, "utf-8")
    assert release(root).returncode == 0, path.read_text("utf-8")
    folder = root / "editions" / DATE
    assert json.loads((folder / "edition.json").read_text("utf-8"))["draft"] is False
    assert "DỰ THẢO" not in text_of(folder / "annex.pdf")


def test_printing_on_another_core_gives_the_same_files(tmp_path):
    """The fast path (the PDF printed on a forked process) against the plain one."""
    import datetime as dt

    from citycat.pipeline.release import release as make

    root = copy_starter(tmp_path / "root")
    one = make(root, tmp_path / "one", dt.date(2026, 12, 31), DECISION, workers=1)
    two = make(root, tmp_path / "two", dt.date(2026, 12, 31), DECISION, workers=2)
    assert one.files.keys() == two.files.keys()
    for name in one.files:
        assert one.files[name] == two.files[name], name
        assert (tmp_path / "two" / DATE / name).read_bytes() == one.files[name]
