"""`citycat diff`, `citycat summary` and `validate --changed-since`, in a real git repository
made by each test from the good catalogue."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citycat.cli import app
from citycat.editing.changes import ChangesError, breaking, compare, keep
from citycat.pipeline.validate import validate
from tests.conftest import CASES, TODAY, assemble

runner = CliRunner()


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = assemble(tmp_path / "repo", CASES / "good")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "test@example.org")
    git(root, "config", "user.name", "Test")
    (root / ".gitignore").write_text(".citycat-cache/\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    return root


def edit(root: Path, old: str, new: str) -> None:
    path = root / "datasets.yaml"
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def entry(root: Path, dataset_id: str) -> str:
    """The text of one entry of the good catalogue, from its "- id:" line to the next."""
    text = (root / "datasets.yaml").read_text("utf-8")
    start = text.index(f"  - id: {dataset_id}\n")
    end = text.find("\n  - id: ", start + 1)
    return text[start : end + 1 if end >= 0 else len(text)]


NEW_ENTRY = """  - id: diem-wifi-cong-cong
    title:
      vi: Danh sách điểm wifi công cộng miễn phí
      en: Free public wifi hotspots
    description:
      vi: Vị trí các điểm phát wifi công cộng miễn phí do Thành phố lắp đặt tại phố đi bộ, công viên và nhà chờ xe buýt.
      en: Locations of the free public wifi hotspots the city runs in pedestrian streets, parks and bus shelters.
    agency: so-y-te
    contact:
      email: wifi@hanoi.gov.vn
    themes: [y-te]
    access: open
    personal_data: false
    licence: cc-by
    frequency: quarterly
    status: proposed
    due: 2026-12-31
    distributions:
      - title:
          vi: Điểm wifi (CSV)
        format: CSV
        download_url: https://dulieu.hanoi.gov.vn/files/diem-wifi.csv
