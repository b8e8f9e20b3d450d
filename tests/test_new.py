"""`citycat new`: an entry added from options or by answering questions, the rest of the file
byte for byte as it was, and the result valid and already in the canonical layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from citycat.cli import app
from citycat.editing.fmt import format_text
from citycat.pipeline.validate import validate
from citycat.source.yamlsafe import load_file
from tests.conftest import CASES, TODAY, assemble, copy_starter

runner = CliRunner()

FLAGS = [
    "--no-input",
    "--today",
    "2026-11-28",
    "--title-vi",
    "Danh sách điểm wifi công cộng",
    "--title-en",
    "Public wifi hotspots",
    "--description-vi",
    "Vị trí các điểm phát wifi công cộng miễn phí do Thành phố lắp đặt tại phố đi bộ và công viên.",
    "--agency",
    "so-y-te",
    "--contact-email",
    "wifi@hanoi.gov.vn",
    "--themes",
    "y-te",
    "--keywords-vi",
    "wifi, internet công cộng",
    "--access",
    "open",
    "--frequency",
    "quarterly",
    "--format",
    "CSV",
    "--url",
    "https://dulieu.hanoi.gov.vn/files/wifi.csv",
]


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The starter catalogue (frozen): comments, section headers, blank lines between entries."""
    return copy_starter(tmp_path / "repo")


def entries(root: Path) -> list[dict]:
    doc, _ = load_file(root / "datasets.yaml", "datasets.yaml")
    return doc["datasets"]


def test_from_options_into_the_repository_file(repo_copy):
    before = (repo_copy / "datasets.yaml").read_bytes()
    out = runner.invoke(app, ["new", "-C", str(repo_copy), *FLAGS])
    assert out.exit_code == 0, out.output
    after = (repo_copy / "datasets.yaml").read_bytes()
    assert after.startswith(before)  # everything that was there, byte for byte
    added = after[len(before) :].decode("utf-8")
    assert added.startswith("\n  - id: danh-sach-diem-wifi-cong-cong\n")  # a blank line, as between entries
    assert '      vi: "Danh sách điểm wifi công cộng"\n' in added
    assert "    keywords:\n      vi: [wifi, internet công cộng]\n" in added
    assert "        download_url: https://dulieu.hanoi.gov.vn/files/wifi.csv\n" in added
    new = entries(repo_copy)[-1]
    assert (new["id"], new["agency"], new["access"], new["licence"], new["status"], str(new["due"])) == (
        "danh-sach-diem-wifi-cong-cong",
        "so-y-te",
        "open",
        "cc-by",
        "proposed",
        "2026-12-31",  # the catalogue's deadline
    )
    assert new["personal_data"] is False
    assert not format_text(after.decode("utf-8")).changed  # already in the canonical layout
    assert validate(repo_copy, TODAY, use_cache=False).ok()
    assert "Đã thêm 'danh-sach-diem-wifi-cong-cong' vào datasets.yaml (dòng" in out.output


