"""``citycat import xlsx``: the starter catalogue's datasets.xlsx back into an empty catalogue,
and an agency's own spreadsheet in the annex's columns (made here with openpyxl)."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

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
    source_catalogue,
)

LOST = {"spatial", "landing_page"}  # the spreadsheet has no column for them


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return built_site(tmp_path_factory.mktemp("site") / "public")


@pytest.mark.parametrize("where", ["file", "url"])
def test_datasets_xlsx_round_trip(where, site, tmp_path):
    target = empty_catalogue(tmp_path / "cat")
    with FolderServer(site) as host:
        location = f"{host.url}/datasets.xlsx" if where == "url" else str(site / "datasets.xlsx")
        done = imported("xlsx", location, target)
    assert done.returncode == 0, done.stderr
    compare(source_catalogue(), load(target).catalogue, LOST)
    citycat("validate", "--root", str(target), "--today", TODAY.isoformat(), check=True)
    citycat("fmt", "--check", "--root", str(target), check=True)


ANNEX = ["STT", "Tên dữ liệu", "Cơ quan chủ quản", "Nội dung", "Mức độ chia sẻ", "Phương thức chia sẻ",
         "Tần suất cập nhật", "Căn cứ pháp lý", "Trạng thái"]  # fmt: skip


def _agency_sheet(path, rows, header=ANNEX, title=True):
    book = Workbook()
    ws = book.active
    ws.title = "Phụ lục"
    if title:  # agencies put a title above the table
        ws.append(["DANH MỤC DỮ LIỆU DÙNG CHUNG CỦA SỞ Y TẾ"])
        ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)


def test_an_agencys_spreadsheet_with_the_annex_columns(tmp_path):
    target = empty_catalogue(tmp_path / "cat")
    rows = [
        [1, "Danh sách phòng khám đa khoa tư nhân", "Sở Y tế",
         "Danh sách các phòng khám đa khoa tư nhân được cấp phép hoạt động trên địa bàn Thành phố, gồm địa chỉ và giờ làm việc.",
         "Dữ liệu mở", "Tệp tải về (CSV/XLSX…); API qua nền tảng LGSP của Thành phố", "Hằng tháng", None, "Đề xuất"],
        [2, "Danh sách bác sĩ gia đình", "so y te",  # an id, or a name typed without marks, both work
         "Danh sách bác sĩ gia đình đăng ký hành nghề, dùng chung giữa các cơ quan để tra cứu và cấp phép.",
         "Dữ liệu dùng chung", "API qua nền tảng LGSP của Thành phố", "Hằng quý",
         "Nghị định 194/2025/NĐ-CP, Điều 12", "Đề xuất"],
        [None] * 9,  # an empty row in the middle
    ]  # fmt: skip
    _agency_sheet(tmp_path / "so-y-te.xlsx", rows)
    done = imported("xlsx", str(tmp_path / "so-y-te.xlsx"), target, "--lang", "en")
    c = load(target).catalogue
    a, b = c.datasets
    assert (a.id, a.agency, a.access, a.get("frequency")) == (
        "danh-sach-phong-kham-da-khoa-tu-nhan", "so-y-te", "open", "monthly",
    )  # fmt: skip
    assert a.get("sharing.methods") == ("file", "lgsp-api") and a.get("personal_data") is False
    assert (b.agency, b.access, b.get("legal_basis")) == (
        "so-y-te",
        "shared",
        "Nghị định 194/2025/NĐ-CP, Điều 12",
    )
    assert a.date("due") == c.settings.get("deadline")
    # what the annex does not have, the report asks for: a contact e-mail, a licence, personal data
    assert done.returncode == 1
    assert needs(done) == {
        a.id: ["field-required", "licence-required"],
        b.id: ["field-required", "field-required"],
    }
    assert "'personal_data'" in done.stderr and "'contact.email'" in done.stderr


def test_wrong_columns_are_named(tmp_path):
    target = empty_catalogue(tmp_path / "cat")
    before = (target / "datasets.yaml").read_bytes()
    _agency_sheet(tmp_path / "sai.xlsx", [[1, "x", "y"]], header=["STT", "Tên", "Đơn vị"], title=False)
    done = imported("xlsx", str(tmp_path / "sai.xlsx"), target)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert (
        "không có trang tính nào có các cột của phụ lục ('STT', 'Tên dữ liệu', 'Cơ quan chủ quản'"
        in done.stderr
    )
    assert "Phụ lục: STT, Tên, Đơn vị" in done.stderr  # what it found instead
    (tmp_path / "not.xlsx").write_text("a,b\n1,2\n", "utf-8")
    done = imported("xlsx", str(tmp_path / "not.xlsx"), target, "--lang", "en")
    assert done.returncode == 2 and "is not a readable Excel .xlsx file" in done.stderr
    assert (target / "datasets.yaml").read_bytes() == before


def test_dates_and_yes_no_in_the_agencys_words(tmp_path):
    target = empty_catalogue(tmp_path / "cat")
    header = [*ANNEX, "Hạn công bố", "Ngày ban hành", "Có dữ liệu cá nhân", "Email liên hệ", "Giấy phép"]
    row = [1, "Danh sách nhà thuốc bệnh viện", "Sở Y tế",
           "Danh sách nhà thuốc trong khuôn viên bệnh viện công lập, gồm tên, địa chỉ và giờ mở cửa hằng ngày.",
           "Dữ liệu mở", "Tệp tải về (CSV/XLSX…)", "Hằng năm", None, "Đề xuất",
           "15/12/2026", dt.datetime(2025, 3, 1), "Không", "mailto:duoc@soyte.hanoi.gov.vn",
           "Creative Commons Ghi công 4.0 (CC BY 4.0)"]  # fmt: skip
    _agency_sheet(tmp_path / "a.xlsx", [row], header=header)
    done = imported("xlsx", str(tmp_path / "a.xlsx"), target)
    assert done.returncode == 0, done.stderr
    (d,) = load(target).catalogue.datasets
    assert (d.date("due"), d.date("issued")) == (dt.date(2026, 12, 15), dt.date(2025, 3, 1))
    assert (d.get("personal_data"), d.get("contact.email"), d.get("licence")) == (
        False, "duoc@soyte.hanoi.gov.vn", "cc-by",
    )  # fmt: skip