"""


def test_added_changed_and_removed_entries_field_by_field(repo):
    edit(repo, "    status: confirmed\n", "    status: published\n")
    edit(repo, "vi: [giá đất]", "vi: [giá đất, bảng giá]")
    text = (repo / "datasets.yaml").read_text("utf-8")
    (repo / "datasets.yaml").write_text(
        text.replace(entry(repo, "nguoi-hanh-nghe-kham-chua-benh"), "") + NEW_ENTRY
    )
    c = compare(repo, "main")
    kinds = {x.id: x.kind for x in c.changes}
    assert kinds == {
        "bang-gia-dat": "changed",
        "diem-wifi-cong-cong": "added",
        "nguoi-hanh-nghe-kham-chua-benh": "removed",
    }
    changed = c.of("changed")[0]
    assert [(f.path, f.old, f.new) for f in changed.fields] == [
        ("keywords.vi", ["giá đất"], ["giá đất", "bảng giá"]),
        ("status", "confirmed", "published"),
    ]
    added = c.of("added")[0]
    assert (
        added.loc.line
        == (repo / "datasets.yaml").read_text("utf-8").split("\n").index("  - id: diem-wifi-cong-cong") + 1
    )
    assert c.files == ("datasets.yaml",)
    # removing an entry that was only proposed breaks nobody
    assert breaking(repo, c) == []


def test_a_distribution_change_is_named_by_its_position(repo):
    edit(repo, "byte_size: 482133", "byte_size: 500000")
    (change,) = compare(repo, "main").changes
    assert [(f.path, f.old, f.new) for f in change.fields] == [("distributions.0.byte_size", 482133, 500000)]


def test_removing_a_published_dataset_is_an_error_until_it_is_withdrawn(repo):
    first = entry(repo, "danh-sach-nha-thuoc")
    path = repo / "datasets.yaml"
    path.write_text(path.read_text("utf-8").replace(first, ""), "utf-8")
    (finding,) = breaking(repo, compare(repo, "main"))
    assert (finding.code, finding.dataset, finding.level) == (
        "dataset-removed",
        "danh-sach-nha-thuoc",
        "error",
    )
    assert finding.loc.file == "datasets.yaml" and finding.loc.line == 2  # the list's "datasets:" key

    # withdraw first (one commit), then remove (the next): no finding
    git(repo, "checkout", "-q", "datasets.yaml")
    edit(repo, "    status: published\n", "    status: withdrawn\n")
    git(repo, "commit", "-q", "-am", "withdraw")
    path.write_text(path.read_text("utf-8").replace(entry(repo, "danh-sach-nha-thuoc"), ""), "utf-8")
    assert breaking(repo, compare(repo, "HEAD")) == []


def test_a_published_dataset_under_a_new_id_is_a_rename(repo):
    edit(repo, "  - id: danh-sach-nha-thuoc\n", "  - id: nha-thuoc-ha-noi\n")
    c = compare(repo, "main")
    (change,) = c.changes
    assert (change.kind, change.id, change.old_id, change.fields) == (
        "renamed",
        "nha-thuoc-ha-noi",
        "danh-sach-nha-thuoc",
        (),
    )
    (finding,) = breaking(repo, c)
    assert (finding.code, finding.level, finding.loc.line) == ("dataset-renamed", "error", 3)
    assert "danh-sach-nha-thuoc" in finding.fix("vi")


def test_renaming_an_unpublished_dataset_is_a_warning(repo):
    edit(repo, "  - id: bang-gia-dat\n", "  - id: bang-gia-dat-ha-noi\n")
    (finding,) = breaking(repo, compare(repo, "main"))
    assert (finding.code, finding.level) == ("dataset-renamed", "warning")


def test_an_id_from_the_history_cannot_come_back(repo):
    path = repo / "datasets.yaml"
    old = entry(repo, "bang-gia-dat")
    path.write_text(path.read_text("utf-8").replace(old, ""), "utf-8")
    git(repo, "commit", "-q", "-am", "remove the land prices")
    retitled = old.replace("Bảng giá đất Thành phố Hà Nội", "Bảng giá đất nông nghiệp")
    path.write_text(path.read_text("utf-8") + retitled, "utf-8")
    c = compare(repo, "HEAD")
    assert [(x.kind, x.id) for x in c.changes] == [("added", "bang-gia-dat")]
    (finding,) = breaking(repo, c)
    assert finding.code == "id-reused" and finding.dataset == "bang-gia-dat"
    assert finding.params["commit"].startswith(git(repo, "log", "-1", "--format=%h"))  # the removal
    # a brand-new id has no history
    path.write_text(
        path.read_text("utf-8").replace("  - id: bang-gia-dat\n", "  - id: bang-gia-dat-moi\n"), "utf-8"
    )
    assert breaking(repo, compare(repo, "HEAD")) == []


def test_changed_since_keeps_findings_of_changed_entries_only(repo):
    # a mistake in an entry already at the ref (not this change's business) ...
    edit(repo, "    agency: so-nong-nghiep-va-moi-truong\n", "    agency: so-nong-nghiep\n")
    git(repo, "commit", "-q", "-am", "an old mistake")
    # ... and one in the entry this change edits
    edit(repo, "email: nghiepvuduoc@hanoi.gov.vn", "email: nghiepvuduoc-at-hanoi")
    everything = validate(repo, TODAY, use_cache=False)
    assert {f.dataset for f in everything.findings} >= {"bang-gia-dat", "danh-sach-nha-thuoc"}
    c = compare(repo, "HEAD")
    assert {f.dataset for f in keep(everything.findings, c)} == {"danh-sach-nha-thuoc"}

    out = runner.invoke(
        app, ["validate", "-C", str(repo), "--changed-since", "HEAD", "--today", "2026-11-28"]
    )
    assert out.exit_code == 1, out.output
    assert "danh-sach-nha-thuoc" in out.output and "bang-gia-dat" not in out.output
    assert "datasets.yaml:14:" in out.output  # the e-mail line, in the terminal's compiler style

    gh = runner.invoke(
        app,
        [
            "validate",
            "-C",
            str(repo),
            "--changed-since",
            "HEAD",
            "--format",
            "github",
            "--today",
            "2026-11-28",
        ],
    )
    summary, first = gh.output.splitlines()[:2]  # the summary line first, then the annotations
    assert summary.startswith("1 lỗi") and first.startswith("::error file=datasets.yaml,line=14,")


def test_changed_since_reports_a_changed_register_and_a_removed_entry(repo):
    path = repo / "datasets.yaml"
    path.write_text(path.read_text("utf-8").replace(entry(repo, "danh-sach-nha-thuoc"), ""), "utf-8")
    out = runner.invoke(
        app,
        ["validate", "-C", str(repo), "--changed-since", "main", "--format", "json", "--today", "2026-11-28"],
    )
    assert out.exit_code == 1
    codes = [f["code"] for f in json.loads(out.output)["findings"]]
    assert codes == ["dataset-removed"]


def test_changed_since_when_the_file_cannot_be_read_shows_why(repo):
    (repo / "datasets.yaml").write_text("datasets:\n  - id: [unclosed\n", "utf-8")
    out = runner.invoke(
        app, ["validate", "-C", str(repo), "--changed-since", "main", "--today", "2026-11-28"]
    )
    assert out.exit_code == 1
    assert "yaml-unclosed-bracket" in out.output


def test_diff_command_text_json_and_markdown(repo):
    edit(repo, "    status: confirmed\n", "    status: published\n")
    (repo / "datasets.yaml").write_text((repo / "datasets.yaml").read_text("utf-8") + NEW_ENTRY, "utf-8")
    vi = runner.invoke(app, ["diff", "main", "-C", str(repo)])
    assert vi.exit_code == 0, vi.output
    assert vi.output.splitlines()[0] == "So với main: thêm 1, sửa 1, đổi mã 0, xóa 0 bộ dữ liệu."
    assert "      status: confirmed → published" in vi.output
    assert "+ thêm    diem-wifi-cong-cong  “Danh sách điểm wifi công cộng miễn phí”" in vi.output
    en = runner.invoke(app, ["diff", "main", "-C", str(repo), "--lang", "en"])
    assert en.output.splitlines()[0] == "Since main: 1 added, 1 changed, 0 renamed, 0 removed."
    doc = json.loads(runner.invoke(app, ["diff", "main", "-C", str(repo), "-f", "json"]).output)
    assert doc["counts"] == {"added": 1, "changed": 1, "renamed": 0, "removed": 0}
    assert doc["changes"][0]["fields"] == [{"path": "status", "old": "confirmed", "new": "published"}]
    md = runner.invoke(app, ["diff", "main", "-C", str(repo), "-f", "markdown"]).output
    assert (
        "| ✏️ sửa | `bang-gia-dat` | Bảng giá đất Thành phố Hà Nội | `status`: confirmed → published |" in md
    )


def test_summary_for_a_pull_request(repo):
    edit(repo, "email: nghiepvuduoc@hanoi.gov.vn", "email: nghiepvuduoc | hanoi")
    out = runner.invoke(app, ["summary", "main", "-C", str(repo), "--today", "2026-11-28"])
    assert out.exit_code == 0, out.output
    md = out.output
    assert md.startswith("## Danh mục dữ liệu — kiểm tra thay đổi\n\n❌")
    assert "| ✏️ sửa | `danh-sach-nha-thuoc` |" in md
    row = next(line for line in md.splitlines() if "`field-format`" in line)
    assert row.startswith("| ❌ lỗi | `field-format` | `datasets.yaml:14:14` | `danh-sach-nha-thuoc` |")
    assert "nghiepvuduoc \\| hanoi" in row  # a | in a value does not break the table
    assert "### Điểm chất lượng của các mục thay đổi" in md
    score_row = next(line for line in md.splitlines() if line.startswith("| `danh-sach-nha-thuoc` |"))
    before, after, delta = (cell.strip() for cell in score_row.split("|")[2:5])
    assert int(after) < int(before) and int(delta) == int(after) - int(before)  # a broken e-mail costs points
    no_scores = runner.invoke(
        app, ["summary", "main", "-C", str(repo), "--today", "2026-11-28", "--no-scores"]
    )
    assert "Điểm chất lượng" not in no_scores.output
    git(repo, "checkout", "-q", "datasets.yaml")
    clean = runner.invoke(app, ["summary", "main", "-C", str(repo), "--today", "2026-11-28", "--lang", "en"])
    assert clean.output.splitlines()[2] == "✅ No errors in the changed entries."
    assert "No dataset changed since main." in clean.output and "No errors or warnings." in clean.output


def test_usage_mistakes_exit_2_without_a_traceback(repo, tmp_path):
    for args in (
        ["diff", "no-such-branch", "-C", str(repo)],
        ["diff", "--output=x", "-C", str(repo)],
        ["validate", "-C", str(repo), "--changed-since", "no-such-branch"],
    ):
        out = runner.invoke(app, args)
        assert out.exit_code == 2, (args, out.output)
        assert "Traceback" not in out.output
    plain = assemble(tmp_path / "not-git", CASES / "good")
    out = runner.invoke(app, ["diff", "HEAD", "-C", str(plain)])
    assert out.exit_code == 2 and "kho git" in out.output
    with pytest.raises(ChangesError):
        compare(plain, "HEAD")