def test_by_answering_questions(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    before = (root / "datasets.yaml").read_bytes()
    answers = [
        "Sổ theo dõi cấp nước sạch nông thôn",  # title (vi)
        "",  # title (en): skipped
        "",  # id: the one made from the title
        "Ngắn quá",  # description too short: asked again
        "Số hộ được cấp nước sạch ở từng xã, theo nguồn cấp và chất lượng nước, cập nhật hằng quý.",
        "",  # description (en): skipped
        "so-y-tee",  # not an agency: asked again
        "so-nong-nghiep-va-moi-truong",
        "Phòng Thủy lợi",
        "nuoc-sach",  # contact e-mail without @: asked again
        "thuyloi@hanoi.gov.vn",
        "1",  # themes by number
        "nước sạch, cấp nước",
        "",
        "shared",  # access: not open
        "",  # data class: skipped
        "y",  # personal data: yes
        "Nghị định 194/2025/NĐ-CP, Điều 12",  # legal basis
        "quarterly",
        "",  # status: proposed
        "2026-13-01",  # not a date: asked again
        "2026-12-20",
        "",  # issued: today
        "",  # modified: today
        "",  # no distribution
    ]
    out = runner.invoke(
        app, ["new", "-C", str(root), "--today", "2026-11-28"], input="\n".join(answers) + "\n"
    )
    assert out.exit_code == 0, out.output
    assert "Tên bộ dữ liệu (tiếng Việt, có dấu)" in out.output
    assert "Cần ít nhất 50 ký tự (hiện có 8)." in out.output
    assert "'so-y-tee' không có trong danh sách" in out.output
    assert "Thư điện tử chưa đúng" in out.output
    assert "'2026-13-01' không phải ngày" in out.output
    assert " 1. " in out.output and "— Sở Y tế" in out.output  # the agencies, numbered
    after = (root / "datasets.yaml").read_bytes()
    assert after.startswith(before)
    new = entries(root)[-1]
    assert new["id"] == "so-theo-doi-cap-nuoc-sach-nong-thon"
    assert new["agency"] == "so-nong-nghiep-va-moi-truong"
    first_theme = next(iter(load_file(root / "catalogue" / "themes.yaml", "t")[0]["themes"]))["id"]
    assert new["themes"] == [first_theme]
    assert new["personal_data"] is True and "licence" not in new
    assert new["legal_basis"] == "Nghị định 194/2025/NĐ-CP, Điều 12"
    assert "title" in new and "en" not in new["title"] and "distributions" not in new
    assert (str(new["issued"]), str(new["modified"])) == ("2026-11-28", "2026-11-28")  # today
    assert validate(root, TODAY, use_cache=False).ok()


def test_questions_in_english(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    out = runner.invoke(app, ["new", "-C", str(root), "--lang", "en"], input="\n")
    assert "Title in Vietnamese" in out.output
    assert out.exit_code != 0  # the input ran out: nothing written
    assert (root / "datasets.yaml").read_bytes() == (CASES / "good" / "datasets.yaml").read_bytes()


def test_missing_values_without_questions(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    out = runner.invoke(app, ["new", "-C", str(root), "--no-input", "--title-vi", "Một bộ dữ liệu"])
    assert out.exit_code == 2
    assert "Thiếu: " in out.output and "--description-vi" in out.output and "--agency" in out.output
    assert (root / "datasets.yaml").read_bytes() == (CASES / "good" / "datasets.yaml").read_bytes()


@pytest.mark.parametrize(
    "change, code, words",
    [
        (["--id", "bang-gia-dat"], 1, "đã có trong datasets.yaml"),
        (["--id", "Bảng giá"], 1, "không hợp lệ"),
        (["--agency", "so-y-tee"], 2, "'so-y-tee' không có trong danh sách"),
        (["--keywords-vi", "wifi/4g"], 1, "field-pattern"),  # citycat's own check, before writing
        (["--due", "31/13/2026"], 2, "'31/13/2026' không phải ngày"),
        (["--issued", "01/12/2026"], 2, "--issued: Ngày 01/12/2026 chưa tới (hôm nay là 28/11/2026)."),
        (["--issued", "20/11/2026", "--modified", "2026-11-01"], 2, "trước ngày ban hành 20/11/2026"),
        (["--format", "CVS"], 2, "'CVS' không có trong danh sách. Ý bạn là CSV? Các mã hợp lệ: CSV, XLSX"),
    ],
)
def test_mistakes_write_nothing(tmp_path, change, code, words):
    root = assemble(tmp_path / "c", CASES / "good")
    out = runner.invoke(app, ["new", "-C", str(root), *FLAGS, *change])
    assert out.exit_code == code, out.output
    assert words in out.output and "Traceback" not in out.output
    assert (root / "datasets.yaml").read_bytes() == (CASES / "good" / "datasets.yaml").read_bytes()
    assert sorted(p.name for p in root.iterdir()) == ["catalogue", "datasets.yaml", "samples", "schemas"]


def test_dry_run_shows_the_entry(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    out = runner.invoke(app, ["new", "-C", str(root), *FLAGS, "--dry-run", "--lang", "en"])
    assert out.exit_code == 0, out.output
    assert "The entry that would be added (nothing written):" in out.output
    assert "  - id: danh-sach-diem-wifi-cong-cong\n" in out.output
    assert (root / "datasets.yaml").read_bytes() == (CASES / "good" / "datasets.yaml").read_bytes()


def _session(answers: list[str]) -> str:
    return "\n".join(answers) + "\n"


FULL = [
    "Danh sách điểm phát wifi công cộng miễn phí",  # title (vi)
    "Free public wifi hotspots",  # title (en)
    "",  # id: made from the title
    "Vị trí các điểm phát wifi công cộng miễn phí do Thành phố lắp đặt tại phố đi bộ và công viên.",
    "Locations of the free public wifi hotspots the city installed on walking streets and in parks.",
    "Sở KH&CN",  # not an id: "Ý bạn là so-khoa-hoc-va-cong-nghe?", asked again
    "SKHCN",  # the abbreviation names it
    "Phòng Công nghệ thông tin",
    "cntt@hanoi.gov.vn",
    "Y te, giao duc",  # themes without marks, by name
    "wifi, internet công cộng",
    "wifi, public internet",
    "OPEN",  # codes in any case
    "other",
    "",  # licence: cc-by
    "hang quy",  # the frequency by its Vietnamese label, typed without marks
    "",  # status: proposed
    "31/12/2026",  # day/month/year
    "01/12/2026",  # issued in the future: asked again
    "01/11/2026",
    "2026-10-20",  # modified before issued: asked again
    "2026-11-20",
    "geojson",  # the code is GEOJSON
    "https://dulieu.hanoi.gov.vn/files/wifi.geojson",
    "",  # distribution title (vi): the title and format
    "",  # distribution title (en): the English title and format
]


def test_a_fully_answered_session_gives_no_error_and_no_warning(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    out = runner.invoke(app, ["new", "-C", str(root), "--today", "2026-11-28"], input=_session(FULL))
    assert out.exit_code == 0, out.output
    assert "'Sở KH&CN' không có trong danh sách. Ý bạn là so-khoa-hoc-va-cong-nghe?" in out.output
    assert "Ngày 01/12/2026 chưa tới (hôm nay là 28/11/2026)." in out.output
    assert "Ngày cập nhật 20/10/2026 trước ngày ban hành 01/11/2026." in out.output
    assert "Hạn công bố (ngày/tháng/năm, ví dụ 31/12/2026) [31/12/2026]" in out.output  # the deadline
    new = entries(root)[-1]
    assert (new["agency"], new["themes"], new["access"], new["frequency"]) == (
        "so-khoa-hoc-va-cong-nghe",
        ["y-te", "giao-duc"],
        "open",
        "quarterly",
    )
    assert [str(new[k]) for k in ("due", "issued", "modified")] == ["2026-12-31", "2026-11-01", "2026-11-20"]
    assert new["distributions"] == [
        {
            "title": {
                "vi": "Danh sách điểm phát wifi công cộng miễn phí (GEOJSON)",
                "en": "Free public wifi hotspots (GEOJSON)",
            },
            "format": "GEOJSON",
            "download_url": "https://dulieu.hanoi.gov.vn/files/wifi.geojson",
        }
    ]
    result = validate(root, TODAY, use_cache=False)
    assert [(f.code, str(f.loc)) for f in result.findings] == []  # 0 errors, 0 warnings


def test_a_session_in_english(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    answers = [*FULL]
    answers[answers.index("01/12/2026")] = "2026-12-01"
    out = runner.invoke(
        app, ["new", "-C", str(root), "--today", "2026-11-28", "--lang", "en"], input=_session(answers)
    )
    assert out.exit_code == 0, out.output
    assert "'Sở KH&CN' is not in the list. Did you mean so-khoa-hoc-va-cong-nghe? Pick a number" in out.output
    assert "The date 2026-12-01 is in the future (today is 2026-11-28)." in out.output
    assert "Added 'danh-sach-diem-phat-wifi-cong-cong-mien-phi' to datasets.yaml" in out.output
    assert "Đã" not in out.output and "Tên" not in out.output


def test_choices_ignore_case_and_marks_and_dates_are_day_first(tmp_path):
    root = assemble(tmp_path / "c", CASES / "good")
    change = ["--agency", "Sở Y tế", "--themes", "Y-TE", "--access", "Open", "--format", "csv"]
    change += ["--due", "15/12/2026", "--issued", "2026-11-01", "--modified", "2/11/2026"]
    out = runner.invoke(app, ["new", "-C", str(root), *FLAGS, *change])
    assert out.exit_code == 0, out.output
    new = entries(root)[-1]
    assert (new["agency"], new["themes"], new["access"]) == ("so-y-te", ["y-te"], "open")
    assert new["distributions"][0]["format"] == "CSV"
    assert [str(new[k]) for k in ("due", "issued", "modified")] == ["2026-12-15", "2026-11-01", "2026-11-02"]
    assert "due: 2026-12-15\n" in (root / "datasets.yaml").read_text("utf-8")  # stored ISO


@pytest.mark.parametrize(
    "lang, words",
    [
        (
            "vi",
            [
                "--agency: 'so-khcn' không có trong danh sách. Ý bạn là so-khoa-hoc-va-cong-nghe?",
                "Các mã hợp lệ: so-y-te, ",
            ],
        ),
        (
            "en",
            [
                "--agency: 'so-khcn' is not in the list. Did you mean so-khoa-hoc-va-cong-nghe?",
                "Valid ids: so-y-te, ",
            ],
        ),
    ],
)
def test_a_bad_choice_without_questions_names_the_valid_ones(tmp_path, lang, words):
    root = assemble(tmp_path / "c", CASES / "good")
    out = runner.invoke(app, ["new", "-C", str(root), *FLAGS, "--agency", "so-khcn", "--lang", lang])
    assert out.exit_code == 2
    assert all(w in out.output for w in words), out.output
    assert "ở trên" not in out.output and "above" not in out.output  # nothing is shown above
    assert (root / "datasets.yaml").read_bytes() == (CASES / "good" / "datasets.yaml").read_bytes()


@pytest.mark.parametrize(
    "lang, words",
    [
        ("vi", "  --access: một trong open, shared, internal"),
        ("en", "  --access: one of open, shared, internal"),
    ],
)
def test_a_missing_choice_without_questions_names_the_valid_ones(tmp_path, lang, words):
    root = assemble(tmp_path / "c", CASES / "good")
    flags = [f for i, f in enumerate(FLAGS) if "--access" not in FLAGS[max(i - 1, 0) : i + 1]]
    out = runner.invoke(app, ["new", "-C", str(root), *flags, "--lang", lang])
    assert out.exit_code == 2
    assert words in out.output and "--access" in out.output.splitlines()[0]


@pytest.mark.parametrize(
    "lang, words", [("vi", "Đã dừng giữa chừng: chưa ghi gì."), ("en", "Stopped before the end")]
)
def test_input_running_out_is_said_in_the_language(tmp_path, lang, words):
    root = assemble(tmp_path / "c", CASES / "good")
    out = runner.invoke(app, ["new", "-C", str(root), "--lang", lang], input="Một bộ dữ liệu\n")
    assert out.exit_code == 1
    assert words in out.output and "Aborted" not in out.output


def test_every_option_has_a_help_description():
    import typer.main

    command = typer.main.get_command(app).commands["new"]
    missing = [p.name for p in command.params if not getattr(p, "help", None)]
    assert missing == []
